"""Reporting periods: ISO weeks, calendar months and quarters, in a time zone.

A :class:`Period` is a half-open range of local dates ``[start, end)`` with a label
(``2026-W40``, ``2026-10``, ``2026-Q4``). :meth:`Period.bounds` turns it into aware instants in a
zone (midnight local time), so a month in Seoul starts at ``2026-10-01 00:00+09:00``.

>>> p = Period.containing("month", date(2026, 10, 15))
>>> p.label, p.start, p.end, p.days
('2026-10', datetime.date(2026, 10, 1), datetime.date(2026, 11, 1), 31)
>>> p.previous().label, Period.containing("quarter", date(2026, 11, 2)).label
('2026-09', '2026-Q4')
>>> Period.containing("week", date(2026, 10, 1)).label  # Thursday of ISO week 40
'2026-W40'
>>> parse_period("2026-Q4") == Period.containing("quarter", date(2026, 10, 1))
True
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo

import attrs
from dateutil.relativedelta import relativedelta

from ccms.errors import InvalidInput

__all__ = [
    "PERIOD_KINDS",
    "Period",
    "PeriodKind",
    "parse_period",
]

PeriodKind = Literal["week", "month", "quarter"]
#: The report periods, shortest first.
PERIOD_KINDS: Final[tuple[PeriodKind, ...]] = get_args(PeriodKind)
BAD_KIND: Final = "unknown report period {value!r}; allowed: {allowed}"
BAD_LABEL: Final = (
    "cannot read report period {value!r}; write a kind ({kinds}) or a period such as "
    "2026-10 (month), 2026-Q4 (quarter) or 2026-W40 (ISO week)"
)
BAD_RANGE: Final = "report period must end after it starts, got {start} to {end}"

_MONTH: Final = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER: Final = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_WEEK: Final = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


def check_kind(kind: str) -> PeriodKind:
    """``kind`` if it is a period kind, else :class:`~ccms.errors.InvalidInput` naming them."""
    if kind not in PERIOD_KINDS:
        raise InvalidInput(BAD_KIND.format(value=kind, allowed=", ".join(PERIOD_KINDS)))
    return kind


def _label(kind: PeriodKind, start: date) -> str:
    if kind == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "month":
        return f"{start.year}-{start.month:02d}"
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


@attrs.frozen
class Period:
    """Local dates ``[start, end)`` of one report, with its kind and label.

    ``kind`` also sets the trend granularity: days for a week or a month, weeks for a quarter.
    A custom range (:meth:`between`) keeps the kind given for its granularity and is labelled
    ``start to last day``.
    """

    kind: PeriodKind
    start: date
    end: date
    label: str

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        """The ISO week (from Monday), calendar month or quarter that holds ``day``."""
        k = check_kind(kind)
        if isinstance(day, datetime):
            day = day.date()
        if k == "week":
            start = day - timedelta(days=day.weekday())
            end = start + timedelta(days=7)
        elif k == "month":
            start = day.replace(day=1)
            end = start + relativedelta(months=1)
        else:
            start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
            end = start + relativedelta(months=3)
        return cls(k, start, end, _label(k, start))

    @classmethod
    def between(cls, kind: str, start: date, end: date) -> Period:
        """A custom range ``[start, end)`` reported at the granularity of ``kind``.

        >>> Period.between("month", date(2026, 10, 5), date(2026, 10, 19)).label
        '2026-10-05 to 2026-10-18'
        """
        k = check_kind(kind)
        if end <= start:
            raise InvalidInput(BAD_RANGE.format(start=start, end=end))
        if cls.containing(k, start) == cls(k, start, end, _label(k, start)):
            return cls(k, start, end, _label(k, start))
        return cls(k, start, end, f"{start.isoformat()} to {(end - timedelta(days=1)).isoformat()}")

    @property
    def days(self) -> int:
        """Length in days."""
        return (self.end - self.start).days

    def previous(self) -> Period:
        """The period of the same kind just before (a custom range: the same length before)."""
        whole = Period.containing(self.kind, self.start)
        if whole == self:
            return Period.containing(self.kind, self.start - timedelta(days=1))
        length = self.end - self.start
        return Period.between(self.kind, self.start - length, self.start)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """``(start, end)`` as aware instants: local midnight in ``zone``."""
        return (
            datetime.combine(self.start, time(), tzinfo=zone),
            datetime.combine(self.end, time(), tzinfo=zone),
        )

    def buckets(self) -> tuple[date, ...]:
        """The first day of each trend bucket: every day (week, month) or every Monday-started
        week (quarter; the first bucket starts on ``start``)."""
        if self.kind == "quarter":
            first = self.start - timedelta(days=self.start.weekday())
            out = [self.start]
            day = first + timedelta(days=7)
            while day < self.end:
                out.append(day)
                day += timedelta(days=7)
            return tuple(out)
        return tuple(self.start + timedelta(days=i) for i in range(self.days))

    def bucket_of(self, day: date) -> date:
        """The trend bucket holding ``day`` (a day inside the period)."""
        if self.kind == "quarter":
            monday = day - timedelta(days=day.weekday())
            return max(monday, self.start)
        return day


def parse_period(text: str) -> Period:
    """A period from its label: ``2026-10`` (month), ``2026-Q4`` (quarter), ``2026-W40``
    (ISO week).

    >>> parse_period("2026-W01").start
    datetime.date(2025, 12, 29)
    >>> parse_period("October")
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: cannot read report period 'October'; write a kind (week, month, quarter) or a period such as 2026-10 (month), 2026-Q4 (quarter) or 2026-W40 (ISO week)
    """
    value = text.strip()
    try:
        if m := _MONTH.match(value):
            return Period.containing("month", date(int(m[1]), int(m[2]), 1))
        if m := _QUARTER.match(value):
            return Period.containing("quarter", date(int(m[1]), (int(m[2]) - 1) * 3 + 1, 1))
        if m := _WEEK.match(value):
            return Period.containing("week", date.fromisocalendar(int(m[1]), int(m[2]), 1))
    except ValueError:
        pass
    raise InvalidInput(BAD_LABEL.format(value=text, kinds=", ".join(PERIOD_KINDS)))
