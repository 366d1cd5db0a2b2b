"""CodeSuggester (threshold) and PredictedSeverityWarning (beside the keyword rules)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from classify_kit import TAXONOMY, trained

from ccms.classify import CodeSuggester, PredictedSeverityWarning
from ccms.errors import PolicyError
from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
from ccms.policy.base import PolicyContext
from ccms.policy.early_warning import EarlyWarning

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def ctx(*texts: str, code: str | None = None) -> PolicyContext:
    events = [
        ComplaintReceived(
            complaint_id="c1", version=1, at=T0, actor=Actor.system(), stage="received",
            received_at=T0, channel="phone", customer=CustomerRef(id="u1"),
            concerns=tuple(Concern(kind="complaint", text=t, code=code) for t in texts),
        )
    ]  # fmt: skip
    return PolicyContext(complaint=fold(events), events=events, now=T0, taxonomy=TAXONOMY)


def test_suggestion_applies_only_at_or_above_the_threshold() -> None:
    text = "the handle of my frying pan broke off after 3 days"
    low = CodeSuggester(trained(), min_probability=0.01).decide(ctx(text))
    high = CodeSuggester(trained(), min_probability=1.0).decide(ctx(text))
    assert low is not None
    assert high is not None
    assert low.codes[0].label == "PRD.DEF.HANDLE"
    assert low.apply
    assert not high.apply
    codes, severities = low.applied()
    assert codes == ("PRD.DEF.HANDLE",)
    assert severities is not None
    assert "PRD.DEF.HANDLE p=" in low.reason()
    with pytest.raises(PolicyError, match="a person must classify it"):
        high.applied()


def test_every_concern_must_be_confident_and_classified_complaints_are_left_alone() -> None:
    suggester = CodeSuggester(trained(), min_probability=0.5)
    both = suggester.decide(ctx("the handle of my pot broke off", "zzz qqq"))
    assert both is not None
    assert len(both.codes) == 2
    assert both.apply == all(p >= 0.5 for p in both.probabilities)
    assert suggester.decide(ctx("handle broke", code="PRD.DEF.HANDLE")) is None
    with pytest.raises(PolicyError):
        CodeSuggester(trained(), min_probability=0)


def test_predicted_severity_raises_a_step_no_keyword_rule_sees() -> None:
    text = "my tumbler overheated and melted"
    plain = EarlyWarning().decide(ctx(text))
    assert plain is None  # "overheated" is no keyword (whole words only)
    warning = PredictedSeverityWarning(trained(), min_probability=0.3)
    decision = warning.decide(ctx(text))
    assert decision is not None
    assert decision.step == 3
    assert decision.rules == ("predicted_severity",)
    assert any(m.startswith("predicted_severity: critical (p=") for m in decision.matched)
    events = warning.sweep(ctx(text))
    assert [e.type for e in events] == ["early_warning_raised", "cc_card_opened"]


def test_predicted_severity_keeps_the_keyword_rules_and_never_lowers_them() -> None:
    text = "충전 중 화재가 발생했습니다"
    strict = PredictedSeverityWarning(trained(), min_probability=1.0)
    assert strict.decide(ctx(text)) == EarlyWarning().decide(ctx(text))
    low = PredictedSeverityWarning(trained(), min_probability=0.0)
    decision = low.decide(ctx("how do I use the pot?"))
    base = EarlyWarning().decide(ctx("how do I use the pot?"))
    assert base is None
    assert decision is None or decision.step <= 2
    assert low.decide(ctx(text)).step == 3  # type: ignore[union-attr]
