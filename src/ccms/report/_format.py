"""Number, duration and table formatting shared by the Markdown and HTML renderers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from fractions import Fraction
from typing import Final

from ccms.metrics import Rate, Summary
from ccms.report._messages import FROM_FIGURES, group_name, message, name, target_name, term
from ccms.report.sections import Report, StageCount

__all__ = [
    "ALL_KINDS_SHOWN",
    "DASH",
    "FIELD_VALUES_SHOWN",
    "TIMELY_LABELS",
    "Table",
    "all_kinds_line",
    "all_kinds_rows",
    "channel_rows",
    "duration",
    "field_rows",
    "flag_items",
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
    "survey_lines",
    "tested_text",
    "timely_line",
    "workload_lines",
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


def rate(r: Rate, language: str = "en") -> str:
    """``75% (3 of 4)`` (``75% (4건 중 3건)``) or a dash when nothing was counted."""
    if not r.n:
        return DASH
    return message(language, "rate", share=share(r.value), successes=r.successes, n=r.n)


_rate = rate


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
    return message(report.language, "timely.line", rate=rate(h.timely, report.language),
                   definition=h.timely_definition)  # fmt: skip


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
        rows.append((message(report.language, "fields.more", n=len(rest)), str(n),
                     share(n / b.total, 1), str(m), share(m / n, 1)))  # fmt: skip
    return (b.label, *head_row(report, "complaints", "share", "monetary relief",
                               "relief share")), rows  # fmt: skip


def spike_rows(report: Report) -> Table:
    """The spike table."""
    rows = [
        (s.code, str(s.count), no_previous(report) or str(s.previous), f"{s.expected:.1f}",
         f"{s.ratio:.1f}x" if s.ratio is not None else message(report.language, "spike.new"),
         f"{s.p_value:.2g}")
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
    per_head = message(report.language, "rates.per", per=f"{per:,}")
    return head_row(report, "denominator", "units", "complaints", per_head, "previous"), rows


def handling_rows(report: Report) -> Table:
    """Handling figures as label/value rows."""
    h = report.handling
    b = h.backlog
    lang = report.language

    def rate(r: Rate) -> str:
        return _rate(r, lang)

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
    return head_row(report, "figure", "value"), [(term(lang, k), v) for k, v in rows]


def sla_rows(report: Report) -> Table:
    """The SLA compliance table."""
    rows = []
    for s in report.handling.sla:
        lo, hi = s.rate.interval()
        ci = (
            message(report.language, "interval", low=share(lo), high=share(hi))
            if s.rate.n
            else DASH
        )
        rows.append((target_name(s.target, report.language), str(s.met), str(s.breached),
                     share(s.rate.value), ci))  # fmt: skip
    return head_row(report, "target", "met", "breached", "compliance", "95% CI"), rows


def improvement_rows(report: Report) -> Table:
    """The improvement-measure table."""
    rows = [
        (r.title, r.owner, f"{r.due:%Y-%m-%d}", name(report.language, "stage", r.stage),
         term(report.language, r.state),
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
    lang = report.language
    rules = message(lang, "points.rules", rule_set=p.rule_set) if p.rule_set else ""
    out = [
        message(lang, "points.summary", entries=p.entries, rules=rules, moment=moment,
                agents=p.agents, agent_word="agent" if p.agents == 1 else "agents",
                label=report.period.label, good=signed(p.period_good),
                bad=signed(p.period_bad))
    ]  # fmt: skip
    if p.tiers:
        items = ", ".join(f"{name(lang, 'tier', c.key)} {c.count}" for c in p.tiers)
        out.append(message(lang, "points.tiers", items=items))
    if p.consequences:
        items = ", ".join(f"{name(lang, 'tier', c.key)} {c.count}" for c in p.consequences)
        out.append(message(lang, "points.consequences", items=items))
    return out


def points_rows(report: Report) -> Table:
    """The highest and lowest balances, as the ``ccms demo`` console's table shows them."""
    p = report.points
    rows = [
        (r.agent, signed(r.balance),
         name(report.language, "tier", r.standing) if r.standing else r.standing,
         ", ".join(f"{b.rule} {signed(b.points)}" for b in r.by_rule) or DASH)
        for r in ((*p.top, *p.bottom) if p is not None else ())
    ]  # fmt: skip
    return head_row(report, "agent", "points", "standing", "points by rule"), rows


