"""The workflow's ``remedy_standard`` guard on ``register_result``, fired on the workflow alone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccms.errors import GuardRejected
from ccms.model import (
    Actor,
    Agent,
    AppliedStandard,
    Complaint,
    Concern,
    CustomerRef,
    Department,
    Organization,
    Result,
    ResultRegistered,
    Role,
)
from ccms.model.organization import Authority
from ccms.workflow import RegisterResult, default_workflow

AT = datetime(2026, 3, 5, 9, tzinfo=UTC)
ALL = Authority(remedies=["refund", "exchange", "repair", "apology"])
ORG = Organization(
    departments=[Department(id="cs", name="CS")],
    agents=[
        Agent(id="kim", name="Kim", department="cs", authority=ALL),
        Agent(id="lee", name="Lee", department="cs", role="supervisor", authority=ALL),
        Agent(id="oh", name="Oh", department="cs", role="executive", authority=ALL),
    ],
)
COMPLAINT = Complaint(
    id="C-1",
    version=5,
    received_at=AT,
    updated_at=AT,
    channel="phone",
    customer=CustomerRef(id="CUST-1"),
    stage="in_progress",
    handler="kim",
    concerns=(Concern(kind="complaint", code="PRD.DEF", text="stopped heating"),),
)


def standard(verdict: str, reason: str = "", supervisor: str | None = None) -> AppliedStandard:
    return AppliedStandard(
        table="t",
        version="v1",
        rule="within 10 days",
        remedies=("exchange", "refund"),
        verdict=verdict,
        supervisor=supervisor,
        reason=reason,
    )


def fire(actor: Actor, applied: AppliedStandard | None) -> ResultRegistered:
    command = RegisterResult(result=Result(remedy="repair"), standard=applied)
    fired = default_workflow().fire(COMPLAINT, command, actor=actor, at=AT, organization=ORG)
    [event] = fired.events
    assert isinstance(event, ResultRegistered)
    return event


def test_at_above_or_without_a_standard_anyone_within_authority_registers() -> None:
    kim = Actor(id="kim", role=Role.HANDLER)
    for applied in (None, standard("at"), standard("above"), standard("no_standard")):
        assert fire(kim, applied).standard == applied


@pytest.mark.parametrize("who", ["lee", "oh"])
def test_below_a_supervisor_or_executive_with_a_reason_registers(who: str) -> None:
    role = Role.SUPERVISOR if who == "lee" else Role.EXECUTIVE
    applied = standard("below", "asked for a repair", who)
    assert fire(Actor(id=who, role=role), applied).standard == applied


def test_below_a_handler_is_refused_naming_the_standard() -> None:
    with pytest.raises(GuardRejected) as refused:
        fire(Actor(id="kim", role=Role.HANDLER), standard("below", "why not"))
    assert refused.value.guard == "remedy_standard"
    assert "repair is below the remedy standard t v1 (within 10 days: exchange or refund)" in str(
        refused.value
    )
    assert "kim acts as handler" in str(refused.value)


def test_the_organization_says_who_is_a_supervisor_not_the_actors_claim() -> None:
    with pytest.raises(GuardRejected, match="kim acts as handler"):
        fire(Actor(id="kim", role=Role.SUPERVISOR), standard("below", "trust me", "kim"))


def test_below_a_supervisor_without_a_reason_is_refused() -> None:
    with pytest.raises(GuardRejected, match="must give the reason"):
        fire(Actor(id="lee", role=Role.SUPERVISOR), standard("below", "   ", "lee"))
