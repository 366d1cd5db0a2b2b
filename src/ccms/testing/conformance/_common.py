"""What every conformance suite shares: how a failure is raised, how a property is run, sample times.

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Final, NoReturn
from zoneinfo import ZoneInfo

from hypothesis import example, given, seed, settings
from hypothesis import strategies as st

from ccms.errors import ConformanceError

__all__ = [
    "T0",
    "ZONES",
    "after",
    "broke",
    "durations",
    "moments",
    "run_property",
    "seeded",
]

_SEED: contextvars.ContextVar[int | None] = contextvars.ContextVar("ccms_suite_seed", default=None)


@contextlib.contextmanager
def seeded(value: int) -> Iterator[None]:
    """Run the suites' properties inside with Hypothesis seeded by ``value`` (a fresh, but
    repeatable, random run; under a derandomized profile the seed is ignored).

    >>> from hypothesis import strategies as st
    >>> seen = []
    >>> for _ in range(2):
    ...     with seeded(7):
    ...         run_property(lambda n: seen.append(n), n=st.integers(), max_examples=3)
    >>> seen[:3] == seen[3:]
    True
    """
    token = _SEED.set(value)
    try:
        yield
    finally:
        _SEED.reset(token)


#: A Monday morning: generated histories and moments start here.
T0: Final = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
#: The zones generated moments are shown in (the instant is what counts).
ZONES: Final[tuple[tzinfo, ...]] = (UTC, ZoneInfo("Asia/Seoul"), ZoneInfo("America/New_York"))


def broke(policy: object, prop: str, detail: str) -> NoReturn:
    """Raise :class:`ConformanceError` for ``policy`` and the property ``prop``.

    >>> broke("my_router", "deterministic", "two calls gave kim, then lee")
    Traceback (most recent call last):
    ...
    ccms.errors.ConformanceError: 'my_router' breaks 'deterministic': two calls gave kim, then lee
    """
    raise ConformanceError(repr(policy), prop, detail)


def after(moment: datetime, delta: timedelta) -> datetime:
    """``delta`` of elapsed time after ``moment``, in ``moment``'s zone (Python's ``+`` on a
    zoned datetime adds wall time: across a DST change it lands an hour off, or in a gap).

    >>> from zoneinfo import ZoneInfo
    >>> after(datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York")), timedelta(hours=1))
    datetime.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=zoneinfo.ZoneInfo(key='America/New_York'))
    """
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def run_property(
    prop: Callable[..., None],
    /,
    *,
    max_examples: int | None = None,
    examples: Sequence[Mapping[str, Any]] = (),
    **strategies: Any,
) -> None:
    """Run ``prop`` as a Hypothesis test over ``strategies`` (keyword arguments), now.

    The settings are the active profile's (so a suite is derandomized under a ``ci`` profile),
    without a deadline: policies may build caches on their first call. Building the test at run
    time lets a suite method use pytest fixtures and strategies chosen by the subclass.

    >>> from hypothesis import strategies as st
    >>> run_property(lambda n: None, n=st.integers(0, 3), max_examples=5)
    """
    changes: dict[str, Any] = {"deadline": None}
    if max_examples is not None:
        changes["max_examples"] = max_examples
    test = given(**strategies)(prop)
    for case in reversed(examples):
        test = example(**case)(test)
    test = settings(settings.default, **changes)(test)
    chosen = _SEED.get()
    if chosen is not None:
        test = seed(chosen)(test)
    test()


def moments(
    *, start: datetime = T0, days: int = 60, zones: tuple[tzinfo, ...] = ZONES
) -> st.SearchStrategy[datetime]:
    """Aware moments within ``days`` either side of ``start``, at any microsecond, in ``zones``.

    Half of them fall on a whole minute, where opening and closing edges live.
    """
    span = days * 86_400_000_000
    offsets = st.one_of(
        st.integers(-days * 1440, days * 1440).map(lambda m: timedelta(minutes=m)),
        st.integers(-span, span).map(lambda us: timedelta(microseconds=us)),
    )
    return st.builds(lambda d, z: (start + d).astimezone(z), offsets, st.sampled_from(zones))


def durations(*, days: int = 20) -> st.SearchStrategy[timedelta]:
    """Non-negative durations up to ``days``: whole minutes (often) or any microsecond count."""
    return st.one_of(
        st.integers(0, days * 1440).map(lambda m: timedelta(minutes=m)),
        st.integers(0, days * 86_400_000_000).map(lambda us: timedelta(microseconds=us)),
    )
