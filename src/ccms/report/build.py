"""Build a periodic report from case records in one pass.

:func:`build_report` reads :class:`~ccms.metrics.CaseRecord` values (any time span: the report
picks out its own period and the one before) and feeds the calculators of :mod:`ccms.metrics`
(:class:`~ccms.metrics.KpiAccumulator`, :class:`~ccms.metrics.BacklogAccumulator`,
:class:`~ccms.metrics.FairnessAccumulator`, ...). The result is a frozen
:class:`~ccms.report.Report`.

Rules (all documented in ``docs/report.md``):

* The **period** is the week (ISO, from Monday), month or quarter holding the instant just
  before ``as_of`` (so ``as_of = 2026-11-01 00:00`` reports October), or the one holding
  ``start``, or the custom range ``[start, end)``; dates are local to ``zone``. Records received
  in ``[period start, min(as_of, period end))`` are the period's records.
* ``kinds`` (complaints only by default) selects the VOC the issue, handling and fairness
  sections cover; the volume section counts every kind.
* **Main issues** count concerns: every VOC code a record carries (``codes``; its ``code`` when
  it has no list), cut to ``code_level`` segments when given. A code **spikes** when it has at
  least ``spike_min_count`` concerns, more than the previous period's count scaled to this
  period's length, and the one-sided exact conditional test of equal daily rates (given
  ``k + m`` concerns in both periods, ``k`` this period is Binomial with ``p = L₁ / (L₁ + L₀)``)
  gives ``p < spike_alpha``. ``L₁`` is the days from the period's start to ``as_of``, ``L₀``
  the previous period's days. No spikes are judged when the previous period has no records.
* **Complaint rates** divide the period's complaints (kind ``complaint``) by each host
  denominator (orders, customers), per ``per`` units.
* **Handling**: the KPIs of :mod:`ccms.metrics.kpi` over the period's covered records, with
  the timely-response window judged at ``as_of``; the **backlog** counts every covered record
  received by ``as_of`` and not closed by then, whatever its period, and splits it by its SLA
  due time (past due / on track; records without one are in neither).
* **Fairness**: each metric by each attribute, stratified by VOC code, with the minimum group
  size and Holm correction of :class:`~ccms.metrics.FairnessFrame`; survey-bias warnings by
  channel; workload spread (Gini) among handlers.
* **Improvement measures**: those still open at ``as_of`` or finished since the period began.
* **CS points, ideas, institutional improvements** (:mod:`ccms.report.elements`): a ledger's
  balances, standings and points by rule, and the ideas and institutional items by their stage,
  all as of the cut-off ``min(as_of, period end)``.
* ``issues.by_code_all_kinds`` counts the classified concerns of every record of the period,
  whatever its kind (no ``(unclassified)``): the ``ccms demo`` console's definition.

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.metrics import CaseRecord
>>> t = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
>>> rs = [CaseRecord(id=str(i), received_at=t + timedelta(days=i), channel="web",
...                  kind="complaint", severity="low", segment="general", stage="received",
...                  code="DLV.LATE" if i % 3 else "PAY.REFUND") for i in range(6)]
>>> report = build_report(rs, period="month", as_of=datetime(2026, 11, 1, tzinfo=timezone.utc))
>>> report.period.label, report.volume.covered, [(c.code, c.count) for c in report.issues.top]
('2026-10', 6, [('DLV.LATE', 4), ('PAY.REFUND', 2)])
>>> report.handling.backlog.open
6
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import chain
from typing import Any, Final, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ccms.errors import InvalidInput, require_aware
from ccms.metrics import (
    METRICS,
    BacklogAccumulator,
    BacklogFigures,
    CalendarLike,
    CaseRecord,
    Durations,
    FairnessAccumulator,
    FairnessFrame,
    FairnessMetric,
    KpiAccumulator,
    Rate,
    Summary,
    SurveyBias,
    SurveyBiasAccumulator,
    TaskOnTimeAccumulator,
    Workload,
    WorkloadAccumulator,
    complaint_rates,
)
from ccms.metrics.notices import NOTIFY_TARGET
from ccms.model import DomainEvent, Taxonomy
from ccms.report._messages import MESSAGES, check_language, message
from ccms.report._notice_section import notice_section
from ccms.report.elements import cs_points, ideas_section, institutional_section
from ccms.report.period import Period, PeriodKind, check_kind
from ccms.report.sections import (
    CodeCount,
    ComplaintRate,
    Count,
    Fairness,
    FairnessFlag,
    FairnessGap,
    FieldBreakdown,
    FieldValue,
    Handling,
    ImprovementLike,
    ImprovementRow,
    Improvements,
    InstitutionalLike,
    Issues,
    ItemLike,
    LedgerLike,
    Report,
    SlaStatus,
    Spike,
    SurveyNote,
    TaskState,
    TimelyBasis,
    TrendPoint,
    Volume,
    WorkloadNote,
)

__all__ = [
    "DEFAULT_FAIRNESS",
    "UNCLASSIFIED",
    "UNKNOWN_GROUP",
    "ZonedCalendar",
    "build_report",
    "code_name",
]

#: The fairness metrics a report checks unless told otherwise.
DEFAULT_FAIRNESS: Final[tuple[FairnessMetric, ...]] = (
    "remedy_rate",
    "resolution_time",
    "transfers",
    "withdrawal_rate",
    "supervisor_honoured",
    "courtesy_upheld",
    "satisfaction",
)
#: The code shown for concerns without a VOC code.
UNCLASSIFIED: Final = "(unclassified)"
NEEDS_MOMENT: Final = "build_report needs as_of (an aware datetime), start, or a Period"
EARLY_AS_OF: Final = "as_of {as_of} is before the report period {label} starts ({start})"
BAD_LEVEL: Final = "code_level must be a whole number >= 1 or None, got {value!r}"
BAD_ZONE: Final = "unknown time zone {zone!r}; give an IANA name such as 'Asia/Seoul'"
BAD_SHARE: Final = "pareto_share must lie in (0, 1], got {value!r}"
_STILL_OPEN: Final = frozenset({"open", "in_progress"})
_STATE_ORDER: Final = {"overdue": 0, "open": 1, "done late": 2, "done on time": 3}
_SEC: Final = timedelta(seconds=1)
#: What a missing group value (a field that is None or absent) is counted as.
UNKNOWN_GROUP: Final = "unknown"
#: The attribute an imported complaint's own timely flag is kept in (``reported_<flag>``).
REPORTED_TIMELY: Final = "reported_timely"
#: The SLA target a computed timely figure is read from.
TIMELY_TARGET: Final = "timely_response"
#: The remedy that counts as monetary relief.
MONETARY: Final = "compensation"
BAD_FIELD: Final = (
    "{role} field {field!r} is neither a case-record field ({fields}) nor an attribute of "
    "the complaints (give attributes=, e.g. the store's complaint attributes)"
)
NO_FIELD: Final = (
    "{role} field {field!r} is neither a case-record field nor an attribute of any complaint; "
    "the complaints' attributes: {known}"
)
#: What the timely figure means, by its basis (the English of the report's messages).
TIMELY_REPORTED: Final = MESSAGES["en"]["timely.reported"]
TIMELY_SLA: Final = MESSAGES["en"]["timely.sla"]
TIMELY_NONE: Final = MESSAGES["en"]["timely.none"]
_RECORD_FIELDS: Final = frozenset(a.name for a in attrs.fields(CaseRecord))
Getter = Callable[[CaseRecord], str]


class ZonedCalendar(CalendarLike, Protocol):
    """A business calendar with a zone (e.g. :class:`ccms.policy.BusinessCalendar`)."""

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's zone."""
        ...


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(BAD_ZONE.format(zone=name)) from None


