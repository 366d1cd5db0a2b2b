"""Tests of ccms.policy.early_warning: crisis steps, CC Cards, safety flags and idempotent sweeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import ConfigError, InvalidInput, PolicyError
from ccms.model import (
    Actor,
    Agent,
    CcCardClosed,
    CcCardOpened,
    Classified,
    Complaint,
    ComplaintReceived,
    Concern,
    CustomerRef,
    Department,
    DepartmentAssigned,
    DomainEvent,
    EarlyWarningRaised,
    Flag,
    FlagsChanged,
    HandlerAssigned,
    Organization,
    fold,
)
from ccms.policy import PolicyContext, default_registry
from ccms.policy.early_warning import (
    EarlyWarning,
    WarningRule,
    cc_card_id,
    close_cc_card_event,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
H = timedelta(hours=1)
SYS = Actor.system()
ORG = Organization(
    departments=[Department(id="cs", name="CS", head="park"), Department(id="board", name="Board")],
    agents=[
        Agent(id="kim", name="Kim", department="cs"),
        Agent(id="lee", name="Lee", department="cs", role="supervisor"),
        Agent(id="park", name="Park", department="cs"),
        Agent(id="ceo", name="Choi", department="board", role="executive"),
    ],
)
POLICY = EarlyWarning()


class History:
    def __init__(self, text: str = "the box was dented", channel: str = "phone", **kw: Any) -> None:
        self.events: list[DomainEvent] = [
            ComplaintReceived(
                complaint_id="c1",
                version=1,
                at=T0,
                actor=SYS,
                stage="received",
                received_at=T0,
                channel=channel,
                customer=CustomerRef(id="u1"),
                concerns=(Concern(kind="complaint", text=text),),
                **kw,
            )
        ]

    def add(self, cls: type[DomainEvent], **fields: Any) -> History:
        version = self.events[-1].version + 1
        self.events.append(
            cls(complaint_id="c1", version=version, at=T0 + version * H, actor=SYS, **fields)
        )
        return self

    @property
    def complaint(self) -> Complaint:
        return fold(self.events)

    def ctx(self, **extra: Any) -> PolicyContext:
        return PolicyContext(
            complaint=self.complaint,
            events=self.events,
            now=T0 + 10 * H,
            organization=ORG,
            extra=extra,
        )

    def sweep(self, policy: EarlyWarning = POLICY, **extra: Any) -> list[DomainEvent]:
        new = policy.sweep(self.ctx(**extra))
        self.events.extend(new)
        return new


def assigned(text: str, **kw: Any) -> History:
    h = History(text, **kw)
    h.add(DepartmentAssigned, stage="department_assigned", department="cs")
    return h.add(HandlerAssigned, stage="handler_assigned", handler="kim")


@pytest.mark.parametrize(
    ("text", "channel", "step", "rule"),
    [
        ("충전 중 화재가 발생했어요", "phone", 3, "injury_or_fire"),
        ("My child was injured by the blade", "email", 3, "injury_or_fire"),
        ("배터리가 과열됩니다", "phone", 2, "safety"),
        ("변호사와 상의해서 소송하겠습니다", "phone", 2, "legal_threat"),
        ("I will sue you", "web", 2, "legal_threat"),
        ("the box was dented", "press", 2, "press"),
        ("the box was dented", "public_agency", 1, "public_agency"),
    ],
)
def test_rules_assign_crisis_steps(text: str, channel: str, step: int, rule: str) -> None:
    decision = POLICY.decide(History(text, channel=channel).ctx())
    assert decision is not None
    assert (decision.step, decision.rules) == (step, (rule,))


def test_no_rule_no_warning_and_no_false_friends() -> None:
    assert POLICY.decide(History("there is an issue with my invoice").ctx()) is None  # 'sue'
    assert POLICY.decide(History("배송이 연기되어 불이익을 받았습니다").ctx()) is None  # 연기, 불이
    assert POLICY.sweep(History().ctx()) == []


def test_highest_step_wins_and_every_match_is_reported() -> None:
    decision = POLICY.decide(History("fire! I will call my lawyer", channel="press").ctx())
    assert decision is not None
    assert decision.step == 3
    assert decision.rules == ("injury_or_fire",)
    assert decision.matched == (
        "injury_or_fire: keyword in the customer's words",
        "legal_threat: keyword in the customer's words",
        "press: channel press",
    )


def test_flags_and_safety_codes() -> None:
    legal = POLICY.decide(History(flags=frozenset({Flag.LEGAL_THREAT})).ctx())
    assert legal is not None
    assert (legal.step, legal.safety) == (2, False)
    h = History().add(
        Classified,
        stage="classified",
        concerns=(Concern(kind="complaint", text="x", code="SAF.BATT"),),
    )
    coded = POLICY.decide(h.ctx())
    assert coded is not None
    assert (coded.step, coded.safety, coded.matched) == (2, True, ("safety: code SAF.BATT",))


def test_code_cluster_reads_recent_counts_from_the_desk() -> None:
    h = History().add(
        Classified,
        stage="classified",
        concerns=(Concern(kind="complaint", text="x", code="PRD.DEF"),),
    )
    assert POLICY.decide(h.ctx(recent_code_counts={"PRD.DEF": 4})) is None
    decision = POLICY.decide(h.ctx(recent_code_counts={"PRD.DEF": 5}))
    assert decision is not None
    assert decision.matched == (
        "code_cluster: 5 complaints with code PRD.DEF in the recent window",
    )


def test_sweep_raises_flags_and_opens_a_card_then_stays_quiet() -> None:
    h = assigned("the charger exploded")
    new = h.sweep()
    assert [type(e) for e in new] == [EarlyWarningRaised, FlagsChanged, CcCardOpened]
    raised, flags, card = new
    assert isinstance(raised, EarlyWarningRaised)
    assert raised.step == 3
    assert raised.notify == ("park", "ceo")
    assert raised.actions[0] == "convene the crisis team"
    assert isinstance(flags, FlagsChanged)
    assert flags.added == frozenset({Flag.SAFETY})
    assert isinstance(card, CcCardOpened)
    assert (card.card_id, card.step) == ("CC-c1", 3)
    assert {e.version for e in new} == {4}
    assert {e.trigger for e in new} == {"early_warning"}
    c = h.complaint
    assert (c.crisis_step, c.cc_card, Flag.SAFETY in c.flags) == (3, "CC-c1", True)
    assert h.sweep() == []


def test_step_rises_later_and_the_card_follows() -> None:
    h = assigned("I will sue")
    assert [e.type for e in h.sweep()] == ["early_warning_raised", "cc_card_opened"]
    h.add(
        Classified, stage="classified", concerns=(Concern(kind="complaint", text="it caught fire"),)
    )
    new = h.sweep()
    assert [(e.type, getattr(e, "step", None)) for e in new] == [
        ("early_warning_raised", 3),
        ("flags_changed", None),
        ("cc_card_opened", 3),
    ]
    assert h.sweep() == []


def test_a_removed_safety_flag_is_not_added_back() -> None:
    h = assigned("it caught fire")
    h.sweep()
    h.add(FlagsChanged, removed=frozenset({Flag.SAFETY}), reason="false alarm")
    assert h.sweep() == []


def test_cc_card_from_step_and_closing_the_card() -> None:
    policy = EarlyWarning(cc_card_from_step=3)
    h = assigned("I will sue")
    assert [e.type for e in h.sweep(policy)] == ["early_warning_raised"]
    with pytest.raises(InvalidInput, match="no open CC Card"):
        close_cc_card_event(h.complaint, "done", T0, SYS)
    h2 = assigned("fire")
    h2.sweep()
    closed = close_cc_card_event(h2.complaint, "root cause removed", T0 + 20 * H, SYS)
    assert isinstance(closed, CcCardClosed)
    assert (closed.card_id, closed.version) == (cc_card_id(h2.complaint), h2.complaint.version + 1)
    h2.events.append(closed)
    assert h2.complaint.cc_card is None
    assert h2.sweep() == []  # the step did not rise: no new card


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="has no condition"):
        WarningRule(name="empty", step=1)
    with pytest.raises(PolicyError, match=r"crisis step\(s\) \[2\] that no CrisisLevel defines"):
        EarlyWarning(
            [WarningRule(name="x", step=2, keywords=("x",))], [{"step": 1, "name": "watch"}]
        )
    with pytest.raises(ConfigError, match=r"rules\[0\]\.step"):
        default_registry.create(
            "early_warning", "rules", rules=[{"name": "x", "step": 4, "keywords": ["x"]}]
        )
    with pytest.raises(PolicyError, match="unknown rule 'legal'"):
        default_registry.create("early_warning", "rules", extra_keywords={"legal": ["x"]})


def test_registry_rules_from_plain_params() -> None:
    policy = default_registry.create(
        "early_warning",
        "rules",
        rules=[{"name": "recall", "step": 3, "keywords": ["리콜"], "safety": True}],
        levels=[
            {"step": 3, "name": "crisis", "actions": ["call the board"], "notify": ["executive"]}
        ],
    )
    decision = policy.decide(assigned("리콜 해주세요").ctx())
    assert decision is not None
    assert (decision.step, decision.actions, decision.notify) == (3, ("call the board",), ("ceo",))


texts = st.lists(
    st.sampled_from(["dented", "I will sue", "overheating", "it exploded", "정상", "소송"]),
    min_size=1,
    max_size=5,
)


@given(texts, st.sampled_from(["phone", "press", "public_agency"]))
def test_sweep_is_idempotent_and_steps_only_rise(sequence: list[str], channel: str) -> None:
    h = assigned(sequence[0], channel=channel)
    steps = []
    for text in sequence:
        h.add(Classified, stage="classified", concerns=(Concern(kind="complaint", text=text),))
        new = h.sweep()
        assert h.sweep() == []
        steps += [e.step for e in new if isinstance(e, EarlyWarningRaised)]
    assert steps == sorted(set(steps))
    assert h.complaint.crisis_step == (max(steps) if steps else 0)
