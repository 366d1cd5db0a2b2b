"""``Desk.standard(classifier=...)``: the early warning also reads the predicted severity."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from classify_kit import TAXONOMY, corpus, trained

from ccms.classify import PredictedSeverityWarning, VocClassifier
from ccms.desk import Desk, ManualClock
from ccms.errors import PolicyError
from ccms.model import Agent, CustomerRef, Department, EarlyWarningRaised, Organization
from ccms.policy import BusinessCalendar, EarlyWarning
from ccms.store import InMemoryStore

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=SEOUL)
ORG = Organization(
    departments=[Department(id="cs", name="Customer service")],
    agents=[Agent(id="kim", name="Kim", department="cs")],
)
CALENDAR = BusinessCalendar(SEOUL, {"mon-fri": [("09:00", "18:00")]})
NO_KEYWORD = "my tumbler overheated and melted"  # no keyword of the default rules


def desk(**options: object) -> Desk:
    return Desk.standard(
        InMemoryStore(),
        organization=ORG,
        taxonomy=TAXONOMY,
        calendar=CALENDAR,
        clock=ManualClock(T0),
        **options,
    )


def warnings_of(d: Desk, text: str) -> list[EarlyWarningRaised]:
    c = d.receive(
        channel="web",
        customer=CustomerRef(id="u1"),
        concerns=[{"kind": "complaint", "text": text}],
    )
    return [e for e in d.store.events(c.id) if isinstance(e, EarlyWarningRaised)]


def test_a_severe_text_raises_an_early_warning_through_the_desk() -> None:
    assert warnings_of(desk(), NO_KEYWORD) == []  # the keyword rules alone see nothing
    (raised,) = warnings_of(desk(classifier=trained()), NO_KEYWORD)
    assert raised.step == 3
    assert raised.rules == ("predicted_severity",)


def test_the_keyword_rules_stay_and_a_mild_text_raises_nothing() -> None:
    d = desk(classifier=trained())
    assert warnings_of(d, "the delivery driver was very kind, thank you") == []
    keyword = warnings_of(d, "my child was burned by the pot, 화상")
    assert keyword, "the default keyword rules still apply"
    assert any(r != "predicted_severity" for e in keyword for r in e.rules)


def test_the_configured_rules_are_kept_beside_the_prediction() -> None:
    base = EarlyWarning(
        [{"name": "recall", "keywords": ["recall"], "step": 2}], cc_card_from_step=2
    )
    wired = desk(classifier=trained(), early_warning=base)
    (warning,) = [s for s in wired.sweepers if isinstance(s, PredictedSeverityWarning)]
    assert warning.rules == base.rules
    assert warning.levels == base.levels
    assert warning.cc_card_from_step == 2
    assert PredictedSeverityWarning.beside(warning, trained()) is warning


def test_a_classifier_without_severities_or_a_foreign_warning_is_refused() -> None:
    rows = corpus()[:120]
    codes_only = VocClassifier.train(
        [r.text for r in rows], [r.code for r in rows], taxonomy=TAXONOMY, c=10.0
    )
    with pytest.raises(PolicyError, match="trained with severities"):
        desk(classifier=codes_only)
    with pytest.raises(PolicyError, match="adds a rule to an EarlyWarning"):
        desk(classifier=trained(), early_warning=object())
