"""The demo month's suggestion accuracy: train on its earlier contacts, suggest the later ones.

A code classifier (:mod:`ccms.classify`, the ``classify`` extra; its default model) is trained
on the concerns the month's agents classified before a cut (the first ``1 - test_fraction`` of the month by received
time) and suggests a code for each later concern, as it would at receive. Every figure stands
beside the majority class (the training part's most frequent code); the suggestions at or
above the threshold are those the Desk would have applied, counted with their accuracy.

The demo's contacts reuse a few sentences per code, so a later text has usually been seen
before: the figure shows the pipeline at work, not what real contacts would score (run
``ccms classify evaluate`` on your own labelled complaints for that). Without scikit-learn,
:func:`classify_lines` says so in one line instead of failing.

>>> import tempfile
>>> from pathlib import Path
>>> from ccms.demo import run
>>> with tempfile.TemporaryDirectory() as folder:
...     month = run(Path(folder) / "demo.db", year=2026, month=10, seed=7, contacts=30)
...     result = classify_month(month.desk)
...     month.desk.store.close()
>>> result.accuracy > result.baseline_accuracy, result.trained_on > result.tested_on > 0
(True, True)
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import attrs

from ccms.classify import LabelledConcerns, VocClassifier, labelled_concerns
from ccms.desk import Desk
from ccms.errors import CCMSError

__all__ = ["ClassifyMonth", "classify_lines", "classify_month"]


@attrs.frozen(slots=True, kw_only=True)
class ClassifyMonth:
    """The suggestion figures of one month (module docs)."""

    trained_on: int
    tested_on: int
    test_from: datetime
    accuracy: float
    top3_accuracy: float
    baseline_accuracy: float
    min_probability: float
    applied: int
    applied_accuracy: float | None
    unseen: int
    unseen_accuracy: float | None
    model_version: str


def _part(data: LabelledConcerns, index: list[int]) -> LabelledConcerns:
    return LabelledConcerns(
        texts=tuple(data.texts[i] for i in index),
        codes=tuple(data.codes[i] for i in index),
        kinds=tuple(data.kinds[i] for i in index),
        severities=tuple(data.severities[i] for i in index),
        received_at=tuple(data.received_at[i] for i in index),
        complaints=data.complaints,
    )


def _share(hits: list[bool]) -> float | None:
    return sum(hits) / len(hits) if hits else None


def classify_month(
    desk: Desk, *, test_fraction: float = 0.25, min_probability: float = 0.8
) -> ClassifyMonth:
    """Train on the month's earlier classified concerns and score the suggestions for the later
    ones; :class:`~ccms.errors.MissingExtra` without scikit-learn."""
    data = labelled_concerns(desk.store.query(), events_of=desk.store.events)
    order = sorted(range(len(data)), key=lambda i: data.received_at[i])
    cut = round(len(order) * (1 - test_fraction))
    train, test = _part(data, order[:cut]), _part(data, order[cut:])
    if not len(test):
        raise CCMSError("the month has too few classified concerns to hold some out")
    taxonomy = desk.taxonomy
    if taxonomy is None:
        from ccms.classify import taxonomy_of_codes

        taxonomy = taxonomy_of_codes(data.codes)
    clf = VocClassifier.train(train.texts, train.codes, taxonomy=taxonomy)  # the code only
    predicted = clf.code.predict(test.texts, k=3)
    hits = [p.label == code for p, code in zip(predicted, test.codes, strict=True)]
    majority = Counter(train.codes).most_common(1)[0][0]
    seen = set(train.texts)
    applied = [h for h, p in zip(hits, predicted, strict=True) if p.probability >= min_probability]
    unseen = [h for h, text in zip(hits, test.texts, strict=True) if text not in seen]
    return ClassifyMonth(
        trained_on=len(train),
        tested_on=len(test),
        test_from=test.received_at[0],
        accuracy=sum(hits) / len(hits),
        top3_accuracy=sum(
            code in {label for label, _ in p.alternatives}
            for p, code in zip(predicted, test.codes, strict=True)
        )
        / len(hits),
        baseline_accuracy=sum(code == majority for code in test.codes) / len(hits),
        min_probability=min_probability,
        applied=len(applied),
        applied_accuracy=_share(applied),
        unseen=len(unseen),
        unseen_accuracy=_share(unseen),
        model_version=clf.model_version,
    )


def classify_lines(desk: Desk) -> list[str]:
    """What ``ccms demo`` prints about the suggestions: the figures, or why there are none."""
    try:
        m = classify_month(desk)
    except CCMSError as exc:  # MissingExtra without scikit-learn
        return [f"Code suggestions: skipped ({exc})."]
    unseen = (
        f"{m.unseen} were sentences never seen in training ({m.unseen_accuracy:.0%} right)"
        if m.unseen and m.unseen_accuracy is not None
        else "every one repeats a sentence seen in training"
    )
    applied = (
        f"{m.applied} at or above p={m.min_probability:.2f}, the Desk would apply them "
        f"({m.applied_accuracy:.0%} right)"
        if m.applied_accuracy is not None
        else f"none reaches p={m.min_probability:.2f}"
    )
    return [
        f"Code suggestions (trained on the {m.trained_on} concerns classified before "
        f"{m.test_from:%Y-%m-%d %H:%M}, {m.model_version}): on the {m.tested_on} later ones "
        f"accuracy {m.accuracy:.1%}, top 3 {m.top3_accuracy:.1%}, the majority code "
        f"{m.baseline_accuracy:.1%}; {applied}.",
        f"  The demo's contacts reuse a few sentences per code: of the {m.tested_on}, {unseen}. "
        "Measure your own complaints with `ccms classify evaluate`.",
    ]
