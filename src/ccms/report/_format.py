"""Number, duration and table formatting shared by the Markdown and HTML renderers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Final

from ccms.metrics import Rate, Summary
from ccms.report.sections import Report

__all__ = [
    "DASH",
    "Table",
    "duration",
    "handling_rows",
    "improvement_rows",
    "issue_rows",
    "period_line",
    "rate",
    "rate_rows",
    "share",
    "sla_rows",
    "spike_rows",
    "summary",
]

DASH: Final = "-"
Table = tuple[Sequence[str], Sequence[Sequence[str]]]


def duration(seconds: float | None) -> str:
    """``2d 3h``, ``3h 20m``, ``45m`` or ``30s`` (two units at most).

    >>> duration(185_400), duration(12_000), duration(2_700), duration(30), duration(-90)
    ('2d 3h', '3h 20m', '45m', '30s', '-1m')
    """
    if seconds is None:
        return DASH
    if seconds < 0:
        return "-" + duration(-seconds)
    s = round(seconds)
    d, rest = divmod(s, 86_400)
    h, rest = divmod(rest, 3600)
    m, sec = divmod(rest, 60)
    if d:
        return f"{d}d {h}h"
    if h:
        return f"{h}h {m}m"
    if m:
        return f"{m}m"
    return f"{sec}s"


def share(value: float | None, digits: int = 0) -> str:
    """A percentage, or a dash."""
    return DASH if value is None else f"{value * 100:.{digits}f}%"


def rate(r: Rate) -> str:
    """``75% (3 of 4)`` or a dash when nothing was counted."""
    return DASH if not r.n else f"{share(r.value)} ({r.successes} of {r.n})"


def summary(s: Summary) -> str:
    """``mean / median / p90`` of a duration summary."""
    if not s.n:
        return DASH
    return f"{duration(s.mean)} / {duration(s.median)} / {duration(s.p90)}"


def period_line(report: Report) -> str:
    """The line under the title: dates, zone, moment, what is covered."""
    p = report.period
    last = p.end - timedelta(days=1)
    return (
        f"{p.start:%Y-%m-%d} to {last:%Y-%m-%d} ({report.zone}), as of "
        f"{report.as_of:%Y-%m-%d %H:%M}; covers {report.covered}; compared with "
        f"{report.previous_period.label}."
    )


def issue_rows(report: Report) -> Table:
    """The top-code table."""
    rows = [
        (c.code, str(c.count), share(c.share, 1), share(c.cumulative, 1), str(c.previous),
         f"{c.change:+d}")
        for c in report.issues.top
    ]  # fmt: skip
    return ("code", "concerns", "share", "cumulative", "previous", "change"), rows


def spike_rows(report: Report) -> Table:
    """The spike table."""
    rows = [
        (s.code, str(s.count), str(s.previous), f"{s.expected:.1f}",
         f"{s.ratio:.1f}x" if s.ratio is not None else "new", f"{s.p_value:.2g}")
        for s in report.issues.spikes
    ]  # fmt: skip
    return ("code", "concerns", "previous", "expected", "ratio", "p"), rows


def _fraction(x: Fraction | None) -> str:
    return DASH if x is None else f"{float(x):.2f}"


def rate_rows(report: Report) -> Table:
    """The complaint-rate table."""
    rows = [
        (r.denominator, str(r.units), str(r.complaints), _fraction(r.rate),
         _fraction(r.previous_rate))
        for r in report.rates
    ]  # fmt: skip
    per = report.rates[0].per if report.rates else 1000
    return ("denominator", "units", "complaints", f"per {per:,}", "previous"), rows


def handling_rows(report: Report) -> Table:
    """Handling figures as label/value rows."""
    h = report.handling
    b = h.backlog
    rows: list[tuple[str, str]] = [
        ("received", str(h.received)),
        ("resolved", str(h.resolved)),
        ("still open", str(h.open)),
        ("withdrawn / rejected", f"{h.withdrawn} / {h.rejected}"),
        ("first response (mean / median / p90)", summary(h.response)),
        ("resolution (mean / median / p90)", summary(h.resolution)),
    ]
    if h.response_business.n or h.resolution_business.n:
        rows.append(("first response, business time", summary(h.response_business)))
        rows.append(("resolution, business time", summary(h.resolution_business)))
    rows += [
        ("company time to resolve (excl. waiting on customer)", summary(h.company)),
        ("waiting on the customer", summary(h.waiting)),
        ("timely response (within 15 days)", rate(h.timely)),
        ("first-contact resolution", rate(h.fcr)),
        ("reopened", rate(h.reopen)),
        ("transfers per complaint",
         DASH if h.transfers_per_complaint is None else f"{h.transfers_per_complaint:.2f}"),
        ("escalated", rate(h.escalation)),
        ("happy call reached", rate(h.happy_call)),
        ("satisfied (of answered)", rate(h.satisfied)),
        ("CSAT mean (1-5)", DASH if h.csat_mean is None else f"{h.csat_mean:.2f}"),
        ("backlog open", str(b.open)),
        ("backlog past due / on track", f"{h.backlog_overdue} / {h.backlog_on_track}"),
        ("backlog age (mean / median / p90)", summary(b.age)),
        ("oldest open", duration(b.oldest)),
    ]  # fmt: skip
    if h.backlog_business_age is not None:
        rows.append(("backlog age, business time", summary(h.backlog_business_age)))
    return ("figure", "value"), list(rows)


def sla_rows(report: Report) -> Table:
    """The SLA compliance table."""
    rows = []
    for s in report.handling.sla:
        lo, hi = s.rate.interval()
        ci = f"{share(lo)} to {share(hi)}" if s.rate.n else DASH
        rows.append((s.target, str(s.met), str(s.breached), share(s.rate.value), ci))
    return ("target", "met", "breached", "compliance", "95% CI"), rows


def improvement_rows(report: Report) -> Table:
    """The improvement-measure table."""
    rows = [
        (r.title, r.owner, f"{r.due:%Y-%m-%d}", r.stage, r.state,
         DASH if r.days_late is None else str(r.days_late),
         DASH if r.progress is None else f"{r.progress}%")
        for r in report.improvements.rows
    ]  # fmt: skip
    return ("measure", "owner", "due", "stage", "state", "days late", "progress"), rows


def counts(pairs: Sequence[tuple[str, int]], label: str, what: str) -> Table:
    """A two-column count table."""
    return (label, what), [(k, str(v)) for k, v in pairs]
