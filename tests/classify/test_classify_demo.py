"""The demo trains on its own month and shows the suggestion accuracy (or says why not)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ccms.demo import DemoRun, run
from ccms.demo.classify_month import classify_lines, classify_month


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    result = run(
        tmp_path_factory.mktemp("demo") / "demo.db", year=2026, month=10, seed=7, contacts=60
    )
    yield result
    result.desk.store.close()


def test_the_month_trains_on_its_earlier_concerns_and_scores_the_later(month: DemoRun) -> None:
    m = classify_month(month.desk, test_fraction=0.25)
    classified = sum(
        1 for c in month.desk.store.query() for concern in c.concerns if concern.code is not None
    )
    assert m.trained_on + m.tested_on == classified
    assert m.tested_on == classified - round(classified * 0.75)
    assert m.accuracy > m.baseline_accuracy
    assert m.top3_accuracy >= m.accuracy
    assert 0 <= m.applied <= m.tested_on
    assert m.model_version.startswith("voc-")
    lines = classify_lines(month.desk)
    assert lines[0].startswith("Code suggestions (trained on the ")
    assert "the majority code" in lines[0]
    assert "ccms classify evaluate" in lines[1]


def test_without_scikit_learn_the_demo_says_so(
    month: DemoRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.import_module

    def refuse(name: str, *args: Any) -> Any:
        if name.split(".")[0] in {"sklearn", "numpy", "joblib"}:
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", refuse)
    (line,) = classify_lines(month.desk)
    assert line == (
        "Code suggestions: skipped (this needs scikit-learn, which is not installed: "
        "pip install 'ccms[classify]')."
    )


def test_the_demo_output_prints_the_suggestions(month: DemoRun, tmp_path: Path) -> None:
    from rich.console import Console

    from ccms.cli.demo_output import print_demo

    console = Console(record=True, width=200)
    print_demo(console, month, tmp_path / "demo.db")
    assert "Code suggestions (trained on the " in console.export_text()
