"""Invalid commands, for fuzzing a host's boundary: every one must become a typed error.

:func:`invalid_commands` draws a Desk command (``receive``, ``classify``, ``start``, ...) with
valid arguments except one, which holds a value no boundary may accept: a wrong type, ``None``,
a huge string, NaN or infinity, a naive or out-of-range datetime, an unknown code, channel,
remedy, flag or level. :class:`InvalidCommand` says which argument is wrong and applies itself to
a Desk (or anything with the Desk's method names); :class:`~ccms.testing.boundary.BoundarySuite`
asserts a host turns each into a typed error and changes nothing.

>>> from hypothesis import find
>>> find(invalid_commands(names=["start"], fields=["at"]), lambda c: True)
start(<complaint>, at=datetime.datetime(2026, 10, 5, 10, 0))  # at: naive datetime
"""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Final

import attrs
from hypothesis import strategies as st

from ccms.errors import InvalidInput

__all__ = ["COMMAND_FIELDS", "INVALID_VALUES", "InvalidCommand", "invalid_commands"]

_HUGE: Final = "x" * 100_000

#: Invalid values by kind of argument, each with what makes it invalid (shrinks to the first).
INVALID_VALUES: Final[Mapping[str, tuple[tuple[object, str], ...]]] = {
    "id": (
        (None, "None"),
        (5, "wrong type"),
        ("", "empty"),
        ("x" * 10_000, "huge string"),
        (math.nan, "NaN"),
        (["c1"], "wrong type"),
    ),
    "complaint": (("C-does-not-exist", "unknown complaint"),),
    "new_id": (
        (5, "wrong type"),
        ("", "empty"),
        ("x" * 10_000, "huge string"),
        (math.nan, "NaN"),
        (["c1"], "wrong type"),
    ),
    "at": (
        (datetime(2026, 10, 5, 10, 0), "naive datetime"),
        (datetime(1, 1, 2, tzinfo=UTC), "out of range (year 1)"),
        ("2026-10-05T10:00:00Z", "wrong type (a string)"),
        (math.nan, "NaN"),
        (1_790_000_000, "wrong type (epoch seconds)"),
        (date(2026, 10, 5), "wrong type (a date)"),
    ),
    "expected_version": (
        (-1, "negative"),
        (True, "a bool (True == 1, the first version)"),
        ("1", "wrong type"),
        (2**70, "out of range"),
        (math.nan, "NaN"),
        (1.5, "not a whole number"),
    ),
    "idempotency_key": (("k" * 1_000, "huge string"), (5, "wrong type"), ("", "empty")),
    "text": ((5, "wrong type"), (None, "None"), (_HUGE, "huge string")),
    "channel": (("pigeon", "unknown channel"), (None, "None"), (7, "wrong type"), ("", "empty")),
    "codes": ((["NO.SUCH.CODE"], "unknown code"), ([None], "None"), (None, "None"), ([5], "wrong type")),
    "department": (("", "empty"), (5, "wrong type"), (["cs"], "wrong type"), ("x" * 10_000, "huge string")),
    "handler": (("", "empty"), (5, "wrong type"), (["kim"], "wrong type")),
    "level": ((0, "below 1"), (-1, "negative"), (math.nan, "NaN"), ("high", "wrong type"), (10**30, "out of range")),
    "result": (
        (None, "None"),
        ({"remedy": "teleport"}, "unknown remedy"),
        ({"remedy": "refund", "amount": {"amount": "NaN", "currency": "KRW"}}, "NaN amount"),
        (5, "wrong type"),
    ),
    "feedback": ((None, "None"), ({"satisfied": "maybe"}, "wrong type"), (5, "wrong type")),
    "reject_reason": (("bored", "unknown reason"), (None, "None"), (5, "wrong type")),
    "flags": ((["nope"], "unknown flag"), (None, "None"), ([5], "wrong type")),
    "customer": (({"id": "x" * 10_000}, "huge id"), (None, "None"), (5, "wrong type")),
    "concerns": (
        ([], "no concern"),
        (None, "None"),
        ([{"kind": "rant", "text": "x"}], "unknown kind"),
        ([{"kind": "complaint", "text": _HUGE * 10}], "huge text"),
        ([{"kind": "complaint", "text": "x", "severity": "apocalyptic"}], "unknown severity"),
        ([{"kind": "complaint", "text": "x", "code": "NO.SUCH.CODE"}], "unknown code"),
        ([{"kind": "complaint", "text": math.nan}], "NaN"),
    ),
    "attributes": (({"x": math.nan}, "NaN"), ({"x": math.inf}, "infinity"), ({"x": [math.nan]}, "NaN")),
}  # fmt: skip

_CONCERN: Final = {"kind": "complaint", "text": "late delivery"}

