"""Three predictors over one text: the VOC code, the kind and the severity of a concern.

Saved to one file with a format version, the scikit-learn version and the taxonomy it was
trained on (a fingerprint and the codes it predicts). :meth:`VocClassifier.load` refuses another
format version, and a taxonomy in which a code it predicts is unknown (or, given ``as_of``, not
in force), with :class:`ccms.errors.IncompatibleModel`: a suggestion is always a valid code.
:attr:`VocClassifier.model_version` stamps a model by its weights (the same training gives the
same stamp); a classification the system applies from a suggestion records it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

import attrs

from ccms.classify._sk import sklearn_module
from ccms.classify.text import Prediction, TextClassifier
from ccms.errors import IncompatibleModel
from ccms.model import Severity, Taxonomy, VocKind

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "VocClassifier",
    "VocPrediction",
    "taxonomy_of_codes",
    "taxonomy_version",
]

#: The file format's name and version; :meth:`VocClassifier.load` refuses any other.
FORMAT: Final = "ccms.classify.VocClassifier"
FORMAT_VERSION: Final = 1


def taxonomy_version(taxonomy: Taxonomy) -> str:
    """A fingerprint of the whole taxonomy (codes, names, dates, defaults): 16 hex digits.

    >>> from datetime import date
    >>> t = Taxonomy().add("PRD", "Product", effective=date(2025, 1, 1))
    >>> taxonomy_version(t) == taxonomy_version(t), taxonomy_version(t) == taxonomy_version(Taxonomy())
    (True, False)
    """
    return hashlib.sha256(taxonomy.model_dump_json().encode()).hexdigest()[:16]


def taxonomy_of_codes(codes: Sequence[str], effective: date = date(1970, 1, 1)) -> Taxonomy:
    """A taxonomy of ``codes`` and their ancestors (named after themselves), for labelled data
    that comes without one; a label that is not a dotted code is a :class:`TaxonomyError`.

    >>> [c.code for c in taxonomy_of_codes(["PRD.DEF", "PAY"]).codes]
    ['PAY', 'PRD', 'PRD.DEF']
    """
    t = Taxonomy()
    for code in sorted({a for c in set(codes) for a in (*t.ancestors(c), c)}):
        t = t.add(code, code, effective=effective)
    return t


@attrs.frozen(slots=True, kw_only=True)
class VocPrediction:
    """What the classifier suggests for one text."""

    code: Prediction
    kind: Prediction | None
    severity: Prediction | None


class VocClassifier:
    """A code predictor (labels checked against the taxonomy) and optional kind and severity
    predictors, trained on the same texts."""

    __slots__ = ("code", "kind", "model_version", "severity", "taxonomy_version", "trained_as_of")

    def __init__(
        self,
        code: TextClassifier,
        *,
        kind: TextClassifier | None = None,
        severity: TextClassifier | None = None,
        taxonomy_version: str,
        trained_as_of: date | None = None,
    ) -> None:
        self.code = code
        self.kind = kind
        self.severity = severity
        self.taxonomy_version = taxonomy_version
        self.trained_as_of = trained_as_of
        prints = [p.fingerprint() if p is not None else "-" for p in (code, kind, severity)]
        digest = hashlib.sha256(" ".join([*prints, taxonomy_version]).encode()).hexdigest()
        #: The version stamp of this model (``voc-`` and 16 hex digits of its weights and
        #: taxonomy): what a classification it suggested records (``Classified.suggested``).
        self.model_version = f"voc-{digest[:16]}"

    def __repr__(self) -> str:
        parts = ["code", *(n for n in ("kind", "severity") if getattr(self, n) is not None)]
        return (
            f"VocClassifier({', '.join(parts)}; {len(self.code.classes)} codes, "
            f"taxonomy {self.taxonomy_version}, {self.model_version})"
        )

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        codes: Sequence[str],
        *,
        taxonomy: Taxonomy,
        kinds: Sequence[VocKind | str] | None = None,
        severities: Sequence[Severity | str] | None = None,
        as_of: date | None = None,
        **options: Any,
    ) -> VocClassifier:
        """Train on labelled texts. Every code must be in ``taxonomy`` (in force on ``as_of`` if
        given): otherwise :class:`ccms.errors.UnknownVocCode` or ``RetiredVocCode``. ``options``
        go to each :class:`TextClassifier`."""
        for code in sorted(set(codes)):
            if as_of is None:
                taxonomy.get(code)
            else:
                taxonomy.lookup(code, as_of)
        kind_clf = sev_clf = None
        if kinds is not None:
            kind_clf = TextClassifier(**options).fit(texts, [VocKind(k).value for k in kinds])
        if severities is not None:
            sev_clf = TextClassifier(**options).fit(texts, [Severity(s).value for s in severities])
        return cls(
            TextClassifier(**options).fit(texts, codes),
            kind=kind_clf,
            severity=sev_clf,
            taxonomy_version=taxonomy_version(taxonomy),
            trained_as_of=as_of,
        )

    def predict(self, texts: Sequence[str], *, k: int = 3) -> list[VocPrediction]:
        """The code (and kind and severity, when trained) of each text, with ``k`` alternatives."""
        codes = self.code.predict(texts, k=k)
        kinds = self.kind.predict(texts, k=k) if self.kind else [None] * len(codes)
        sevs = self.severity.predict(texts, k=k) if self.severity else [None] * len(codes)
        return [
            VocPrediction(code=c, kind=kd, severity=s)
            for c, kd, s in zip(codes, kinds, sevs, strict=True)
        ]

    def predict_one(self, text: str, *, k: int = 3) -> VocPrediction:
        """:meth:`predict` for one text."""
        return self.predict([text], k=k)[0]

    # -- files -------------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the classifier to ``path`` (joblib) with its format and taxonomy stamps."""
        joblib = sklearn_module("joblib")
        sklearn = sklearn_module("sklearn")
        payload = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "sklearn_version": sklearn.__version__,
            "taxonomy_version": self.taxonomy_version,
            "trained_as_of": self.trained_as_of,
            "codes": self.code.classes,
            "code": self.code.state(),
            "kind": self.kind.state() if self.kind else None,
            "severity": self.severity.state() if self.severity else None,
        }
        target = Path(path)
        joblib.dump(payload, target)
        return target

    @staticmethod
    def saved_codes(path: str | Path) -> tuple[str, ...]:
        """The codes a saved classifier predicts (to build or check a taxonomy before loading)."""
        joblib = sklearn_module("joblib")
        try:
            payload = joblib.load(path)
            return tuple(payload["codes"])
        except (OSError, EOFError, ValueError, KeyError, TypeError, ImportError) as exc:
            raise IncompatibleModel(str(path), f"not a readable classifier file ({exc})") from exc

    @classmethod
    def load(
        cls, path: str | Path, *, taxonomy: Taxonomy, as_of: date | None = None
    ) -> VocClassifier:
        """Read a classifier :meth:`save` wrote, checking it against ``taxonomy``.

        Only load files you wrote yourself: the format is a pickle, and unpickling runs code.
        """
        joblib = sklearn_module("joblib")
        source = str(path)
        try:
            payload = joblib.load(path)
        except (OSError, EOFError, ValueError, KeyError, ImportError) as exc:
            raise IncompatibleModel(source, f"not a readable classifier file ({exc})") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise IncompatibleModel(source, f"not a {FORMAT} file")
        version = payload.get("format_version")
        if version != FORMAT_VERSION:
            raise IncompatibleModel(
                source,
                f"file format version {version!r}; this ccms reads version {FORMAT_VERSION} only "
                "(train the classifier again)",
            )
        problems: list[str] = []
        for code in payload["codes"]:
            if code not in taxonomy:
                problems.append(f"{code} is not in the taxonomy")
            elif as_of is not None and not taxonomy.get(code).in_force(as_of):
                problems.append(f"{code} is not in force on {as_of}")
        if problems:
            raise IncompatibleModel(
                source,
                f"trained on taxonomy {payload['taxonomy_version']}, and in this one "
                f"({taxonomy_version(taxonomy)}) "
                + "; ".join(problems[:5])
                + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
                + "; train it again on the current taxonomy",
            )
        return cls(
            TextClassifier.from_state(payload["code"]),
            kind=TextClassifier.from_state(payload["kind"]) if payload["kind"] else None,
            severity=TextClassifier.from_state(payload["severity"])
            if payload["severity"]
            else None,
            taxonomy_version=payload["taxonomy_version"],
            trained_as_of=payload["trained_as_of"],
        )
