"""Business calendar: working hours, public holidays, closures and business-time arithmetic.

A :class:`BusinessCalendar` answers the questions an SLA clock asks: when is a deadline that lies
``n`` business hours after a moment (:meth:`~BusinessCalendar.add`), how much business time passed
between two moments (:meth:`~BusinessCalendar.between`), is the desk open now
(:meth:`~BusinessCalendar.is_open`) and when does it open next (:meth:`~BusinessCalendar.next_open`).

>>> from datetime import datetime, timedelta
>>> from zoneinfo import ZoneInfo
>>> cal = BusinessCalendar(
...     timezone="Asia/Seoul",
...     hours={"mon-fri": [("09:00", "12:00"), ("13:00", "18:00")]},
...     holidays="KR",
... )
>>> received = datetime(2026, 2, 27, 16, 0, tzinfo=ZoneInfo("Asia/Seoul"))  # a Friday
>>> cal.add(received, timedelta(hours=4))  # 2h on Friday, Mar 2 is a substitute holiday
datetime.datetime(2026, 3, 3, 11, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Seoul'))
>>> cal.between(received, datetime(2026, 3, 3, 14, 0, tzinfo=ZoneInfo("Asia/Seoul")))
datetime.timedelta(seconds=21600)

Conventions (see ``docs/calendar.md`` for the reasoning):

* Working hours are wall-clock times in the calendar's zone; business time is real elapsed time.
  A wall time is placed at the *first instant the local clock shows that time or later*: an
  opening at 02:30 on a spring-forward night (a time that does not exist) opens at 03:00, the
  moment the clock jumps past it; a time that occurs twice (fall-back) means its first occurrence.
* Open intervals are half-open, ``[opening, closing)``; touching intervals are merged, so a 24x7
  calendar has no closed instant at midnight.
* The end of a working day is written as the closing moment: ``add`` returns ``18:00`` (not the
  next opening) when the duration is used up exactly at close. ``add(s, 0)`` returns ``s``.
* Results are exact to the microsecond and are aware datetimes in the calendar's zone.
"""

from __future__ import annotations

import copy
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final, Protocol, TypeAlias, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as _holidays
from attrs.exceptions import FrozenInstanceError

from ccms.errors import CalendarError, require_aware

__all__ = ["BusinessCalendar", "Calendar"]


@runtime_checkable
class Calendar(Protocol):
    """What ccms asks of a calendar: time added to a moment, and time measured between two.

    SLA clocks, the metrics' business-time figures and reports take one. A
    :class:`BusinessCalendar` fits (business time); so does ``WALL_CLOCK`` (elapsed time), or
    any object with these two methods that passes :class:`ccms.testing.conformance.CalendarSuite`.

    >>> isinstance(BusinessCalendar.always_open("UTC"), Calendar)
    True
    """

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of the calendar's time after ``start``."""
        ...

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The calendar's time from ``start`` to ``end``."""
        ...


WallTime: TypeAlias = str | time
"""A wall-clock time: ``"HH:MM"``, ``"HH:MM:SS"`` (``"24:00"`` only as an end) or a naive ``time``."""
Interval: TypeAlias = tuple[WallTime, WallTime]
DayHours: TypeAlias = Sequence[Interval] | Interval
HolidaySpec: TypeAlias = str | tuple[str, str] | Iterable[date] | None

_DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_INDEX: Final = {name: i for i, name in enumerate(_DAY_NAMES)}
_DAY_S: Final = 86_400
_S: Final = 1_000_000  # microseconds per second
_DAY_US: Final = _DAY_S * _S
_US: Final = timedelta(microseconds=1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_TIME_RE: Final = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_MIN_YEAR: Final = 2
_MAX_YEAR: Final = 9997

_Hours: TypeAlias = tuple[tuple[int, int], ...]  # (start, end) seconds after local midnight


# --------------------------------------------------------------------------- parsing


def _parse_wall(value: object, where: str, *, is_end: bool) -> int:
    if isinstance(value, time):
        if value.tzinfo is not None or value.microsecond:
            raise CalendarError(
                f"{where}: {value!r} must be a naive time with whole seconds (wall-clock time "
                "in the calendar's zone)"
            )
        return value.hour * 3600 + value.minute * 60 + value.second
    match = _TIME_RE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise CalendarError(f"{where}: {value!r} is not a wall time; write 'HH:MM' or 'HH:MM:SS'")
    h, m, s = int(match[1]), int(match[2]), int(match[3] or 0)
    if (h, m, s) == (24, 0, 0):
        if is_end:
            return _DAY_S
        raise CalendarError(f"{where}: '24:00' can only end an interval; start the day at '00:00'")
    if h > 23 or m > 59 or s > 59:
        raise CalendarError(
            f"{where}: {value!r} is not a wall time; allowed: '00:00' to '23:59:59', "
            "and '24:00' as an end"
        )
    return h * 3600 + m * 60 + s


def _parse_hours(raw: object, where: str) -> _Hours:
    """Normalise one day's intervals to sorted ``(start, end)`` seconds; ``end`` may pass 86400."""
    if isinstance(raw, tuple) and len(raw) == 2 and all(isinstance(x, str | time) for x in raw):
        raw = [raw]  # a single interval given without the surrounding list
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise CalendarError(
            f"{where}: expected a list of (start, end) pairs such as [('09:00', '18:00')], "
            f"got {raw!r}"
        )
    out: list[tuple[int, int]] = []
    for k, item in enumerate(raw):
        if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
            raise CalendarError(f"{where}[{k}]: expected a (start, end) pair, got {item!r}")
        a = _parse_wall(item[0], f"{where}[{k}]", is_end=False)
        b = _parse_wall(item[1], f"{where}[{k}]", is_end=True)
        if a == b:
            raise CalendarError(
                f"{where}[{k}]: {tuple(item)!r} starts and ends at the same time; "
                "write ('00:00', '24:00') for a whole day"
            )
        if b < a:  # an overnight shift: it ends on the next day
            b += _DAY_S
        if out and a < out[-1][1]:
            prev = out[-1]
            if prev[1] > _DAY_S:
                raise CalendarError(
                    f"{where}[{k - 1}]: {tuple(raw[k - 1])!r} ends before it starts, which reads "
                    "as an overnight shift running past midnight; only the last interval of a "
                    "day may do that (list intervals in time order; use '24:00' to close at "
                    "midnight)"
                )
            raise CalendarError(
                f"{where}[{k}]: {tuple(item)!r} overlaps or precedes the interval before it; "
                "list a day's intervals in time order without overlaps"
            )
        out.append((a, b))
    return tuple(out)


def _parse_days(key: object) -> list[int]:
    allowed = "'mon'..'sun', a range such as 'mon-fri' or 'sat-sun', or 'daily'"
    if not isinstance(key, str):
        raise CalendarError(f"unknown day key {key!r}; use {allowed}")
    k = key.strip().lower()
    if k in ("daily", "mon-sun"):
        return list(range(7))
    if k in _DAY_INDEX:
        return [_DAY_INDEX[k]]
    first, sep, last = k.partition("-")
    if sep and first.strip() in _DAY_INDEX and last.strip() in _DAY_INDEX:
        a, b = _DAY_INDEX[first.strip()], _DAY_INDEX[last.strip()]
        return [(a + i) % 7 for i in range((b - a) % 7 + 1)]
    raise CalendarError(f"unknown day key {key!r}; use {allowed}")


def _parse_week(hours: Mapping[str, DayHours]) -> tuple[_Hours, ...]:
    if not isinstance(hours, Mapping):
        raise CalendarError(
            f"hours must be a mapping such as {{'mon-fri': [('09:00', '18:00')]}}, got {hours!r}"
        )
    week: list[_Hours] = [()] * 7
    for key, raw in hours.items():  # later keys replace earlier ones for the days they name
        parsed = _parse_hours(raw, f"hours[{key!r}]")
        for day in _parse_days(key):
            week[day] = parsed
    return tuple(week)


def _check_date(value: object, where: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CalendarError(f"{where}: expected a date (not a datetime), got {value!r}")
    return value


def _fmt_wall(seconds: int) -> str:
    if seconds > _DAY_S:
        seconds -= _DAY_S
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _fmt_hours(hours: _Hours) -> list[tuple[str, str]]:
    return [(_fmt_wall(a), _fmt_wall(b)) for a, b in hours]


def _micros(moment: datetime, field: str) -> int:
    """Epoch microseconds of an aware datetime; naive ones raise ``NaiveDatetimeError``."""
    try:
        delta = moment - _EPOCH
    except TypeError:
        if not isinstance(moment, datetime):
            raise CalendarError(f"{field} must be a datetime, got {moment!r}") from None
        require_aware(moment, field)
        raise
    return delta.days * _DAY_US + delta.seconds * _S + delta.microseconds


# --------------------------------------------------------------------------- timeline


class _Timeline:
    """Merged open intervals (UTC epoch microseconds) for local years ``y0..y1``, with prefix sums.

    ``cum[i]`` is the open time before interval ``i`` (counted from ``lo``), ``cumend[i]`` the open
    time up to its end. Valid for instants in ``[lo, hi)``. Never mutated once built.
    """

    __slots__ = ("cum", "cumend", "ends", "hi", "lo", "starts", "total", "y0", "y1")

    def __init__(self, y0: int, y1: int, lo: int, hi: int, raw: Iterable[tuple[int, int]]) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for a0, b0 in raw:
            a, b = max(a0, lo), min(b0, hi)
            if b <= a:
                continue
            if ends and a <= ends[-1]:
                if b > ends[-1]:
                    ends[-1] = b
                continue
            starts.append(a)
            ends.append(b)
        cum: list[int] = []
        cumend: list[int] = []
        acc = 0
        for a, b in zip(starts, ends, strict=True):
            cum.append(acc)
            acc += b - a
            cumend.append(acc)
        self.y0, self.y1, self.lo, self.hi = y0, y1, lo, hi
        self.starts, self.ends, self.cum, self.cumend, self.total = starts, ends, cum, cumend, acc

    def position(self, t: int) -> int:
        """Business time from ``lo`` to ``t`` (``lo <= t <= hi``)."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.cum[i] + (t if t < end else end) - self.starts[i]


# --------------------------------------------------------------------------- the calendar


class BusinessCalendar:
    """Working hours in a time zone, less holidays and closures, plus per-date overrides.

    Args:
        timezone: an IANA zone name (``"Asia/Seoul"``) or a ``ZoneInfo``.
        hours: weekly hours: day key -> list of ``(start, end)`` wall times. Day keys are
            ``"mon"``..``"sun"``, ranges such as ``"mon-fri"`` or ``"sat-sun"``, and ``"daily"``;
            a later key replaces an earlier one for the days it names. An interval whose end is
            before its start is an overnight shift that ends on the next day (only the last
            interval of a day may be one); ``"24:00"`` closes a day at midnight. A shift belongs
            to the day it starts on: a holiday closes the shifts that start on it.
        holidays: public holidays: a country code (``"KR"``), ``(country, subdivision)``
            (``("US", "NY")``), a ``holidays.HolidayBase`` (the calendar keeps its own copy),
            or any iterable of dates.
        closures: company closure dates (closed all day, like a holiday).
        extra_days: ``{date: hours}``: working days that would otherwise be closed.
        short_days: ``{date: hours}``: days with shorter hours, e.g. the eve of a holiday.

    ``extra_days`` and ``short_days`` are the same mechanism, a per-date replacement of the hours,
    which wins over holidays and the weekly hours; an empty list closes the date. A date may
    appear in only one of ``closures``, ``extra_days`` and ``short_days``.

    The calendar is immutable and hashable; it caches its open intervals per year as it is used.

    >>> cal = BusinessCalendar.standard("Asia/Seoul", country="KR")
    >>> cal
    BusinessCalendar(timezone='Asia/Seoul', hours={'mon-fri': [('09:00', '18:00')]}, holidays='KR')
    >>> BusinessCalendar("UTC", {"mon": [("09:00", "12:00"), ("11:00", "13:00")]})
    Traceback (most recent call last):
    ...
    ccms.errors.CalendarError: hours['mon'][1]: ('11:00', '13:00') overlaps or precedes ...
    """

    __slots__ = (
        "_closures",
        "_holiday_key",
        "_holiday_source",
        "_holiday_years",
        "_key",
        "_lock",
        "_overrides",
        "_per_year",
        "_timeline",
        "_timezone",
        "_week",
        "_year_raw",
        "_zone",
    )

    _timezone: str
    _zone: ZoneInfo
    _week: tuple[_Hours, ...]
    _holiday_key: object
    _holiday_source: Any
    _closures: frozenset[date]
    _overrides: dict[date, _Hours]
    _key: tuple[object, ...]
    _per_year: int
    _lock: threading.Lock
    _timeline: _Timeline | None
    _holiday_years: dict[int, frozenset[date]]
    _year_raw: dict[int, list[tuple[int, int]]]

    def __init__(
        self,
        timezone: str | ZoneInfo,
        hours: Mapping[str, DayHours],
        *,
        holidays: HolidaySpec | _holidays.HolidayBase = None,
        closures: Iterable[date] = (),
        extra_days: Mapping[date, DayHours] | None = None,
        short_days: Mapping[date, DayHours] | None = None,
    ) -> None:
        zone = self._resolve_zone(timezone)
        week = _parse_week(hours)
        source, holiday_key = self._resolve_holidays(holidays)
        closed = frozenset(_check_date(d, "closures") for d in closures)
        overrides: dict[date, _Hours] = {}
        for name, given in (("extra_days", extra_days), ("short_days", short_days)):
            for d, raw in (given or {}).items():
                _check_date(d, name)
                if d in overrides or d in closed:
                    raise CalendarError(
                        f"{name}: {d} is given twice (in closures, extra_days or short_days); "
                        "give each date one meaning"
                    )
                overrides[d] = _parse_hours(raw, f"{name}[{d}]")
        per_week = sum(b - a for day in week for a, b in day)
        if per_week == 0 and not any(overrides.values()):
            raise CalendarError(
                "the calendar is never open: no weekly hours and no extra working days; "
                "give hours such as {'mon-fri': [('09:00', '18:00')]}"
            )
        init = object.__setattr__
        init(self, "_timezone", zone.key)
        init(self, "_zone", zone)
        init(self, "_week", week)
        init(self, "_holiday_key", holiday_key)
        init(self, "_holiday_source", source)
        init(self, "_closures", closed)
        init(self, "_overrides", overrides)
        init(self, "_per_year", per_week * 52 * _S)
        init(
            self,
            "_key",
            (zone.key, week, holiday_key, closed, tuple(sorted(overrides.items()))),
        )
        init(self, "_lock", threading.Lock())
        init(self, "_timeline", None)
        init(self, "_holiday_years", {})
        init(self, "_year_raw", {})

    # ----------------------------------------------------------------- construction helpers

    @staticmethod
    def _resolve_zone(timezone: str | ZoneInfo) -> ZoneInfo:
        if isinstance(timezone, ZoneInfo):
            return timezone
        if not isinstance(timezone, str):
            raise CalendarError(f"timezone must be an IANA zone name, got {timezone!r}")
        try:
            return ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(
                f"unknown time zone {timezone!r}; use an IANA name such as 'Asia/Seoul'"
            ) from exc

    @staticmethod
    def _resolve_holidays(spec: object) -> tuple[Any, object]:
        if spec is None:
            return None, None
        if isinstance(spec, str) or (
            isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(x, str) for x in spec)
        ):
            country, subdiv = (spec, None) if isinstance(spec, str) else spec
            try:
                source = _holidays.country_holidays(country, subdiv=subdiv)
            except (NotImplementedError, KeyError, ValueError) as exc:
                raise CalendarError(
                    f"holidays: no public holidays known for {spec!r}: {exc}; use an ISO country "
                    "code such as 'KR' or a (country, subdivision) pair such as ('US', 'NY')"
                ) from exc
            return source, spec
        if isinstance(spec, _holidays.HolidayBase):
            own = copy.deepcopy(spec)
            return own, ("holidays-object", id(own))
        if isinstance(spec, Iterable):
            dates = frozenset(_check_date(d, "holidays") for d in spec)
            return dates, dates
        raise CalendarError(
            f"holidays: expected a country code, a (country, subdivision) pair, a "
            f"holidays.HolidayBase or dates, got {spec!r}"
        )

    @classmethod
    def standard(
        cls,
        timezone: str | ZoneInfo,
        country: str | None = None,
        subdiv: str | None = None,
        *,
        hours: DayHours = ("09:00", "18:00"),
    ) -> BusinessCalendar:
        """Monday to Friday, 09:00-18:00 by default, less the public holidays of ``country``.

        >>> from datetime import datetime, timedelta
        >>> from zoneinfo import ZoneInfo
        >>> ny = BusinessCalendar.standard("America/New_York", "US", "NY")
        >>> ny.add(datetime(2026, 7, 2, 17, tzinfo=ZoneInfo("America/New_York")), timedelta(hours=2))
        datetime.datetime(2026, 7, 6, 10, 0, tzinfo=zoneinfo.ZoneInfo(key='America/New_York'))
        """
        spec: HolidaySpec = None
        if country is not None:
            spec = country if subdiv is None else (country, subdiv)
        return cls(timezone, {"mon-fri": hours}, holidays=spec)

    @classmethod
    def always_open(cls, timezone: str | ZoneInfo = "UTC") -> BusinessCalendar:
        """Open 24 hours a day, 7 days a week: business time is elapsed time.

        >>> from datetime import datetime, timedelta, timezone
        >>> cal = BusinessCalendar.always_open("UTC")
        >>> cal.add(datetime(2026, 1, 1, 23, tzinfo=timezone.utc), timedelta(hours=2))
        datetime.datetime(2026, 1, 2, 1, 0, tzinfo=zoneinfo.ZoneInfo(key='UTC'))
        """
        return cls(timezone, {"daily": [("00:00", "24:00")]})

    # ----------------------------------------------------------------- value semantics

    @property
    def timezone(self) -> str:
        """The IANA name of the calendar's zone."""
        return self._timezone

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's zone; every result is expressed in it."""
        return self._zone

    @property
    def weekly_hours(self) -> dict[str, list[tuple[str, str]]]:
        """The weekly hours per day name, as ``(start, end)`` wall times.

        >>> BusinessCalendar("UTC", {"sat": [("22:00", "06:00")]}).weekly_hours["sat"]
        [('22:00', '06:00')]
        """
        return {name: _fmt_hours(self._week[i]) for i, name in enumerate(_DAY_NAMES)}

    @property
    def open_per_week(self) -> timedelta:
        """Open wall-clock time of an ordinary week (no holidays, no DST change).

        >>> BusinessCalendar.standard("UTC").open_per_week
        datetime.timedelta(days=1, seconds=75600)
        """
        return timedelta(seconds=sum(b - a for day in self._week for a, b in day))

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError()

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        groups: list[tuple[int, int, _Hours]] = []
        for i, day in enumerate(self._week):
            if groups and groups[-1][2] == day and groups[-1][1] == i - 1:
                groups[-1] = (groups[-1][0], i, day)
            else:
                groups.append((i, i, day))
        shown: dict[str, list[tuple[str, str]]] = {}
        for first, last, day in groups:
            if not day:
                continue
            if first == 0 and last == 6:
                key = "daily"
            elif first == last:
                key = _DAY_NAMES[first]
            else:
                key = f"{_DAY_NAMES[first]}-{_DAY_NAMES[last]}"
            shown[key] = _fmt_hours(day)
        parts = [f"timezone={self._timezone!r}", f"hours={shown!r}"]
        hk = self._holiday_key
        if isinstance(hk, str | tuple) and hk and hk[0] != "holidays-object":
            parts.append(f"holidays={hk!r}")
        elif isinstance(hk, frozenset):
            parts.append(f"holidays=<{len(hk)} date(s)>")
        elif hk is not None:
            src = self._holiday_source
            label = " ".join(
                str(x) for x in (type(src).__name__, getattr(src, "subdiv", None)) if x
            )
            parts.append(f"holidays=<{label} holidays>")
        if self._closures:
            parts.append(f"closures=<{len(self._closures)} date(s)>")
        if self._overrides:
            parts.append(f"special_days=<{len(self._overrides)} date(s)>")
        return f"BusinessCalendar({', '.join(parts)})"

    # ----------------------------------------------------------------- day structure

    def _holidays_in(self, year: int) -> frozenset[date]:
        found = self._holiday_years.get(year)
        if found is None:
            src = self._holiday_source
            if src is None:
                found = frozenset()
            elif isinstance(src, frozenset):
                found = frozenset(d for d in src if d.year == year)
            else:
                _ = date(year, 1, 1) in src  # makes an expanding HolidayBase fill in the year
                found = frozenset(d for d in src if d.year == year)
            self._holiday_years[year] = found
        return found

    def hours_on(self, day: date) -> list[tuple[str, str]]:
        """The intervals that start on ``day`` (after holidays, closures and overrides).

        >>> from datetime import date
        >>> cal = BusinessCalendar.standard("Asia/Seoul", country="KR")
        >>> cal.hours_on(date(2026, 9, 25)), cal.hours_on(date(2026, 9, 29))
        ([], [('09:00', '18:00')])
        """
        return _fmt_hours(self._day_hours(_check_date(day, "day")))

    def _day_hours(self, d: date) -> _Hours:
        override = self._overrides.get(d)
        if override is not None:
            return override
        if d in self._closures or d in self._holidays_in(d.year):
            return ()
        return self._week[d.weekday()]

    def _instant(self, day: date, seconds: int) -> int:
        """Epoch microseconds of the first instant the local clock shows ``day`` + ``seconds``."""
        wall = datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)
        zone = self._zone
        t = (wall.replace(tzinfo=zone) - _EPOCH) // _US  # fold=0: first occurrence
        back = (_EPOCH + timedelta(microseconds=t)).astimezone(zone).replace(tzinfo=None)
        if back == wall:
            return t
        # The wall time falls in a gap (spring forward): fold=0 placed it after the jump, fold=1
        # before; the answer is the jump itself, the first second whose wall clock is >= wall.
        lo = (wall.replace(tzinfo=zone, fold=1) - _EPOCH) // _US // _S
        hi = t // _S
        if lo > hi:
            lo, hi = hi, lo
        while lo < hi:
            mid = (lo + hi) // 2
            local = (_EPOCH + timedelta(seconds=mid)).astimezone(zone).replace(tzinfo=None)
            if local >= wall:
                hi = mid
            else:
                lo = mid + 1
        return hi * _S

    def _raw_year(self, year: int) -> list[tuple[int, int]]:
        raw = self._year_raw.get(year)
        if raw is None:
            raw = []
            day = date(year, 1, 1)
            one = timedelta(days=1)
            while day.year == year:
                for a, b in self._day_hours(day):
                    start, end = self._instant(day, a), self._instant(day, b)
                    if end > start:
                        raw.append((start, end))
                day += one
            self._year_raw[year] = raw
        return raw

    def _build(self, y0: int, y1: int) -> _Timeline:
        if y0 < _MIN_YEAR or y1 > _MAX_YEAR:
            raise CalendarError(
                f"business time is only computed for years {_MIN_YEAR} to {_MAX_YEAR}; "
                f"this query needs years {y0} to {y1}"
            )
        lo = self._instant(date(y0, 1, 1), 0)
        hi = self._instant(date(y1 + 1, 1, 1), 0)
        eve = date(y0 - 1, 12, 31)
        raw: list[tuple[int, int]] = [
            (self._instant(eve, a), self._instant(eve, b)) for a, b in self._day_hours(eve)
        ]
        for year in range(y0, y1 + 1):
            raw.extend(self._raw_year(year))
        return _Timeline(y0, y1, lo, hi, raw)

    def _covering(self, first: int, last: int) -> _Timeline:
        """A timeline covering local years ``first..last`` (extended, never shrunk)."""
        tl = self._timeline
        if tl is not None and tl.y0 <= first and last <= tl.y1:
            return tl
        with self._lock:
            tl = self._timeline
            if tl is not None:
                first, last = min(first, tl.y0), max(last, tl.y1)
            tl = self._build(first, last)
            object.__setattr__(self, "_timeline", tl)
            return tl

    def _for(self, t: int, moment: datetime) -> _Timeline:
        tl = self._timeline
        if tl is not None and tl.lo <= t < tl.hi:
            return tl
        year = moment.astimezone(self._zone).year
        return self._covering(year, year + 1)

    def _to_datetime(self, t: int) -> datetime:
        seconds, micros = divmod(t, _S)
        if micros:  # exact, fold included; fromtimestamp + replace would be no faster
            return (_EPOCH + timedelta(microseconds=t)).astimezone(self._zone)
        return datetime.fromtimestamp(seconds, self._zone)

    # ----------------------------------------------------------------- queries

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment at which ``duration`` of business time has elapsed after ``start``.

        When the duration is used up exactly at a closing time, the closing moment is returned
        (a deadline due "by 18:00 today" is 18:00, not the next opening). ``add(s, 0)`` is ``s``
        (in the calendar's zone) even when ``s`` is closed. Negative durations raise
        :class:`~ccms.errors.CalendarError`. Cost is O(log n), flat in the duration.

        >>> from datetime import datetime, timedelta
        >>> from zoneinfo import ZoneInfo
        >>> cal = BusinessCalendar.standard("Asia/Seoul")
        >>> monday_9 = datetime(2026, 1, 5, 9, tzinfo=ZoneInfo("Asia/Seoul"))
        >>> cal.add(monday_9, timedelta(hours=9))
        datetime.datetime(2026, 1, 5, 18, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Seoul'))
        >>> cal.add(monday_9, timedelta(hours=9, seconds=1))
        datetime.datetime(2026, 1, 6, 9, 0, 1, tzinfo=zoneinfo.ZoneInfo(key='Asia/Seoul'))
        >>> cal.add(monday_9, timedelta(hours=-1))
        Traceback (most recent call last):
        ...
        ccms.errors.CalendarError: duration must not be negative, got -1 day, 23:00:00; ...
        """
        t = _micros(start, "start")
        try:
            need = duration.days * _DAY_US + duration.seconds * _S + duration.microseconds
        except AttributeError:
            raise CalendarError(f"duration must be a timedelta, got {duration!r}") from None
        if need <= 0:
            if need == 0:
                return start.astimezone(self._zone)
            raise CalendarError(
                f"duration must not be negative, got {duration}; to go back in business time "
                "compare with between(), which is signed"
            )
        tl = self._timeline
        if tl is None or not tl.lo <= t < tl.hi:
            tl = self._for(t, start)
        # inline of tl.position(t): this is the hot path
        i = bisect_right(tl.starts, t) - 1
        if i < 0:
            target = need
        else:
            end = tl.ends[i]
            target = tl.cum[i] + (t if t < end else end) - tl.starts[i] + need
        idle = 0
        # extend while the target lies beyond the known open time (or exactly at its end when
        # that end is only the edge of the cached range, not a real closing time)
        while target > tl.total or (target == tl.total and tl.ends[-1] >= tl.hi):
            before = tl.total - tl.position(t)
            years = max(1, (target - tl.total) // self._per_year + 1) if self._per_year else 1
            if tl.y1 + years > _MAX_YEAR:
                years = max(1, _MAX_YEAR - tl.y1)
            tl = self._covering(tl.y0, tl.y1 + years)
            target = tl.position(t) + need  # the same unless another query extended backwards
            idle = idle + years if tl.total - tl.position(t) == before else 0
            if idle > 10:
                raise CalendarError(
                    f"the calendar has no open time after {self._to_datetime(tl.ends[-1])}; "
                    f"cannot add {duration} to {start}"
                    if tl.ends
                    else f"the calendar is never open after {start}"
                )
        j = bisect_left(tl.cumend, target)
        return self._to_datetime(tl.ends[j] - (tl.cumend[j] - target))

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end``; negative (``-between(end, start)``) if ``end``
        is earlier.

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> seoul = ZoneInfo("Asia/Seoul")
        >>> cal = BusinessCalendar.standard("Asia/Seoul")
        >>> friday, monday = datetime(2026, 1, 9, 17, tzinfo=seoul), datetime(2026, 1, 12, 10, tzinfo=seoul)
        >>> cal.between(friday, monday), cal.between(monday, friday)
        (datetime.timedelta(seconds=7200), datetime.timedelta(days=-1, seconds=79200))
        """
        t0 = _micros(start, "start")
        t1 = _micros(end, "end")
        tl = self._timeline
        if tl is None or not (tl.lo <= t0 < tl.hi and tl.lo <= t1 < tl.hi):
            zone = self._zone
            y0, y1 = start.astimezone(zone).year, end.astimezone(zone).year
            tl = self._covering(min(y0, y1), max(y0, y1) + 1)
        starts, ends, cum = tl.starts, tl.ends, tl.cum  # inline of position(): the hot path
        i = bisect_right(starts, t0) - 1
        p0 = 0 if i < 0 else cum[i] + (t0 if t0 < ends[i] else ends[i]) - starts[i]
        i = bisect_right(starts, t1) - 1
        p1 = 0 if i < 0 else cum[i] + (t1 if t1 < ends[i] else ends[i]) - starts[i]
        return timedelta(0, 0, p1 - p0)  # positional: measurably faster than microseconds=

    def is_open(self, moment: datetime) -> bool:
        """Whether business time runs at ``moment``: open at an opening time, closed at a closing
        time.

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> cal = BusinessCalendar.standard("Asia/Seoul")
        >>> [cal.is_open(datetime(2026, 1, 5, h, tzinfo=ZoneInfo("Asia/Seoul"))) for h in (8, 9, 17, 18)]
        [False, True, True, False]
        """
        t = _micros(moment, "moment")
        tl = self._for(t, moment)
        i = bisect_right(tl.starts, t) - 1
        return i >= 0 and t < tl.ends[i]

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself if open, else the next opening.

        >>> from datetime import datetime
        >>> from zoneinfo import ZoneInfo
        >>> cal = BusinessCalendar.standard("Asia/Seoul", country="KR")
        >>> cal.next_open(datetime(2026, 2, 13, 18, tzinfo=ZoneInfo("Asia/Seoul")))  # Seollal
        datetime.datetime(2026, 2, 19, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Seoul'))
        """
        t = _micros(moment, "moment")
        tl = self._for(t, moment)
        idle = 0
        while True:
            i = bisect_right(tl.starts, t) - 1
            if i >= 0 and t < tl.ends[i]:
                return moment.astimezone(self._zone)
            if i + 1 < len(tl.starts):
                return self._to_datetime(tl.starts[i + 1])
            if tl.y1 >= _MAX_YEAR or idle > 10:
                raise CalendarError(f"the calendar never opens after {moment}")
            tl = self._covering(tl.y0, tl.y1 + 1)
            idle += 1
