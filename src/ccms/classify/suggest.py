"""Policies over a trained :class:`~ccms.classify.VocClassifier`: code suggestions at receive,
and an early warning that also reads the predicted severity.

:class:`CodeSuggester` (kind ``"code_suggester"``) decides a :class:`Suggestion` for a complaint
whose concerns are not all classified: a code (with alternatives) and a severity per concern.
It is *applied* only when every concern's code probability reaches ``min_probability``; then
:meth:`Suggestion.applied` gives the codes and severities of the ``Classify`` command the host
(or :mod:`ccms.desk.suggest`) issues as the system actor, :meth:`Suggestion.suggested_by` what
its ``Classified`` event records (the model's version stamp and the probabilities), and
:meth:`Suggestion.reason` the same in words. Below the threshold it is a suggestion for a
person to accept or correct, never applied silently.

:class:`PredictedSeverityWarning` is :class:`ccms.policy.early_warning.EarlyWarning` with one
more rule, ``predicted_severity``: a concern the classifier reads as ``critical`` (step 3) or
``high`` (step 2) with at least ``min_probability`` raises that step even when no keyword of the
rules appears; the decision's ``matched`` records the severity and its probability.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ccms.classify.text import Prediction
from ccms.classify.voc import VocClassifier
from ccms.errors import PolicyError
from ccms.model import Severity
from ccms.model.events import SuggestedBy
from ccms.policy._sla_notify import resolve_roles
from ccms.policy.base import Policy, PolicyContext
from ccms.policy.early_warning import (
    CRISIS_STEPS,
    DEFAULT_RULES,
    CrisisLevel,
    EarlyWarning,
    WarningDecision,
    WarningRule,
)

__all__ = ["CodeSuggester", "PredictedSeverityWarning", "Suggestion"]


@attrs.frozen(slots=True, kw_only=True)
class Suggestion:
    """Per concern (in order): the code predicted, the severity predicted (or ``None``), and
    whether the suggestion is confident enough to be applied."""

    complaint_id: str
    codes: tuple[Prediction, ...]
    severities: tuple[Prediction | None, ...]
    apply: bool
    min_probability: float
    model_version: str

    @property
    def probabilities(self) -> tuple[float, ...]:
        """The code probability of each concern."""
        return tuple(p.probability for p in self.codes)

    def reason(self) -> str:
        """``"suggested PRD.DEF.HANDLE p=0.93; ..."``: what to record beside the classification."""
        parts = [f"{p.label} p={p.probability:.3f}" for p in self.codes]
        return "suggested " + "; ".join(parts) + f" (threshold {self.min_probability:.2f})"

    def suggested_by(self) -> SuggestedBy:
        """What a ``Classified`` event applying this suggestion records: the model's version
        stamp, each concern's code probability and the threshold."""
        return SuggestedBy(
            model=self.model_version,
            probabilities=self.probabilities,
            threshold=self.min_probability,
        )

    def applied(self) -> tuple[tuple[str, ...], tuple[Severity, ...] | None]:
        """The codes (and severities, when every concern has one) to classify with, as the
        ``Classify`` command takes them; :class:`PolicyError` below the threshold (a person
        decides then)."""
        if not self.apply:
            raise PolicyError(
                f"complaint {self.complaint_id}: the suggestion ({self.reason()}) is below the "
                "threshold; a person must classify it"
            )
        severities = None
        if all(s is not None for s in self.severities):
            severities = tuple(Severity(s.label) for s in self.severities if s is not None)
        return tuple(p.label for p in self.codes), severities


class CodeSuggester(Policy[Suggestion]):
    """Suggest codes for a complaint's concerns; see the module docs."""

    kind = "code_suggester"

    __slots__ = ("classifier", "k", "min_probability")

    def __init__(
        self, classifier: VocClassifier, *, min_probability: float = 0.8, k: int = 3
    ) -> None:
        if not 0 < min_probability <= 1:
            raise PolicyError(f"min_probability must be in (0, 1], got {min_probability}")
        self.classifier = classifier
        self.min_probability = min_probability
        self.k = k

    def __repr__(self) -> str:
        return f"CodeSuggester(min_probability={self.min_probability})"

    def decide(self, ctx: PolicyContext) -> Suggestion | None:
        """A suggestion, or ``None`` when every concern already has a code."""
        concerns = ctx.complaint.concerns
        if not concerns or all(c.code is not None for c in concerns):
            return None
        predicted = self.classifier.predict([c.text for c in concerns], k=self.k)
        codes = tuple(p.code for p in predicted)
        if ctx.taxonomy is not None:
            as_of = ctx.now.date()
            codes = tuple(
                p
                if p.label in ctx.taxonomy and ctx.taxonomy.get(p.label).in_force(as_of)
                else attrs.evolve(p, probability=0.0)
                for p in codes
            )
        return Suggestion(
            complaint_id=ctx.complaint.id,
            codes=codes,
            severities=tuple(p.severity for p in predicted),
            apply=all(p.probability >= self.min_probability for p in codes),
            min_probability=self.min_probability,
            model_version=self.classifier.model_version,
        )


