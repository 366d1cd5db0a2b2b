"""``BoundarySuite``: a host's own wrapper turns every invalid command into a typed error.

Give the suite a ``boundary`` fixture: an object with ``submit(command)`` (your code applies an
:class:`~ccms.testing.invalid.InvalidCommand` the way your API, form or queue consumer would) and
``state()`` (a snapshot of what you store, compared with ``==``). For every command
:func:`~ccms.testing.invalid.invalid_commands` draws, ``submit`` must raise one of
:attr:`BoundarySuite.error_types` (:class:`~ccms.errors.CCMSError` by default) and ``state()``
must not change. :class:`DeskBoundary` is the boundary of a bare :class:`~ccms.desk.Desk`::

    class TestMyApi(BoundarySuite):
        @pytest.fixture
        def boundary(self):
            return MyApiBoundary(make_app())

>>> from datetime import UTC, datetime
>>> from ccms.desk import Desk, ManualClock
>>> from ccms.store import InMemoryStore
>>> desk = Desk(InMemoryStore(), clock=ManualClock(datetime(2026, 10, 5, 9, tzinfo=UTC)))
>>> BoundarySuite().test_every_invalid_command_is_a_typed_error_and_changes_nothing(
...     DeskBoundary(desk, fields=["complaint_id", "at", "expected_version"]))
"""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
from collections.abc import Iterable
from typing import Any, ClassVar

from hypothesis import strategies as st

from ccms.errors import CCMSError
from ccms.model import Concern, CustomerRef
from ccms.testing.conformance._common import broke, run_property
from ccms.testing.invalid import InvalidCommand, invalid_commands

__all__ = ["BoundarySuite", "DeskBoundary"]


class DeskBoundary:
    """The boundary of a Desk: commands go to ``desk``'s methods, for a complaint received when
    the boundary is made; ``state()`` is the store's log, complaints and wake-ups as JSON.
    ``names`` and ``fields`` narrow what the suite draws (see
    :func:`~ccms.testing.invalid.invalid_commands`)."""

    def __init__(
        self,
        desk: Any,
        *,
        names: Iterable[str] | None = None,
        fields: Iterable[str] | None = None,
    ) -> None:
        self.desk = desk
        self.names = None if names is None else tuple(names)
        self.fields = None if fields is None else tuple(fields)
        self.complaint_id = desk.receive(
            channel="phone",
            customer=CustomerRef(id="C-1"),
            concerns=[Concern(kind="complaint", text="late delivery")],
        ).id

    def commands(self) -> st.SearchStrategy[InvalidCommand]:
        return invalid_commands(names=self.names, fields=self.fields)

    def submit(self, command: InvalidCommand) -> Any:
        return command.apply(self.desk, self.complaint_id)

    def state(self) -> Any:
        store = self.desk.store
        return (
            [(s.position, s.event.model_dump_json()) for s in store.stream()],
            [c.model_dump_json() for c in store.query()],
            [store.wake_at(cid) for cid in store.ids()],
        )

    def __repr__(self) -> str:
        return f"DeskBoundary({self.desk!r})"


class BoundarySuite:
    """Every invalid command is a typed error and changes nothing. Subclass it and give a
    ``boundary`` fixture (see the module docs); override :meth:`commands` (or give the
    boundary a ``commands()`` method) to draw from a narrower set."""

    #: Examples per property (``None``: the active Hypothesis profile's ``max_examples``).
    max_examples: ClassVar[int | None] = None
    #: What counts as a typed error.
    error_types: ClassVar[tuple[type[BaseException], ...]] = (CCMSError,)

    def commands(self, boundary: Any) -> st.SearchStrategy[InvalidCommand]:
        """The boundary's own ``commands()`` if it has one, else every invalid command."""
        own = getattr(boundary, "commands", None)
        return own() if own is not None else invalid_commands()

    def test_every_invalid_command_is_a_typed_error_and_changes_nothing(
        self, boundary: Any
    ) -> None:
        """``submit`` raises a typed error for each invalid command; ``state()`` is unchanged."""
        typed = self.error_types
        names = " or ".join(t.__name__ for t in typed)

        def prop(command: InvalidCommand) -> None:
            before = boundary.state()
            try:
                got = boundary.submit(command)
            except typed:
                pass
            except Exception as exc:
                broke(
                    boundary,
                    "every invalid command is a typed error",
                    f"{command!r} raised {type(exc).__name__}: {str(exc)[:300]}; expected {names}",
                )
            else:
                broke(
                    boundary,
                    "every invalid command is a typed error",
                    f"{command!r} was accepted (returned {str(got)[:200]}); expected {names}",
                )
            if boundary.state() != before:
                broke(
                    boundary,
                    "a rejected command changes nothing",
                    f"{command!r} was refused, but the stored state changed",
                )

        run_property(prop, max_examples=self.max_examples, command=self.commands(boundary))
