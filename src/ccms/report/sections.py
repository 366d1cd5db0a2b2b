"""The frozen result of :func:`~ccms.report.build_report`: a :class:`Report` and its sections.

Every value is immutable (attrs frozen classes, tuples) and carries figures only: VOC codes,
channels, segments, counts, rates and durations; employee ids and the titles of improvement
measures, ideas and institutional items. No complaint text, no customer data.
:meth:`Report.to_dict` gives every figure as plain JSON-ready data.

The inputs of the execution-element sections are the Protocols of :mod:`ccms.report.inputs`
(re-exported here): ``ccms.report`` reads the objects of :mod:`ccms.scoring` (or a host's own) by
their attributes and never imports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal

import attrs

from ccms.metrics import BacklogFigures, Rate, Summary, TaskOnTime
from ccms.metrics.notices import NoticeFigures
from ccms.report._messages import kind_name, message, name
from ccms.report._notice_section import notice_highlights
from ccms.report.inputs import (
    EntryLike,
    EntryStatusLike,
    ExplanationLike,
    ImprovementLike,
    InstitutionalLike,
    ItemLike,
    LedgerLike,
    StandingLike,
    StepLike,
)
from ccms.report.period import Period

__all__ = [
    "IDEA_STAGES",
    "INSTITUTIONAL_STAGES",
    "CodeCount",
    "ComplaintRate",
    "Count",
    "CsPoints",
    "EntryLike",
    "EntryStatusLike",
    "ExplanationLike",
    "Fairness",
    "FairnessFlag",
    "FairnessGap",
    "FieldBreakdown",
    "FieldValue",
    "Handling",
    "IdeaRow",
    "Ideas",
    "ImprovementLike",
    "ImprovementRow",
    "Improvements",
    "Institutional",
    "InstitutionalLike",
    "InstitutionalRow",
    "Issues",
    "ItemLike",
    "LedgerLike",
    "PointsRow",
    "Report",
    "RulePoints",
    "SlaStatus",
    "Spike",
    "StageCount",
    "StandingLike",
    "StepLike",
    "SurveyNote",
    "TaskState",
    "TimelyBasis",
    "TrendPoint",
    "Volume",
    "WorkloadNote",
]

TaskState = Literal["done on time", "done late", "overdue", "open"]

#: The stages of an idea suggestion (우수 아이디어 제안), first the one it is proposed in; a report
#: lists them in this order (with zeros) and any other stage after them.
IDEA_STAGES: Final = ("proposed", "under_review", "adopted", "declined")
#: The stages of an institutional-improvement item (제도개선), first the one it is found in.
INSTITUTIONAL_STAGES: Final = (
    "discovered",
    "accepted",
    "rejected",
    "planned",
    "executed",
    "reported",
    "fed_back",
    "taught",
)


@attrs.frozen
class Count:
    """A key (kind, channel, ...) and how many VOC it had."""

    key: str
    count: int


@attrs.frozen
class TrendPoint:
    """Volume in one trend bucket (a day, or a week for quarterly reports)."""

    start: date
    count: int


@attrs.frozen
class Volume:
    """How many VOC arrived, by kind and channel, and the trend across the period."""

    total: int
    previous_total: int
    by_kind: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    covered: int  # VOC of the covered kinds (the base of every later section)
    previous_covered: int
    trend: tuple[TrendPoint, ...]
    previous_trend: tuple[TrendPoint, ...]

    @property
    def change(self) -> float | None:
        """Relative change of ``covered`` against the previous period, or None if it had none."""
        if not self.previous_covered:
            return None
        return (self.covered - self.previous_covered) / self.previous_covered


@attrs.frozen
class CodeCount:
    """One VOC code's concerns this period, its share and the running (Pareto) share."""

    code: str
    count: int
    share: float
    cumulative: float
    previous: int
    name: str | None = None  # the long source name (``Mortgage > Trouble during payment``)

    @property
    def change(self) -> int:
        """Count minus the previous period's count."""
        return self.count - self.previous


