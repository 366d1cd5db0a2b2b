"""TextClassifier and VocClassifier: valid codes, probabilities, save/load, refusals."""

from __future__ import annotations

import importlib
import math
from datetime import date
from pathlib import Path

import joblib
import pytest
from classify_kit import TAXONOMY, corpus, trained
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ccms.classify._sk as sk
from ccms.classify import FORMAT_VERSION, TextClassifier, VocClassifier, taxonomy_version
from ccms.errors import IncompatibleModel, InvalidInput, MissingExtra, UnknownVocCode

texts = st.text(
    alphabet=st.sampled_from(list("abc xyz 손잡이환불배송불이났다!?0123")), min_size=0, max_size=60
)


@settings(deadline=None)
@given(text=texts)
@example(text="")
@example(text="손잡이가 부러졌어요 refund")
def test_predictions_are_valid_codes_with_probabilities_summing_to_one(text: str) -> None:
    clf = trained()
    p = clf.predict_one(text)
    assert p.code.label in TAXONOMY
    assert next(a for a, _ in p.code.alternatives) == p.code.label
    assert len(p.code.alternatives) == 3
    probs = [q for _, q in p.code.alternatives]
    assert probs == sorted(probs, reverse=True)
    row = clf.code.predict_proba([text])[0]
    assert math.isclose(float(row.sum()), 1.0, rel_tol=1e-6)
    assert p.kind is not None
    assert p.kind.label in {"complaint", "inquiry", "praise", "suggestion"}
    assert p.severity is not None
    assert p.severity.label in {"low", "medium", "high", "critical"}


def test_held_out_accuracy_beats_the_majority_baseline_widely() -> None:
    rows = corpus()[700:]
    train = corpus()[:700]
    majority = max({r.code for r in train}, key=[r.code for r in train].count)
    predicted = trained().predict([r.text for r in rows])
    accuracy = sum(p.code.label == r.code for p, r in zip(predicted, rows, strict=True)) / len(rows)
    baseline = sum(r.code == majority for r in rows) / len(rows)
    assert accuracy > 0.85
    assert accuracy > baseline + 0.5


def test_explain_names_ngrams_of_the_text_that_weigh_for_the_label() -> None:
    clf = trained().code
    text = "the handle of my pot broke off"
    terms = clf.explain(text, n=4)
    assert terms, "a confident prediction has positive contributions"
    assert all(term.strip() in text for term, _ in terms)
    weights = [w for _, w in terms]
    assert weights == sorted(weights, reverse=True)
    assert weights[-1] > 0
    with pytest.raises(InvalidInput, match="not a label"):
        clf.explain(text, "NOPE")


def test_binary_classifier_explains_both_classes() -> None:
    clf = TextClassifier().fit(
        ["refund please", "refund me", "broken handle", "handle broke"], ["A", "A", "B", "B"]
    )
    assert clf.explain("refund", "A")
    assert not clf.explain("refund", "B")


def test_save_load_round_trips(tmp_path: Path) -> None:
    clf = trained()
    path = clf.save(tmp_path / "model.joblib")
    back = VocClassifier.load(path, taxonomy=TAXONOMY, as_of=date(2026, 3, 1))
    sample = [r.text for r in corpus()[:50]]
    assert back.code.classes == clf.code.classes
    assert back.taxonomy_version == taxonomy_version(TAXONOMY)
    assert (back.code.predict_proba(sample) == clf.code.predict_proba(sample)).all()
    assert [p.severity for p in back.predict(sample)] == [p.severity for p in clf.predict(sample)]


def test_load_refuses_a_taxonomy_without_its_codes(tmp_path: Path) -> None:
    path = trained().save(tmp_path / "model.joblib")
    smaller = TAXONOMY.retire("SAF.FIRE", effective=date(2026, 6, 1))
    VocClassifier.load(path, taxonomy=smaller, as_of=date(2026, 5, 1))  # still in force then
    with pytest.raises(IncompatibleModel, match=r"SAF\.FIRE is not in force on 2026-07-01"):
        VocClassifier.load(path, taxonomy=smaller, as_of=date(2026, 7, 1))
    from ccms.classify import corpus_taxonomy

    other = corpus_taxonomy().retire("PAY", effective=date(2026, 1, 1))
    with pytest.raises(IncompatibleModel, match="train it again"):
        VocClassifier.load(path, taxonomy=other, as_of=date(2026, 2, 1))


def test_load_refuses_another_format_version(tmp_path: Path) -> None:
    path = trained().save(tmp_path / "model.joblib")
    payload = joblib.load(path)
    payload["format_version"] = FORMAT_VERSION + 1
    joblib.dump(payload, path)
    with pytest.raises(IncompatibleModel, match=f"version {FORMAT_VERSION + 1}"):
        VocClassifier.load(path, taxonomy=TAXONOMY)
    (tmp_path / "junk").write_text("not a model")
    with pytest.raises(IncompatibleModel):
        VocClassifier.load(tmp_path / "junk", taxonomy=TAXONOMY)


def test_training_refuses_unknown_codes_and_a_single_label() -> None:
    with pytest.raises(UnknownVocCode):
        VocClassifier.train(["a", "b"], ["PRD.DEF.HANDLE", "NOT.A.CODE"], taxonomy=TAXONOMY)
    with pytest.raises(InvalidInput, match="two distinct labels"):
        TextClassifier().fit(["a", "b"], ["X", "X"])
    with pytest.raises(InvalidInput, match="one label per text"):
        TextClassifier().fit(["a"], ["X", "Y"])
    with pytest.raises(InvalidInput, match="not trained"):
        TextClassifier().predict(["a"])


def test_missing_scikit_learn_is_a_missing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(importlib, "import_module", refuse)
    with pytest.raises(MissingExtra, match=r"ccms\[classify\]") as info:
        TextClassifier().fit(["a", "b"], ["X", "Y"])
    assert info.value.package == "scikit-learn"
    assert sk.importlib is importlib


def test_tuning_and_calibration_change_how_sure_never_what() -> None:
    rows = corpus()[:400]
    texts, codes = [r.text for r in rows], [r.code for r in rows]
    plain = TextClassifier(c=1.0, calibrate=False).fit(texts, codes)
    scaled = TextClassifier(c=1.0).fit(texts, codes)
    assert plain.temperature is None
    assert scaled.temperature is not None
    assert scaled.temperature > 0
    sample = [r.text for r in corpus()[700:800]]
    assert [p.label for p in scaled.predict(sample)] == [p.label for p in plain.predict(sample)]
    assert (scaled.predict_proba(sample) != plain.predict_proba(sample)).any()
    assert scaled.fingerprint() != plain.fingerprint()
    tuned = trained().code
    assert tuned.chosen_c in tuned.c
    assert [c for c, _ in tuned.inner_scores] == list(tuned.c)
    best = max(score for _, score in tuned.inner_scores)
    assert dict(tuned.inner_scores)[tuned.chosen_c] == best


def test_too_few_texts_per_label_skip_the_search_and_the_calibration() -> None:
    clf = TextClassifier().fit(["refund", "refund me", "broken", "it broke"], list("AABB"))
    assert clf.inner_scores == ()
    assert clf.chosen_c == clf.c[0]
    assert clf.temperature is None
    with pytest.raises(InvalidInput, match="c must be positive"):
        TextClassifier(c=())
    with pytest.raises(InvalidInput, match="inner_folds"):
        TextClassifier(inner_folds=1)
