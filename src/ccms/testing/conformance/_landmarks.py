"""Where business time breaks: DST changes, holidays, short days and closing edges of a calendar.

The suites aim part of what they generate at these moments (a history that spans a holiday, a
deadline that falls exactly at closing time, a span across the spring-forward night), so the
classic calendar and SLA bugs show within the default number of examples. A calendar is read
through what it exposes: ``zone`` and ``hours_on(day)`` (as :class:`~ccms.policy.BusinessCalendar`
has); one that exposes neither gives only the DST changes of the suites' sample zones.

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from ccms.testing.conformance._common import T0, ZONES

__all__ = [
    "closing_after",
    "dst_changes",
    "hours_of",
    "landmarks",
    "local_instant",
    "open_time",
    "special_days",
    "zone_of",
]

_DAY: Final = timedelta(days=1)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def zone_of(calendar: object) -> tzinfo | None:
    """The calendar's zone (its ``zone``, else a ``timezone`` name), or ``None``."""
    zone = getattr(calendar, "zone", None)
    if isinstance(zone, tzinfo):
        return zone
    name = getattr(calendar, "timezone", None)
    if isinstance(name, str):
        try:
            return ZoneInfo(name)
        except (ValueError, KeyError):
            return None
    return None


def _seconds(text: str) -> int:
    parts = [int(p) for p in text.split(":")]
    h, m, s = ([*parts, 0, 0])[:3]
    return h * 3600 + m * 60 + s


def hours_of(calendar: object, day: date) -> list[tuple[int, int]] | None:
    """The open intervals starting on ``day`` as seconds after local midnight (an end past
    86400 runs into the next day), from the calendar's ``hours_on``; ``None`` if it has none."""
    hours_on = getattr(calendar, "hours_on", None)
    if hours_on is None:
        return None
    out = []
    for start, end in hours_on(day):
        a, b = _seconds(start), _seconds(end)
        out.append((a, b if b > a else b + 86_400))
    return out


def local_instant(zone: tzinfo, day: date, seconds: int) -> datetime:
    """The first instant the local clock of ``zone`` shows ``day`` + ``seconds`` (in a
    spring-forward gap: the jump itself), in UTC."""
    wall = datetime.combine(day, time()) + timedelta(seconds=seconds)
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    lo = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = min(lo, first), max(lo, first)
    while hi - lo > timedelta(seconds=1):  # the first second whose wall clock is >= wall
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return hi


def _intervals(
    calendar: object, zone: tzinfo, first: date, last: date
) -> list[tuple[datetime, datetime]]:
    out = []
    day = first
    while day <= last:
        for a, b in hours_of(calendar, day) or ():
            start, end = local_instant(zone, day, a), local_instant(zone, day, b)
            if end > start:
                out.append((start, end))
        day += _DAY
    return out


def open_time(calendar: object, start: datetime, end: datetime) -> timedelta | None:
    """Business time from ``start`` to ``end`` (``start <= end``) computed from the calendar's
    own ``hours_on`` and ``zone``, interval by interval: the reference the calendar suite holds
    ``between`` to. ``None`` if the calendar exposes neither."""
    zone = zone_of(calendar)
    if zone is None or getattr(calendar, "hours_on", None) is None:
        return None
    first = start.astimezone(zone).date() - _DAY
    last = end.astimezone(zone).date()
    total = timedelta(0)
    lo_bound, hi_bound = start.astimezone(UTC), end.astimezone(UTC)
    merged: list[list[datetime]] = []
    for a, b in sorted(_intervals(calendar, zone, first, last)):
        if merged and a <= merged[-1][1]:  # an overnight shift may run into the next day's
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    for a, b in merged:
        lo, hi = max(a, lo_bound), min(b, hi_bound)
        if hi > lo:
            total += hi - lo
    return total


def closing_after(calendar: object, moment: datetime, skip: int = 0) -> datetime | None:
    """The ``skip``-th closing edge (end of an open interval) strictly after ``moment``, from the
    calendar's hours; ``None`` if it exposes none or none comes within 60 days."""
    zone = zone_of(calendar)
    if zone is None or getattr(calendar, "hours_on", None) is None:
        return None
    day = moment.astimezone(zone).date() - _DAY
    seen = 0
    for _ in range(62):
        for _a, b in _intervals(calendar, zone, day, day):
            if b > moment:
                if seen == skip:
                    return b
                seen += 1
        day += _DAY
    return None


@functools.lru_cache(maxsize=64)
def _dst_changes(zone: tzinfo, start: datetime, days: int) -> tuple[datetime, ...]:
    out: list[datetime] = []
    prev = start.astimezone(zone).utcoffset()
    t = start
    for _ in range(days):
        nxt = t + _DAY
        offset = nxt.astimezone(zone).utcoffset()
        if offset != prev:
            lo, hi = t, nxt  # the change is in (lo, hi]: bisect to the second
            while hi - lo > timedelta(seconds=1):
                mid = (lo + (hi - lo) / 2).replace(microsecond=0)
                if mid.astimezone(zone).utcoffset() == prev:
                    lo = mid
                else:
                    hi = mid
            out.append(hi)
            prev = offset
        t = nxt
    return tuple(out)


def dst_changes(zone: tzinfo, start: datetime = T0 - 30 * _DAY, days: int = 300) -> list[datetime]:
    """The instants (UTC) the offset of ``zone`` changes within ``days`` from ``start``.

    >>> [t.isoformat() for t in dst_changes(ZoneInfo("America/New_York"))][:1]
    ['2026-03-08T07:00:00+00:00']
    """
    return list(_dst_changes(zone, start.astimezone(UTC), days))


def special_days(
    calendar: object, start: date | None = None, days: int = 150, limit: int = 6
) -> list[date]:
    """Up to ``limit`` days from ``start`` whose hours differ from the same weekday a week
    before or after (holidays, closures, short days, extra working days)."""
    if getattr(calendar, "hours_on", None) is None:
        return []
    first = start or (T0 - 7 * _DAY).date()
    found: list[date] = []
    for i in range(days):
        day = first + i * _DAY
        hours = hours_of(calendar, day)
        if hours != hours_of(calendar, day - 7 * _DAY) and hours != hours_of(
            calendar, day + 7 * _DAY
        ):
            found.append(day)
            if len(found) >= limit:
                break
    return found


def landmarks(calendars: Iterable[object] = (), zones: Sequence[tzinfo] = ZONES) -> list[datetime]:
    """Moments worth aiming at: the DST changes of ``zones`` and of each calendar's zone near
    :data:`T0`, and the start (local midnight) of each calendar's special days, each shown in
    its zone. Sorted, without repeats."""
    out: set[datetime] = set()
    cal_zones = []
    for cal in calendars:
        zone = zone_of(cal)
        if zone is None:
            continue
        cal_zones.append(zone)
        for day in special_days(cal):
            out.add(local_instant(zone, day, 0).astimezone(zone))
    for zone in (*zones, *cal_zones):
        out.update(t.astimezone(zone) for t in dst_changes(zone)[:2])
    return sorted(out, key=lambda t: (t.astimezone(UTC), str(t.tzinfo)))