@attrs.frozen
class Spike:
    """A code whose count rose beyond chance against the previous period.

    ``expected`` is the previous count scaled to this period's length; ``p_value`` is the
    one-sided exact conditional (binomial) test of equal daily rates.
    """

    code: str
    count: int
    previous: int
    expected: float
    p_value: float

    @property
    def ratio(self) -> float | None:
        """``count / expected``, or None when nothing was expected."""
        return self.count / self.expected if self.expected else None


@attrs.frozen
class Issues:
    """Main issues: the top codes, every code in Pareto order, the vital few and the spikes.

    ``concerns``, ``top`` and ``pareto`` count the concerns of the covered records (the report's
    ``kinds``), a record without a code as one ``(unclassified)`` concern. ``by_code_all_kinds``
    counts the classified concerns of *every* record received in the period, whatever its kind,
    and leaves unclassified concerns out (``concerns_all_kinds`` in all): the definition of the
    ``ccms demo`` console's "Top VOC codes (concerns)" table, restricted to the period.
    """

    concerns: int
    top: tuple[CodeCount, ...]
    pareto: tuple[CodeCount, ...]
    vital_few: tuple[str, ...]
    spikes: tuple[Spike, ...]
    pareto_share: float
    by_code_all_kinds: tuple[Count, ...] = ()
    concerns_all_kinds: int = 0


@attrs.frozen
class ComplaintRate:
    """Complaints per ``per`` units of a host denominator (orders, customers, ...)."""

    denominator: str
    units: int | Decimal
    complaints: int
    per: int
    rate: Fraction
    previous_rate: Fraction | None


#: Where a report's one "timely" figure comes from: the source's own flag (``reported``), the
#: SLA table's ``timely_response`` target (``sla``), or nowhere (``none``: no figure shown).
TimelyBasis = Literal["reported", "sla", "none"]


def _no_durations() -> Summary:
    return Summary(0, 0, None, None, None, 60)


@attrs.frozen
class FieldValue:
    """One value of a source field: its complaints, how many were closed with monetary relief
    (remedy ``compensation``) and that share of the value's complaints."""

    value: str
    count: int
    monetary: int
    monetary_share: float


@attrs.frozen
class FieldBreakdown:
    """The period's covered complaints counted by one source field (an imported attribute such
    as ``state`` or ``channel_raw``), every value shown, a missing one as ``unknown``.
    ``label`` is the source's column name (``Submitted via``)."""

    field: str
    label: str
    total: int
    values: tuple[FieldValue, ...]


@attrs.frozen
class SlaStatus:
    """One SLA target's outcomes among complaints received in the period."""

    target: str
    met: int
    breached: int
    rate: Rate


@attrs.frozen
class Handling:
    """Handling and SLA status of the period's complaints, and the backlog at ``as_of``."""

    received: int
    resolved: int
    open: int
    withdrawn: int
    rejected: int
    response: Summary
    resolution: Summary
    response_business: Summary
    resolution_business: Summary
    company: Summary
    waiting: Summary
    timely: Rate
    sla: tuple[SlaStatus, ...]
    fcr: Rate
    reopen: Rate
    transfers_per_complaint: float | None
    escalation: Rate
    happy_call: Rate
    satisfied: Rate
    csat_mean: float | None
    backlog: BacklogFigures
    backlog_overdue: int
    backlog_on_track: int
    backlog_business_age: Summary | None = None
    closure: Summary = attrs.field(factory=_no_durations)
    timely_basis: TimelyBasis = "none"
    timely_definition: str = ""


@attrs.frozen
class FairnessGap:
    """A group against all others pooled, like for like by VOC code, in display units."""

    metric: str
    dimension: str
    by: str
    group: str
    n: int
    difference: float
    low: float
    high: float
    unit: str
    verdict: str


@attrs.frozen
class FairnessFlag:
    """A difference that survived the multiple-comparison correction, in plain language.

    ``text`` is the English sentence; the comparison behind it (``group`` against ``other``,
    the difference and its interval in display ``unit``, the group sizes, the corrected p) is
    what another language's sentence is written from.
    """

    metric: str
    dimension: str
    by: str
    text: str
    group: str = ""
    other: str = ""
    difference: float = 0.0
    low: float = 0.0
    high: float = 0.0
    n: int = 0
    n_other: int = 0
    p_adjusted: float | None = None
    unit: str = ""


