"""``ccms.workflow.engine``: the compiled workflow decides and fires commands on immutable
complaints: the first transition whose guards pass wins, roles and guards refuse with typed
errors that name what was allowed, and a refused command changes nothing."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import (
    GuardRejected,
    InvalidInput,
    InvalidTransition,
    NaiveDatetimeError,
    NotPermitted,
    WorkflowDefinitionError,
)
from ccms.model import Actor, Complaint, Concern, CustomerRef, Role
from ccms.workflow import Fire, Receive, StageSpec, TransitionSpec, Workflow, WorkflowDefinition
from ccms.workflow.engine import _installed
from ccms.workflow.guards import GuardContext

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
SYSTEM = Actor.system()
HANDLER = Actor(id="kim", role=Role.HANDLER)
SUPERVISOR = Actor(id="park", role=Role.SUPERVISOR)


def _urgent(ctx: GuardContext) -> str | None:
    return None if "urgent" in getattr(ctx.command, "note", "") else "the note does not say urgent"


def _never(ctx: GuardContext) -> str | None:
    return "never allowed"


#: new -> fast (guarded, tried first) or slow; review is internal; approve only for supervisors.
DEFINITION = WorkflowDefinition(
    name="triage",
    initial="new",
    stages=(
        StageSpec(name="new"),
        StageSpec(name="fast"),
        StageSpec(name="slow"),
        StageSpec(name="done", terminal=True, open=False),
    ),
    transitions=(
        TransitionSpec(trigger="route", source=("new",), dest="fast", guards=("urgent",)),
        TransitionSpec(trigger="route", source=("new",), dest="slow"),
        TransitionSpec(trigger="review", source=("fast", "slow"), dest=None),
        TransitionSpec(
            trigger="approve",
            source=("fast", "slow"),
            dest="done",
            roles=frozenset({Role.SUPERVISOR}),
        ),
        TransitionSpec(trigger="block", source=("slow",), dest="done", guards=("never",)),
    ),
)
WF = Workflow(DEFINITION, guards={"urgent": _urgent, "never": _never})


def received() -> Complaint:
    command = Receive(
        channel="phone",
        customer=CustomerRef(id="C-1"),
        concerns=(Concern(kind="complaint", text="broken handle"),),
        received_at=T0,
    )
    fired = WF.receive(command, complaint_id="c1", actor=SYSTEM, at=T0)
    assert [e.version for e in fired.events] == [1]
    return fired.complaint


def test_receive_opens_version_one_in_the_initial_stage() -> None:
    c = received()
    assert (c.id, c.version, c.stage) == ("c1", 1, "new")


def test_the_first_transition_whose_guards_pass_wins() -> None:
    c = received()
    urgent = WF.fire(c, Fire(name="route", note="urgent"), actor=HANDLER, at=T0 + timedelta(1))
    plain = WF.fire(c, Fire(name="route", note="later"), actor=HANDLER, at=T0 + timedelta(1))
    assert urgent.complaint.stage == "fast"
    assert plain.complaint.stage == "slow"
    assert WF.decide(c, Fire(name="route"), actor=HANDLER, at=T0).dest == "slow"


def test_an_internal_transition_keeps_the_stage_and_records_an_event() -> None:
    c = WF.fire(received(), Fire(name="route"), actor=HANDLER, at=T0).complaint
    fired = WF.fire(c, Fire(name="review", note="checked"), actor=HANDLER, at=T0)
    assert fired.complaint.stage == "slow"
    assert fired.complaint.version == c.version + 1
    assert [e.version for e in fired.events] == [c.version + 1]


def test_a_role_not_allowed_is_refused_naming_the_roles_that_may() -> None:
    c = WF.fire(received(), Fire(name="route"), actor=HANDLER, at=T0).complaint
    with pytest.raises(NotPermitted) as refused:
        WF.fire(c, Fire(name="approve"), actor=HANDLER, at=T0)
    assert refused.value.role == "handler"
    assert refused.value.roles == ("supervisor",)
    assert "roles that may: supervisor" in str(refused.value)
    assert WF.fire(c, Fire(name="approve"), actor=SUPERVISOR, at=T0).complaint.stage == "done"


def test_a_guard_refusal_names_the_guard_its_reason_and_what_is_allowed() -> None:
    c = WF.fire(received(), Fire(name="route"), actor=HANDLER, at=T0).complaint
    before = c.model_dump()
    with pytest.raises(GuardRejected) as refused:
        WF.fire(c, Fire(name="block"), actor=SUPERVISOR, at=T0)
    err = refused.value
    assert (err.guard, err.reason, err.stage, err.trigger) == (
        "never",
        "never allowed",
        "slow",
        "block",
    )
    assert err.allowed == WF.allowed_triggers("slow")
    assert c.model_dump() == before  # a refused command changes nothing


def test_a_trigger_from_the_wrong_stage_lists_the_triggers_allowed_there() -> None:
    c = received()
    with pytest.raises(InvalidTransition) as refused:
        WF.fire(c, Fire(name="approve"), actor=SUPERVISOR, at=T0)
    assert refused.value.allowed == ("route",)
    with pytest.raises(InvalidTransition, match="workflow 'triage' has no trigger 'fly'"):
        WF.fire(c, Fire(name="fly"), actor=SUPERVISOR, at=T0)


def test_time_must_be_aware_and_never_go_back() -> None:
    c = WF.fire(received(), Fire(name="route"), actor=HANDLER, at=T0 + timedelta(hours=2)).complaint
    with pytest.raises(NaiveDatetimeError):
        WF.fire(c, Fire(name="review"), actor=HANDLER, at=datetime(2026, 3, 3, 9))  # naive
    with pytest.raises(InvalidInput, match="must not go back in time"):
        WF.fire(c, Fire(name="review"), actor=HANDLER, at=T0 + timedelta(hours=1))


@given(
    trigger=st.sampled_from(["route", "review", "approve", "block", "fly"]),
    role=st.sampled_from([Role.HANDLER, Role.SUPERVISOR, Role.SYSTEM]),
    routed=st.booleans(),
    note=st.sampled_from(["", "urgent"]),
)
def test_can_fire_says_exactly_whether_fire_succeeds(
    trigger: str, role: Role, routed: bool, note: str
) -> None:
    c = received()
    if routed:
        c = WF.fire(c, Fire(name="route"), actor=HANDLER, at=T0).complaint
    actor = Actor(id="someone", role=role)
    command = Fire(name=trigger, note=note)
    expected = WF.can_fire(c, command, actor=actor, at=T0)
    try:
        fired = WF.fire(c, command, actor=actor, at=T0)
    except InvalidTransition:
        assert not expected
    else:
        assert expected
        assert fired.complaint.version == c.version + len(fired.events)
        assert fired.complaint is not c


def test_the_table_and_the_allowed_triggers_agree() -> None:
    for (stage, trigger), rows in WF.table.items():
        assert trigger in WF.allowed_triggers(stage)
        assert all(r.source == stage and r.trigger == trigger for r in rows)
    assert [r.dest for r in WF.table[("new", "route")]] == ["fast", "slow"]  # priority order
    assert WF.allowed_triggers("done") == ()


def test_an_unknown_guard_is_refused_when_the_workflow_is_built() -> None:
    with pytest.raises(WorkflowDefinitionError, match="unknown guard 'urgent'"):
        Workflow(DEFINITION, guards={"never": _never})


def test_repr_and_diagram_formats() -> None:
    assert repr(WF) == "Workflow('triage', stages=4, triggers=4)"
    assert "fast" in WF.diagram("mermaid")
    with pytest.raises(ValueError, match="format must be 'mermaid' or 'dot'"):
        WF.diagram("svg")  # type: ignore[arg-type]


def test_a_blocked_package_counts_as_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _installed("pytest")
    monkeypatch.setitem(sys.modules, "ccms_blocked_for_a_test", None)
    assert not _installed("ccms_blocked_for_a_test")
    assert not _installed("ccms_no_such_package")
