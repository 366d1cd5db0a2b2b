"""What ``ccms demo`` prints: the month's summary as rich tables, and the report it writes.

The figures come from :mod:`ccms.demo` (:func:`ccms.demo.run`); this module only shows them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ccms.demo import (
    ESCALATION_LEVELS,
    TIMEZONE,
    DemoRun,
    DemoSummary,
    ScoringSummary,
    demo_records,
    featured_contacts,
    notice_lines,
    run,
)
from ccms.demo.classify_month import classify_lines
from ccms.desk import Desk
from ccms.policy.early_warning import CRISIS_STEPS
from ccms.report import report_from_store, write_report
from ccms.report.elements import cs_points
from ccms.scoring import DEFAULT_RULES

__all__ = ["print_demo", "print_scoring", "print_summary", "run_demo", "write_demo_report"]

#: The SLA statuses in the order the summary shows them.
_SLA_COLUMNS = ("met", "breached", "at_risk", "running", "paused", "not_started")


def run_demo(
    console: Console,
    db: Path,
    *,
    year: int,
    month: int,
    seed: int = 7,
    contacts: int = 600,
    progress: bool = True,
) -> DemoRun:
    """Run the demo month (:func:`ccms.demo.run`) under a progress bar, then :func:`print_demo`.
    The same seed prints the same month."""
    with Progress(
        TextColumn("[bold]simulating {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
        disable=not progress,
    ) as bar:
        task = bar.add_task(f"{year:04d}-{month:02d}", total=contacts + featured_contacts())
        result = run(
            db,
            year=year,
            month=month,
            seed=seed,
            contacts=contacts,
            progress=lambda n: bar.advance(task, n),
        )
    print_demo(console, result, db)
    return result


def print_demo(console: Console, result: DemoRun, db: Path) -> list[Path]:
    """Print the summary and the CS-points section, say where the month is stored, and write
    the month's report next to it (:func:`write_demo_report`); returns the report's paths."""
    print_summary(console, result)
    for line in notice_lines(result):  # customer notices and remedy standards
        console.print(line, markup=False)
    print_scoring(console, result.scoring)
    for line in classify_lines(result.desk):  # code suggestions trained on the month
        console.print(line, markup=False)
    console.print(f"Stored in [bold]{db}[/] (SQLite).")
    return write_demo_report(console, result.desk, db)


def _table(title: str, counts: Counter[str], label: str, top: int | None = None) -> Table:
    table = Table(title=title, title_justify="left", min_width=36)
    table.add_column(label)
    table.add_column("complaints", justify="right")
    for key, count in counts.most_common(top):
        table.add_row(key, str(count))
    return table


_TARGET_LABELS = {
    "first_response": "first response",
    "resolution": "resolution",
    "notify_after_result": "notify after result",
    "timely_response": "timely (CFPB, 15 days)",
}


def _sla_table(summary: DemoSummary) -> Table:
    table = Table(
        title=f"SLA status at {summary.now:%Y-%m-%d %H:%M} (business hours, Seoul calendar)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("target")
    for column in _SLA_COLUMNS:
        table.add_column(column.replace("_", " "), justify="right")
    table.add_column("were at risk", justify="right")
    table.add_column("on time", justify="right")
    for target, counts in summary.sla.items():
        decided = counts["met"] + counts["breached"]
        share = f"{counts['met'] / decided:.0%}" if decided else "-"
        table.add_row(
            _TARGET_LABELS.get(target, target),
            *(str(counts[s]) for s in _SLA_COLUMNS),
            str(summary.sla_were_at_risk[target]),
            share,
        )
    return table


def _escalation_table(summary: DemoSummary) -> Table:
    table = Table(title="Escalations by level", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("level", "tells", "complaints (highest)", "escalations", "causes"):
        numeric = column in ("complaints (highest)", "escalations")
        table.add_column(column, justify="right" if numeric else "left")
    for level in sorted(set(summary.escalations) | set(summary.escalation_levels)):
        spec = ESCALATION_LEVELS[level - 1] if 0 < level <= len(ESCALATION_LEVELS) else None
        name = f"{level} {spec.name}" if spec is not None else str(level)
        causes = summary.escalations.get(level, Counter())
        table.add_row(
            name,
            ", ".join(spec.notify) if spec is not None else "",
            str(summary.escalation_levels[level]),
            str(sum(causes.values())),
            ", ".join(
                f"{k} {v}" for k, v in sorted(causes.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        )
    return table


def _crisis_table(summary: DemoSummary, top: int = 12) -> Table:
    steps = {level.step: level.name for level in CRISIS_STEPS}
    table = Table(
        title="Serious complaints: early warnings and CC Cards",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    # fold, not truncate: the id is what one looks the complaint up by
    for column in ("complaint", "received", "channel", "code", "step", "rules", "CC Card", "stage"):
        table.add_column(column, overflow="fold")
    for case in summary.crisis[:top]:
        table.add_row(
            case.id,
            f"{case.received_at.astimezone(ZoneInfo(TIMEZONE)):%m-%d %H:%M}",
            case.channel,
            case.code,
            f"{case.step} {steps.get(case.step, '')}".strip(),
            ", ".join(case.rules),
            case.cc_card,
            case.stage,
        )
    if len(summary.crisis) > top:
        table.caption = f"... and {len(summary.crisis) - top} more (step 1 watch cases last)"
    return table


def _repeat_table(summary: DemoSummary) -> Table:
    table = Table(
        title="Repeats and code spikes (VOC pop-ups)", title_justify="left", box=box.SIMPLE_HEAD
    )
    table.add_column("pattern")
    table.add_column("code")
    table.add_column("pop-ups", justify="right")
    for (pattern, code), count in sorted(
        summary.repeats.items(), key=lambda kv: (kv[0][0] != "code_spike", -kv[1], kv[0])
    ):
        table.add_row(pattern.replace("_", " "), code, str(count))
    return table


def print_summary(console: Console, result: DemoRun) -> None:
    """Print the month's summary: what happened, by stage, by channel, top VOC codes, SLA
    status, escalations, serious complaints and repeats."""
    stats, summary = result.stats, result.summary
    console.print()
    console.print(
        f"[bold]{stats.contacts}[/] contacts ({stats.featured} featured) with "
        f"[bold]{stats.concerns}[/] concerns, "
        f"{stats.commands} commands; {stats.transferred} transferred, {stats.reopened} reopened "
        f"after an unhappy happy call, {stats.escalated_for_authority} escalated for authority, "
        f"{stats.supervisor_requests} asked for a supervisor, "
        f"{stats.withdrawn} withdrawn, {stats.rejected} rejected as duplicates."
    )
    if stats.refused:
        refused = ", ".join(f"{k} x{v}" for k, v in stats.refused.most_common())
        console.print(f"Commands refused by the workflow's guards (nothing stored): {refused}")
    console.print(_table("By stage", summary.by_stage, "stage"))
    console.print(_table("By channel (complaints)", summary.by_channel, "channel"))
    console.print(_table("Top VOC codes (concerns)", summary.codes, "code", top=10))
    console.print(_sla_table(summary))
    console.print(_escalation_table(summary))
    console.print(_crisis_table(summary))
    console.print(_repeat_table(summary))
    for spike in summary.spikes:
        console.print(f"  code spike {spike}")
    console.print(
        f"The last sweep ran twice at {summary.now:%Y-%m-%d %H:%M:%S}; the second recorded "
        f"{stats.resweep_events} events."
    )


def _balances(summary: ScoringSummary, top: int = 3) -> Table:
    points = cs_points(summary.ledger, summary.now, summary.now, shown=top)  # as the report
    table = Table(title="CS points: top and bottom balances", title_justify="left")
    for column in ("agent", "points", "standing", "why (entries by rule)"):
        table.add_column(column, justify="right" if column == "points" else "left")
    for row in (*points.top, *points.bottom):
        label = ", ".join(filter(None, [row.tier, *row.consequences])) or "-"
        why = ", ".join(f"{r.rule} {r.points:+d}" for r in row.by_rule)
        table.add_row(row.agent, f"{row.balance:+d}", label, why)
    return table


def _tasks(summary: ScoringSummary) -> Table:
    table = Table(title="Responsibility-improvement tasks", title_justify="left")
    for column in ("task", "source", "codes", "owner", "due", "stage", "effect"):
        table.add_column(column)
    for task in summary.board:
        overdue = " (overdue)" if task.overdue(summary.now) else ""
        table.add_row(
            task.id,
            task.source,
            ", ".join(task.codes),
            f"{task.department}{' / ' + task.executive if task.executive else ''}",
            f"{task.due_at:%m-%d}",
            task.stage + overdue,
            ""
            if task.effect is None
            else f"{task.effect.count_before}->{task.effect.count_after}"
            f" p={task.effect.p_value:.3f}",
        )
    return table


def print_scoring(console: Console, summary: ScoringSummary) -> None:
    """Print the CS-points section (:func:`ccms.demo.scoring_summary`): balances with their
    explanation, tasks, and one verified task."""
    ledger = summary.ledger
    console.print(
        f"CS points: {len(ledger)} ledger entries under rule set {DEFAULT_RULES.version} "
        "(a projection of the event log, checkpointed in the store)."
    )
    console.print(_balances(summary))
    balances = ledger.balances(now=summary.now)
    if balances:
        bottom = list(balances)[-1]
        explanation = str(ledger.explain(bottom, now=summary.now)).splitlines()
        console.print("Why " + explanation[0])
        for line in explanation[1:6]:
            console.print(line, markup=False)
        if len(explanation) > 6:
            console.print(f"  ... and {len(explanation) - 6} more entries")
    console.print(_tasks(summary))
    open_tasks = summary.board.open_tasks()
    overdue = summary.board.overdue(summary.now)
    console.print(f"{len(open_tasks)} improvement tasks open, {len(overdue)} overdue.")
    if summary.verified is not None and summary.verified.effect is not None:
        console.print(f"{summary.verified.id} verified by its effect: {summary.verified.effect}")


def write_demo_report(console: Console, desk: Desk, db: Path) -> list[Path]:
    """Write the month's information-sharing report (Markdown and HTML with charts; the
    improvement tasks, ideas, institutional items and CS points read back from the store) next
    to the database, as ``<db stem>-report.md`` / ``.html``, and print where it went."""
    inputs = demo_records(desk, read_only=True).report_inputs()
    report = report_from_store(desk.store, period="month", zone=TIMEZONE, **inputs)
    paths = write_report(report, db.with_name(f"{db.stem}-report"), ["md", "html"])
    for path in paths:
        console.print(f"{report.title}: [bold]{path}[/]")
    return paths