@attrs.frozen
class SurveyNote:
    """A group whose CSAT is unreliable, with the figures behind the warning.

    ``rule`` is ``"low"`` (fewer than ``threshold`` of the group answered the happy call) or
    ``"gap"`` (its response rate is more than ``threshold`` away from the ``overall`` rate).
    """

    by: str
    group: str
    rule: Literal["low", "gap"]
    response: Rate
    overall: float | None
    threshold: float


@attrs.frozen
class WorkloadNote:
    """A handler whose load is above the flag's ratio of the mean load."""

    handler: str
    load: float
    ratio: float
    mean: float


@attrs.frozen
class Fairness:
    """Fairness flags, the gaps behind them, survey-bias warnings and workload spread.

    ``tested`` names each comparison (``remedy_rate by channel``), ``comparisons`` holds the
    same as ``(metric, field)`` pairs; ``survey_warnings`` and ``workload_flags`` are the
    English sentences of ``survey_notes`` and ``workload_notes``.
    """

    tested: tuple[str, ...]
    min_n: int
    flags: tuple[FairnessFlag, ...]
    gaps: tuple[FairnessGap, ...]
    survey_warnings: tuple[str, ...]
    workload_gini: float | None
    workload_flags: tuple[str, ...]
    comparisons: tuple[tuple[str, str], ...] = ()
    survey_notes: tuple[SurveyNote, ...] = ()
    workload_notes: tuple[WorkloadNote, ...] = ()


@attrs.frozen
class ImprovementRow:
    """One improvement measure as the report shows it."""

    title: str
    owner: str
    due: date
    stage: str
    state: TaskState
    days_late: int | None
    progress: int | None = None


@attrs.frozen
class Improvements:
    """Improvement measures open in or finished during the period, and the on-time counts."""

    rows: tuple[ImprovementRow, ...]
    on_time: TaskOnTime


@attrs.frozen
class RulePoints:
    """The points one rule (or ``cap <period>``) counts in an agent's balance."""

    rule: str
    points: int


@attrs.frozen
class PointsRow:
    """An agent's balance at the report's cut-off, its standing and the points by rule."""

    agent: str
    balance: int
    tier: str | None
    consequences: tuple[str, ...]
    by_rule: tuple[RulePoints, ...]

    @property
    def standing(self) -> str:
        """The tier and consequences in words (``-`` when none), as ``ccms demo`` shows them."""
        return ", ".join(filter(None, [self.tier, *self.consequences])) or "-"


@attrs.frozen
class CsPoints:
    """CS points (CS 포인트) at the report's cut-off.

    ``entries`` are the ledger entries recorded by then; ``agents`` the employees with at least
    one. ``top`` and ``bottom`` are the highest and lowest all-time balances (no agent in both);
    ``period_good`` and ``period_bad`` (<= 0) sum the points earned in the period that count at
    the cut-off (reversed, compensating and expired entries count 0; period caps are not
    applied). ``tiers`` and ``consequences`` count the agents per reward tier reached and per
    consequence due.
    """

    entries: int
    agents: int
    period_good: int
    period_bad: int
    top: tuple[PointsRow, ...]
    bottom: tuple[PointsRow, ...]
    tiers: tuple[Count, ...] = ()
    consequences: tuple[Count, ...] = ()
    rule_set: str | None = None


@attrs.frozen
class StageCount:
    """Items in one stage at the report's cut-off: created in the period, before it, in all."""

    stage: str
    in_period: int
    before: int
    total: int


@attrs.frozen
class IdeaRow:
    """One idea of the period as the report shows it (dates local to the report's zone)."""

    id: str
    title: str
    proposer: str | None
    department: str | None
    proposed: date
    stage: str
    decided: date | None


@attrs.frozen
class Ideas:
    """Idea suggestions (우수 아이디어 제안) at the report's cut-off.

    ``total`` ideas were proposed by then, ``proposed`` of them in the period; ``reviewed``,
    ``adopted`` and ``declined`` count the moves into those stages made in the period;
    ``pending`` the ideas awaiting a decision (proposed or under review) at the cut-off.
    ``by_stage`` holds every idea by its stage at the cut-off; ``rows`` the period's ideas
    (proposed or moved in it).
    """

    total: int = 0
    proposed: int = 0
    reviewed: int = 0
    adopted: int = 0
    declined: int = 0
    pending: int = 0
    by_stage: tuple[StageCount, ...] = ()
    rows: tuple[IdeaRow, ...] = ()


