"""Reports straight from a complaint store (anything with ``query`` and ``events``).

:func:`report_from_store` projects every complaint into a case record
(:func:`ccms.metrics.case_records`) and builds the report of a period named by its kind or its
label. Without ``as_of``, a kind picks the period holding the most recent complaint, so the same
store always gives the same report (nothing reads the clock).

>>> from datetime import datetime, timezone
>>> from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
>>> t = datetime(2026, 10, 7, 9, tzinfo=timezone.utc)
>>> events = [ComplaintReceived(complaint_id="c1", version=1, at=t, actor=Actor.system(),
...           stage="received", received_at=t, channel="web", customer=CustomerRef(id="k1"),
...           concerns=(Concern(kind="complaint", code="PRD.DEF", text="broken"),))]
>>> class OneComplaint:  # any store: query() and events()
...     def query(self, **filters): return [fold(events)]
...     def events(self, complaint_id): return events
>>> report = report_from_store(OneComplaint(), period="week", zone="UTC")
>>> report.period.label, report.volume.total
('2026-W41', 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from ccms.errors import InvalidInput, ReportSourceNotFound, require_aware
from ccms.metrics import CalendarLike, CaseRecord, StoreLike, case_record
from ccms.metrics.notices import notice_history
from ccms.model import DomainEvent
from ccms.report.build import build_report
from ccms.report.period import PERIOD_KINDS, Period, parse_period
from ccms.report.sections import InstitutionalLike, ItemLike, LedgerLike, Report

__all__ = ["ALL", "EMPTY_STORE", "ReportSourceNotFound", "parse_as_of", "report_from_store"]

#: The period of every complaint in the store: from the first receipt's day to the last's.
ALL: Final = "all"
EMPTY_STORE: Final = (
    "the store holds no complaints, so there is no latest period to report; "
    "give a period label (e.g. 2026-10) or --as-of"
)
BAD_AS_OF: Final = "cannot read as-of {value!r}; write a date (2026-10-31) or an ISO datetime"


def parse_as_of(text: str, zone: ZoneInfo) -> datetime:
    """A report moment from text: a date means the end of that day in ``zone`` (the day is
    included); a datetime without an offset is read in ``zone``.

    >>> parse_as_of("2026-10-31", ZoneInfo("Asia/Seoul"))
    datetime.datetime(2026, 11, 1, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Seoul'))
    >>> parse_as_of("2026-10-31T18:00+00:00", ZoneInfo("UTC")).isoformat()
    '2026-10-31T18:00:00+00:00'
    """
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(BAD_AS_OF.format(value=text)) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def report_from_store(
    store: StoreLike,
    *,
    period: str = "month",
    as_of: datetime | None = None,
    zone: str | ZoneInfo = "UTC",
    calendar: CalendarLike | None = None,
    points: LedgerLike | None = None,
    ideas: Iterable[ItemLike] = (),
    institutional: Iterable[InstitutionalLike] = (),
    **options: Any,
) -> Report:
    """The report of ``period`` over every complaint in ``store``.

    ``period`` is a kind (``week``, ``month``, ``quarter``: the one holding ``as_of``, or the
    most recent complaint when ``as_of`` is None), a label (``2026-10``, ``2026-Q4``,
    ``2026-W40``), or ``all`` (:data:`ALL`: the days from the first complaint's receipt to the
    last one's, or to ``as_of``; daily trend up to three months, weekly beyond). The
    complaints' attributes go to :func:`~ccms.report.build_report` as ``attributes`` (what
    ``fairness_by``, ``breakdowns`` and the timely figure read). ``calendar`` fills the business-time columns of the records. ``points`` (a
    CS-point ledger), ``ideas`` and ``institutional`` (items) are read as of the report's
    cut-off, as :func:`~ccms.report.build_report` reads them; the store is not asked for them.
    ``options`` go to :func:`~ccms.report.build_report`; the complaints' histories go as its
    ``notices`` (the customer-notice section).
    """
    options.update(points=points, ideas=ideas, institutional=institutional)
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    if as_of is not None:
        require_aware(as_of, "as_of")
    records: list[CaseRecord] = []
    histories: list[tuple[DomainEvent, ...]] = []  # what the customer-notice section reads
    attributes: dict[str, Mapping[str, Any]] = {}
    for complaint in store.query():
        events = store.events(complaint.id)
        records.append(case_record(complaint, events, calendar=calendar))
        histories.append(notice_history(events))
        if complaint.attributes:
            attributes[complaint.id] = complaint.attributes
    options.setdefault("attributes", attributes)
    options.setdefault("notices", histories)
    if period == ALL:
        if not records:
            raise InvalidInput(EMPTY_STORE)
        first = min(r.received_at for r in records).astimezone(tz).date()
        last = max(r.received_at for r in records).astimezone(tz).date()
        if as_of is not None:
            last = min(last, (as_of - timedelta(microseconds=1)).astimezone(tz).date())
            first = min(first, last)
        kind = "month" if (last - first).days < 92 else "quarter"
        whole = Period.between(kind, first, last + timedelta(days=1))
        options.setdefault("title", f"VOC report {whole.label}")
        return build_report(records, period=whole, as_of=as_of, zone=tz, **options)
    if period in PERIOD_KINDS:
        if as_of is not None:
            return build_report(records, period=period, as_of=as_of, zone=tz, **options)
        if not records:
            raise InvalidInput(EMPTY_STORE)
        latest = max(r.received_at for r in records).astimezone(tz).date()
        return build_report(records, period=period, start=latest, zone=tz, **options)
    chosen = parse_period(period)
    return build_report(records, period=chosen, as_of=as_of, zone=tz, **options)
