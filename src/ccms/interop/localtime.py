"""Source timestamps read in the source's own time zone, DST gaps and overlaps resolved explicitly.

Exports carry local wall-clock times without an offset ("03/10/2024 02:30:00 AM" in New York).
:func:`localize` reads such a naive time in a named zone. Twice a year a wall-clock time is not one
instant: on the spring-forward night a gap (02:30 does not exist in New York), on the fall-back
night an overlap (01:30 happens twice). A :class:`DstPolicy` says what to do, and the default is
written down rather than left to chance:

- a time in a **gap** is shifted forward by the length of the gap (``shift_forward``: 02:30 is read
  as 03:30 daylight time, the instant the clock showed 02:30 standard time), or backward
  (``shift_backward``: 01:30 standard time), or refused (``reject``);
- a time in an **overlap** is the earlier of the two instants (``earlier``: daylight time, Python's
  ``fold=0``), the later (``later``: standard time, ``fold=1``) or refused (``reject``).

>>> from datetime import datetime
>>> localize(datetime(2024, 3, 10, 2, 30), "America/New_York").isoformat()
'2024-03-10T03:30:00-04:00'
>>> localize(datetime(2024, 11, 3, 1, 30), "America/New_York").isoformat()
'2024-11-03T01:30:00-04:00'
>>> localize(datetime(2024, 11, 3, 1, 30), "America/New_York", DstPolicy(overlap="later")).isoformat()
'2024-11-03T01:30:00-05:00'
>>> localize(datetime(2024, 3, 10, 2, 30), "America/New_York", DstPolicy(gap="reject"))
Traceback (most recent call last):
...
ccms.errors.NonexistentLocalTime: 2024-03-10 02:30:00 does not exist in America/New_York (a DST gap: the clocks jumped 60 minutes forward over it...
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ccms.errors import AmbiguousLocalTime, NonexistentLocalTime, UnknownZone
from ccms.model.types import Frozen

__all__ = [
    "DEFAULT_DST",
    "AmbiguousLocalTime",
    "DstPolicy",
    "NonexistentLocalTime",
    "UnknownZone",
    "fixed_offset",
    "localize",
    "start_of_day",
    "zone",
]

GapPolicy = Literal["shift_forward", "shift_backward", "reject"]
OverlapPolicy = Literal["earlier", "later", "reject"]


class DstPolicy(Frozen):
    """How a local time in a DST gap or overlap becomes an instant (see the module's docs)."""

    gap: GapPolicy = "shift_forward"
    overlap: OverlapPolicy = "earlier"


#: Gap: shift forward; overlap: the earlier instant (``fold=0``).
DEFAULT_DST = DstPolicy()


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (cached); :class:`UnknownZone` if there is none.

    >>> zone("Asia/Seoul").key
    'Asia/Seoul'
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise UnknownZone(name) from None


@lru_cache(maxsize=256)
def _offset_zone(offset: timedelta) -> timezone:
    return UTC if not offset else timezone(offset)


def fixed_offset(moment: datetime) -> datetime:
    """``moment`` with the UTC offset in force then as a fixed zone: the same instant and wall
    time, and what a store gives back. Python subtracts two datetimes of the *same* ``ZoneInfo``
    by their wall clocks (an hour wrong across a DST change); with fixed offsets it is exact.

    >>> ny = zone("America/New_York")
    >>> a, b = datetime(2024, 3, 9, 23, tzinfo=ny), datetime(2024, 3, 10, 4, tzinfo=ny)
    >>> b - a, fixed_offset(b) - fixed_offset(a)
    (datetime.timedelta(seconds=18000), datetime.timedelta(seconds=14400))
    """
    tzinfo = moment.tzinfo
    if tzinfo is None or isinstance(tzinfo, timezone):
        return moment
    offset = moment.utcoffset()
    if offset is None:
        return moment
    return moment.replace(tzinfo=_offset_zone(offset), fold=0)


def localize(naive: datetime, tz: ZoneInfo | str, dst: DstPolicy = DEFAULT_DST) -> datetime:
    """The instant the wall-clock time ``naive`` shows in ``tz``, gaps and overlaps by ``dst``,
    with the offset in force then as a fixed zone (:func:`fixed_offset`).

    An aware ``naive`` already names its instant: only its zone is made a fixed offset.
    """
    if naive.tzinfo is not None:
        return fixed_offset(naive)
    tzinfo = zone(tz) if isinstance(tz, str) else tz
    early = naive.replace(tzinfo=tzinfo, fold=0)
    late = naive.replace(tzinfo=tzinfo, fold=1)
    if early.utcoffset() == late.utcoffset():
        return fixed_offset(early)
    shown = early.astimezone(UTC).astimezone(tzinfo)
    if shown.replace(tzinfo=None) == naive:
        # Both readings exist: the wall clock showed this time twice (an overlap).
        if dst.overlap == "earlier":
            return fixed_offset(early)
        if dst.overlap == "later":
            return fixed_offset(late)
        raise AmbiguousLocalTime(naive, tzinfo.key, early, late)
    # Neither reading shows this time again: the clocks jumped over it (a gap).
    before = late.astimezone(UTC).astimezone(tzinfo)  # the wall clock just before the jump
    after = shown  # the same instant, read after the jump
    if dst.gap == "shift_forward":
        return fixed_offset(after)
    if dst.gap == "shift_backward":
        return fixed_offset(before)
    gap = (late.utcoffset() or timedelta(0)) - (early.utcoffset() or timedelta(0))
    minutes = int(gap.total_seconds() // 60)
    raise NonexistentLocalTime(naive, tzinfo.key, minutes, forward=after, backward=before)


def start_of_day(day: date, tz: ZoneInfo | str, dst: DstPolicy = DEFAULT_DST) -> datetime:
    """The instant ``day`` began in ``tz`` (00:00 local, or the end of a gap at midnight).

    >>> start_of_day(date(2024, 5, 1), "America/New_York").isoformat()
    '2024-05-01T00:00:00-04:00'
    """
    return localize(datetime.combine(day, time()), tz, dst)