def stage_rows(stages: Sequence[StageCount], report: Report, created: str) -> Table:
    """Items by their stage at the cut-off: created in the period, before it, in all."""
    rows = [(name(report.language, "stage", s.stage), str(s.in_period), str(s.before),
             str(s.total)) for s in stages]  # fmt: skip
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
        message(report.language, "ideas.line", proposed=d.proposed,
                idea_word="idea" if d.proposed == 1 else "ideas", label=label, total=d.total,
                moment=f"{report.as_of:%Y-%m-%d %H:%M}", reviewed=d.reviewed,
                adopted=d.adopted, declined=d.declined, pending=d.pending)
    ]  # fmt: skip


def idea_rows(report: Report) -> Table:
    """The period's ideas."""
    rows = [
        (r.id, r.title, r.proposer or DASH, r.department or DASH, f"{r.proposed:%Y-%m-%d}",
         name(report.language, "stage", r.stage),
         DASH if r.decided is None else f"{r.decided:%Y-%m-%d}")
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
        message(report.language, "institutional.line", total=n.total,
                item_word="item" if n.total == 1 else "items", moment=moment,
                discovered=n.discovered, label=report.period.label, open=n.open,
                moved=n.moved, move_word="move" if n.moved == 1 else "moves")
    ]  # fmt: skip


def overdue_rows(report: Report) -> Table:
    """The overdue planned institutional items."""
    rows = [
        (
            r.id,
            r.title,
            r.owner,
            name(report.language, "horizon", r.horizon) if r.horizon else DASH,
            f"{r.due:%Y-%m-%d}",
            str(r.days_late),
        )
        for r in report.institutional.overdue
    ]
    return head_row(report, "item", "title", "owner", "horizon", "due", "days late"), rows


def channel_rows(report: Report) -> list[tuple[str, str]]:
    """The period's covered VOC by channel (channel names in the report's language)."""
    return [(name(report.language, "channel", c.key), str(c.count))
            for c in report.volume.by_channel]  # fmt: skip


def tested_text(report: Report) -> str:
    """The comparisons the fairness section checked (``remedy_rate by channel``, 채널별 구제율)."""
    f, lang = report.fairness, report.language
    if lang == "en" or len(f.comparisons) != len(f.tested):
        return ", ".join(f.tested)
    return ", ".join(message(lang, "fairness.tested", metric=name(lang, "metric", m),
                             by=name(lang, "field", b)) for m, b in f.comparisons)  # fmt: skip


def flag_items(report: Report) -> list[tuple[str, str]]:
    """Each fairness flag as (its dimension, its sentence) in the report's language."""
    lang = report.language
    out = []
    for fl in report.fairness.flags:
        template = FROM_FIGURES.get(lang, {}).get("fairness.flag")
        if template is None or not fl.group:  # no comparison behind it: its own sentence
            out.append((name(lang, "dimension", fl.dimension), fl.text))
            continue
        unit = name(lang, "unit", fl.unit)
        text = template.format(by=name(lang, "field", fl.by),
                       group=group_name(lang, fl.by, fl.group),
                       other=group_name(lang, fl.by, fl.other),
                       metric=name(lang, "metric", fl.metric),
                       difference=f"{fl.difference:+.1f}", unit=unit, low=f"{fl.low:.1f}",
                       high=f"{fl.high:.1f}", n=fl.n, n_other=fl.n_other,
                       p=DASH if fl.p_adjusted is None else f"{fl.p_adjusted:.3g}")  # fmt: skip
        out.append((name(lang, "dimension", fl.dimension), text))
    return out


def survey_lines(report: Report) -> list[str]:
    """The survey-bias warnings in the report's language."""
    f, lang = report.fairness, report.language
    templates = FROM_FIGURES.get(lang)
    if templates is None or len(f.survey_notes) != len(f.survey_warnings):
        return list(f.survey_warnings)
    return [
        templates[f"survey.{n.rule}"].format(by=name(lang, "field", n.by),
                group=group_name(lang, n.by, n.group), rate=rate(n.response, lang),
                overall=share(n.overall),
                threshold=share(n.threshold) if n.rule == "low" else f"{n.threshold * 100:.0f}")
        for n in f.survey_notes
    ]  # fmt: skip


def workload_lines(report: Report) -> list[str]:
    """The handlers above the workload flag's ratio, in the report's language."""
    f, lang = report.fairness, report.language
    templates = FROM_FIGURES.get(lang)
    if templates is None or len(f.workload_notes) != len(f.workload_flags):
        return list(f.workload_flags)
    return [
        templates["workload.flag"].format(handler=n.handler, load=f"{n.load:.1f}",
                ratio=f"{n.ratio:.1f}", mean=f"{n.mean:.1f}")
        for n in f.workload_notes
    ]  # fmt: skip
