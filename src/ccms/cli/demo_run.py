"""Wiring and summary of ``ccms demo``: the Desk on SQLite with the demo company's policies."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from ccms.cli.scenario import TIMEZONE, demo_organization, demo_taxonomy
from ccms.cli.simulate import SimulationStats
from ccms.desk import Desk, ManualClock
from ccms.policy.routing import by_taxonomy_defaults, fixed, language_match, least_loaded, sticky
from ccms.store import SQLiteStore

__all__ = ["build_desk", "summarize"]


def build_desk(db: Path, *, year: int, month: int) -> tuple[Desk, ManualClock]:
    """The demo Desk: SQLite at ``db``, the demo organization, taxonomy and policies."""
    clock = ManualClock(datetime(year, month, 1, tzinfo=ZoneInfo(TIMEZONE)))
    desk = Desk(
        SQLiteStore(db),
        organization=demo_organization(),
        taxonomy=demo_taxonomy(),
        clock=clock,
        department_router=by_taxonomy_defaults() | fixed("cs"),
        handler_router=sticky() | least_loaded(filters=[language_match()]) | least_loaded(),
    )
    return desk, clock


def _table(title: str, counts: Counter[str], label: str, top: int | None = None) -> Table:
    table = Table(title=title, title_justify="left", min_width=36)
    table.add_column(label)
    table.add_column("complaints", justify="right")
    for key, count in counts.most_common(top):
        table.add_row(key, str(count))
    return table


def summarize(console: Console, desk: Desk, stats: SimulationStats, db: Path) -> None:
    """Print the month's summary: by stage, by channel, top VOC codes, and what happened."""
    complaints = desk.store.query()
    by_stage = Counter(c.stage for c in complaints)
    by_channel = Counter(c.channel.value for c in complaints)
    taxonomy = desk.taxonomy
    codes: Counter[str] = Counter()
    for c in complaints:
        for concern in c.concerns:
            if concern.code is None:
                continue
            name = ""
            if taxonomy is not None:
                name = " " + taxonomy.get(concern.code).name_as_of(c.received_at.date())
            codes[f"{concern.code}{name}"] += 1
    console.print()
    console.print(
        f"[bold]{stats.contacts}[/] contacts with [bold]{stats.concerns}[/] concerns, "
        f"{stats.commands} commands; {stats.transferred} transferred, {stats.reopened} reopened "
        f"after an unhappy happy call, {stats.escalated_for_authority} escalated for authority, "
        f"{stats.withdrawn} withdrawn, {stats.rejected} rejected as duplicates."
    )
    if stats.refused:
        refused = ", ".join(f"{k} x{v}" for k, v in stats.refused.most_common())
        console.print(f"Commands refused by the workflow's guards (nothing stored): {refused}")
    console.print(_table("By stage", by_stage, "stage"))
    console.print(_table("By channel", by_channel, "channel"))
    console.print(_table("Top VOC codes (concerns)", codes, "code", top=10))
    from ccms.cli.demo_scoring import print_scoring  # CS points and improvement tasks

    print_scoring(console, desk)
    console.print(f"Stored in [bold]{db}[/] (SQLite).")
    write_demo_report(console, desk, db)


def write_demo_report(console: Console, desk: Desk, db: Path) -> list[Path]:
    """Write the month's information-sharing report (Markdown and HTML with charts) next to
    the database, as ``<db stem>-report.md`` / ``.html``, and print where it went."""
    from ccms.report import report_from_store, write_report

    report = report_from_store(desk.store, period="month", zone=TIMEZONE)
    paths = write_report(report, db.with_name(f"{db.stem}-report"), ["md", "html"])
    for path in paths:
        console.print(f"{report.title}: [bold]{path}[/]")
    return paths
