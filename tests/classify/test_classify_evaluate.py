"""evaluate(): figures beside the baselines, the time split, calibration error."""

from __future__ import annotations

from datetime import datetime

import pytest
from classify_kit import corpus
from hypothesis import given
from hypothesis import strategies as st

from ccms.classify import evaluate, expected_calibration_error
from ccms.errors import InvalidInput, NaiveDatetimeError


def test_evaluation_reports_every_figure_beside_the_baselines() -> None:
    rows = corpus()[:300]
    ev = evaluate(
        [r.text for r in rows], [r.code for r in rows], folds=3,
        times=[r.received_at for r in rows], sklearn_baseline=False,
    )  # fmt: skip
    cv = ev.cross_validation
    assert cv.n_test == 300
    labels = [r.code for r in rows]
    majority = max(set(labels), key=labels.count)
    assert cv.baseline_accuracy == pytest.approx(labels.count(majority) / 300, abs=0.02)
    assert cv.accuracy > cv.baseline_accuracy + 0.4
    assert cv.macro_f1 > cv.baseline_macro_f1
    assert cv.top3_accuracy >= cv.accuracy
    assert cv.sklearn_accuracy is None
    assert 0 <= cv.ece <= 1
    assert all(t != p and c > 0 for t, p, c in cv.confused)
    assert ev.time_split is not None
    assert ev.time_split.n_test == 60
    data = ev.to_dict()
    for key in ("accuracy", "macro_f1", "top3_accuracy", "baseline_accuracy"):
        assert data[key] == getattr(cv, key)
    text = ev.render()
    assert "majority" in text
    assert "sklearn" in text
    assert "time split" in text


def test_the_scikit_learn_baseline_is_scored_on_the_same_predictions() -> None:
    rows = corpus()[:120]
    ev = evaluate([r.text for r in rows], [r.code for r in rows], folds=2)
    cv = ev.cross_validation
    assert cv.sklearn_accuracy is not None
    assert cv.sklearn_macro_f1 is not None
    assert 0 < cv.sklearn_accuracy <= 1
    assert cv.sklearn_top3_accuracy is not None
    assert cv.sklearn_top3_accuracy >= cv.sklearn_accuracy
    assert "sklearn" in ev.render()


def test_evaluate_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput):
        evaluate(["a"], ["X", "Y"])
    with pytest.raises(InvalidInput, match="two distinct"):
        evaluate(["a", "b", "c"], ["X", "X", "X"], folds=2)
    with pytest.raises(NaiveDatetimeError):
        evaluate(["a b", "c d", "e f", "g h"], ["X", "Y", "X", "Y"], folds=2,
                 times=[datetime(2026, 1, i) for i in range(1, 5)], sklearn_baseline=False)  # fmt: skip


def test_ece_of_known_values() -> None:
    assert expected_calibration_error(
        [0.9, 0.9, 0.6, 0.6], [True, True, True, False]
    ) == pytest.approx(0.1)
    assert expected_calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert expected_calibration_error([], []) == 0.0


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=50))
def test_ece_is_between_zero_and_one(pairs: list[tuple[float, bool]]) -> None:
    value = expected_calibration_error([c for c, _ in pairs], [ok for _, ok in pairs])
    assert 0 <= value <= 1
