"""``ccms import cfpb`` and ``ccms import csv``: past complaints from an export into a store."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from ccms.cli._console import make_console

if TYPE_CHECKING:
    from ccms.interop import ImportIssue, ImportReport
    from ccms.store import ComplaintStore

    OnIssue = Callable[[ImportIssue], None] | None
    Importer = Callable[[ComplaintStore, datetime, OnIssue], ImportReport]

__all__ = ["import_app"]

import_app = typer.Typer(
    name="import",
    help="Import past complaints (a CFPB export, any CSV by a mapping) into an SQLite store.",
    no_args_is_help=True,
    add_completion=False,
)
console = make_console()

_FILE = typer.Argument(exists=True, dir_okay=False, readable=True, help="The CSV export.")
_DB = typer.Option("--db", help="SQLite complaint store to import into (created if missing).")
_REJECTS = typer.Option(
    "--rejects", help="Write the rows not imported (line, source id, kind, reason) to this CSV."
)
_AS_OF = typer.Option(
    "--as-of",
    help="The import's moment (ISO datetime with offset, or a date: the end of that day, UTC); "
    "nothing later is imported. Default: now.",
)


def _as_of(text: str | None) -> datetime:
    from ccms.report import parse_as_of

    if text is None:
        return datetime.now(UTC).replace(microsecond=0)
    return parse_as_of(text, ZoneInfo("UTC"))


#: Rows between two progress lines.
PROGRESS_EVERY = 100_000


def _progress(report: ImportReport) -> None:
    console.print(f"  ... {report.rows_read:,} rows", style="dim", highlight=False)


def _run(db: Path, rejects: Path | None, as_of: str | None, importer: Importer) -> None:
    from ccms.errors import CCMSError
    from ccms.interop import write_issues
    from ccms.store import SQLiteStore

    try:
        moment = _as_of(as_of)
        began = time.perf_counter()
        with write_issues(rejects) as on_issue, SQLiteStore(db) as store:
            report = importer(store, moment, on_issue)
        seconds = time.perf_counter() - began
    except CCMSError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(f"[bold]imported into {db}[/] as of {moment.isoformat()} (run {report.run})")
    for line in report.lines():
        console.print(f"  {line}", highlight=False)
    rate = report.rows_read / seconds if seconds > 0 else 0.0
    console.print(f"  {seconds:,.1f} s, {rate:,.0f} rows/s", highlight=False)
    if not report.adds_up:  # pragma: no cover - import_history counts every row once
        console.print("[bold red]the counts do not add up to the rows read[/]")
        raise typer.Exit(1)
    if rejects is not None:
        console.print(f"wrote the rows not imported to [bold]{rejects}[/]")


@import_app.command("cfpb")
def cfpb(
    file: Annotated[Path, _FILE],
    db: Annotated[Path, _DB],
    rejects: Annotated[Path | None, _REJECTS] = None,
    as_of: Annotated[str | None, _AS_OF] = None,
    zone: Annotated[
        str, typer.Option(help="Time zone the export's dates are read in.")
    ] = "America/New_York",
) -> None:
    """Import a CFPB Consumer Complaint Database export (CSV).

    Prints rows read, imported, rejected and duplicates (they add up to the rows read).
    Re-running adds nothing: complaint ids are cfpb-<Complaint ID>.
    """
    from ccms.interop.cfpb import import_cfpb

    def importer(store: ComplaintStore, moment: datetime, on_issue: OnIssue) -> ImportReport:
        return import_cfpb(
            store,
            file,
            as_of=moment,
            zone_name=zone,
            on_issue=on_issue,
            progress=_progress,
            batch=PROGRESS_EVERY,
        )

    _run(db, rejects, as_of, importer)


@import_app.command("csv")
def csv_export(
    file: Annotated[Path, _FILE],
    mapping: Annotated[
        Path,
        typer.Option(
            "--mapping", exists=True, dir_okay=False, help="The mapping file (YAML, TOML, JSON)."
        ),
    ],
    db: Annotated[Path, _DB],
    rejects: Annotated[Path | None, _REJECTS] = None,
    as_of: Annotated[str | None, _AS_OF] = None,
) -> None:
    """Import any CSV export (a 311 system, a helpdesk) by a mapping file.

    The mapping names the columns (id, created/due/closed timestamps with format and zone,
    status, type, agency, method), the status values meaning closed or duplicate, and the
    type -> code, agency -> department and method -> channel tables; see docs/import.md.
    """
    from ccms.interop.mapped import import_csv

    def importer(store: ComplaintStore, moment: datetime, on_issue: OnIssue) -> ImportReport:
        return import_csv(
            store,
            file,
            mapping,
            as_of=moment,
            on_issue=on_issue,
            progress=_progress,
            batch=PROGRESS_EVERY,
        )

    _run(db, rejects, as_of, importer)
