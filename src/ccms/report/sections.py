"""The frozen result of :func:`~ccms.report.build_report`: a :class:`Report` and its sections.

Every value is immutable (attrs frozen classes, tuples) and carries figures only: VOC codes,
channels, segments, counts, rates and durations. No complaint text, no customer data.
:meth:`Report.to_dict` gives every figure as plain JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal, Protocol

import attrs

from ccms.metrics import BacklogFigures, Rate, Summary, TaskOnTime
from ccms.report.period import Period

__all__ = [
    "CodeCount",
    "ComplaintRate",
    "Count",
    "Fairness",
    "FairnessFlag",
    "FairnessGap",
    "Handling",
    "ImprovementLike",
    "ImprovementRow",
    "Improvements",
    "Issues",
    "Report",
    "SlaStatus",
    "Spike",
    "TaskState",
    "TrendPoint",
    "Volume",
]

TaskState = Literal["done on time", "done late", "overdue", "open"]


class ImprovementLike(Protocol):
    """What a report reads from an improvement measure: any object with these attributes will
    do, e.g. :class:`ccms.scoring.ImprovementTask` (responsibility improvement).

    ``due_at`` is an aware datetime, or a date (due by the end of that day in the report's zone);
    ``done_at`` is when it was finished (None while open); ``stage`` is shown as it is. Two
    attributes are read when present: ``executive`` (shown beside the department) and
    ``reports``, progress reports whose last ``percent`` is shown as the progress.
    """

    @property
    def title(self) -> str:
        """A short title (shown escaped)."""
        ...

    @property
    def department(self) -> str:
        """The owning department."""
        ...

    @property
    def due_at(self) -> date:
        """The due moment (an aware datetime) or due date."""
        ...

    @property
    def stage(self) -> str:
        """Where the measure stands (e.g. ``planned``, ``in_progress``, ``done``)."""
        ...

    @property
    def done_at(self) -> datetime | None:
        """When it was finished, or None."""
        ...


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
    """Main issues: the top codes, every code in Pareto order, the vital few and the spikes."""

    concerns: int
    top: tuple[CodeCount, ...]
    pareto: tuple[CodeCount, ...]
    vital_few: tuple[str, ...]
    spikes: tuple[Spike, ...]
    pareto_share: float


@attrs.frozen
class ComplaintRate:
    """Complaints per ``per`` units of a host denominator (orders, customers, ...)."""

    denominator: str
    units: int | Decimal
    complaints: int
    per: int
    rate: Fraction
    previous_rate: Fraction | None


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
    """A difference that survived the multiple-comparison correction, in plain language."""

    metric: str
    dimension: str
    by: str
    text: str


@attrs.frozen
class Fairness:
    """Fairness flags, the gaps behind them, survey-bias warnings and workload spread."""

    tested: tuple[str, ...]
    min_n: int
    flags: tuple[FairnessFlag, ...]
    gaps: tuple[FairnessGap, ...]
    survey_warnings: tuple[str, ...]
    workload_gini: float | None
    workload_flags: tuple[str, ...]


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

    @property
    def covered(self) -> str:
        """The VOC kinds the issue, handling and fairness sections cover, in words."""
        if self.kinds is None:
            return "all VOC"
        return " and ".join(f"{k}s" for k in self.kinds)

    def highlights(self) -> tuple[str, ...]:
        """The report's key sentences, for the top of every rendering."""
        v, h, i, f = self.volume, self.handling, self.issues, self.fairness
        prev = self.previous_period.label
        change = f" ({v.change:+.0%} on {prev})" if v.change is not None else f" (none in {prev})"
        out = [f"{v.covered} {self.covered} received in {self.period.label}{change}."]
        if i.top:
            t = i.top[0]
            out.append(f"Top issue: {t.code}, {t.count} concerns ({t.share:.0%}).")
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
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        """Every figure as JSON-ready data (dates ISO 8601, fractions as floats, money as
        strings)."""
        out: dict[str, Any] = _plain(self)
        out["highlights"] = list(self.highlights())
        return out
