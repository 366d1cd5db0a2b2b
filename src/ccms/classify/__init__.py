"""VOC code, kind and severity suggestions from free text (the ``classify`` extra, scikit-learn).

See ``docs/classify.md``. :class:`TextClassifier` is one predictor (char n-gram TF-IDF and a
logistic regression); :class:`VocClassifier` holds the code, kind and severity predictors and is
saved with the taxonomy it was trained on; :func:`evaluate` measures it beside baselines;
:class:`CodeSuggester` and :class:`PredictedSeverityWarning` are the policies the Desk uses;
:func:`train_from_complaints` trains on the host's own classified complaints.
"""

from __future__ import annotations

from ccms.classify.corpus import CORPUS_CODES, LabelledText, corpus_taxonomy, generate_corpus
from ccms.classify.evaluate import (
    Evaluation,
    Scores,
    evaluate,
    expected_calibration_error,
    tuned_sklearn_baseline,
)
from ccms.classify.history import LabelledConcerns, labelled_concerns, train_from_complaints
from ccms.classify.suggest import CodeSuggester, PredictedSeverityWarning, Suggestion
from ccms.classify.text import DEFAULT_C, Prediction, TextClassifier
from ccms.classify.voc import (
    FORMAT,
    FORMAT_VERSION,
    VocClassifier,
    VocPrediction,
    taxonomy_of_codes,
    taxonomy_version,
)

__all__ = [
    "CORPUS_CODES",
    "DEFAULT_C",
    "FORMAT",
    "FORMAT_VERSION",
    "CodeSuggester",
    "Evaluation",
    "LabelledConcerns",
    "LabelledText",
    "PredictedSeverityWarning",
    "Prediction",
    "Scores",
    "Suggestion",
    "TextClassifier",
    "VocClassifier",
    "VocPrediction",
    "corpus_taxonomy",
    "evaluate",
    "expected_calibration_error",
    "generate_corpus",
    "labelled_concerns",
    "taxonomy_of_codes",
    "taxonomy_version",
    "train_from_complaints",
    "tuned_sklearn_baseline",
]
