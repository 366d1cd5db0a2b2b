"""An evaluation that cannot flatter: every figure beside the majority-class baseline and beside a
plain, tuned scikit-learn TF-IDF + logistic-regression pipeline, on the same folds.

* **Stratified k-fold** cross-validation: each text is predicted once, by a model that never saw
  it; the figures are pooled over the out-of-fold predictions.
* **Time-based split** (given the texts' times): train on the earlier ``1 - test_fraction``, test
  on the later rest, as a model is used in production (next month's contacts).
* accuracy, macro-F1 (every code counts the same, so a model that ignores the small codes shows
  it), top-3 accuracy, expected calibration error (10 equal-width bins of the top probability),
  and the most confused (true, predicted) pairs.
* The **majority baseline** predicts the training folds' most frequent label (its top 3: the
  three most frequent). The **scikit-learn baseline** (:func:`tuned_sklearn_baseline`) is
  ``TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`` + ``LogisticRegression`` with ``C``
  (1 or 10) chosen by an inner 3-fold grid search on each training fold: the same search ccms'
  :class:`~ccms.classify.TextClassifier` runs on the same training fold.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import attrs

from ccms.classify._sk import sklearn_module
from ccms.classify.text import DEFAULT_C, TextClassifier
from ccms.errors import InvalidInput, require_aware

__all__ = [
    "Evaluation",
    "Scores",
    "evaluate",
    "expected_calibration_error",
    "tuned_sklearn_baseline",
]


@attrs.frozen(slots=True, kw_only=True)
class Scores:
    """Figures of one way of splitting, for ccms, the majority baseline and scikit-learn."""

    split: str
    n_test: int
    accuracy: float
    macro_f1: float
    top3_accuracy: float
    ece: float
    baseline_accuracy: float
    baseline_macro_f1: float
    baseline_top3_accuracy: float
    sklearn_accuracy: float | None
    sklearn_macro_f1: float | None
    sklearn_top3_accuracy: float | None
    confused: tuple[tuple[str, str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        """The figures as plain JSON-ready values."""
        out = attrs.asdict(self)
        out["confused"] = [{"true": t, "predicted": p, "count": c} for t, p, c in self.confused]
        return out


@attrs.frozen(slots=True, kw_only=True)
class Evaluation:
    """Cross-validation figures and, when times were given, the time-based split's."""

    n: int
    labels: int
    cross_validation: Scores
    time_split: Scores | None

    def to_dict(self) -> dict[str, Any]:
        """The cross-validation figures at the top level (``accuracy``, ``macro_f1``,
        ``top3_accuracy``, ``baseline_accuracy``, ...), the splits under their names."""
        cv = self.cross_validation.to_dict()
        return {
            **{k: v for k, v in cv.items() if k not in {"split", "confused"}},
            "n": self.n,
            "labels": self.labels,
            "cross_validation": cv,
            "time_split": self.time_split.to_dict() if self.time_split else None,
        }

    def render(self) -> str:
        """A plain-text table: each figure beside the baselines."""
        lines = [f"{self.n} texts, {self.labels} labels"]
        for s in (self.cross_validation, self.time_split):
            if s is None:
                continue
            lines.append(f"\n{s.split} ({s.n_test} predictions)")
            lines.append(f"  {'':14} {'ccms':>8} {'majority':>9} {'sklearn':>8}")

            def row(name: str, ours: float, base: float, sk: float | None) -> str:
                skt = "-" if sk is None else f"{sk:.3f}"
                return f"  {name:14} {ours:8.3f} {base:9.3f} {skt:>8}"

            lines.append(row("accuracy", s.accuracy, s.baseline_accuracy, s.sklearn_accuracy))
            lines.append(row("macro-F1", s.macro_f1, s.baseline_macro_f1, s.sklearn_macro_f1))
            lines.append(
                row(
                    "top-3 accuracy",
                    s.top3_accuracy,
                    s.baseline_top3_accuracy,
                    s.sklearn_top3_accuracy,
                )
            )
            lines.append(f"  expected calibration error {s.ece:.3f}")
            if s.confused:
                lines.append("  most confused (true -> predicted: count)")
                lines.extend(f"    {t} -> {p}: {c}" for t, p, c in s.confused)
        return "\n".join(lines)


