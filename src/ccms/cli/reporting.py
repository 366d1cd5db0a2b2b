"""``ccms report``: the periodic report of a store, opened read-only.

The store is opened with ``SQLiteStore(path, read_only=True)``: SQLite itself refuses every write,
and a file that is not a ccms store is refused with one line (nothing is written to it, no
journal mode is switched). What imports remembered in the store (:func:`ccms.interop.store_settings`)
sets the defaults: its time zone, the long names of its codes, the source fields to count by.
``--taxonomy FILE`` names the codes from the host's taxonomy instead (as of the report's cut-off).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ccms.cli._console import make_console
from ccms.cli._options import one_of

__all__ = ["DEFAULT_ZONE", "ReportFormat", "ReportLanguage", "report"]

console = make_console()

#: The zone of a store that remembers none (the demo company's).
DEFAULT_ZONE = "Asia/Seoul"


class ReportLanguage(StrEnum):
    """Languages a report is written in (``--lang``)."""

    en = "en"
    ko = "ko"


class ReportFormat(StrEnum):
    """Report file formats (``both`` = md and html, ``all`` adds json)."""

    md = "md"
    html = "html"
    json = "json"
    both = "both"
    all = "all"


def report(
    db: Annotated[
        Path, typer.Option("--db", help="SQLite complaint store to read (default: the demo's).")
    ] = Path("ccms-demo.db"),
    period: Annotated[
        str,
        typer.Option(
            help="week, month or quarter (the one holding --as-of, else the latest complaint), "
            "a period (2026-10, 2026-Q4, 2026-W40), or all (first to last complaint)."
        ),
    ] = "month",
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Report moment: a date (end of that day) or ISO datetime."),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Folder to write into; '-' prints one format (-f) to stdout."
        ),
    ] = Path("."),
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="md, html, json, both (md+html), all.",
            callback=one_of(ReportFormat),
        ),
    ] = ReportFormat.both.value,
    zone: Annotated[
        str | None,
        typer.Option(
            help="Time zone of dates and periods (default: the store's, from its imports; "
            f"else {DEFAULT_ZONE})."
        ),
    ] = None,
    fair_by: Annotated[
        list[str] | None,
        typer.Option(
            "--fair-by",
            metavar="FIELD",
            help="A field to compare fairness groups by (repeatable): a case-record field "
            "(channel, segment, region, handler, ...) or an imported one (state, company, ...). "
            "Default: channel and segment.",
        ),
    ] = None,
    min_n: Annotated[
        int, typer.Option("--min-n", min=1, help="Smallest group a fairness verdict is given for.")
    ] = 30,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="Language of the report: en or ko (Korean labels, sentences and charts).",
            callback=one_of(ReportLanguage),
        ),
    ] = ReportLanguage.en.value,
    taxonomy: Annotated[
        Path | None,
        typer.Option(
            "--taxonomy",
            metavar="FILE",
            help="The host's taxonomy (TOML, YAML or JSON): its code names beside the codes, "
            "as they were at the report's cut-off.",
        ),
    ] = None,
) -> None:
    """Write the periodic information-sharing report (Markdown, HTML with charts, JSON)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from ccms.desk import ExecutionRecords
    from ccms.errors import CCMSError
    from ccms.interop import store_settings
    from ccms.model import Taxonomy
    from ccms.report import ReportSourceNotFound, parse_as_of, report_from_store, write_report
    from ccms.store import SQLiteStore

    formats = {"both": ["md", "html"], "all": ["md", "html", "json"]}.get(format, [format])
    to_stdout = str(out) == "-"
    if to_stdout and len(formats) != 1:
        raise typer.BadParameter("-o - prints one format: pick it with -f md, html or json")
    try:
        tax = Taxonomy.from_file(taxonomy) if taxonomy is not None else None
        if not db.is_file():
            raise ReportSourceNotFound(db)
        with SQLiteStore(db, read_only=True) as store:
            settings = store_settings(store)
            name = zone or settings.zone or DEFAULT_ZONE
            try:
                tz = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise typer.BadParameter(f"unknown time zone {name!r}; e.g. Asia/Seoul") from None
            moment = parse_as_of(as_of, tz) if as_of is not None else None
            # improvement tasks, ideas, institutional items and CS points, as stored
            inputs = ExecutionRecords(store, read_only=True).report_inputs()
            if fair_by:
                inputs["fairness_by"] = tuple(fair_by)
            built = report_from_store(
                store,
                period=period,
                as_of=moment,
                zone=tz,
                min_n=min_n,
                language=lang,
                code_names=settings.code_names,
                taxonomy=tax,
                breakdowns=settings.fields,
                **inputs,
            )
        if to_stdout:
            from ccms.report import render_html, render_json, render_markdown

            render = {"md": render_markdown, "html": render_html, "json": render_json}
            typer.echo(render[formats[0]](built))
            return
        written = write_report(
            built, out / f"ccms-report-{_file_label(built.period.label)}", formats
        )
    except CCMSError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    console.print(f"[bold]{built.title}[/] ({built.period.label}, {db})")
    for line in built.highlights():
        console.print(f"  • {line}", highlight=False)
    for path in written:
        console.print(f"wrote [bold]{path}[/] ({path.stat().st_size:,} bytes)")


def _file_label(label: str) -> str:
    """A period label fit for a file name (``2024-03-04 to 2024-12-20`` -> ``2024-03-04_2024-12-20``)."""
    return label.replace(" to ", "_").replace(" ", "_")
