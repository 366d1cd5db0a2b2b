"""Tests of ccms.policy.escalation: ladders by SLA time, reopens, supervisor requests, authority."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import ConfigError, PolicyError
from ccms.model import (
    Actor,
    Agent,
    Authority,
    Closed,
    Complaint,
    ComplaintReceived,
    Concern,
    CustomerRef,
    Department,
    DepartmentAssigned,
    DomainEvent,
    Escalated,
    FlagsChanged,
    HandlerAssigned,
    Money,
    Organization,
    Reopened,
    Result,
    ResultRegistered,
    Resumed,
    WaitingOnCustomer,
    fold,
)
from ccms.policy import PolicyContext, default_registry
from ccms.policy.escalation import EscalationLadder, Level, authority_problem
from ccms.policy.sla import SlaPolicy, SlaTable

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
H = timedelta(hours=1)
SYS = Actor.system()

ORG = Organization(
    departments=[
        Department(id="cs", name="Customer service", head="park"),
        Department(id="board", name="Board"),
    ],
    agents=[
        Agent(
            id="kim",
            name="Kim",
            department="cs",
            authority=Authority(
                remedies={"apology", "explanation", "refund"}, max_amount=Money(amount="50000")
            ),
        ),
        Agent(id="lee", name="Lee", department="cs", role="supervisor"),
        Agent(id="moon", name="Moon", department="cs", role="supervisor", active=False),
        Agent(id="park", name="Park", department="cs"),
        Agent(id="ceo", name="Choi", department="board", role="executive"),
    ],
)
TABLE = SlaTable(version="v1", rows=[{"targets": {"resolution": "24h"}}])
LADDER = EscalationLadder(
    levels=[
        Level(threshold=0.5, notify=("handler",)),
        Level(threshold=1.0, supervisor_requested=True, notify=("supervisor",)),
        Level(threshold="2d", reopen_count=2, over_authority=True, notify=("department_head",)),
        Level(threshold="4d", notify=("executive", "agent:audit")),
    ],
    sla=TABLE,
)


class History:
    def __init__(self, **concern: Any) -> None:
        self.events: list[DomainEvent] = [
            ComplaintReceived(
                complaint_id="c1",
                version=1,
                at=T0,
                actor=SYS,
                stage="received",
                received_at=T0,
                channel="web",
                customer=CustomerRef(id="u1"),
                concerns=(Concern(kind="complaint", text="late", **concern),),
            )
        ]
        self.add(DepartmentAssigned, 0.1, stage="department_assigned", department="cs")
        self.add(HandlerAssigned, 0.2, stage="handler_assigned", handler="kim")

    def add(self, cls: type[DomainEvent], hours: float, **fields: Any) -> History:
        version = self.events[-1].version + 1
        self.events.append(
            cls(complaint_id="c1", version=version, at=T0 + hours * H, actor=SYS, **fields)
        )
        return self

    @property
    def complaint(self) -> Complaint:
        return fold(self.events)

    def ctx(self, hours: float) -> PolicyContext:
        return PolicyContext(
            complaint=self.complaint, events=self.events, now=T0 + hours * H, organization=ORG
        )


def test_levels_by_share_of_the_sla_and_roles_resolved() -> None:
    h = History()
    assert LADDER.decide(h.ctx(11.9)) is None
    one = LADDER.decide(h.ctx(12))
    assert one is not None
    assert (one.level, one.notify) == (1, ("kim",))
    assert one.reasons == ("50% of SLA target resolution elapsed (level 1 at 50%)",)
    two = LADDER.decide(h.ctx(24))
    assert two is not None
    assert (two.level, two.notify) == (2, ("lee",))  # moon is inactive
    four = LADDER.decide(h.ctx(96))
    assert four is not None
    assert (four.level, four.notify) == (4, ("ceo", "audit"))


def test_sweep_emits_each_new_level_once() -> None:
    h = History()
    first = LADDER.sweep(h.ctx(13))
    assert len(first) == 1
    event = first[0]
    assert isinstance(event, Escalated)
    assert (event.level, event.notify, event.version, event.trigger) == (
        1,
        ("kim",),
        4,
        "escalation",
    )
    h.events.extend(first)
    assert LADDER.sweep(h.ctx(13)) == []
    assert LADDER.sweep(h.ctx(20)) == []
    second = LADDER.sweep(h.ctx(25))
    assert [(e.level, e.notify) for e in second if isinstance(e, Escalated)] == [(2, ("lee",))]
    h.events.extend(second)
    assert h.complaint.escalation_level == 2
    assert LADDER.sweep(h.ctx(25)) == []


def test_a_late_sweep_skips_rungs_but_tells_everyone_they_name() -> None:
    (event,) = LADDER.sweep(History().ctx(50))
    assert isinstance(event, Escalated)
    assert event.level == 3
    assert event.notify == ("kim", "lee", "park")
    assert event.reason.count("elapsed") == 3


def test_paused_time_does_not_escalate_and_a_stopped_clock_never_does() -> None:
    h = History().add(WaitingOnCustomer, 1, stage="waiting_on_customer")
    h.add(Resumed, 11, stage="in_progress")
    assert LADDER.decide(h.ctx(13)) is None  # 3h of clock time
    done = History().add(
        ResultRegistered, 5, stage="result_registered", result=Result(remedy="apology")
    )
    assert LADDER.decide(done.ctx(200)) is None


def test_reopens_and_supervisor_requests_escalate_without_time() -> None:
    h = History().add(FlagsChanged, 1, added=frozenset({"supervisor_requested"}))
    decision = LADDER.decide(h.ctx(1))
    assert decision is not None
    assert (decision.level, decision.reasons) == (2, ("the customer asked for a supervisor",))
    h = History()
    for n in range(2):
        h.add(
            ResultRegistered, 1 + 2 * n, stage="result_registered", result=Result(remedy="apology")
        )
        h.add(Reopened, 2 + 2 * n, stage="handler_assigned")
    decision = LADDER.decide(h.ctx(4.5))
    assert decision is not None
    assert decision.level == 3
    assert "reopened 2 times (level 3 at 2)" in decision.reasons


def test_remedy_beyond_the_handlers_authority() -> None:
    h = History().add(
        ResultRegistered,
        1,
        stage="result_registered",
        result=Result(remedy="refund", amount=Money(amount="80000")),
    )
    assert authority_problem(h.complaint, ORG) == (
        "handler kim: amount 80000 KRW exceeds the authority limit 50000 KRW"
    )
    decision = LADDER.decide(h.ctx(1))
    assert decision is not None
    assert (decision.level, decision.notify) == (3, ("park",))
    asked = History(requested_remedy="compensation")
    assert authority_problem(asked.complaint, ORG) == (
        "handler kim: requested remedy 'compensation' is outside the authority "
        "(may grant: apology, explanation, refund)"
    )
    assert authority_problem(History(requested_remedy="refund").complaint, ORG) is None


def test_closed_complaints_and_manual_escalations() -> None:
    closed = History().add(Closed, 1, stage="closed")
    assert LADDER.decide(closed.ctx(100)) is None
    manual = History().add(Escalated, 1, level=2, reason="by hand")
    assert LADDER.sweep(manual.ctx(30)) == []  # level 2 already reached
    (event,) = LADDER.sweep(manual.ctx(49))
    assert isinstance(event, Escalated)
    assert event.level == 3


def test_absolute_threshold_without_sla_uses_the_complaints_age() -> None:
    ladder = EscalationLadder([Level(threshold="6h")])
    assert ladder.decide(History().ctx(5.9)) is None
    decision = ladder.decide(History().ctx(6))
    assert decision is not None
    assert decision.reasons == ("6:00:00 elapsed on resolution (level 1 at 6:00:00)",)


def test_the_sla_policy_may_be_given_instead_of_its_table() -> None:
    ladder = EscalationLadder([Level(threshold=0.25)], sla=SlaPolicy(TABLE))
    assert ladder.decide(History().ctx(6)) is not None


def test_bad_ladders_are_refused() -> None:
    with pytest.raises(PolicyError, match="at least one level"):
        EscalationLadder([])
    with pytest.raises(ValueError, match="a level needs a trigger"):
        Level(notify=("handler",))
    with pytest.raises(
        ConfigError, match=r"levels\[0\]\.notify: Value error, unknown notify role 'boss'"
    ):
        default_registry.create(
            "escalation", "ladder", levels=[{"threshold": 0.5, "notify": ["boss"]}]
        )


def test_registry_ladder_from_plain_params() -> None:
    ladder = default_registry.create(
        "escalation",
        "ladder",
        levels=[{"threshold": 0.5}, {"threshold": "1d", "notify": ["supervisor"]}],
        sla={"version": "v1", "rows": [{"targets": {"resolution": "10h"}}]},
    )
    decision = ladder.decide(History().ctx(5))
    assert decision is not None
    assert decision.level == 1


@given(st.lists(st.floats(0, 120), max_size=6).map(sorted))
def test_sweep_is_idempotent_and_levels_only_rise(times: list[float]) -> None:
    h = History()
    levels = []
    for t in times:
        new = LADDER.sweep(h.ctx(max(t, 0.2)))
        h.events.extend(new)
        assert LADDER.sweep(h.ctx(max(t, 0.2))) == []
        levels += [e.level for e in new if isinstance(e, Escalated)]
    assert levels == sorted(set(levels))