_STEP_OF: Mapping[Severity, int] = {Severity.CRITICAL: 3, Severity.HIGH: 2}


class PredictedSeverityWarning(EarlyWarning):
    """The early warning with a ``predicted_severity`` rule beside the keyword rules."""

    __slots__ = ("classifier", "min_probability", "steps")

    def __init__(
        self,
        classifier: VocClassifier,
        rules: Sequence[WarningRule | Mapping[str, Any]] = DEFAULT_RULES,
        levels: Sequence[CrisisLevel | Mapping[str, Any]] = CRISIS_STEPS,
        *,
        min_probability: float = 0.7,
        steps: Mapping[Severity, int] = _STEP_OF,
        cc_card_from_step: int = 1,
    ) -> None:
        super().__init__(rules, levels, cc_card_from_step=cc_card_from_step)
        if classifier.severity is None:
            raise PolicyError("PredictedSeverityWarning needs a classifier trained with severities")
        missing = sorted(set(steps.values()) - set(self.levels))
        if missing:
            raise PolicyError(f"predicted-severity steps {missing} have no CrisisLevel")
        self.classifier = classifier
        self.min_probability = min_probability
        self.steps = dict(steps)

    def __repr__(self) -> str:
        return f"PredictedSeverityWarning({len(self.rules)} rules + predicted_severity)"

    @classmethod
    def beside(
        cls, warning: EarlyWarning, classifier: VocClassifier, **options: Any
    ) -> PredictedSeverityWarning:
        """``warning``'s rules, crisis levels and CC-Card step with the ``predicted_severity``
        rule added (``options``: ``min_probability``, ``steps``); what ``Desk.standard`` wires
        when it is given a ``classifier``."""
        if isinstance(warning, PredictedSeverityWarning):
            return warning
        if not isinstance(warning, EarlyWarning):
            raise PolicyError(
                f"the predicted severity adds a rule to an EarlyWarning, got {warning!r} "
                f"({type(warning).__name__})"
            )
        return cls(
            classifier,
            warning.rules,
            tuple(warning.levels.values()),
            cc_card_from_step=warning.cc_card_from_step,
            **options,
        )

    def _predicted(self, ctx: PolicyContext) -> tuple[int, str] | None:
        severity = self.classifier.severity
        texts = [c.text for c in ctx.complaint.concerns]
        if severity is None or not texts:
            return None
        best: tuple[int, str] | None = None
        for p in severity.predict(texts, k=1):
            step = self.steps.get(Severity(p.label))
            if (
                step is not None
                and p.probability >= self.min_probability
                and (best is None or step > best[0])
            ):
                best = (step, f"predicted_severity: {p.label} (p={p.probability:.3f})")
        return best

    def decide(self, ctx: PolicyContext) -> WarningDecision | None:
        """The keyword rules' decision, raised to the predicted severity's step when higher."""
        base = super().decide(ctx)
        predicted = self._predicted(ctx)
        if predicted is None:
            return base
        step, why = predicted
        if base is not None and base.step > step:
            return attrs.evolve(base, matched=(*base.matched, why))
        level = self.levels[step]
        rules: tuple[str, ...] = ("predicted_severity",)
        matched: tuple[str, ...] = (why,)
        safety = False
        if base is not None:
            matched = (*base.matched, why)
            safety = base.safety
            if base.step == step:
                rules = (*base.rules, "predicted_severity")
        notify = base.notify if base is not None and base.step == step else None
        if notify is None:
            notify = resolve_roles(level.notify, ctx.complaint, ctx.organization)
        return WarningDecision(
            step=step,
            rules=rules,
            matched=matched,
            safety=safety,
            actions=level.actions,
            notify=notify,
        )