def expected_calibration_error(
    confidence: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> float:
    """Sum over equal-width confidence bins of ``|accuracy - mean confidence|`` weighted by the
    bin's share of predictions.

    >>> expected_calibration_error([0.9, 0.9, 0.6, 0.6], [True, True, True, False])
    0.1
    """
    if len(confidence) != len(correct):
        raise InvalidInput("give one correctness per confidence")
    if not confidence:
        return 0.0
    totals: dict[int, list[float]] = {}
    for conf, ok in zip(confidence, correct, strict=True):
        b = min(int(conf * bins), bins - 1)
        acc = totals.setdefault(b, [0.0, 0.0, 0.0])
        acc[0] += 1
        acc[1] += conf
        acc[2] += 1.0 if ok else 0.0
    n = len(confidence)
    return round(sum(abs(a[2] / a[0] - a[1] / a[0]) * a[0] / n for a in totals.values()), 12)


def tuned_sklearn_baseline() -> Any:
    """The scikit-learn baseline (unfitted): ``TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True)`` + ``LogisticRegression(max_iter=2_000)`` in a ``GridSearchCV`` over
    ``C`` in :data:`~ccms.classify.DEFAULT_C` with 3 inner folds, the search ccms' own
    :class:`TextClassifier` runs."""
    text = sklearn_module("sklearn.feature_extraction.text")
    linear = sklearn_module("sklearn.linear_model")
    pipeline = sklearn_module("sklearn.pipeline")
    selection = sklearn_module("sklearn.model_selection")
    pipe = pipeline.make_pipeline(
        text.TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        linear.LogisticRegression(max_iter=2_000),
    )
    return selection.GridSearchCV(pipe, {"logisticregression__C": list(DEFAULT_C)}, cv=3)


def _top3(proba: Any, classes: Sequence[str], truth: Sequence[str]) -> float:
    np = sklearn_module("numpy")
    order = np.argsort(-proba, axis=1, kind="stable")[:, :3]
    hits = sum(t in {classes[i] for i in row} for t, row in zip(truth, order, strict=True))
    return hits / len(truth)


class _Pool:
    """Out-of-fold predictions gathered over the splits."""

    def __init__(self) -> None:
        self.truth: list[str] = []
        self.pred: list[str] = []
        self.conf: list[float] = []
        self.top3: list[bool] = []
        self.base: list[str] = []
        self.base_top3: list[bool] = []
        self.sk_pred: list[str] = []
        self.sk_top3: list[bool] = []


def _run_split(
    pool: _Pool,
    texts: Sequence[str],
    labels: Sequence[str],
    train: Sequence[int],
    test: Sequence[int],
    make: Callable[[], TextClassifier],
    with_sklearn: bool,
) -> None:
    np = sklearn_module("numpy")
    tr_x = [texts[i] for i in train]
    tr_y = [labels[i] for i in train]
    te_x = [texts[i] for i in test]
    te_y = [labels[i] for i in test]
    clf = make().fit(tr_x, tr_y)
    proba = clf.predict_proba(te_x)
    best = proba.argmax(axis=1)
    pool.truth.extend(te_y)
    pool.pred.extend(clf.classes[i] for i in best)
    pool.conf.extend(float(proba[r, i]) for r, i in enumerate(best))
    order = np.argsort(-proba, axis=1, kind="stable")[:, :3]
    pool.top3.extend(t in {clf.classes[i] for i in row} for t, row in zip(te_y, order, strict=True))
    frequent = [label for label, _ in sorted(Counter(tr_y).items(), key=lambda kv: (-kv[1], kv[0]))]
    pool.base.extend(frequent[0] for _ in te_y)
    pool.base_top3.extend(t in frequent[:3] for t in te_y)
    if with_sklearn:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            sk = tuned_sklearn_baseline().fit(tr_x, tr_y)
        sk_proba = sk.predict_proba(te_x)
        sk_classes = [str(c) for c in sk.classes_]
        pool.sk_pred.extend(sk_classes[i] for i in sk_proba.argmax(axis=1))
        order = np.argsort(-sk_proba, axis=1, kind="stable")[:, :3]
        pool.sk_top3.extend(
            t in {sk_classes[i] for i in row} for t, row in zip(te_y, order, strict=True)
        )


def _scores(split: str, pool: _Pool, confused: int) -> Scores:
    metrics = sklearn_module("sklearn.metrics")

    def f1(pred: Sequence[str]) -> float:
        return float(metrics.f1_score(pool.truth, pred, average="macro", zero_division=0))

    def acc(pred: Sequence[str]) -> float:
        return sum(a == b for a, b in zip(pool.truth, pred, strict=True)) / len(pool.truth)

    mistakes = Counter((t, p) for t, p in zip(pool.truth, pool.pred, strict=True) if t != p)
    top = sorted(mistakes.items(), key=lambda kv: (-kv[1], kv[0]))[:confused]
    n = len(pool.truth)
    sk = bool(pool.sk_pred)
    return Scores(
        split=split,
        n_test=n,
        accuracy=acc(pool.pred),
        macro_f1=f1(pool.pred),
        top3_accuracy=sum(pool.top3) / n,
        ece=expected_calibration_error(
            pool.conf, [a == b for a, b in zip(pool.truth, pool.pred, strict=True)]
        ),
        baseline_accuracy=acc(pool.base),
        baseline_macro_f1=f1(pool.base),
        baseline_top3_accuracy=sum(pool.base_top3) / n,
        sklearn_accuracy=acc(pool.sk_pred) if sk else None,
        sklearn_macro_f1=f1(pool.sk_pred) if sk else None,
        sklearn_top3_accuracy=sum(pool.sk_top3) / n if sk else None,
        confused=tuple((t, p, c) for (t, p), c in top),
    )


def evaluate(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    times: Sequence[datetime] | None = None,
    test_fraction: float = 0.2,
    seed: int = 0,
    make: Callable[[], TextClassifier] = TextClassifier,
    sklearn_baseline: bool = True,
    confused: int = 5,
) -> Evaluation:
    """Evaluate ``make()`` (a fresh :class:`TextClassifier` per split) on labelled texts.

    ``folds`` stratified folds (shuffled with ``seed``); with ``times`` (aware datetimes, one per
    text) also a time-based split holding out the latest ``test_fraction``. Labels with fewer
    members than ``folds`` still take part (scikit-learn then cannot put one in every fold).
    """
    if len(texts) != len(labels):
        raise InvalidInput(f"give one label per text: {len(texts)} texts, {len(labels)} labels")
    if folds < 2:
        raise InvalidInput(f"folds must be at least 2, got {folds}")
    if len(set(labels)) < 2:
        raise InvalidInput("an evaluation needs at least two distinct labels")
    if len(texts) < folds:
        raise InvalidInput(f"{len(texts)} texts cannot make {folds} folds")
    if not 0 < test_fraction < 1:
        raise InvalidInput(f"test_fraction must be between 0 and 1, got {test_fraction}")
    selection = sklearn_module("sklearn.model_selection")
    splitter = selection.StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    pool = _Pool()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a label with fewer members than folds
        splits = list(splitter.split(list(texts), list(labels)))
    for train, test in splits:
        _run_split(pool, texts, labels, train, test, make, sklearn_baseline)
    cv = _scores(f"stratified {folds}-fold cross-validation", pool, confused)
    timed = None
    if times is not None:
        if len(times) != len(texts):
            raise InvalidInput(f"give one time per text: {len(texts)} texts, {len(times)} times")
        for t in times:
            require_aware(t, "times")
        order = sorted(range(len(texts)), key=lambda i: times[i])
        cut = round(len(order) * (1 - test_fraction))
        train_idx, test_idx = order[:cut], order[cut:]
        if len({labels[i] for i in train_idx}) >= 2 and test_idx:
            tpool = _Pool()
            _run_split(tpool, texts, labels, train_idx, test_idx, make, sklearn_baseline)
            first = times[test_idx[0]]
            timed = _scores(f"time split (test from {first.isoformat()})", tpool, confused)
    return Evaluation(n=len(texts), labels=len(set(labels)), cross_validation=cv, time_split=timed)
