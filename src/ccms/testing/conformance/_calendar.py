"""Conformance suite for business calendars (anything with ``add`` and ``between``).

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from hypothesis import strategies as st

from ccms.errors import NaiveDatetimeError
from ccms.testing.conformance._common import broke, durations, moments, run_property

__all__ = ["CalendarSuite"]

_US = timedelta(microseconds=1)


class CalendarSuite:
    """What every business calendar (a :class:`~ccms.policy.sla.BusinessClock`) must do.
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

        run_property(prop, max_examples=self.max_examples, start=self.moments(), d=self.durations())

    def test_add_of_zero_is_the_start(self, business_calendar: Any) -> None:
        """``add(s, 0)`` is the instant ``s`` (open or not)."""
        cal = business_calendar

        def prop(start: datetime) -> None:
            if (got := cal.add(start, timedelta(0))) != start:
                broke(cal, "add of zero is the start", f"add({start.isoformat()}, 0) = {got}")

        run_property(prop, max_examples=self.max_examples, start=self.moments())

    def test_add_is_monotonic(self, business_calendar: Any) -> None:
        """A longer duration, or a later start, never gives an earlier result."""
        cal = business_calendar

        def prop(start: datetime, shift: timedelta, a: timedelta, b: timedelta) -> None:
            a, b = min(a, b), max(a, b)
            if cal.add(start, a) > cal.add(start, b):
                broke(
                    cal,
                    "add is monotonic in the duration",
                    f"from {start.isoformat()}: add {a} = {cal.add(start, a).isoformat()} is "
                    f"after add {b} = {cal.add(start, b).isoformat()}",
                )
            later = start + shift
            if cal.add(start, a) > cal.add(later, a):
                broke(
                    cal,
                    "add is monotonic in the start",
                    f"add({start.isoformat()}, {a}) = {cal.add(start, a).isoformat()} is after "
                    f"add({later.isoformat()}, {a}) = {cal.add(later, a).isoformat()}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            start=self.moments(),
            shift=self.durations(),
            a=self.durations(),
            b=self.durations(),
        )

    def test_add_is_additive(self, business_calendar: Any) -> None:
        """``add(add(s, a), b) == add(s, a + b)``."""
        cal = business_calendar

        def prop(start: datetime, a: timedelta, b: timedelta) -> None:
            stepwise, at_once = cal.add(cal.add(start, a), b), cal.add(start, a + b)
            if stepwise != at_once:
                broke(
                    cal,
                    "add is additive",
                    f"from {start.isoformat()}: add {a} then {b} = {stepwise.isoformat()}, "
                    f"add {a + b} = {at_once.isoformat()}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            start=self.moments(),
            a=self.durations(),
            b=self.durations(),
        )

    def test_add_never_ends_in_closed_time(self, business_calendar: Any) -> None:
        """For ``d > 0``, the microsecond before ``add(s, d)`` is business time."""
        cal = business_calendar

        def prop(start: datetime, d: timedelta) -> None:
            end = cal.add(start, d)
            if cal.between(end - _US, end) != _US:
                broke(
                    cal,
                    "add never ends in closed time",
                    f"add({start.isoformat()}, {d}) = {end.isoformat()}, but the desk was "
                    "closed just before it (a deadline must fall in open time or on a closing "
                    "edge)",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            start=self.moments(),
            d=self.durations().filter(bool),
        )

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
            span = cal.between(lo, hi)
            if not timedelta(0) <= span <= hi - lo:
                broke(
                    cal,
                    "business time is between zero and real time",
                    f"between({lo.isoformat()}, {hi.isoformat()}) = {span}, real time {hi - lo}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            a=self.moments(),
            b=self.moments(),
            c=self.moments(),
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
