"""``ccms demo``: the summary printed has every section and the featured cases, the same seed
prints the same month, and the command checks its period."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from ccms.cli import app
from ccms.cli.demo_output import run_demo
from ccms.demo import DemoRun

CONTACTS = 12
SEED = 11


def _run(folder: Path) -> tuple[DemoRun, str]:
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None, record=False)
    result = run_demo(
        console,
        folder / "demo.db",
        year=2026,
        month=10,
        seed=SEED,
        contacts=CONTACTS,
        progress=False,
    )
    return result, out.getvalue().replace(str(folder), "<dir>")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoRun, str]]:
    result, text = _run(tmp_path_factory.mktemp("first"))
    yield result, text
    result.desk.store.close()


def test_the_summary_has_every_section(demo: tuple[DemoRun, str]) -> None:
    _, text = demo
    for section in (
        "By stage",
        "SLA status at 2026-10-31 23:59",
        "first response",
        "resolution",
        "timely (CFPB, 15 days)",
        "Escalations by level",
        "Serious complaints: early warnings and CC Cards",
        "Repeats and code spikes",
        "the second recorded 0 events",
        "CS points: top and bottom balances",
        "Responsibility-improvement tasks",
        "Stored in <dir>/demo.db (SQLite).",
        "Monthly VOC report 2026-10: <dir>/demo-report.md",
    ):
        assert section in text, section


def test_the_burn_injury_heads_the_serious_complaints(demo: tuple[DemoRun, str]) -> None:
    result, text = demo
    (cid,) = result.stats.featured_ids["burn injury"]
    lines = text[text.index("Serious complaints") :].splitlines()
    header = next(
        i for i, line in enumerate(lines) if line.split()[:2] == ["complaint", "received"]
    )
    first_row = lines[header + 2].split()  # under the header's rule
    assert first_row[:1] == [cid]
    assert {"PRD.SAF", "crisis", "injury_or_fire", "open"} <= set(first_row)
    assert first_row[first_row.index("crisis") - 1] == "3"


def test_the_report_is_written_next_to_the_database(demo: tuple[DemoRun, str]) -> None:
    result, _ = demo
    db = Path(result.desk.store.path)  # type: ignore[attr-defined]
    assert (db.parent / "demo-report.md").is_file()
    assert (db.parent / "demo-report.html").is_file()


def test_the_same_seed_prints_the_same_summary(demo: tuple[DemoRun, str], tmp_path: Path) -> None:
    _, text = demo
    second, again = _run(tmp_path)
    try:
        assert again == text
    finally:
        second.desk.store.close()


def test_the_cli_runs_the_demo(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    outcome = CliRunner().invoke(
        app, ["demo", "--db", str(db), "--contacts", "3", "--seed", "2", "--period", "2026-02"]
    )
    assert outcome.exit_code == 0, outcome.output
    assert db.is_file()
    assert "Serious complaints" in outcome.output
    bad = CliRunner().invoke(app, ["demo", "--db", str(db), "--period", "2026-13"])
    assert bad.exit_code != 0