@attrs.frozen
class InstitutionalRow:
    """An overdue planned institutional item: planned, not executed, past its due date."""

    id: str
    title: str
    owner: str
    horizon: str | None
    due: date
    days_late: int


@attrs.frozen
class Institutional:
    """Institutional improvements (제도개선) at the report's cut-off.

    ``total`` items were found by then, ``discovered`` of them in the period; ``open`` are not
    finished (neither rejected nor taught); ``moved`` count the moves made in the period.
    ``by_stage`` holds every item by its stage at the cut-off; ``overdue`` the planned items
    past their due date, most late first.
    """

    total: int = 0
    discovered: int = 0
    open: int = 0
    moved: int = 0
    by_stage: tuple[StageCount, ...] = ()
    overdue: tuple[InstitutionalRow, ...] = ()


def _n(count: int, noun: str) -> str:
    """``1 item``, ``2 items``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        out = {a.name: _plain(getattr(value, a.name)) for a in attrs.fields(type(value))}
        if isinstance(value, Rate):
            out["value"] = value.value
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


@attrs.frozen
class Report:
    """A periodic information-sharing report (정보공유): see :func:`~ccms.report.build_report`."""

    title: str
    period: Period
    previous_period: Period
    as_of: datetime
    zone: str
    kinds: tuple[str, ...] | None
    volume: Volume
    issues: Issues
    rates: tuple[ComplaintRate, ...]
    handling: Handling
    fairness: Fairness
    improvements: Improvements
    points: CsPoints | None = None
    ideas: Ideas = Ideas()
    institutional: Institutional = Institutional()
    fields: tuple[FieldBreakdown, ...] = ()
    #: The language the report is written in (``"en"`` or ``"ko"``).
    language: str = "en"
    #: Customer notices and remedy standards (None: no complaint histories were given).
    notices: NoticeFigures | None = None

    @property
    def covered(self) -> str:
        """The VOC kinds the issue, handling and fairness sections cover, in words."""
        if self.kinds is None:
            return message(self.language, "all_voc")
        if self.language != "en":
            return "·".join(kind_name(k, self.language) for k in self.kinds)
        return " and ".join(f"{k}s" for k in self.kinds)

    def highlights(self) -> tuple[str, ...]:
        """The report's key sentences, for the top of every rendering."""
        v, h, i, f = self.volume, self.handling, self.issues, self.fairness
        prev = self.previous_period.label
        if self.language != "en":
            return self._highlights_translated()
        change = f" ({v.change:+.0%} on {prev})" if v.change is not None else f" (none in {prev})"
        if v.previous_total == 0:
            change = f" (no data for {prev})"
        out = [f"{v.covered} {self.covered} received in {self.period.label}{change}."]
        if i.top:
            t = i.top[0]
            named = f" ({t.name})" if t.name else ""
            out.append(f"Top issue: {t.code}{named}, {t.count} concerns ({t.share:.0%}).")
        for s in i.spikes:
            out.append(f"Spike: {s.code} rose to {s.count} from {s.previous} in {prev}.")
        sla = [s for s in h.sla if s.rate.n]
        if sla:
            met = sum(s.met for s in sla)
            n = sum(s.rate.n for s in sla)
            out.append(f"SLA targets met {met / n:.0%} of the time ({met} of {n}).")
        out.append(f"Backlog at {self.as_of:%Y-%m-%d %H:%M}: {h.backlog.open} open, "
                   f"{h.backlog_overdue} past due.")  # fmt: skip
        out.append(
            f"{len(f.flags)} fairness flag{'s' if len(f.flags) != 1 else ''}"
            f"{'' if f.flags else ' (no difference survived the correction)'}."
        )
        rows = self.improvements.rows
        if rows:
            late = sum(r.state == "overdue" for r in rows)
            out.append(f"{len(rows)} improvement measures tracked, {late} overdue.")
        label = self.period.label
        p = self.points
        if p is not None and p.entries:
            line = (f"CS points: {p.entries} ledger entries; {p.period_good:+d} good and "
                    f"{p.period_bad:+d} bad points earned in {label}")  # fmt: skip
            if p.top:
                line += f"; highest {p.top[0].agent} {p.top[0].balance:+d}"
            for c in p.consequences:
                line += f"; {c.key} due for {_n(c.count, 'agent')}"
            out.append(line + ".")
        d = self.ideas
        if d.total:
            out.append(f"Ideas: {d.proposed} proposed in {label}, {d.adopted} adopted and "
                       f"{d.declined} declined; {d.pending} awaiting a decision.")  # fmt: skip
        inst = self.institutional
        if inst.total:
            out.append(f"Institutional improvements: {_n(inst.total, 'item')}, {inst.open} open, "
                       f"{_n(len(inst.overdue), 'planned item')} overdue.")  # fmt: skip
        if self.notices is not None:
            out += notice_highlights(self.notices, self.language)
        return tuple(out)

    def _highlights_translated(self) -> tuple[str, ...]:
        """The key sentences in :attr:`language` (volume, top issue, spikes, SLA, backlog,
        fairness flags, improvements, CS points, ideas, institutional items, notices)."""
        lang, v, h, i = self.language, self.volume, self.handling, self.issues
        prev = self.previous_period.label
        if v.previous_total == 0:
            change = message(lang, "highlight.no_previous", previous=prev)
        elif v.change is not None:
            change = message(lang, "highlight.change", change=f"{v.change:+.0%}", previous=prev)
        else:
            change = ""
        out = [message(lang, "highlight.volume", covered=v.covered, what=self.covered,
                       label=self.period.label, change=change)]  # fmt: skip
        if i.top:
            t = i.top[0]
            out.append(message(lang, "highlight.top", code=t.code,
                               named=f" ({t.name})" if t.name else "", count=t.count,
                               share=f"{t.share:.0%}"))  # fmt: skip
        out += [message(lang, "highlight.spike", code=s.code, count=s.count,
                        previous_count=s.previous, previous=prev) for s in i.spikes]  # fmt: skip
        sla = [s for s in h.sla if s.rate.n]
        if sla:
            met, n = sum(s.met for s in sla), sum(s.rate.n for s in sla)
            out.append(message(lang, "highlight.sla", share=f"{met / n:.0%}", met=met, n=n))
        out.append(message(lang, "highlight.backlog", moment=f"{self.as_of:%Y-%m-%d %H:%M}",
                           open=h.backlog.open, overdue=h.backlog_overdue))  # fmt: skip
        flags = len(self.fairness.flags)
        out.append(message(lang, "highlight.flags", n=flags) if flags
                   else message(lang, "highlight.no_flags"))  # fmt: skip
        rows = self.improvements.rows
        if rows:
            out.append(message(lang, "highlight.improvements", n=len(rows),
                               late=sum(r.state == "overdue" for r in rows)))  # fmt: skip
        label = self.period.label
        p = self.points
        if p is not None and p.entries:
            extra = ""
            if p.top:
                extra += message(lang, "highlight.points_top", agent=p.top[0].agent,
                                 balance=f"{p.top[0].balance:+d}")  # fmt: skip
            for c in p.consequences:
                extra += message(lang, "highlight.points_due",
                                 consequence=name(lang, "tier", c.key), n=c.count)  # fmt: skip
            out.append(message(lang, "highlight.points", entries=p.entries, label=label,
                               good=f"{p.period_good:+d}", bad=f"{p.period_bad:+d}",
                               extra=extra))  # fmt: skip
        d = self.ideas
        if d.total:
            out.append(message(lang, "highlight.ideas", proposed=d.proposed, label=label,
                               adopted=d.adopted, declined=d.declined,
                               pending=d.pending))  # fmt: skip
        inst = self.institutional
        if inst.total:
            out.append(message(lang, "highlight.institutional", total=inst.total,
                               open=inst.open, overdue=len(inst.overdue)))  # fmt: skip
        if self.notices is not None:
            out += notice_highlights(self.notices, lang)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """Every figure as JSON-ready data (dates ISO 8601, fractions as floats, money as
        strings)."""
        out: dict[str, Any] = _plain(self)
        out["highlights"] = list(self.highlights())
        return out
