"""``ccms.demo`` as a package: :func:`~ccms.demo.run` computes without printing, its figures are
what the store holds, the same seed gives the same run, and ``ccms demo`` prints those figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ccms.demo
from ccms.cli import app
from ccms.demo import DemoRun, build_desk, collect, featured_contacts, run, scoring_summary
from ccms.store import SQLiteStore

YEAR, MONTH = 2026, 2
CONTACTS = 5


def _run(db: Path, seed: int = 3) -> DemoRun:
    return run(db, year=YEAR, month=MONTH, seed=seed, contacts=CONTACTS)


def test_run_returns_the_figures_the_store_holds(tmp_path: Path) -> None:
    db = tmp_path / "month.db"
    result = _run(db)
    result.desk.store.close()
    with SQLiteStore(db) as store:
        assert len(store) == CONTACTS + featured_contacts() == result.stats.contacts
    # A Desk over the same file (not replaced: build_desk indexes what it holds) reads back the
    # same summary and replays the same CS-point ledger.
    desk, _ = build_desk(db, year=YEAR, month=MONTH)
    try:
        summary = result.summary
        assert collect(desk, summary.now) == summary
        assert sum(summary.by_stage.values()) == len(desk.store)
        complaints = [c for c in desk.store.query() if c.kind == "complaint"]
        assert sum(summary.by_channel.values()) == len(complaints)  # as the report counts
        assert 0 < sum(summary.codes.values()) <= result.stats.concerns
        assert summary.now == result.clock.now()
        again = scoring_summary(desk, result.scoring.now)
        assert again.ledger.entries == result.scoring.ledger.entries
        assert [t.id for t in again.board] == [t.id for t in result.scoring.board]
    finally:
        desk.store.close()


def test_the_same_seed_gives_the_same_run_and_another_seed_another(tmp_path: Path) -> None:
    runs = [_run(tmp_path / f"{i}.db", seed) for i, seed in enumerate((3, 3, 4))]
    try:
        first, same, other = runs
        assert same.stats == first.stats
        assert same.summary == first.summary
        assert same.scoring.ledger.entries == first.scoring.ledger.entries
        assert other.stats.ids != first.stats.ids
        assert other.summary != first.summary
    finally:
        for result in runs:
            result.desk.store.close()


def test_run_prints_nothing_and_reports_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    steps: list[int] = []
    result = run(
        tmp_path / "quiet.db",
        year=YEAR,
        month=MONTH,
        seed=3,
        contacts=CONTACTS,
        progress=steps.append,
    )
    result.desk.store.close()
    assert sum(steps) == CONTACTS + featured_contacts()
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_run_replaces_an_existing_database(tmp_path: Path) -> None:
    db = tmp_path / "twice.db"
    for _ in range(2):
        result = _run(db)
        result.desk.store.close()
    with SQLiteStore(db) as store:
        assert len(store) == CONTACTS + featured_contacts()


def test_the_cli_prints_the_figures_of_the_summary(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    outcome = CliRunner().invoke(
        app,
        [
            "demo",
            "--db",
            str(db),
            "--seed",
            "3",
            "--contacts",
            str(CONTACTS),
            "--period",
            "2026-02",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    printed = " ".join(outcome.output.split())  # rich wraps long lines at the terminal's width
    result = _run(tmp_path / "library.db")
    result.desk.store.close()
    stats, summary = result.stats, result.summary
    assert (
        f"{stats.contacts} contacts ({stats.featured} featured) with {stats.concerns} concerns, "
        f"{stats.commands} commands; {stats.transferred} transferred, {stats.reopened} reopened"
    ) in printed
    for counts in (summary.by_stage, summary.by_channel):
        for key, count in counts.items():
            assert f"│ {key} │ {count} │" in printed, (key, count)
    assert f"SLA status at {summary.now:%Y-%m-%d %H:%M}" in printed
    assert f"the second recorded {stats.resweep_events} events" in printed
    assert f"CS points: {len(result.scoring.ledger)} ledger entries" in printed
    assert f"Stored in {db} (SQLite)." in printed
    assert (tmp_path / "cli-report.md").is_file()


def test_the_public_names_resolve_and_the_package_prints_nothing() -> None:
    assert len(set(ccms.demo.__all__)) == len(ccms.demo.__all__)
    for name in ccms.demo.__all__:
        assert getattr(ccms.demo, name) is not None, name
    # The demo computes; only the CLI prints: importing it pulls in no console library.
    code = (
        "import sys, ccms.demo; "
        "print(sorted(m for m in ('rich', 'typer', 'ccms.cli') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
