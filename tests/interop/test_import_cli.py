"""``ccms import cfpb`` and ``ccms import csv`` on the fixture files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from interop_sample import DATA
from typer.testing import CliRunner

from ccms.cli import app
from ccms.store import SQLiteStore

runner = CliRunner()


def _flat(output: str) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(output.split())


def _count(output: str, label: str) -> int:
    found = re.search(rf"{label}:\s+([\d,]+)", output)
    assert found is not None, output
    return int(found.group(1).replace(",", ""))


def test_import_cfpb_prints_counts_that_add_up_and_writes_the_rejects(tmp_path: Path) -> None:
    db = tmp_path / "cfpb.db"
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(
        app,
        [
            "import", "cfpb", str(DATA / "cfpb_awkward.csv"), "--db", str(db),
            "--rejects", str(rejects), "--as-of", "2025-01-01",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    read, imported = _count(out, "rows read"), _count(out, "imported")
    rejected, duplicates = _count(out, "rejected"), _count(out, "duplicates")
    assert (read, imported, rejected, duplicates) == (18, 11, 4, 3)
    assert read == imported + rejected + duplicates
    assert "as of 2025-01-02T00:00:00+00:00" in out  # a date is the end of that day
    assert "warning junk_line: 2" in out
    with rejects.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["line"], r["kind"]) for r in rows] == [
        ("12", "rejected"), ("13", "duplicate"), ("14", "duplicate"), ("15", "rejected"),
        ("16", "rejected"), ("19", "duplicate"), ("24", "rejected"),
    ]  # fmt: skip
    assert rows[0]["source_id"] == "1006"
    assert "before the receipt" in rows[0]["reason"]
    with SQLiteStore(db) as store:
        assert len(store) == 11


def test_a_second_cfpb_import_adds_nothing(tmp_path: Path) -> None:
    db = tmp_path / "cfpb.db"
    args = ["import", "cfpb", str(DATA / "cfpb_old.csv"), "--db", str(db), "--as-of", "2025-01-01"]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 0
    assert _count(again.output, "imported") == 0
    assert "(0 in the input, 3 already imported)" in _flat(again.output)


def test_import_csv_by_a_mapping(tmp_path: Path) -> None:
    db = tmp_path / "311.db"
    result = runner.invoke(
        app,
        [
            "import", "csv", str(DATA / "nyc311_dst.csv"), "--mapping", str(DATA / "nyc311.yaml"),
            "--db", str(db), "--as-of", "2025-01-01T00:00:00+00:00",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _count(result.output, "rows read") == 16
    assert _count(result.output, "imported") == 12
    with SQLiteStore(db) as store:
        assert store.get("nyc311-59000002").received_at.isoformat() == "2024-03-09T23:00:00-05:00"


def test_a_bad_mapping_exits_2_with_the_key(tmp_path: Path) -> None:
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("source: nyc311\ncolumns: {created: Opened At}\n", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "import", "csv", str(DATA / "nyc311_dst.csv"), "--mapping", str(mapping),
            "--db", str(tmp_path / "x.db"),
        ],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no header found" in _flat(result.output)
    assert "'Opened At'" in _flat(result.output)


def test_a_file_that_is_not_a_cfpb_export_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("x,y\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "cfpb", str(path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "expected columns 'Date received', 'Product'" in _flat(result.output)