def _resolve_period(
    period: PeriodKind | Period,
    start: date | None,
    end: date | None,
    as_of: datetime | None,
    zone: ZoneInfo,
) -> Period:
    if isinstance(period, Period):
        return period
    kind = check_kind(period)
    if start is not None:
        if end is not None:
            return Period.between(kind, start, end)
        return Period.containing(kind, start)
    if as_of is None:
        raise InvalidInput(NEEDS_MOMENT)
    just_before = (as_of - timedelta(microseconds=1)).astimezone(zone)
    return Period.containing(kind, just_before.date())


def _upper_tail(k: int, n: int, p: float) -> float:
    """``P(X >= k)`` for ``X ~ Binomial(n, p)``, summed in log space (no overflow)."""
    if k <= 0:
        return 1.0
    if p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    lp, lq, lgn = math.log(p), math.log1p(-p), math.lgamma(n + 1)
    terms = [
        math.exp(lgn - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq)
        for i in range(k, n + 1)
    ]
    return min(1.0, math.fsum(terms))


def _truncate(code: str, level: int | None) -> str:
    if level is None:
        return code
    return ".".join(code.split(".")[:level])


def _classified(r: CaseRecord, level: int | None) -> tuple[str, ...]:
    codes = r.codes or ((r.code,) if r.code is not None else ())
    return tuple(_truncate(c, level) for c in codes)


