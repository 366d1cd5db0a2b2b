"""Tests of ccms.policy.BusinessCalendar: pinned examples, properties, and a minute-stepping oracle.

The oracle below shares no code with the calendar: it finds where a wall time falls by stepping
UTC minutes until the local clock shows that time or later (the documented placement rule), marks
open minutes day by day, and counts minutes. Test inputs are whole minutes so both agree exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import CalendarError, NaiveDatetimeError
from ccms.policy import BusinessCalendar

SEOUL = ZoneInfo("Asia/Seoul")
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)  # type: ignore[arg-type,misc]


def utc(moment: datetime) -> datetime:
    """Compare instants in UTC: Python compares two datetimes of one zone by wall time (ignoring
    ``fold``), and calls an ambiguous wall time unequal to any instant of another zone."""
    return moment.astimezone(UTC)


# --------------------------------------------------------------------------- the oracle

Span = tuple[int, int]  # minutes after local midnight; the end may pass 1440 (overnight)


@dataclass(frozen=True)
class Spec:
    """A calendar written in minutes, given both to BusinessCalendar and to the oracle."""

    name: str
    zone: str
    week: dict[int, list[Span]]  # weekday (0 = Monday) -> spans
    holidays: tuple[str, str | None] | None = None
    closures: frozenset[date] = frozenset()
    overrides: dict[date, list[Span]] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash(self.name)

    def build(self) -> BusinessCalendar:
        def fmt(m: int) -> str:
            m %= 1440
            return f"{m // 60:02d}:{m % 60:02d}"

        def wall(spans: list[Span]) -> list[tuple[str, str]]:
            return [(fmt(a), "24:00" if b == 1440 else fmt(b)) for a, b in spans]

        names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        hol: tuple[str, str] | str | None = None
        if self.holidays is not None:
            country, sub = self.holidays
            hol = country if sub is None else (country, sub)
        return BusinessCalendar(
            self.zone,
            {names[d]: wall(spans) for d, spans in self.week.items()},
            holidays=hol,
            closures=self.closures,
            short_days={d: wall(s) for d, s in self.overrides.items()},
        )


@functools.cache
def holiday_dates(country: str, sub: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=sub, years=year))


@functools.cache
def first_minute_at_or_after(zone_name: str, wall: datetime) -> int:
    """Epoch minute of the first instant whose local wall clock reads ``wall`` or later."""
    zone = ZoneInfo(zone_name)
    guess = min(wall.replace(tzinfo=zone, fold=f).astimezone(UTC) for f in (0, 1))
    t = guess - timedelta(hours=3)
    assert t.astimezone(zone).replace(tzinfo=None) < wall
    while t.astimezone(zone).replace(tzinfo=None) < wall:
        t += MIN
    return int(t.timestamp()) // 60


@functools.cache
def open_minutes_of_day(spec: Spec, day: date) -> frozenset[int]:
    if day in spec.overrides:
        spans = spec.overrides[day]
    elif day in spec.closures or (
        spec.holidays is not None and day in holiday_dates(*spec.holidays, day.year)
    ):
        spans = []
    else:
        spans = spec.week.get(day.weekday(), [])
    midnight = datetime(day.year, day.month, day.day)
    out: set[int] = set()
    for a, b in spans:
        lo = first_minute_at_or_after(spec.zone, midnight + timedelta(minutes=a))
        hi = first_minute_at_or_after(spec.zone, midnight + timedelta(minutes=b))
        out.update(range(lo, hi))
    return frozenset(out)


def is_open_minute(spec: Spec, minute: int) -> bool:
    local = datetime.fromtimestamp(minute * 60, ZoneInfo(spec.zone)).date()
    # a minute can only be opened by a shift starting on its local date or the day before
    # (overnight spills are shorter than a day; checking two more days covers DST corners)
    return any(
        minute in open_minutes_of_day(spec, local + timedelta(days=k)) for k in (-2, -1, 0, 1)
    )


def ref_add(spec: Spec, start: datetime, minutes: int) -> datetime:
    m = int(start.timestamp()) // 60
    if minutes == 0:
        return start
    left = minutes
    while True:
        if is_open_minute(spec, m):
            left -= 1
            if left == 0:
                return datetime.fromtimestamp((m + 1) * 60, UTC)
        m += 1


def ref_between(spec: Spec, start: datetime, end: datetime) -> int:
    a, b = int(start.timestamp()) // 60, int(end.timestamp()) // 60
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    return sign * sum(1 for m in range(a, b) if is_open_minute(spec, m))


# --------------------------------------------------------------------------- test calendars

WEEKDAYS = range(5)
SPECS = [
    Spec(
        "seoul-lunch-KR",
        "Asia/Seoul",
        {d: [(540, 720), (780, 1080)] for d in WEEKDAYS},
        holidays=("KR", None),
        closures=frozenset({date(2026, 12, 31)}),
    ),
    Spec(
        "ny-overnight-US-NY",
        "America/New_York",
        {**{d: [(22 * 60, 30 * 60)] for d in WEEKDAYS}, 5: [(60, 240)], 6: [(60, 240)]},
        holidays=("US", "NY"),
        closures=frozenset({date(2026, 3, 9)}),
        overrides={date(2026, 12, 24): [(600, 900)], date(2026, 3, 7): [(90, 180)]},
    ),
    Spec(
        "ny-gap-opening",
        "America/New_York",
        {d: [(150, 300), (600, 1080)] for d in range(7)},
    ),
    Spec(
        "berlin-night-sunday",
        "Europe/Berlin",
        {**{d: [(480, 990)] for d in WEEKDAYS}, 6: [(60, 240)]},
        closures=frozenset({date(2026, 12, 24)}),
        overrides={date(2026, 12, 31): [(540, 720)], date(2026, 3, 28): [(600, 840)]},
    ),
    Spec("utc-24x7", "UTC", {d: [(0, 1440)] for d in range(7)}),
    Spec("ny-24x7", "America/New_York", {d: [(0, 1440)] for d in range(7)}),
]
CALS = {spec.name: spec.build() for spec in SPECS}

ANCHORS = [
    date(2025, 12, 29),  # year end
    date(2026, 2, 13),  # Seollal (Feb 16-18)
    date(2026, 3, 6),  # US spring forward (Mar 8), a closure on Mar 9
    date(2026, 3, 27),  # EU spring forward (Mar 29)
    date(2026, 7, 1),  # US Independence Day observed (Jul 3)
    date(2026, 9, 22),  # Chuseok (Sep 24-26)
    date(2026, 10, 23),  # EU fall back (Oct 25)
    date(2026, 10, 30),  # US fall back (Nov 1)
    date(2026, 12, 22),  # Christmas, closures and short days, year end
]


@st.composite
def minute_moments(draw: st.DrawFn, spec: Spec) -> datetime:
    anchor = draw(st.sampled_from(ANCHORS))
    offset = draw(st.integers(0, 4 * 24 * 60))
    base = datetime(anchor.year, anchor.month, anchor.day, tzinfo=UTC)
    moment = base + timedelta(minutes=offset)
    zone = draw(st.sampled_from([ZoneInfo(spec.zone), UTC, SEOUL]))
    return moment.astimezone(zone)


specs = st.sampled_from(SPECS)


# --------------------------------------------------------------------------- oracle agreement


@given(st.data())
def test_add_agrees_with_minute_oracle(data: st.DataObject) -> None:
    spec = data.draw(specs)
    start = data.draw(minute_moments(spec))
    minutes = data.draw(st.integers(0, 30 * 60))
    got = CALS[spec.name].add(start, timedelta(minutes=minutes))
    assert utc(got) == ref_add(spec, start, minutes)
    assert got.tzinfo == ZoneInfo(spec.zone)


@given(st.data())
def test_between_agrees_with_minute_oracle(data: st.DataObject) -> None:
    spec = data.draw(specs)
    a = data.draw(minute_moments(spec))
    b = a + timedelta(minutes=data.draw(st.integers(-3 * 24 * 60, 3 * 24 * 60)))
    assert CALS[spec.name].between(a, b) == timedelta(minutes=ref_between(spec, a, b))


@given(st.data())
def test_is_open_and_next_open_agree_with_oracle(data: st.DataObject) -> None:
    spec = data.draw(specs)
    moment = data.draw(minute_moments(spec))
    cal = CALS[spec.name]
    minute = int(moment.timestamp()) // 60
    assert cal.is_open(moment) == is_open_minute(spec, minute)
    nxt = minute
    while not is_open_minute(spec, nxt):
        nxt += 1
    assert utc(cal.next_open(moment)) == datetime.fromtimestamp(nxt * 60, UTC)


# --------------------------------------------------------------------------- properties

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=2000))


@given(specs, moments, durations)
def test_between_inverts_add(spec: Spec, start: datetime, d: timedelta) -> None:
    cal = CALS[spec.name]
    assert cal.between(start, cal.add(start, d)) == d


@given(specs, moments, durations, durations)
def test_add_is_associative(spec: Spec, start: datetime, a: timedelta, b: timedelta) -> None:
    cal = CALS[spec.name]
    assert utc(cal.add(cal.add(start, a), b)) == utc(cal.add(start, a + b))


@given(specs, moments, durations, durations)
def test_add_is_monotonic(spec: Spec, start: datetime, a: timedelta, b: timedelta) -> None:
    cal = CALS[spec.name]
    later = start + abs(a - b) / 7
    lo, hi = min(a, b), max(a, b)
    assert utc(cal.add(start, lo)) <= utc(cal.add(start, hi))
    assert utc(cal.add(start, lo)) <= utc(cal.add(later, lo))


@given(specs, moments, moments, moments)
def test_between_is_monotonic_and_antisymmetric(
    spec: Spec, a: datetime, b: datetime, c: datetime
) -> None:
    cal = CALS[spec.name]
    a, b, c = sorted([a, b, c])
    assert timedelta(0) <= cal.between(b, c) <= cal.between(a, c)
    assert cal.between(a, b) <= cal.between(a, c)
    assert cal.between(c, a) == -cal.between(a, c)
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)


@given(specs, moments, durations.filter(bool))
def test_add_result_is_open_or_a_closing_edge(spec: Spec, start: datetime, d: timedelta) -> None:
    cal = CALS[spec.name]
    end = cal.add(start, d)
    assert utc(end) > start
    assert cal.is_open(end) or cal.is_open(end - timedelta(microseconds=1))


@given(specs, moments)
def test_next_open_is_open_and_nothing_open_before_it(spec: Spec, moment: datetime) -> None:
    cal = CALS[spec.name]
    nxt = cal.next_open(moment)
    assert utc(nxt) >= moment
    assert cal.is_open(nxt)
    assert cal.between(moment, nxt) == timedelta(0)


def test_cost_is_flat_in_the_duration() -> None:
    cal = BusinessCalendar.standard("Asia/Seoul", country="KR")
    start = at(SEOUL, 2026, 1, 5, 9)
    far = cal.add(start, timedelta(hours=9 * 2500))  # about ten years of working days
    assert cal.between(start, far) == timedelta(hours=9 * 2500)
    assert far.year == 2036


# --------------------------------------------------------------------------- pinned examples


def test_seoul_lunch_break() -> None:
    cal = CALS["seoul-lunch-KR"]
    mon = at(SEOUL, 2026, 1, 5, 11)
    assert cal.add(mon, H) == at(SEOUL, 2026, 1, 5, 12)  # used up at the lunch break: 12:00
    assert cal.add(mon, H + MIN) == at(SEOUL, 2026, 1, 5, 13, 1)
    assert cal.between(at(SEOUL, 2026, 1, 5, 9), at(SEOUL, 2026, 1, 5, 18)) == 8 * H
    assert not cal.is_open(at(SEOUL, 2026, 1, 5, 12, 30))
    assert cal.next_open(at(SEOUL, 2026, 1, 5, 12, 30)) == at(SEOUL, 2026, 1, 5, 13)


def test_seollal_and_chuseok_2026() -> None:
    cal = CALS["seoul-lunch-KR"]
    # Seollal: Mon Feb 16 to Wed Feb 18, 2026; Friday 17:00 + 2h -> Thursday 10:00
    assert cal.add(at(SEOUL, 2026, 2, 13, 17), 2 * H) == at(SEOUL, 2026, 2, 19, 10)
    # Chuseok: Thu Sep 24 to Sat Sep 26; Wednesday 17:00 + 2h -> Monday 10:00
    assert cal.add(at(SEOUL, 2026, 9, 23, 17), 2 * H) == at(SEOUL, 2026, 9, 28, 10)
    assert cal.between(at(SEOUL, 2026, 9, 23, 18), at(SEOUL, 2026, 9, 28, 9)) == timedelta(0)
    assert cal.hours_on(date(2026, 9, 25)) == []


def test_new_year_across_the_year_end() -> None:
    cal = CALS["seoul-lunch-KR"]  # Dec 31 2026 is a company closure, Jan 1 a holiday
    assert cal.add(at(SEOUL, 2026, 12, 30, 17), 2 * H) == at(SEOUL, 2027, 1, 4, 10)
    assert cal.between(at(SEOUL, 2026, 12, 30, 17), at(SEOUL, 2027, 1, 4, 10)) == 2 * H
    std = BusinessCalendar.standard("Asia/Seoul")
    assert std.add(at(SEOUL, 2025, 12, 31, 17), 2 * H) == at(SEOUL, 2026, 1, 1, 10)


def test_new_york_spring_forward_overnight_shift() -> None:
    cal = BusinessCalendar("America/New_York", {"daily": [("22:00", "06:00")]})
    # Sat Mar 7 22:00 EST to Sun Mar 8 06:00 EDT is 7 real hours
    assert cal.between(at(NY, 2026, 3, 7, 12), at(NY, 2026, 3, 8, 12)) == 7 * H
    assert cal.add(at(NY, 2026, 3, 7, 22), 7 * H) == at(NY, 2026, 3, 8, 6)
    assert cal.add(at(NY, 2026, 3, 7, 22), 8 * H) == at(NY, 2026, 3, 8, 23)
    # a shift 01:00-04:00 on the spring-forward night is 2 real hours
    night = BusinessCalendar("America/New_York", {"sun": [("01:00", "04:00")]})
    assert night.between(at(NY, 2026, 3, 8), at(NY, 2026, 3, 9)) == 2 * H


def test_new_york_fall_back_overnight_shift() -> None:
    cal = BusinessCalendar("America/New_York", {"daily": [("22:00", "06:00")]})
    # Sat Oct 31 22:00 EDT to Sun Nov 1 06:00 EST is 9 real hours
    assert cal.between(at(NY, 2026, 10, 31, 12), at(NY, 2026, 11, 1, 12)) == 9 * H
    assert cal.add(at(NY, 2026, 10, 31, 22), 9 * H) == at(NY, 2026, 11, 1, 6)
    # the first 01:30 (EDT) is 3.5 h after 22:00, the second (EST) 4.5 h
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=0)
    second = datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=1)
    assert cal.between(at(NY, 2026, 10, 31, 22), first) == 3.5 * H
    assert cal.between(at(NY, 2026, 10, 31, 22), second) == 4.5 * H
    assert cal.add(at(NY, 2026, 10, 31, 22), 4.5 * H).utcoffset() == timedelta(hours=-5)


def test_opening_in_a_dst_gap_opens_when_the_clock_jumps_past_it() -> None:
    cal = BusinessCalendar("America/New_York", {"daily": [("02:30", "05:00")]})
    assert cal.next_open(at(NY, 2026, 3, 8, 0)) == at(NY, 2026, 3, 8, 3)  # 03:00 EDT
    assert cal.between(at(NY, 2026, 3, 8), at(NY, 2026, 3, 9)) == 2 * H
    inside = BusinessCalendar("America/New_York", {"daily": [("02:10", "02:40")]})
    assert inside.between(at(NY, 2026, 3, 8), at(NY, 2026, 3, 9)) == timedelta(0)


def test_berlin_dst_both_ways() -> None:
    cal = BusinessCalendar("Europe/Berlin", {"sun": [("01:00", "04:00")]})
    assert cal.between(at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30)) == 2 * H
    assert cal.between(at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26)) == 4 * H
    std = BusinessCalendar.standard("Europe/Berlin", "DE", "BE")
    friday = at(BERLIN, 2026, 3, 27, 17)
    assert std.add(friday, 2 * H) == at(BERLIN, 2026, 3, 30, 10)
    assert std.between(friday, at(BERLIN, 2026, 3, 30, 10)) == 2 * H


def test_always_open_has_no_gap_at_midnight() -> None:
    for cal in (BusinessCalendar.always_open("UTC"), BusinessCalendar.always_open("Asia/Seoul")):
        midnight = at(SEOUL, 2026, 1, 1)
        assert cal.is_open(midnight)
        assert cal.next_open(midnight) == midnight
        assert cal.add(midnight - H, 2 * H) == midnight + H
        assert cal.between(at(SEOUL, 2025, 12, 30), at(SEOUL, 2026, 1, 2)) == timedelta(days=3)
    ny = BusinessCalendar.always_open("America/New_York")  # business time is real time
    assert ny.between(at(NY, 2026, 3, 8), at(NY, 2026, 3, 9)) == 23 * H


def test_24_00_closes_the_day_and_touching_days_merge() -> None:
    cal = BusinessCalendar("UTC", {"fri": [("18:00", "24:00")], "sat": [("00:00", "02:00")]})
    friday = datetime(2026, 1, 9, 18, tzinfo=UTC)
    assert cal.add(friday, 8 * H) == datetime(2026, 1, 10, 2, tzinfo=ZoneInfo("UTC"))
    assert cal.is_open(datetime(2026, 1, 10, tzinfo=UTC))
    assert cal.weekly_hours["fri"] == [("18:00", "24:00")]


def test_end_of_day_convention() -> None:
    cal = BusinessCalendar.standard("Asia/Seoul")
    monday = at(SEOUL, 2026, 1, 5, 9)
    assert cal.add(monday, 9 * H) == at(SEOUL, 2026, 1, 5, 18)  # the closing moment
    assert not cal.is_open(at(SEOUL, 2026, 1, 5, 18))
    evening = at(SEOUL, 2026, 1, 5, 20)
    assert cal.add(evening, timedelta(0)) == evening  # zero stays put, even when closed
    assert cal.add(evening, MIN) == at(SEOUL, 2026, 1, 6, 9, 1)


def test_microsecond_exactness() -> None:
    cal = CALS["ny-overnight-US-NY"]
    start = datetime(2026, 3, 7, 23, 59, 59, 999_999, tzinfo=NY)
    d = timedelta(hours=13, microseconds=3)
    assert cal.between(start, cal.add(start, d)) == d


def test_shorter_and_extra_days() -> None:
    cal = BusinessCalendar(
        "Asia/Seoul",
        {"mon-fri": [("09:00", "18:00")]},
        holidays="KR",
        short_days={date(2026, 2, 13): [("09:00", "12:00")]},
        extra_days={date(2026, 2, 14): [("10:00", "12:00")]},  # a Saturday
        closures=[date(2026, 2, 19)],
    )
    friday = at(SEOUL, 2026, 2, 13, 9)
    assert cal.add(friday, 3 * H) == at(SEOUL, 2026, 2, 13, 12)
    assert cal.add(friday, 5 * H) == at(SEOUL, 2026, 2, 14, 12)
    assert cal.add(friday, 6 * H) == at(SEOUL, 2026, 2, 20, 10)


def test_holiday_shorthands_and_objects() -> None:
    by_pair = BusinessCalendar.standard("America/New_York", "US", "NY")
    by_object = BusinessCalendar(
        "America/New_York",
        {"mon-fri": [("09:00", "18:00")]},
        holidays=holidays.country_holidays("US", subdiv="NY"),
    )
    by_dates = BusinessCalendar(
        "America/New_York", {"mon-fri": [("09:00", "18:00")]}, holidays=[date(2026, 2, 12)]
    )
    lincoln = at(NY, 2026, 2, 11, 17)  # Lincoln's Birthday (Feb 12) is a NY holiday
    for cal in (by_pair, by_object, by_dates):
        assert cal.add(lincoln, 2 * H) == at(NY, 2026, 2, 13, 10)
    assert by_pair == BusinessCalendar.standard("America/New_York", "US", "NY")
    assert hash(by_pair) == hash(BusinessCalendar.standard("America/New_York", "US", "NY"))
    assert by_pair != by_object
    assert "holidays=('US', 'NY')" in repr(by_pair)


def test_calendar_is_frozen() -> None:
    cal = BusinessCalendar.always_open()
    with pytest.raises(AttributeError):
        cal.timezone = "UTC"  # type: ignore[misc]
    assert cal in {cal}


# --------------------------------------------------------------------------- errors


def test_naive_datetimes_are_refused() -> None:
    cal = BusinessCalendar.always_open()
    naive = datetime(2026, 1, 1)
    with pytest.raises(NaiveDatetimeError, match="start must be a timezone-aware"):
        cal.add(naive, H)
    with pytest.raises(NaiveDatetimeError, match="end must be"):
        cal.between(datetime(2026, 1, 1, tzinfo=UTC), naive)
    with pytest.raises(NaiveDatetimeError):
        cal.is_open(naive)
    with pytest.raises(NaiveDatetimeError):
        cal.next_open(naive)


def test_negative_duration_is_refused() -> None:
    with pytest.raises(CalendarError, match="must not be negative"):
        BusinessCalendar.always_open().add(datetime(2026, 1, 1, tzinfo=UTC), -H)


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"mon": [("25:00", "26:00")]}, "'25:00' is not a wall time"),
        ({"mon": [("09:60", "10:00")]}, "'09:60' is not a wall time"),
        ({"mon": [("nine", "10:00")]}, "'nine' is not a wall time"),
        ({"mon": [("24:00", "10:00")]}, "'24:00' can only end an interval"),
        ({"mon": [("09:00", "09:00")]}, "starts and ends at the same time"),
        # an end before its start is an overnight shift, allowed only as the day's last interval
        ({"mon": [("18:00", "09:00"), ("10:00", "12:00")]}, "only the last interval of a day"),
        ({"mon": [("13:00", "18:00"), ("09:00", "12:00")]}, "overlaps or precedes"),
        ({"mon": "09:00-18:00"}, "expected a list of"),
        ({"someday": [("09:00", "18:00")]}, "unknown day key 'someday'"),
        ({"mon-funday": [("09:00", "18:00")]}, "unknown day key"),
        ({}, "never open"),
        ({"sat-sun": []}, "never open"),
    ],
)
def test_bad_definitions(hours: dict[str, object], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        BusinessCalendar("UTC", hours)  # type: ignore[arg-type]


def test_bad_zone_holidays_and_dates() -> None:
    week = {"mon-fri": [("09:00", "18:00")]}
    with pytest.raises(CalendarError, match="unknown time zone"):
        BusinessCalendar("Mars/Olympus", week)
    with pytest.raises(CalendarError, match="no public holidays known"):
        BusinessCalendar("UTC", week, holidays="XX")
    with pytest.raises(CalendarError, match="expected a date"):
        BusinessCalendar("UTC", week, closures=[datetime(2026, 1, 1, tzinfo=UTC)])
    with pytest.raises(CalendarError, match="given twice"):
        BusinessCalendar(
            "UTC",
            week,
            closures=[date(2026, 1, 2)],
            short_days={date(2026, 1, 2): [("09:00", "12:00")]},
        )


def test_only_extra_days_runs_out() -> None:
    cal = BusinessCalendar(
        "UTC", {"daily": []}, extra_days={date(2026, 1, 3): [("10:00", "12:00")]}
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert cal.add(start, 2 * H) == datetime(2026, 1, 3, 12, tzinfo=ZoneInfo("UTC"))
    with pytest.raises(CalendarError, match="no open time after"):
        cal.add(start, 3 * H)


def iter_days(first: date, last: date) -> Iterator[date]:
    while first <= last:
        yield first
        first += timedelta(days=1)


def test_day_keys_later_ones_replace_earlier_ones() -> None:
    cal = BusinessCalendar(
        "UTC", {"daily": [("08:00", "20:00")], "sun": [], "fri-mon": [("10:00", "12:00")]}
    )
    hours = cal.weekly_hours
    assert hours["thu"] == [("08:00", "20:00")]
    assert hours["sat"] == hours["sun"] == hours["mon"] == [("10:00", "12:00")]
    days = list(iter_days(date(2026, 1, 5), date(2026, 1, 11)))
    assert [len(cal.hours_on(d)) for d in days] == [1] * 7
