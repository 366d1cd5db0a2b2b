"""After ``ccms import cfpb``, ``ccms report --format json`` gives the file's own figures exactly.

The expected figures are computed here from the CSV itself with the ``csv`` module (nothing of
ccms): the share of "Timely response? = Yes", the counts by product, by "Submitted via" and by
"Company response to consumer", and the share closed with monetary relief by state, the rows
with no state included (as ``unknown``). The rows counted are those the import took: every row
but the ones its rejects file names (rejected, or a duplicate of an earlier row).
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from interop_sample import DATA
from typer.testing import CliRunner

from ccms.cli import app

runner = CliRunner()
MONETARY = "Closed with monetary relief"


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """``(first line, row)`` of each data row; lines before the header are skipped."""
    out: list[tuple[int, dict[str, str]]] = []
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header: list[str] | None = None
        last = 0
        for fields in reader:
            first, last = last + 1, reader.line_num
            if header is None:
                if "Date received" in fields and "Product" in fields:
                    header = fields
                continue
            if not any(fields):
                continue
            padded = fields + [""] * (len(header) - len(fields))
            out.append((first, {h: v.strip() for h, v in zip(header, padded, strict=False)}))
    return out


def _value(row: dict[str, str], column: str) -> str:
    return row.get(column, "") or "unknown"


def _import_and_report(tmp_path: Path, name: str, as_of: str) -> tuple[dict[str, Any], set[int]]:
    db, rejects, out = tmp_path / "cfpb.db", tmp_path / "rejects.csv", tmp_path / "out"
    done = runner.invoke(
        app,
        ["import", "cfpb", str(DATA / name), "--db", str(db), "--rejects", str(rejects),
         "--as-of", as_of],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    shown = runner.invoke(
        app, ["report", "--db", str(db), "--period", "all", "--format", "json", "-o", str(out)]
    )
    assert shown.exit_code == 0, shown.output
    (path,) = out.glob("*.json")
    with rejects.open(newline="", encoding="utf-8") as f:
        skipped = {int(r["line"]) for r in csv.DictReader(f)}
    return json.loads(path.read_text(encoding="utf-8")), skipped


@pytest.mark.parametrize(
    ("name", "as_of"),
    [("cfpb_sample.csv", "2026-01-01"), ("cfpb_awkward.csv", "2025-01-01"),
     ("cfpb_old.csv", "2025-01-01")],
)  # fmt: skip
def test_the_report_reproduces_the_files_own_figures(tmp_path: Path, name: str, as_of: str) -> None:
    report, skipped = _import_and_report(tmp_path, name, as_of)
    rows = [row for line, row in _rows(DATA / name) if line not in skipped]
    assert rows, "the fixture has rows the import takes"
    assert report["volume"]["covered"] == len(rows)
    assert report["zone"] == "America/New_York"  # the store remembered the import's zone

    timely = Counter(row.get("Timely response?", "") for row in rows)
    h = report["handling"]
    assert h["timely_basis"] == "reported"
    assert (h["timely"]["successes"], h["timely"]["n"]) == (
        timely["Yes"], timely["Yes"] + timely["No"]
    )  # fmt: skip
    assert h["timely"]["value"] == timely["Yes"] / (timely["Yes"] + timely["No"])
    assert "Timely response?" in h["timely_definition"]

    fields = {f["field"]: f for f in report["fields"]}
    for field, column in [("product", "Product"), ("channel_raw", "Submitted via"),
                          ("outcome_raw", "Company response to consumer")]:  # fmt: skip
        expected = Counter(_value(row, column) for row in rows)
        got = {v["value"]: v["count"] for v in fields[field]["values"]}
        assert got == dict(expected), field
        assert fields[field]["label"] == column
        assert fields[field]["total"] == len(rows)

    states = Counter(_value(row, "State") for row in rows)
    relief = Counter(
        _value(row, "State") for row in rows
        if row.get("Company response to consumer") == MONETARY
    )  # fmt: skip
    got_states = {v["value"]: (v["count"], v["monetary"], v["monetary_share"])
                  for v in fields["state"]["values"]}  # fmt: skip
    assert got_states == {s: (n, relief[s], relief[s] / n) for s, n in states.items()}


def test_the_sample_has_what_the_figures_must_survive(tmp_path: Path) -> None:
    """The sample file has rows without a state, monetary relief, both timely answers, and a
    repeated row, which the import skips as a duplicate (found here by its Complaint ID)."""
    report, skipped = _import_and_report(tmp_path, "cfpb_sample.csv", "2026-01-01")
    rows = _rows(DATA / "cfpb_sample.csv")
    seen: set[str] = set()
    repeated: set[int] = set()
    for line, row in rows:
        if row["Complaint ID"] in seen:
            repeated.add(line)
        seen.add(row["Complaint ID"])
    assert repeated
    assert skipped == repeated
    values = {v["value"]: v for v in {f["field"]: f for f in report["fields"]}["state"]["values"]}
    assert values["unknown"]["count"] == sum(1 for _, r in rows if not r["State"]) - sum(
        1 for line, r in rows if line in repeated and not r["State"]
    )
    assert sum(v["monetary"] for v in values.values()) > 0
    assert 0 < report["handling"]["timely"]["successes"] < report["handling"]["timely"]["n"]
