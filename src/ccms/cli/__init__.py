"""The ``ccms`` command: ``demo``, ``report``, ``import``, ``workflow`` and ``schema``."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ccms.cli.importing import import_app

__all__ = ["app", "main"]

app = typer.Typer(
    name="ccms",
    help="ccms: the domain core of a consumer-complaint management system (CCMS / VOC).",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(import_app, name="import")
console = Console()


class DiagramFormat(StrEnum):
    """Diagram text formats."""

    mermaid = "mermaid"
    dot = "dot"


@app.command()
def workflow(
    format: Annotated[
        DiagramFormat, typer.Option("--format", "-f", help="Diagram text format.")
    ] = DiagramFormat.mermaid,
    definition: Annotated[
        Path | None,
        typer.Option("--definition", help="A workflow definition file (TOML/YAML/JSON)."),
    ] = None,
) -> None:
    """Print the workflow diagram (the default VOC process, or a definition file)."""
    from ccms.workflow import Workflow, WorkflowDefinition, default_workflow

    wf = Workflow(WorkflowDefinition.from_file(definition)) if definition else default_workflow()
    typer.echo(wf.diagram(format.value))


@app.command()
def schema(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write the schemas into.")
    ] = Path("schema"),
) -> None:
    """Write the JSON Schema of every boundary model (entities, events, commands)."""
    from ccms.workflow.schemas import boundary_models

    out.mkdir(parents=True, exist_ok=True)
    for name, model in boundary_models().items():
        (out / f"{name}.json").write_text(
            json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    console.print(f"wrote {len(boundary_models())} schemas to {out}/")


@app.command()
def demo(
    db: Annotated[
        Path, typer.Option("--db", help="SQLite file to write (replaced if it exists).")
    ] = Path("ccms-demo.db"),
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same month.")] = 7,
    contacts: Annotated[int, typer.Option(min=1, max=100_000, help="Contacts to simulate.")] = 600,
    period: Annotated[str, typer.Option(help="The month to simulate, YYYY-MM.")] = "2026-10",
) -> None:
    """Simulate a month at a Korean home-shopping company and print a summary.

    Seoul business hours and Korean public holidays, SLA clocks, escalations, early warnings
    with CC Cards, repeats and code spikes; the summary shows each of them.
    """
    from ccms.cli.demo_output import run_demo

    try:
        year, month = (int(x) for x in period.split("-"))
        date(year, month, 1)
    except ValueError:
        raise typer.BadParameter(f"period must be YYYY-MM, got {period!r}") from None
    result = run_demo(console, db, year=year, month=month, seed=seed, contacts=contacts)
    result.desk.store.close()


class ReportFormat(StrEnum):
    """Report file formats (``both`` = md and html, ``all`` adds json)."""

    md = "md"
    html = "html"
    json = "json"
    both = "both"
    all = "all"


@app.command()
def report(
    db: Annotated[
        Path, typer.Option("--db", help="SQLite complaint store to read (default: the demo's).")
    ] = Path("ccms-demo.db"),
    period: Annotated[
        str,
        typer.Option(
            help="week, month or quarter (the one holding --as-of, else the latest complaint), "
            "or a period: 2026-10, 2026-Q4, 2026-W40."
        ),
    ] = "month",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Report moment: a date (end of that day) or ISO datetime."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write into.")] = Path("."),
    format: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="md, html, json, both (md+html), all.")
    ] = ReportFormat.both,
    zone: Annotated[str, typer.Option(help="Time zone of dates and periods.")] = "Asia/Seoul",
    min_n: Annotated[
        int, typer.Option("--min-n", min=1, help="Smallest group a fairness verdict is given for.")
    ] = 30,
) -> None:
    """Write the periodic information-sharing report (Markdown, HTML with charts, JSON)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ccms.desk import ExecutionRecords
    from ccms.errors import CCMSError
    from ccms.report import ReportSourceNotFound, parse_as_of, report_from_store, write_report
    from ccms.store import SQLiteStore

    formats = {"both": ["md", "html"], "all": ["md", "html", "json"]}.get(
        format.value, [format.value]
    )
    try:
        if not db.is_file():
            raise ReportSourceNotFound(db)
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise typer.BadParameter(f"unknown time zone {zone!r}; e.g. Asia/Seoul") from None
        moment = parse_as_of(as_of, tz) if as_of is not None else None
        with SQLiteStore(db) as store:
            # improvement tasks, ideas, institutional items and CS points, as stored
            inputs = ExecutionRecords(store, read_only=True).report_inputs()
            built = report_from_store(
                store, period=period, as_of=moment, zone=tz, min_n=min_n, **inputs
            )
        written = write_report(built, out / f"ccms-report-{built.period.label}", formats)
    except CCMSError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    console.print(f"[bold]{built.title}[/] ({built.period.label}, {db})")
    for line in built.highlights():
        console.print(f"  • {line}", highlight=False)
    for path in written:
        console.print(f"wrote [bold]{path}[/] ({path.stat().st_size:,} bytes)")


def main() -> None:
    """Entry point of the ``ccms`` script."""
    app()
