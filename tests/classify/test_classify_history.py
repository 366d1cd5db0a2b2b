"""Training from a store's classified complaints: the library function and ``--store``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from classify_kit import TAXONOMY, corpus, trained
from typer.testing import CliRunner

from ccms.classify import (
    CodeSuggester,
    LabelledConcerns,
    VocClassifier,
    labelled_concerns,
    train_from_complaints,
)
from ccms.cli import app
from ccms.desk import Desk, ManualClock
from ccms.desk.suggest import suggest_at_receive
from ccms.errors import InvalidInput
from ccms.model import REDACTED, CustomerRef
from ccms.store import SQLiteStore

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
runner = CliRunner()


def plain(output: str) -> str:
    """The words of an output, without the boxes typer draws around an error."""
    return " ".join(output.replace("│", " ").split())


def fill(store: SQLiteStore, n: int = 240) -> dict[str, int]:
    """``n`` classified corpus contacts, one unclassified concern, one redacted text and one
    complaint the model classified (unconfirmed); returns what was put in."""
    clock = ManualClock(T0)
    desk = Desk(store, taxonomy=TAXONOMY, clock=clock)
    for i, r in enumerate(corpus()[:n]):
        concerns = [{"kind": r.kind, "code": r.code, "text": r.text, "severity": r.severity}]
        if i == 0:
            concerns.append({"kind": "inquiry", "text": "also, when do you open?"})
        if i == 1:
            concerns.append({"kind": "complaint", "code": "DLV.LATE", "text": REDACTED})
        clock.set(T0 + timedelta(hours=i))  # a receipt is never after the Desk's clock
        desk.receive(
            channel="web",
            customer=CustomerRef(id=f"u{i}"),
            concerns=concerns,
            received_at=T0 + timedelta(hours=i),
        )
    clock.set(T0 + timedelta(hours=n + 1))
    suggest_at_receive(desk, CodeSuggester(trained(), min_probability=0.05))
    machine = desk.receive(
        channel="web",
        customer=CustomerRef(id="m"),
        concerns=[{"kind": "complaint", "text": "refund not received after 10 days"}],
    )
    assert desk.store.get(machine.id).concerns[0].code is not None
    return {"labelled": n, "complaints": n + 1}


def test_a_stores_classified_concerns_are_the_labelled_texts(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        put = fill(store)
        data = labelled_concerns(store.query(), events_of=store.events)
        assert isinstance(data, LabelledConcerns)
        assert len(data) == put["labelled"]
        assert data.complaints == put["complaints"]
        assert (data.unclassified, data.without_text, data.machine_labelled) == (1, 1, 1)
        assert set(data.codes) == {r.code for r in corpus()[: put["labelled"]]}
        assert list(data.received_at) == sorted(data.received_at)
        assert REDACTED not in data.texts
        # without the events, the model's own label counts as a label
        assert labelled_concerns(store.query()).machine_labelled == 0
        assert len(labelled_concerns(store.query())) == put["labelled"] + 1
        clf = train_from_complaints(store.query(), taxonomy=TAXONOMY, events_of=store.events)
    assert isinstance(clf, VocClassifier)
    assert clf.kind is not None
    assert clf.severity is not None
    assert clf.predict_one("the handle of my pot broke off").code.label == "PRD.DEF.HANDLE"


def test_training_needs_two_codes() -> None:
    empty = LabelledConcerns(
        texts=("a",), codes=("DLV.LATE",), kinds=(), severities=(), received_at=(), complaints=1
    )
    with pytest.raises(InvalidInput, match="at least two codes"):
        train_from_complaints(empty, taxonomy=TAXONOMY)


def test_cli_trains_and_evaluates_from_a_store(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with SQLiteStore(db) as store:
        put = fill(store)
    model = tmp_path / "m.joblib"
    result = runner.invoke(app, ["classify", "train", "--store", str(db), "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert f"trained on {put['labelled']} texts" in result.output
    assert "(code, kind, severity;" in result.output
    assert "1 concerns with no code, 1 without words, 1 a model's unconfirmed code" in result.output
    back = VocClassifier.load(model, taxonomy=TAXONOMY)
    assert back.severity is not None
    assert back.model_version in result.output
    out = runner.invoke(
        app,
        [
            "classify",
            "evaluate",
            "--store",
            str(db),
            "--folds",
            "3",
            "--json",
            "--no-sklearn-baseline",
        ],
    )
    assert out.exit_code == 0, out.output
    figures = json.loads(out.output)
    assert figures["n"] == put["labelled"]
    assert figures["time_split"] is not None
    assert figures["accuracy"] > figures["baseline_accuracy"]


def test_cli_refuses_two_sources_or_none(tmp_path: Path) -> None:
    model = str(tmp_path / "m.joblib")
    result = runner.invoke(app, ["classify", "train", "--model", model])
    assert result.exit_code != 0
    assert "give one source" in plain(result.output)
    db = tmp_path / "s.db"
    SQLiteStore(db).close()
    result = runner.invoke(
        app, ["classify", "train", "--store", str(db), "--text", "t", "--model", model]
    )
    assert result.exit_code != 0
    assert "drop --text/--label" in plain(result.output)
    result = runner.invoke(app, ["classify", "train", "--store", str(db), "--model", model])
    assert result.exit_code == 1
    assert "at least two codes" in result.output
