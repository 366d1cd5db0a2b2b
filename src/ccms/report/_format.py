"""Number, duration and table formatting shared by the Markdown and HTML renderers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Final

from ccms.metrics import Rate, Summary
from ccms.report._messages import message, target_name, term
from ccms.report.sections import Report, StageCount

__all__ = [
    "ALL_KINDS_SHOWN",
    "DASH",
    "FIELD_VALUES_SHOWN",
    "TIMELY_LABELS",
    "Table",
    "all_kinds_line",
    "all_kinds_rows",
    "duration",
    "field_rows",
    "handling_rows",
    "head_row",
    "idea_lines",
    "idea_rows",
    "improvement_rows",
    "institutional_lines",
    "issue_rows",
    "no_previous",
    "overdue_rows",
    "period_line",
    "points_lines",
    "points_rows",
    "rate",
    "rate_rows",
    "share",
    "signed",
    "sla_rows",
    "spike_rows",
    "stage_rows",
    "summary",
    "timely_line",
]

DASH: Final = "-"
#: How many codes the every-kind code table shows (the ``ccms demo`` console shows 10).
ALL_KINDS_SHOWN: Final = 10
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


def head_row(report: Report, *names: str) -> tuple[str, ...]:
    """Table headers in the report's language."""
    return tuple(term(report.language, n) for n in names)


def no_previous(report: Report) -> str:
    """ "no data" (자료 없음) when the previous period holds no VOC at all, else ``""``."""
    return message(report.language, "no_data") if report.volume.previous_total == 0 else ""


def period_line(report: Report) -> str:
    """The line under the title: dates, zone, moment, what is covered."""
    p = report.period
    last = p.end - timedelta(days=1)
    return message(report.language, "period_line", start=f"{p.start:%Y-%m-%d}",
                   last=f"{last:%Y-%m-%d}", zone=report.zone,
                   as_of=f"{report.as_of:%Y-%m-%d %H:%M}", covered=report.covered,
                   previous=report.previous_period.label)  # fmt: skip


def issue_rows(report: Report) -> Table:
    """The top-code table (with a name column when the codes have source names)."""
    top = report.issues.top
    named = any(c.name for c in top)
    gone = no_previous(report)
    rows = [
        (c.code, *((c.name or DASH,) if named else ()), str(c.count), share(c.share, 1),
         share(c.cumulative, 1), gone or str(c.previous), DASH if gone else f"{c.change:+d}")
        for c in top
    ]  # fmt: skip
    head = head_row(report, "code", *(("name",) if named else ()), "concerns", "share",
                    "cumulative", "previous", "change")  # fmt: skip
    return head, rows


#: How many values of a source field the tables show (the JSON has every one).
FIELD_VALUES_SHOWN: Final = 20
TIMELY_LABELS: Final = {
    "reported": "timely response (source-reported)",
    "sla": "timely response (SLA target timely_response)",
}


def timely_line(report: Report) -> str | None:
    """What the timely figure means (None when there is none)."""
    h = report.handling
    if h.timely_basis == "none":
        return None
    return f"Timely response: {rate(h.timely)}; {h.timely_definition}."


def field_rows(report: Report, index: int) -> Table:
    """One source field's table: the most common values, then the rest summed."""
    b = report.fields[index]
    rows = [
        (v.value, str(v.count), share(v.count / b.total, 1), str(v.monetary),
         share(v.monetary_share, 1))
        for v in b.values[:FIELD_VALUES_SHOWN]
    ]  # fmt: skip
    rest = b.values[FIELD_VALUES_SHOWN:]
    if rest:
        n = sum(v.count for v in rest)
        m = sum(v.monetary for v in rest)
        rows.append((f"({len(rest)} more values)", str(n), share(n / b.total, 1), str(m),
                     share(m / n, 1)))  # fmt: skip
    return (b.label, *head_row(report, "complaints", "share", "monetary relief",
                               "relief share")), rows  # fmt: skip