#: Each command's valid arguments (positional after the complaint id, then keywords) and the
#: kind of each argument that may be made invalid; ``complaint_id`` and the options every
#: command takes (``at``, ``expected_version``, ``idempotency_key``) are added to each.
COMMAND_FIELDS: Final[Mapping[str, tuple[tuple[Any, ...], dict[str, Any], dict[str, str]]]] = {
    "classify": ((["PRD"],), {}, {"0": "codes"}),
    "assign_department": (("cs",), {}, {"0": "department"}),
    "assign_handler": (("kim",), {}, {"0": "handler"}),
    "start": ((), {}, {}),
    "wait_on_customer": (("photos needed",), {}, {"0": "text"}),
    "resume": ((), {}, {}),
    "respond": (("phone",), {}, {"0": "channel", "note": "text"}),
    "transfer": (("billing",), {"reason": "wrong desk"}, {"0": "department", "reason": "text"}),
    "register_result": (({"remedy": "apology"},), {}, {"0": "result"}),
    "notify": (("phone",), {}, {"0": "channel"}),
    "record_feedback": (({"satisfied": True},), {}, {"0": "feedback"}),
    "reopen": (("still broken",), {}, {"0": "text"}),
    "close": (("done",), {}, {"0": "text"}),
    "withdraw": (("customer withdrew",), {}, {"0": "text"}),
    "reject": (("out_of_scope",), {"note": "n/a"}, {"0": "reject_reason", "note": "text"}),
    "escalate": ((1, "late"), {}, {"0": "level", "1": "text"}),
    "set_flags": ((), {"add": ["vip"]}, {"add": "flags", "reason": "text"}),
    "receive": (
        (),
        {"channel": "phone", "customer": {"id": "C-1"}, "concerns": [_CONCERN]},
        {
            "channel": "channel",
            "customer": "customer",
            "concerns": "concerns",
            "received_at": "at",
            "attributes": "attributes",
            "flags": "flags",
            "complaint_id": "new_id",
        },
    ),
}

_OPTIONS: Final = {
    "at": "at",
    "expected_version": "expected_version",
    "idempotency_key": "idempotency_key",
}


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}...<{len(text)} characters>"


@attrs.frozen(repr=False)
class InvalidCommand:
    """One Desk command with one invalid argument.

    ``name`` is the Desk method; ``complaint_id`` the id to use (``None``: the host's complaint,
    given to :meth:`apply`); ``args`` and ``kwargs`` the other arguments; ``field`` names the
    invalid one (``"complaint_id"``, an option, ``"0"``/``"1"`` for a positional argument or a
    keyword) and ``why`` says what is wrong with it.
    """

    name: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    field: str
    why: str
    complaint_id: object = None
    replaces_id: bool = False

    def apply(self, target: Any, complaint_id: str) -> Any:
        """Call ``target.<name>(...)`` (a Desk, or a host object with the Desk's method names),
        with ``complaint_id`` unless the command replaces it with an invalid one."""
        method: Callable[..., Any] = getattr(target, self.name)
        if self.name == "receive":
            return method(*self.args, **self.kwargs)
        cid = self.complaint_id if self.replaces_id else complaint_id
        return method(cid, *self.args, **self.kwargs)

    def __repr__(self) -> str:
        parts = (
            []
            if self.name == "receive"
            else [_short(self.complaint_id) if self.replaces_id else "<complaint>"]
        )
        parts += [_short(a) for a in self.args]
        parts += [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(parts)})  # {self.field}: {self.why}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints counterexamples with this (not field by field)."""
        printer.text(repr(self))


def _kinds(name: str) -> dict[str, str]:
    """The fields of ``name`` that can be made invalid, and their kinds (``complaint_id*`` is
    the unknown-complaint variant of ``complaint_id``)."""
    kinds = dict(COMMAND_FIELDS[name][2])
    if name == "receive":
        return {**kinds, "idempotency_key": "idempotency_key"}
    return {"complaint_id": "id", "complaint_id*": "complaint", **kinds, **_OPTIONS}


@st.composite
def _command(draw: st.DrawFn, plan: tuple[tuple[str, tuple[str, ...]], ...]) -> InvalidCommand:
    name, open_fields = draw(st.sampled_from(plan))
    args, kwargs, _ = COMMAND_FIELDS[name]
    field = draw(st.sampled_from(open_fields))
    value, why = draw(st.sampled_from(INVALID_VALUES[_kinds(name)[field]]))
    new_args, new_kwargs = list(args), dict(kwargs)
    shown = field.rstrip("*")
    if shown == "complaint_id" and name != "receive":
        return InvalidCommand(name, tuple(args), new_kwargs, shown, why, value, True)
    if field.isdigit():
        new_args[int(field)] = value
    else:
        new_kwargs[field] = value
    return InvalidCommand(name, tuple(new_args), new_kwargs, shown, why)


def invalid_commands(
    *, names: Iterable[str] | None = None, fields: Iterable[str] | None = None
) -> st.SearchStrategy[InvalidCommand]:
    """Desk commands with exactly one invalid argument (see :data:`INVALID_VALUES`).

    ``names`` keeps some commands (Desk method names, e.g. ``["receive", "classify"]``);
    ``fields`` keeps some arguments (``"complaint_id"``, ``"at"``, ``"expected_version"``,
    ``"idempotency_key"``, ``"0"`` for the first positional argument, or a keyword such as
    ``"channel"``). Unknown VOC codes are invalid only for a host with a taxonomy: leave out
    ``classify`` (or pass ``fields``) if yours has none.
    """
    chosen = tuple(COMMAND_FIELDS) if names is None else tuple(names)
    unknown = [n for n in chosen if n not in COMMAND_FIELDS]
    if unknown or not chosen:
        raise InvalidInput(
            f"invalid_commands: unknown command names {unknown or '(none given)'}; allowed: "
            f"{', '.join(COMMAND_FIELDS)}"
        )
    keep = frozenset(fields) if fields is not None else None
    plan = tuple(
        (name, opened)
        for name in chosen
        if (opened := tuple(f for f in _kinds(name) if keep is None or f.rstrip("*") in keep))
    )
    if not plan:
        raise InvalidInput(
            f"invalid_commands: none of {list(chosen)} has a field in {sorted(keep or ())}; "
            "fields are complaint_id, at, expected_version, idempotency_key, '0', '1' and "
            "keywords such as channel or concerns"
        )
    return _command(plan)
