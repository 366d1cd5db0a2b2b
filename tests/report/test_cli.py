"""``ccms report`` over a small SQLite store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccms.cli import app
from ccms.model import Concern, fold
from ccms.store import SQLiteStore
from ccms.testing.store_contract import received_event

runner = CliRunner()
KST = timezone(timedelta(hours=9))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four complaints in September and October 2026 (Seoul time), one with two concerns."""
    path = tmp_path_factory.mktemp("store") / "small.db"
    received = [
        ("c1", datetime(2026, 9, 20, 10, tzinfo=KST), ("DLV.LATE",)),
        ("c2", datetime(2026, 10, 1, 1, tzinfo=KST), ("DLV.LATE",)),  # Sep 30 16:00 UTC
        ("c3", datetime(2026, 10, 14, 15, tzinfo=KST), ("PAY.REFUND", "SVC.ATT")),
        ("c4", datetime(2026, 10, 30, 9, tzinfo=KST), ("DLV.LATE",)),
    ]
    with SQLiteStore(path) as store:
        for cid, at, codes in received:
            concerns = [Concern(kind="complaint", code=c, text="text") for c in codes]
            e = received_event(cid, at, concerns=concerns)
            store.append(fold([e]), [e], expected_version=0)
    return path


def test_report_writes_md_and_html_of_the_latest_month(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    md = tmp_path / "ccms-report-2026-10.md"
    html = tmp_path / "ccms-report-2026-10.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == [html.name, md.name]
    assert "Monthly VOC report 2026-10" in result.output
    assert "3 complaints received in 2026-10 (+200% on 2026-09)." in result.output
    assert str(md) in result.output.replace("\n", "")
    text = md.read_text(encoding="utf-8")
    assert "| DLV.LATE | 2 | 50.0% | 50.0% | 1 | +1 |" in text  # Seoul zone by default
    assert html.read_text(encoding="utf-8").count("data:image/svg+xml") == 4


def test_period_label_as_of_zone_and_json(db: Path, tmp_path: Path) -> None:
    args = ["report", "--db", str(db), "--out", str(tmp_path), "--format", "json",
            "--period", "week", "--as-of", "2026-10-14", "--zone", "UTC"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "ccms-report-2026-W42.json").read_text(encoding="utf-8"))
    # Week 42 runs Oct 12-18; as of the end of Oct 14 (UTC): c3 was received 06:00 UTC.
    assert (doc["period"]["label"], doc["as_of"]) == ("2026-W42", "2026-10-15T00:00:00+00:00")
    assert doc["volume"]["covered"] == 1
    quarter = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path),
                                  "--period", "2026-Q3", "--format", "md", "--zone", "UTC"])  # fmt: skip
    assert quarter.exit_code == 0, quarter.output
    # In UTC, c2 (Oct 1 01:00 in Seoul) falls in September, so in Q3.
    assert "2 complaints received in 2026-Q3" in (tmp_path / "ccms-report-2026-Q3.md").read_text(
        encoding="utf-8"
    )


def test_missing_store_is_a_clear_error_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = runner.invoke(app, ["report", "--db", str(missing), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "error: no complaint store at" in " ".join(result.output.split())
    assert "give --db PATH of an SQLite file written by ccms" in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "cannot read report period '2026-13'"),
        (["--as-of", "yesterday"], "cannot read as-of 'yesterday'"),
        (["--period", "2026-10", "--as-of", "2026-09-01"], "is before the report period"),
    ],
)
def test_bad_arguments_exit_2(db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_empty_store_needs_a_period(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    SQLiteStore(empty).close()
    result = runner.invoke(app, ["report", "--db", str(empty), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "the store holds no complaints" in result.output
    ok = runner.invoke(app, ["report", "--db", str(empty), "--out", str(tmp_path),
                             "--period", "2026-10", "--format", "md"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "ccms-report-2026-10.md").exists()