def spike_rows(report: Report) -> Table:
    """The spike table."""
    rows = [
        (s.code, str(s.count), no_previous(report) or str(s.previous), f"{s.expected:.1f}",
         f"{s.ratio:.1f}x" if s.ratio is not None else "new", f"{s.p_value:.2g}")
        for s in report.issues.spikes
    ]  # fmt: skip
    return head_row(report, "code", "concerns", "previous", "expected", "ratio", "p"), rows


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
    return head_row(report, "denominator", "units", "complaints", f"per {per:,}", "previous"), rows


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
        ("time to close (mean / median / p90)", summary(h.closure)),
    ]
    if h.response_business.n or h.resolution_business.n:
        rows.append(("first response, business time", summary(h.response_business)))
        rows.append(("resolution, business time", summary(h.resolution_business)))
    rows += [
        ("company time to resolve (excl. waiting on customer)", summary(h.company)),
        ("waiting on the customer", summary(h.waiting)),
        *([(TIMELY_LABELS[h.timely_basis], rate(h.timely))] if h.timely_basis != "none" else []),
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
    lang = report.language
    return head_row(report, "figure", "value"), [(term(lang, k), v) for k, v in rows]


def sla_rows(report: Report) -> Table:
    """The SLA compliance table."""
    rows = []
    for s in report.handling.sla:
        lo, hi = s.rate.interval()
        ci = f"{share(lo)} to {share(hi)}" if s.rate.n else DASH
        rows.append((target_name(s.target, report.language), str(s.met), str(s.breached),
                     share(s.rate.value), ci))  # fmt: skip
    return head_row(report, "target", "met", "breached", "compliance", "95% CI"), rows


def improvement_rows(report: Report) -> Table:
    """The improvement-measure table."""
    rows = [
        (r.title, r.owner, f"{r.due:%Y-%m-%d}", r.stage, term(report.language, r.state),
         DASH if r.days_late is None else str(r.days_late),
         DASH if r.progress is None else f"{r.progress}%")
        for r in report.improvements.rows
    ]  # fmt: skip
    return head_row(report, "measure", "owner", "due", "stage", "state", "days late",
                    "progress"), rows  # fmt: skip


def counts(pairs: Sequence[tuple[str, int]], label: str, what: str) -> Table:
    """A two-column count table."""
    return (label, what), [(k, str(v)) for k, v in pairs]


def signed(points: int) -> str:
    """Points with their sign, as the ledger shows them (``+5``, ``-10``, ``+0``)."""
    return f"{points:+d}"


def all_kinds_line(report: Report) -> str:
    """The sentence before the every-kind code table (or instead of it when it adds nothing)."""
    i = report.issues
    covered = [(c.code, c.count) for c in i.pareto]
    every = [(c.key, c.count) for c in i.by_code_all_kinds]
    if every == covered:
        return message(report.language, "all_kinds.same")
    if not every:
        return message(report.language, "all_kinds.none")
    shown = min(len(every), ALL_KINDS_SHOWN)
    return message(report.language, "all_kinds.line", shown=shown, codes=len(every),
                   concerns=i.concerns_all_kinds)  # fmt: skip


def all_kinds_rows(report: Report) -> Table | None:
    """The every-kind code table beside the covered count, or None when it adds nothing."""
    i = report.issues
    covered = {c.code: c.count for c in i.pareto}
    if [(c.key, c.count) for c in i.by_code_all_kinds] == list(covered.items()):
        return None
    rows = [(c.key, str(c.count), str(covered.get(c.key, 0)))
            for c in i.by_code_all_kinds[:ALL_KINDS_SHOWN]]  # fmt: skip
    covered_head = message(report.language, "all_kinds.covered", what=report.covered)
    return (*head_row(report, "code", "concerns, every kind"), covered_head), rows


def points_lines(report: Report) -> list[str]:
    """The sentences of the CS-points section (before its table)."""
    p = report.points
    moment = f"{report.as_of:%Y-%m-%d %H:%M}"
    if p is None:
        return [message(report.language, "points.no_ledger")]
    if not p.entries:
        return [message(report.language, "points.no_entries", moment=moment)]
    rules = f" under rule set {p.rule_set}" if p.rule_set else ""
    out = [
        f"{p.entries} ledger entries{rules} at {moment}, for {p.agents} "
        f"agent{'s' if p.agents != 1 else ''}. Points earned in {report.period.label} that "
        f"count: {signed(p.period_good)} good, {signed(p.period_bad)} bad (reversed and expired "
        "points left out, before period caps)."
    ]
    if p.tiers:
        out.append("Reward tiers reached: " + ", ".join(f"{c.key} {c.count}" for c in p.tiers)
                   + ".")  # fmt: skip
    if p.consequences:
        out.append("Consequences due: " + ", ".join(f"{c.key} {c.count}"
                                                   for c in p.consequences) + ".")  # fmt: skip
    return out


def points_rows(report: Report) -> Table:
    """The highest and lowest balances, as the ``ccms demo`` console's table shows them."""
    p = report.points
    rows = [
        (r.agent, signed(r.balance), r.standing,
         ", ".join(f"{b.rule} {signed(b.points)}" for b in r.by_rule) or DASH)
        for r in ((*p.top, *p.bottom) if p is not None else ())
    ]  # fmt: skip
    return head_row(report, "agent", "points", "standing", "points by rule"), rows


def stage_rows(stages: Sequence[StageCount], report: Report, created: str) -> Table:
    """Items by their stage at the cut-off: created in the period, before it, in all."""
    rows = [(s.stage, str(s.in_period), str(s.before), str(s.total)) for s in stages]
    created_head = message(report.language, f"stage.{created}", label=report.period.label)
    stage, before, total = head_row(report, "stage", "before", "total")
    return (stage, created_head, before, total), rows


def idea_lines(report: Report) -> list[str]:
    """The sentence of the ideas section."""
    d = report.ideas
    label = report.period.label
    if not d.total:
        return [message(report.language, "ideas.none", moment=f"{report.as_of:%Y-%m-%d %H:%M}")]
    return [
        f"{d.proposed} idea{'s' if d.proposed != 1 else ''} proposed in {label} ({d.total} by "
        f"{report.as_of:%Y-%m-%d %H:%M}); in {label}: {d.reviewed} taken up for review, "
        f"{d.adopted} adopted, {d.declined} declined; {d.pending} awaiting a decision."
    ]


def idea_rows(report: Report) -> Table:
    """The period's ideas."""
    rows = [
        (r.id, r.title, r.proposer or DASH, r.department or DASH, f"{r.proposed:%Y-%m-%d}",
         r.stage, DASH if r.decided is None else f"{r.decided:%Y-%m-%d}")
        for r in report.ideas.rows
    ]  # fmt: skip
    return head_row(report, "idea", "title", "proposer", "department", "proposed", "stage",
                    "decided"), rows  # fmt: skip


def institutional_lines(report: Report) -> list[str]:
    """The sentence of the institutional-improvements section."""
    n = report.institutional
    moment = f"{report.as_of:%Y-%m-%d %H:%M}"
    if not n.total:
        return [message(report.language, "institutional.none", moment=moment)]
    return [
        f"{n.total} item{'s' if n.total != 1 else ''} by {moment} ({n.discovered} found in "
        f"{report.period.label}), {n.open} open; {n.moved} "
        f"move{'s' if n.moved != 1 else ''} in {report.period.label}."
    ]


def overdue_rows(report: Report) -> Table:
    """The overdue planned institutional items."""
    rows = [
        (r.id, r.title, r.owner, r.horizon or DASH, f"{r.due:%Y-%m-%d}", str(r.days_late))
        for r in report.institutional.overdue
    ]
    return head_row(report, "item", "title", "owner", "horizon", "due", "days late"), rows
