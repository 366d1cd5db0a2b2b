"""Conformance suite for business calendars (anything with ``add`` and ``between``).

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st

from ccms.errors import NaiveDatetimeError
from ccms.testing.conformance._common import T0, after, broke, durations, moments, run_property
from ccms.testing.conformance._landmarks import closing_after, landmarks, open_time

__all__ = ["CalendarSuite"]

_US = timedelta(microseconds=1)


class CalendarSuite:
    """What every business calendar (a :class:`~ccms.policy.Calendar`) must do.
    Subclass it and give a ``business_calendar`` fixture::

        class TestMyCalendar(CalendarSuite):
            @pytest.fixture
            def business_calendar(self):
                return BusinessCalendar.standard("Asia/Seoul", country="KR")

    ``add`` and ``between`` are inverse, monotonic and additive; business time never exceeds
    real time; ``add`` never ends in closed time (the instant before its result is open, so
    a deadline falls in open time or on a closing edge); ``add(s, 0)`` is ``s``; results are
    aware; naive datetimes raise :class:`~ccms.errors.NaiveDatetimeError`.
    Override :meth:`moments` and :meth:`durations` to draw from other ranges.
    """

    #: Examples per property (``None``: the active Hypothesis profile's ``max_examples``).
    max_examples: ClassVar[int | None] = None

    def moments(self) -> st.SearchStrategy[datetime]:
        """Aware moments around March 2026, in UTC, Seoul and New York."""
        return moments()

    def durations(self) -> st.SearchStrategy[timedelta]:
        """Durations from zero to 20 days."""
        return durations()

    def _moments(self, cal: Any) -> st.SearchStrategy[datetime]:
        """:meth:`moments`, and as often moments near where calendars break: the DST changes
        of the calendar's zone, its holidays and short days, its closing edges (exactly, or a
        microsecond either side)."""
        marks = landmarks([cal])
        near: list[st.SearchStrategy[datetime]] = [self.moments()]
        if marks:
            near.append(
                st.builds(
                    lambda m, minutes: after(m, timedelta(minutes=minutes)),
                    st.sampled_from(marks),
                    st.integers(-3 * 1440, 3 * 1440),
                )
            )
        near.append(_edges(cal, self.moments(), marks))
        return st.one_of(near)

    def _to_closing(self, cal: Any) -> st.SearchStrategy[tuple[datetime, timedelta]]:
        """A start and the business time from it to one of the next closing edges (so ``add``
        of it must land exactly on that edge), else any duration."""
        return _to_closing(cal, self._moments(cal), self.durations())

    def test_between_inverts_add(self, business_calendar: Any) -> None:
        """``between(s, add(s, d)) == d`` and the result is aware."""
        cal = business_calendar

        def prop(start: datetime, d: timedelta) -> None:
            end = cal.add(start, d)
            if end.tzinfo is None or end.utcoffset() is None:
                broke(cal, "returns aware datetimes", f"add({start!r}, {d!r}) = {end!r}")
            back = cal.between(start, end)
            if back != d:
                broke(
                    cal,
                    "between inverts add",
                    f"add({start.isoformat()}, {d}) = {end.isoformat()}, but between of those "
                    f"is {back}",
                )

        run_property(
            prop, max_examples=self.max_examples, start=self._moments(cal), d=self.durations()
        )

    def test_add_of_zero_is_the_start(self, business_calendar: Any) -> None:
        """``add(s, 0)`` is the instant ``s`` (open or not)."""
        cal = business_calendar

        def prop(start: datetime) -> None:
            if not _same(got := cal.add(start, timedelta(0)), start):
                broke(cal, "add of zero is the start", f"add({start.isoformat()}, 0) = {got}")

        run_property(prop, max_examples=self.max_examples, start=self._moments(cal))

    def test_add_is_monotonic(self, business_calendar: Any) -> None:
        """A longer duration, or a later start, never gives an earlier result."""
        cal = business_calendar

        def prop(start: datetime, shift: timedelta, a: timedelta, b: timedelta) -> None:
            a, b = min(a, b), max(a, b)
            if _utc(cal.add(start, a)) > _utc(cal.add(start, b)):
                broke(
                    cal,
                    "add is monotonic in the duration",
                    f"from {start.isoformat()}: add {a} = {cal.add(start, a).isoformat()} is "
                    f"after add {b} = {cal.add(start, b).isoformat()}",
                )
            later = after(start, shift)
            if _utc(cal.add(start, a)) > _utc(cal.add(later, a)):
                broke(
                    cal,
                    "add is monotonic in the start",
                    f"add({start.isoformat()}, {a}) = {cal.add(start, a).isoformat()} is after "
                    f"add({later.isoformat()}, {a}) = {cal.add(later, a).isoformat()}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            start=self._moments(cal),
            shift=self.durations(),
            a=self.durations(),
            b=self.durations(),
        )

    def test_add_is_additive(self, business_calendar: Any) -> None:
        """``add(add(s, a), b) == add(s, a + b)``."""
        cal = business_calendar

        def prop(start: datetime, a: timedelta, b: timedelta) -> None:
            stepwise, at_once = cal.add(cal.add(start, a), b), cal.add(start, a + b)
            if not _same(stepwise, at_once):
                broke(
                    cal,
                    "add is additive",
                    f"from {start.isoformat()}: add {a} then {b} = {stepwise.isoformat()}, "
                    f"add {a + b} = {at_once.isoformat()}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            start=self._moments(cal),
            a=self.durations(),
            b=self.durations(),
        )

    def test_add_never_ends_in_closed_time(self, business_calendar: Any) -> None:
        """For ``d > 0``, the microsecond before ``add(s, d)`` is business time."""
        cal = business_calendar

        def prop(case: tuple[datetime, timedelta]) -> None:
            start, d = case
            if not d:
                return
            end = cal.add(start, d)
            if cal.between(after(end, -_US), end) != _US:
                broke(
                    cal,
                    "add never ends in closed time",
                    f"add({start.isoformat()}, {d}) = {end.isoformat()}, but the desk was "
                    "closed just before it (a deadline must fall in open time or on a closing "
                    "edge)",
                )

        run_property(prop, max_examples=self.max_examples, case=self._to_closing(cal))

    def test_between_is_additive_antisymmetric_and_bounded(self, business_calendar: Any) -> None:
        """``between(a, c) == between(a, b) + between(b, c)``, ``between(b, a) ==
        -between(a, b)``, and ``0 <= between(a, b) <= b - a`` for ``a <= b``."""
        cal = business_calendar

        def prop(a: datetime, b: datetime, c: datetime) -> None:
            ab, bc, ac = cal.between(a, b), cal.between(b, c), cal.between(a, c)
            if ab + bc != ac:
                broke(
                    cal,
                    "between is additive",
                    f"between(a, b) + between(b, c) = {ab} + {bc} but between(a, c) = {ac} "
                    f"(a={a.isoformat()}, b={b.isoformat()}, c={c.isoformat()})",
                )
            if cal.between(b, a) != -ab:
                broke(
                    cal,
                    "between is antisymmetric",
                    f"between(a, b) = {ab}, between(b, a) = {cal.between(b, a)} "
                    f"(a={a.isoformat()}, b={b.isoformat()})",
                )
            lo, hi = min(a, b), max(a, b)
            real = _utc(hi) - _utc(lo)
            span = cal.between(lo, hi)
            if not timedelta(0) <= span <= real:
                broke(
                    cal,
                    "business time is between zero and real time",
                    f"between({lo.isoformat()}, {hi.isoformat()}) = {span}, real time {real}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            a=self._moments(cal),
            b=self._moments(cal),
            c=self._moments(cal),
        )

    def test_business_time_agrees_with_the_hours(self, business_calendar: Any) -> None:
        """``between`` counts exactly the open time of the calendar's own ``hours_on(day)`` in
        its ``zone``, day by day (holidays, closures and short days as ``hours_on`` gives them;
        hours in wall time, so a DST night is an hour shorter or longer); ``add`` lands where
        that much open time has passed. For calendars with ``zone`` and ``hours_on``."""
        cal = business_calendar
        if open_time(cal, T0, T0) is None:
            pytest.skip(f"{cal!r} has no zone and hours_on(day) to compare with")

        def prop(start: datetime, minutes: int) -> None:
            end = after(start, timedelta(minutes=minutes))
            expected = open_time(cal, start, end)
            got = cal.between(start, end)
            if got != expected:
                broke(
                    cal,
                    "business time agrees with the hours",
                    f"between({start.isoformat()}, {end.isoformat()}) = {got}, but the hours "
                    f"open in that span add up to {expected}: {_days(cal, start, end)}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            start=self._moments(cal),
            minutes=st.one_of(st.integers(0, 2 * 1440), st.integers(0, 8 * 1440)),
        )

    def test_naive_datetimes_are_refused(self, business_calendar: Any) -> None:
        """``add`` and ``between`` raise :class:`~ccms.errors.NaiveDatetimeError` on naive input."""
        cal = business_calendar
        aware = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        naive = datetime(2026, 3, 2, 9, 0)
        calls: dict[str, Callable[[], object]] = {
            "add(naive, 1h)": lambda: cal.add(naive, timedelta(hours=1)),
            "between(naive, aware)": lambda: cal.between(naive, aware),
            "between(aware, naive)": lambda: cal.between(aware, naive),
        }
        for label, call in calls.items():
            try:
                got = call()
            except NaiveDatetimeError:
                continue
            except Exception as exc:
                broke(
                    cal,
                    "refuses naive datetimes",
                    f"{label} raised {type(exc).__name__}: {exc}; expected NaiveDatetimeError",
                )
            broke(
                cal,
                "refuses naive datetimes",
                f"{label} returned {got!r}; expected NaiveDatetimeError",
            )


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _same(a: datetime, b: datetime) -> bool:
    """The same instant (``==`` on datetimes of one zone compares wall times, and a datetime in
    a DST fold never equals one of another zone)."""
    return a.astimezone(UTC) == b.astimezone(UTC)


def _days(cal: Any, start: datetime, end: datetime) -> str:
    """The hours of each local day from ``start`` to ``end`` (at most a week shown)."""
    zone = getattr(cal, "zone", None)
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    shown: list[str] = []
    day = first
    while day <= last and len(shown) < 8:
        hours = cal.hours_on(day)
        text = " ".join(f"{a}-{b}" for a, b in hours) or "closed"
        shown.append(f"{day.isoformat()} {day.strftime('%a')} {text}")
        day += timedelta(days=1)
    return "; ".join(shown)


@st.composite
def _edges(
    draw: st.DrawFn, cal: Any, base: st.SearchStrategy[datetime], marks: list[datetime]
) -> datetime:
    """A closing edge after a drawn moment (or a landmark), exactly or a microsecond off."""
    around = draw(st.one_of(base, st.sampled_from(marks)) if marks else base)
    edge = closing_after(cal, around, draw(st.integers(0, 3)))
    if edge is None:
        return around
    return after(edge, draw(st.sampled_from([timedelta(0), -_US, _US])))


@st.composite
def _to_closing(
    draw: st.DrawFn,
    cal: Any,
    starts: st.SearchStrategy[datetime],
    durations: st.SearchStrategy[timedelta],
) -> tuple[datetime, timedelta]:
    start = draw(starts)
    if draw(st.booleans()):
        edge = closing_after(cal, start, draw(st.integers(0, 12)))
        if edge is not None:
            zone = getattr(cal, "zone", UTC)
            return start, cal.between(start, edge.astimezone(zone))
    return start, draw(durations)
