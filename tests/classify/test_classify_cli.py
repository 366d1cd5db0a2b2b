"""``ccms classify train / evaluate / predict`` through typer's CliRunner."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from classify_kit import corpus
from typer.testing import CliRunner

from ccms.cli import app

runner = CliRunner()


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["narrative", "code"])
        writer.writerows((r.text, r.code) for r in corpus()[:300])
    return path


def test_train_then_predict(labelled: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.joblib"
    args = ["classify", "train", "--csv", str(labelled), "--text", "narrative", "--label", "code"]
    result = runner.invoke(app, [*args, "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert "trained on 300 texts" in result.output
    assert model.exists()
    out = runner.invoke(
        app, ["classify", "predict", "--model", str(model), "--json", "환불이 아직 안 됐어요"]
    )
    assert out.exit_code == 0, out.output
    line = json.loads(out.output.strip().splitlines()[0])
    assert line["code"] == "PAY.REFUND"
    assert len(line["alternatives"]) == 3


def test_evaluate_json_has_the_figures_and_the_baseline(labelled: Path) -> None:
    args = ["classify", "evaluate", "--csv", str(labelled), "--text", "narrative"]
    result = runner.invoke(
        app, [*args, "--label", "code", "--folds", "3", "--json", "--no-sklearn-baseline"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("accuracy", "macro_f1", "top3_accuracy", "baseline_accuracy"):
        assert 0 <= data[key] <= 1
    assert data["accuracy"] > data["baseline_accuracy"] + 0.3
    text = runner.invoke(app, [*args, "--label", "code", "--folds", "3", "--no-sklearn-baseline"])
    assert "majority" in text.output
    assert "accuracy" in text.output


def test_a_missing_column_and_bad_labels_are_refused(labelled: Path, tmp_path: Path) -> None:
    args = ["classify", "train", "--csv", str(labelled), "--text", "nope", "--label", "code"]
    result = runner.invoke(app, [*args, "--model", str(tmp_path / "m")])
    assert result.exit_code != 0
    assert "no column 'nope'" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("t,l\nhello there,not a code\nbye now,other\n", encoding="utf-8")
    args = ["classify", "train", "--csv", str(bad), "--text", "t", "--label", "l"]
    result = runner.invoke(app, [*args, "--model", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "error:" in result.output


def test_evaluate_reads_cfpb_columns_with_a_time_split(tmp_path: Path) -> None:
    """The CFPB export's columns (a product name as the label, dates as MM/DD/YYYY or ISO)."""
    path = tmp_path / "complaints.csv"
    rows = corpus()[:240]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Date received", "Product", "Consumer complaint narrative"])
        for i, r in enumerate(rows):
            day = r.received_at.date()
            when = day.strftime("%m/%d/%Y") if i % 2 else day.isoformat()
            writer.writerow([when, r.code.split(".")[0].title(), r.text])
    args = ["classify", "evaluate", "--csv", str(path), "--text", "Consumer complaint narrative"]
    args += ["--label", "Product", "--time", "Date received", "--tz", "Asia/Seoul"]
    result = runner.invoke(app, [*args, "--folds", "3", "--json", "--no-sklearn-baseline"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n"] == len(rows)
    assert data["time_split"]["n_test"] == len(rows) - round(len(rows) * 0.8)
    assert data["time_split"]["split"].startswith("time split (test from ")
    assert data["time_split"]["split"].endswith("+09:00)")
    limited = runner.invoke(
        app, [*args, "--limit", "100", "--folds", "3", "--json", "--no-sklearn-baseline"]
    )
    assert json.loads(limited.output)["n"] == 100
    bad = runner.invoke(app, [*args[:-2], "--tz", "Mars/Base"])
    assert bad.exit_code != 0
    assert "not a time zone" in bad.output
