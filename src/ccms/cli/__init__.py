"""The ``ccms`` command: ``demo``, ``report``, ``import``, ``db``, ``workflow`` and ``schema``."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ccms.cli._console import make_console
from ccms.cli._options import one_of
from ccms.cli.classify import classify_app
from ccms.cli.database import db_app
from ccms.cli.importing import import_app
from ccms.cli.reporting import report

__all__ = ["app", "main"]

app = typer.Typer(
    name="ccms",
    help="ccms: the domain core of a consumer-complaint management system (CCMS / VOC).",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from ccms import __version__

        typer.echo(f"ccms {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """ccms: the domain core of a consumer-complaint management system (CCMS / VOC)."""


app.add_typer(import_app, name="import")
app.add_typer(db_app, name="db")
app.add_typer(classify_app, name="classify")
app.command()(report)
console = make_console()


class DiagramFormat(StrEnum):
    """Diagram text formats."""

    mermaid = "mermaid"
    dot = "dot"


@app.command()
def workflow(
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Diagram text format: mermaid or dot.",
            callback=one_of(DiagramFormat),
        ),
    ] = DiagramFormat.mermaid.value,
    definition: Annotated[
        Path | None,
        typer.Option("--definition", help="A workflow definition file (TOML/YAML/JSON)."),
    ] = None,
) -> None:
    """Print the workflow diagram (the default VOC process, or a definition file)."""
    from ccms.workflow import Workflow, WorkflowDefinition, default_workflow

    wf = Workflow(WorkflowDefinition.from_file(definition)) if definition else default_workflow()
    typer.echo(wf.diagram("dot" if format == DiagramFormat.dot else "mermaid"))


@app.command()
def schema(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Folder to write the schemas into; '-' prints them as one JSON object.",
        ),
    ] = Path("schema"),
) -> None:
    """Write the JSON Schema of every boundary model (entities, events, commands)."""
    from ccms.workflow.schemas import boundary_models

    if str(out) == "-":
        schemas = {name: model.model_json_schema() for name, model in boundary_models().items()}
        typer.echo(json.dumps(schemas, indent=2, ensure_ascii=False))
        return
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
    contacts: Annotated[
        int,
        typer.Option(
            min=1,
            max=100_000,
            help="Everyday contacts to simulate; the featured cases (early warnings, repeats, "
            "a code spike) come on top, and the summary counts both.",
        ),
    ] = 600,
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


def main() -> None:
    """Entry point of the ``ccms`` script."""
    app()