def _concern_codes(r: CaseRecord, level: int | None) -> tuple[str, ...]:
    return _classified(r, level) or (UNCLASSIFIED,)


def _counts(counter: Counter[str]) -> tuple[Count, ...]:
    return tuple(Count(k, v) for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _due_instant(due: date, zone: ZoneInfo) -> datetime:
    if isinstance(due, datetime):
        return require_aware(due, "improvement due")
    return datetime.combine(due + timedelta(days=1), time(), tzinfo=zone)


def _progress(task: ImprovementLike) -> int | None:
    for report in reversed(tuple(getattr(task, "reports", ()) or ())):
        percent = getattr(report, "percent", None)
        if isinstance(percent, int):
            return percent
    return None


def _owner(task: ImprovementLike) -> str:
    executive = getattr(task, "executive", None)
    return f"{task.department} / {executive}" if executive else task.department


def _improvements(
    tasks: Iterable[ImprovementLike], start: datetime, cut: datetime, zone: ZoneInfo
) -> Improvements:
    acc = TaskOnTimeAccumulator(as_of=cut)
    rows: list[ImprovementRow] = []
    for task in tasks:
        # A task sent back to work (its effect fell short) is not done, whatever it did before.
        done = None if task.stage in _STILL_OPEN else task.done_at
        if done is not None:
            require_aware(done, "improvement done_at")
            if done < start:
                continue
        due = _due_instant(task.due_at, zone)
        due_day = (
            task.due_at.astimezone(zone).date()
            if isinstance(task.due_at, datetime)
            else task.due_at
        )
        acc.update((due, done))
        state: TaskState
        late: int | None = None
        if done is not None:
            state = "done on time" if done <= due else "done late"
            if state == "done late":
                late = (done.astimezone(zone).date() - due_day).days
        elif cut > due:
            state = "overdue"
            late = ((cut - _SEC).astimezone(zone).date() - due_day).days
        else:
            state = "open"
        rows.append(ImprovementRow(task.title, _owner(task), due_day, task.stage, state, late,
                                   _progress(task)))  # fmt: skip
    rows.sort(key=lambda r: (_STATE_ORDER[r.state], -(r.days_late or 0), r.due, r.title))
    return Improvements(tuple(rows), acc.result())


def _getter(field: str, role: str, attributes: Mapping[str, Mapping[str, Any]] | None) -> Getter:
    """A record's value of ``field`` as text: a case-record field, else the complaint's
    attribute; None or absent is :data:`UNKNOWN_GROUP` (never left out)."""
    if field in _RECORD_FIELDS and field not in ("codes", "handlers", "sla_due"):

        def own(r: CaseRecord) -> str:
            value = getattr(r, field)
            return UNKNOWN_GROUP if value is None or value == "" else str(value)

        return own
    if attributes is None:
        fields = ", ".join(sorted(_RECORD_FIELDS))
        raise InvalidInput(BAD_FIELD.format(role=role, field=field, fields=fields))
    if not any(field in a for a in attributes.values()):
        known = sorted({k for a in attributes.values() for k in a})
        raise InvalidInput(
            NO_FIELD.format(role=role, field=field, known=", ".join(known) or "none")
        )
    empty: Mapping[str, Any] = {}

    def attribute(r: CaseRecord) -> str:
        value = attributes.get(r.id, empty).get(field)
        return UNKNOWN_GROUP if value is None or value == "" else str(value)

    return attribute


def taxonomy_names(taxonomy: Taxonomy, on: date) -> dict[str, str]:
    """Every code of ``taxonomy`` -> its name on ``on``: the ``code_names`` of a report whose
    codes come from that taxonomy (names read as of the report's period, e.g. its last day).

    >>> from ccms.model import Taxonomy
    >>> tax = Taxonomy.from_mapping({"codes": [{"code": "DLV", "name": "배송"},
    ...                                        {"code": "DLV.LATE", "name": "배송 지연"}]})
    >>> names = taxonomy_names(tax, date(2026, 10, 31))
    >>> names["DLV.LATE"], code_name("DLV.LATE", names)
    ('배송 지연', '배송 > 배송 지연')
    """
    return {entry.code: entry.name_as_of(on) for entry in taxonomy.codes}


def code_name(code: str, names: Mapping[str, str] | None) -> str | None:
    """The long name of ``code`` from the names of its levels (``Mortgage > Trouble during
    payment process``), or None when no level has one.

    >>> code_name("MORTGAGE.TROUBLE", {"MORTGAGE": "Mortgage", "MORTGAGE.TROUBLE": "Trouble"})
    'Mortgage > Trouble'
    >>> code_name("DLV.LATE", {}) is None
    True
    """
    if not names:
        return None
    parts = code.split(".")
    found = [names[p] for p in (".".join(parts[: i + 1]) for i in range(len(parts))) if p in names]
    return " > ".join(found) if found else None


class _FairGroups:
    """The fairness accumulators of one group field. A field that is not a case-record field
    (an imported attribute) is carried in the ``region`` slot of a copy of each record; a
    missing value is the group ``unknown`` either way, so no complaint is left out of a group
    or of the overall figure. The frames are labelled with the field's own name."""

    def __init__(
        self, field: str, getter: Getter, metrics: Sequence[FairnessMetric], min_n: int
    ) -> None:
        self.field = field
        self.getter = getter
        self.slot = field if field in _RECORD_FIELDS else "region"
        self.accs = [
            FairnessAccumulator(m, by=self.slot, control="code", min_n=min_n) for m in metrics
        ]

    def update(self, r: CaseRecord) -> None:
        group = self.getter(r)
        if getattr(r, self.slot) != group:
            r = copy.copy(r)
            object.__setattr__(r, self.slot, group)
        for acc in self.accs:
            acc.update(r)

    def frames(self) -> list[FairnessFrame]:
        out = []
        for acc in self.accs:
            frame = acc.result()
            frame.by = self.field  # the frame words its flags with the field's own name
            out.append(frame)
        return out


def _timely(
    sla: Mapping[str, Rate], yes: int, no: int, unflagged: int, lang: str
) -> tuple[Rate, TimelyBasis, str]:
    """The one timely figure: the source's flags when any record has one, else the SLA
    table's timely_response target, else none (with what it means, in ``lang``)."""
    if yes + no:
        return (Rate(yes, yes + no), "reported",
                message(lang, "timely.reported", unflagged=unflagged))  # fmt: skip
    target = sla.get(TIMELY_TARGET)
    if target is not None and target.n:
        return target, "sla", message(lang, "timely.sla")
    return Rate(0, 0), "none", message(lang, "timely.none")


def build_report(
    records: Iterable[CaseRecord],
    *,
    period: PeriodKind | Period = "month",
    start: date | None = None,
    end: date | None = None,
    as_of: datetime | None = None,
    zone: str | ZoneInfo | None = None,
    calendar: ZonedCalendar | None = None,
    previous: Iterable[CaseRecord] | None = None,
    denominators: Mapping[str, int | Decimal] | None = None,
    previous_denominators: Mapping[str, int | Decimal] | None = None,
    per: int = 1000,
    improvements: Iterable[ImprovementLike] = (),
    points: LedgerLike | None = None,
    ideas: Iterable[ItemLike] = (),
    institutional: Iterable[InstitutionalLike] = (),
    points_shown: int = 3,
    kinds: Collection[str] | None = ("complaint",),
    top: int = 10,
    code_level: int | None = None,
    pareto_share: float = 0.8,
    spike_alpha: float = 0.01,
    spike_min_count: int = 5,
    fairness_by: Sequence[str] = ("channel", "segment"),
    fairness_metrics: Sequence[FairnessMetric] = DEFAULT_FAIRNESS,
    min_n: int = 30,
    capacity: Mapping[str, int] | None = None,
    title: str | None = None,
    attributes: Mapping[str, Mapping[str, Any]] | None = None,
    code_names: Mapping[str, str] | None = None,
    taxonomy: Taxonomy | None = None,
    breakdowns: Mapping[str, str] | Sequence[str] = (),
    language: str = "en",
    notices: Iterable[Sequence[DomainEvent]] | None = None,
    notice_target: timedelta = NOTIFY_TARGET,
) -> Report:
    """The report of one period (see the module docstring for every rule).

    Args:
        records: case records of any span; ``previous`` may add the previous period's records
            when they are kept apart (the two are read as one stream).
        period: ``"week"``, ``"month"``, ``"quarter"`` or a :class:`Period`.
        start, end: pick the period holding ``start``, or the custom range ``[start, end)``.
        as_of: the moment the report is made (aware); defaults to the period's end.
        zone: the zone of dates and period bounds (default: the calendar's, else UTC).
        calendar: a business calendar; adds the backlog's age in business time.
        denominators, previous_denominators: host units per name (``{"orders": 120_000}``) for
            this period and the previous one.
        improvements: improvement measures (:class:`~ccms.report.ImprovementLike`).
        points: a CS-point ledger (:class:`~ccms.report.LedgerLike`, e.g.
            :class:`ccms.scoring.Ledger`); None leaves the section out (``report.points``).
        ideas: idea suggestions (:class:`~ccms.report.ItemLike`, e.g. :class:`ccms.scoring.Idea`).
        institutional: institutional-improvement items (:class:`~ccms.report.InstitutionalLike`,
            e.g. :class:`ccms.scoring.InstitutionalItem`).
        points_shown: how many of the highest and of the lowest balances to show.
        kinds: VOC kinds the issue, handling and fairness sections cover (None: all).
        top, code_level, pareto_share: main-issue settings.
        spike_alpha, spike_min_count: the spike rule.
        fairness_by, fairness_metrics, min_n, capacity: fairness settings. A ``fairness_by``
            field is a case-record field or a key of ``attributes``; a missing value is the
            group ``unknown`` (never left out, of the groups or of the overall figure).
        title: the heading (default ``"Monthly VOC report 2026-10"`` and the like).
        attributes: record id -> the complaint's attributes (imported source fields such as
            ``state``, ``company``, ``channel_raw``, ``reported_timely``); read by
            ``fairness_by``, ``breakdowns`` and the timely figure.
        code_names: VOC code (or a level of it) -> its long source name, shown beside codes.
        taxonomy: the host's taxonomy: its codes' names as of the report's cut-off (renamed
            codes read as they were then), shown beside codes; ``code_names`` fill in codes
            it lacks.
        breakdowns: fields (or field -> column label) to count the period's covered records by
            (:attr:`Report.fields`), each with its monetary-relief share.
        language: ``"en"`` or ``"ko"``: the language of the title, the renderings and charts
            (:attr:`Report.language`); the figures are the same.
        notices, notice_target: complaint histories (each one complaint's events, in order)
            for the customer-notice section (:attr:`Report.notices`: delivery per channel, the
            time from a result to its delivered notice against ``notice_target``, remedies
            against the standard per department, over the period up to the cut-off); None
            leaves the section out.
    """
    lang = check_language(language)
    if code_level is not None and (not isinstance(code_level, int) or code_level < 1):
        raise InvalidInput(BAD_LEVEL.format(value=code_level))
    if not 0 < pareto_share <= 1:
        raise InvalidInput(BAD_SHARE.format(value=pareto_share))
    if as_of is not None:
        require_aware(as_of, "as_of")
    tz = _zone(zone) if isinstance(zone, str) else zone
    if tz is None:
        tz = calendar.zone if calendar is not None else ZoneInfo("UTC")
    this = _resolve_period(period, start, end, as_of, tz)
    before = this.previous()
    p_start, p_end = this.bounds(tz)
    b_start, b_end = before.bounds(tz)
    cut = p_end if as_of is None else min(as_of, p_end)
    if cut <= p_start:
        raise InvalidInput(EARLY_AS_OF.format(as_of=as_of, label=this.label, start=p_start))
    covered_kinds = None if kinds is None else frozenset(kinds)
    if taxonomy is not None:
        named_on = (cut - timedelta(microseconds=1)).astimezone(tz).date()
        code_names = {**(code_names or {}), **taxonomy_names(taxonomy, named_on)}

    by_kind: Counter[str] = Counter()
    prev_by_kind: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    trend: Counter[date] = Counter()
    prev_trend: Counter[date] = Counter()
    codes: Counter[str] = Counter()
    all_codes: Counter[str] = Counter()
    prev_codes: Counter[str] = Counter()
    kpi = KpiAccumulator(zone=tz, as_of=cut)
    backlog = BacklogAccumulator(cut, zone=tz)
    backlog_business = Durations(60)
    overdue = on_track = 0
    fair = [
        _FairGroups(b, _getter(b, "fairness_by", attributes), fairness_metrics, min_n)
        for b in fairness_by
    ]
    labels = dict(breakdowns) if isinstance(breakdowns, Mapping) else {b: b for b in breakdowns}
    split = [(f, _getter(f, "breakdowns", attributes), Counter[str](), Counter[str]())
             for f in labels]  # fmt: skip
    closure = Durations(60)
    yes = no = unflagged = 0
    empty: Mapping[str, Any] = {}
    survey = SurveyBiasAccumulator(by="channel")
    workload = WorkloadAccumulator(capacity)

    for r in chain(records, previous or ()):
        t = r.received_at
        covered = covered_kinds is None or r.kind in covered_kinds
        if p_start <= t < cut:
            by_kind[r.kind] += 1
            all_codes.update(_classified(r, code_level))
            if covered:
                by_channel[r.channel] += 1
                trend[this.bucket_of(t.astimezone(tz).date())] += 1
                codes.update(_concern_codes(r, code_level))
                kpi.update(r)
                for groups in fair:
                    groups.update(r)
                if r.closed_at is not None:
                    closure.add((r.closed_at - t) // _SEC)
                flag = (attributes.get(r.id, empty) if attributes else empty).get(REPORTED_TIMELY)
                if flag == "yes":
                    yes += 1
                elif flag == "no":
                    no += 1
                else:
                    unflagged += 1
                monetary = r.remedy == MONETARY
                for _, get, counts, relief in split:
                    value = get(r)
                    counts[value] += 1
                    if monetary:
                        relief[value] += 1
                survey.update(r)
                workload.update(r)
        elif b_start <= t < b_end:
            prev_by_kind[r.kind] += 1
            if covered:
                prev_trend[before.bucket_of(t.astimezone(tz).date())] += 1
                prev_codes.update(_concern_codes(r, code_level))
        if covered and t <= cut and (r.closed_at is None or r.closed_at > cut):
            backlog.update(r)
            if calendar is not None:
                backlog_business.add(calendar.between(t, cut) // _SEC)
            if r.due_at is not None:
                if r.due_at < cut:
                    overdue += 1
                else:
                    on_track += 1

    volume = Volume(
        total=sum(by_kind.values()),
        previous_total=sum(prev_by_kind.values()),
        by_kind=_counts(by_kind),
        by_channel=_counts(by_channel),
        covered=sum(trend.values()),
        previous_covered=sum(prev_trend.values()),
        trend=tuple(TrendPoint(d, trend[d]) for d in this.buckets()),
        previous_trend=tuple(TrendPoint(d, prev_trend[d]) for d in before.buckets()),
    )
    days_now = (cut - p_start) / timedelta(days=1)  # less than the period when as_of cuts it
    issues = _issues(codes, prev_codes, all_codes, days_now, before, volume, top, pareto_share,
                     spike_alpha, spike_min_count, code_names)  # fmt: skip
    ledger = None if points is None else cs_points(points, p_start, cut, shown=points_shown)
    rates = _rates(by_kind, prev_by_kind, denominators, previous_denominators, per)
    handling = _handling(kpi, backlog, cut, overdue, on_track,
                         backlog_business.summary() if calendar is not None else None)  # fmt: skip
    timely, basis, definition = _timely({s.target: s.rate for s in handling.sla}, yes, no,
                                        unflagged, lang)  # fmt: skip
    handling = attrs.evolve(handling, timely=timely, timely_basis=basis,
                            timely_definition=definition, closure=closure.summary())  # fmt: skip
    fairness = _fairness([f for g in fair for f in g.frames()], survey, workload, min_n)
    fields = tuple(_breakdown(f, labels[f], counts, relief) for f, _, counts, relief in split)
    return Report(
        title=title or message(lang, f"title.{this.kind}", label=this.label),
        period=this,
        previous_period=before,
        as_of=cut,
        zone=tz.key,
        kinds=None if kinds is None else tuple(kinds),
        volume=volume,
        issues=issues,
        rates=rates,
        handling=handling,
        fairness=fairness,
        improvements=_improvements(improvements, p_start, cut, tz),
        points=ledger,
        ideas=ideas_section(ideas, p_start, cut, tz),
        institutional=institutional_section(institutional, p_start, cut, tz),
        fields=fields,
        language=lang,
        notices=None if notices is None else notice_section(notices, p_start, cut, notice_target),
    )


def _breakdown(
    field: str, label: str, counts: Counter[str], relief: Counter[str]
) -> FieldBreakdown:
    values = tuple(
        FieldValue(v, n, relief[v], relief[v] / n)
        for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return FieldBreakdown(field, label, sum(counts.values()), values)


def _issues(
    codes: Counter[str],
    prev_codes: Counter[str],
    all_codes: Counter[str],
    days_now: float,
    before: Period,
    volume: Volume,
    top: int,
    pareto_share: float,
    alpha: float,
    min_count: int,
    names: Mapping[str, str] | None,
) -> Issues:
    total = sum(codes.values())
    pareto: list[CodeCount] = []
    running = 0
    for code, count in sorted(codes.items(), key=lambda kv: (-kv[1], kv[0])):
        running += count
        pareto.append(CodeCount(code, count, count / total, running / total, prev_codes[code],
                                code_name(code, names)))  # fmt: skip
    vital: list[str] = []
    for c in pareto:
        vital.append(c.code)
        if c.cumulative >= pareto_share - 1e-12:
            break
    spikes: list[Spike] = []
    if volume.previous_covered:
        share = days_now / (days_now + before.days)
        for c in pareto:
            expected = c.previous * days_now / before.days
            if c.count < min_count or c.count <= expected:
                continue
            p = _upper_tail(c.count, c.count + c.previous, share)
            if p < alpha:
                spikes.append(Spike(c.code, c.count, c.previous, expected, p))
        spikes.sort(key=lambda s: (s.p_value, s.code))
    return Issues(total, tuple(pareto[:top]), tuple(pareto), tuple(vital) if pareto else (),
                  tuple(spikes), pareto_share, _counts(all_codes),
                  sum(all_codes.values()))  # fmt: skip


def _rates(
    by_kind: Counter[str],
    prev_by_kind: Counter[str],
    denominators: Mapping[str, int | Decimal] | None,
    previous_denominators: Mapping[str, int | Decimal] | None,
    per: int,
) -> tuple[ComplaintRate, ...]:
    out: list[ComplaintRate] = []
    n, m = by_kind["complaint"], prev_by_kind["complaint"]
    for name, units in (denominators or {}).items():
        rate = complaint_rates({name: n}, {name: units}, per=per)[name]
        prev = None
        if previous_denominators is not None and name in previous_denominators:
            prev = complaint_rates({name: m}, {name: previous_denominators[name]}, per=per)[name]
        out.append(ComplaintRate(name, units, n, per, rate, prev))
    return tuple(out)


def _handling(
    kpi: KpiAccumulator,
    backlog: BacklogAccumulator,
    cut: datetime,
    overdue: int,
    on_track: int,
    business_age: Summary | None,
) -> Handling:
    k = kpi.result().overall
    b = backlog.result().get(()) or BacklogFigures(cut, 0, Durations(60).summary(), None)
    return Handling(
        received=k.count,
        resolved=k.resolved,
        open=k.open,
        withdrawn=k.withdrawn,
        rejected=k.rejected,
        response=k.response,
        resolution=k.resolution,
        response_business=k.response_business,
        resolution_business=k.resolution_business,
        company=k.company,
        waiting=k.waiting,
        timely=k.timely,
        sla=tuple(SlaStatus(t, r.successes, r.n - r.successes, r) for t, r in k.sla.items()),
        fcr=k.fcr,
        reopen=k.reopen,
        transfers_per_complaint=k.transfers_per_complaint,
        escalation=k.escalation,
        happy_call=k.happy_call,
        satisfied=k.satisfied,
        csat_mean=k.csat_mean,
        backlog=b,
        backlog_overdue=overdue,
        backlog_on_track=on_track,
        backlog_business_age=business_age,
    )


def _fairness(
    frames: Sequence[FairnessFrame],
    survey: SurveyBiasAccumulator,
    workload: WorkloadAccumulator,
    min_n: int,
) -> Fairness:
    flags: list[FairnessFlag] = []
    gaps: list[FairnessGap] = []
    tested: list[str] = []
    for frame in frames:
        spec = METRICS.get(frame.metric, frame.spec)
        scale = float(spec.scale)
        tested.append(f"{frame.metric} by {frame.by}")
        # the comparisons frame.flags words, in its order (largest difference first)
        differs = [c for c in frame.comparisons("between_groups") if c.verdict == "differs"]
        differs.sort(key=lambda c: -abs(c.difference))
        flags.extend(
            FairnessFlag(frame.metric, spec.dimension, frame.by, text, str(c.a), str(c.b),
                         c.difference * scale, c.low * scale, c.high * scale, c.n_a, c.n_b,
                         c.p_adjusted, spec.unit.strip())
            for text, c in zip(frame.flags, differs, strict=True)
        )  # fmt: skip
        for c in frame.comparisons("to_overall"):
            if c.verdict == "insufficient":
                continue
            gaps.append(FairnessGap(frame.metric, spec.dimension, frame.by, str(c.a), c.n_a,
                                    c.difference * scale, c.low * scale, c.high * scale,
                                    spec.unit.strip(), c.verdict))  # fmt: skip
    w = workload.result()
    bias = survey.result()
    return Fairness(
        tested=tuple(tested),
        min_n=min_n,
        flags=tuple(flags),
        gaps=tuple(gaps),
        survey_warnings=bias.warnings,
        workload_gini=w.gini if w.assignments else None,
        workload_flags=w.flags,
        comparisons=tuple((f.metric, f.by) for f in frames),
        survey_notes=_survey_notes(survey, bias),
        workload_notes=_workload_notes(workload, w),
    )


def _survey_notes(acc: SurveyBiasAccumulator, bias: SurveyBias) -> tuple[SurveyNote, ...]:
    """The groups behind ``bias.warnings``, one note a warning, in their order (the rule of
    :class:`~ccms.metrics.SurveyBias`, with the accumulator's thresholds)."""
    notes: list[SurveyNote] = []
    overall = bias.overall.value
    for group, rate in bias.response.items():
        if rate.value is None:
            continue
        if rate.value < acc.min_rate:
            notes.append(SurveyNote(acc.by, str(group), "low", rate, overall, acc.min_rate))
        if overall is not None and abs(rate.value - overall) > acc.max_gap:
            notes.append(SurveyNote(acc.by, str(group), "gap", rate, overall, acc.max_gap))
    return tuple(notes)


def _workload_notes(acc: WorkloadAccumulator, w: Workload) -> tuple[WorkloadNote, ...]:
    """The handlers behind ``w.flags``, in their order (loads above ``max_ratio`` x the mean)."""
    if not w.load:
        return ()
    mean = sum(w.load.values(), Fraction(0)) / len(w.load)
    return tuple(
        WorkloadNote(h, float(x), float(x / mean), float(mean))
        for h, x in w.load.items()
        if mean and x > mean * Fraction(acc.max_ratio)
    )
