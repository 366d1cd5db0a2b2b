"""The workflow: definition checks, compiled table semantics, firing, errors, diagrams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transitions import Machine, MachineError

from ccms.errors import (
    GuardRejected,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
    WorkflowDefinitionError,
)
from ccms.model import (
    Actor,
    Agent,
    Authority,
    Concern,
    CustomerRef,
    Department,
    Money,
    Organization,
    RemedyKind,
    Result,
    Role,
    fold,
)
from ccms.workflow import (
    AssignDepartment,
    AssignHandler,
    Classify,
    Close,
    Fire,
    Notify,
    Receive,
    RecordFeedback,
    RegisterResult,
    Reopen,
    StageSpec,
    Start,
    Transfer,
    TransitionSpec,
    Workflow,
    WorkflowDefinition,
    default_workflow,
    voc_definition,
)

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
SYSTEM = Actor.system()
ORG = Organization(
    departments=[Department(id="cs", name="CS"), Department(id="qa", name="QA")],
    agents=[
        Agent(
            id="kim",
            name="Kim",
            department="qa",
            authority=Authority(remedies={"refund", "apology"}, max_amount=Money(amount="50000")),
        ),
        Agent(
            id="lee",
            name="Lee",
            department="qa",
            role=Role.SUPERVISOR,
            authority=Authority(remedies=set(RemedyKind), max_amount=Money(amount="1000000")),
        ),
    ],
)


def received(wf: Workflow, cid: str = "c1"):
    cmd = Receive(
        channel="phone",
        customer=CustomerRef(id="C-1"),
        concerns=(Concern(kind="complaint", text="broken handle"),),
        received_at=T0,
    )
    return wf.receive(cmd, complaint_id=cid, actor=SYSTEM, at=T0)


def run(wf: Workflow, commands, actor: Actor = SYSTEM):
    fired = received(wf)
    complaint, events = fired.complaint, list(fired.events)
    at = T0
    for cmd in commands:
        at += timedelta(hours=1)
        fired = wf.fire(complaint, cmd, actor=actor, at=at, organization=ORG)
        complaint = fired.complaint
        events.extend(fired.events)
    return complaint, events


# -- definitions ---------------------------------------------------------------------------------


def test_default_definition_is_valid_and_describes_the_voc_process():
    d = voc_definition()
    assert d.initial == "received"
    assert d.terminal_stages == {"withdrawn", "rejected"}
    assert d.paused_stages == {"waiting_on_customer"}
    assert {"classify", "assign_department", "assign_handler", "register_result", "reopen"} <= set(
        d.triggers
    )


@pytest.mark.parametrize(
    ("stages", "transitions", "problem"),
    [
        (
            [StageSpec(name="a"), StageSpec(name="z", terminal=True)],
            [TransitionSpec(trigger="go", source=("a",), dest="nowhere")],
            "transition 'go' goes to unknown stage 'nowhere'",
        ),
        (
            [StageSpec(name="a"), StageSpec(name="z", terminal=True)],
            [
                TransitionSpec(trigger="go", source=("a",), dest="z"),
                TransitionSpec(trigger="back", source=("z",), dest="a"),
            ],
            "transition 'back' leaves terminal stage 'z'",
        ),
        (
            [StageSpec(name="a"), StageSpec(name="b"), StageSpec(name="z", terminal=True)],
            [TransitionSpec(trigger="go", source=("a",), dest="b")],
            "stage 'z' is unreachable from 'a'",
        ),
        (
            [StageSpec(name="a"), StageSpec(name="b"), StageSpec(name="z", terminal=True)],
            [
                TransitionSpec(trigger="go", source=("a",), dest="b"),
                TransitionSpec(trigger="end", source=("a",), dest="z"),
            ],
            "stage 'b' is a dead end",
        ),
    ],
)
def test_definition_errors_are_caught_at_definition_time(stages, transitions, problem):
    with pytest.raises(WorkflowDefinitionError) as info:
        WorkflowDefinition(name="w", initial="a", stages=stages, transitions=transitions)
    assert problem in str(info.value)
    assert any(problem in p for p in info.value.problems)


def test_unknown_guard_is_a_definition_error_naming_the_known_guards():
    d = WorkflowDefinition(
        name="w",
        initial="a",
        stages=[StageSpec(name="a"), StageSpec(name="z", terminal=True)],
        transitions=[TransitionSpec(trigger="go", source=("a",), dest="z", guards=("is_vip",))],
    )
    with pytest.raises(WorkflowDefinitionError, match=r"unknown guard .is_vip.*known: authority"):
        Workflow(d)


def test_custom_workflow_from_a_toml_file(tmp_path: Path):
    path = tmp_path / "mini.toml"
    path.write_text(
        """
name = "mini"
initial = "received"
[[stages]]
name = "received"
[[stages]]
name = "answered"
terminal = true
[[transitions]]
trigger = "answer"
source = "received"
dest = "answered"
roles = ["front_line"]
""",
        encoding="utf-8",
    )
    wf = Workflow(WorkflowDefinition.from_file(path))
    start = received(wf).complaint
    done = wf.fire(start, Fire(name="answer"), actor=Actor(id="kim", role="front_line"), at=T0)
    assert done.complaint.stage == "answered"
    assert done.events[0].type == "stage_changed"
    with pytest.raises(NotPermitted, match="roles that may: front_line"):
        wf.fire(start, Fire(name="answer"), actor=SYSTEM, at=T0)


def test_bad_definition_file_names_the_key(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\ninitial: a\nstages: [{name: a, terminal: maybe}]\ntransitions: []\n")
    with pytest.raises(Exception, match=r"bad.yaml: stages\[0\].terminal"):
        WorkflowDefinition.from_file(path)


# -- the compiled table has transitions' semantics -------------------------------------------------


@given(data=st.data())
def test_resolved_table_agrees_with_a_transitions_machine(data):
    """For any stage, trigger and guard outcomes, our table decides as `transitions` does."""
    wf = default_workflow()
    d = wf.definition
    stage = data.draw(st.sampled_from([s.name for s in d.stages]), label="stage")
    trigger = data.draw(st.sampled_from(list(d.triggers)), label="trigger")
    outcomes = {g: data.draw(st.booleans(), label=g) for g in sorted(d.guard_names)}

    class Model:
        pass

    model = Model()
    Machine(
        model=model,
        states=[s.name for s in d.stages],
        transitions=[
            {
                "trigger": t.trigger,
                "source": list(d.expand(t.source)),
                "dest": t.dest,
                "conditions": [lambda _e, g=g: outcomes[g] for g in t.guards],
            }
            for t in d.transitions
        ],
        initial=stage,
        auto_transitions=False,
        send_event=True,
    )
    try:
        fired = getattr(model, trigger)()
        expected: str | None = model.state if fired else "refused"
    except MachineError:
        expected = "invalid"

    rows = wf.table.get((stage, trigger))
    if rows is None:
        ours: str | None = "invalid"
    else:
        chosen = next((r for r in rows if all(outcomes[g] for g in r.guards)), None)
        ours = "refused" if chosen is None else (chosen.dest or stage)
    assert ours == expected


def test_loading_complaints_builds_no_machine(monkeypatch):
    wf = default_workflow()
    built = []
    original = Machine.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Machine, "__init__", counting)
    complaint = received(wf).complaint
    for i in range(200):
        c = complaint.model_copy(update={"id": f"c{i}"})
        wf.fire(c, Classify(codes=("PRD.DEF",)), actor=SYSTEM, at=T0)
    assert built == []
    assert wf.machine.models == []


# -- firing --------------------------------------------------------------------------------------


def test_fire_returns_a_new_version_and_never_mutates_the_input():
    wf = default_workflow()
    start = received(wf).complaint
    before = start.model_dump()
    fired = wf.fire(start, Classify(codes=("PRD.DEF",)), actor=SYSTEM, at=T0 + timedelta(minutes=5))
    assert start.model_dump() == before
    assert fired.complaint.version == start.version + 1
    assert fired.complaint.stage == "classified"
    assert [e.type for e in fired.events] == ["classified"]
    assert all(e.version == 2 for e in fired.events)


def test_full_lifecycle_folds_to_the_final_snapshot():
    wf = default_workflow()
    complaint, events = run(
        wf,
        [
            Classify(codes=("PRD.DEF",)),
            AssignDepartment(department="qa"),
            AssignHandler(handler="kim"),
            Start(),
            RegisterResult(result=Result(remedy="refund", amount=Money(amount="30000"))),
            Notify(channel="sms"),
            RecordFeedback(feedback={"satisfied": False, "csat": 2, "wants_reopen": True}),
            Reopen(reason="unhappy"),
            Start(),
            RegisterResult(result=Result(remedy="apology")),
            Notify(channel="phone"),
            RecordFeedback(feedback={"satisfied": True, "csat": 5}),
            Close(),
        ],
    )
    assert complaint.stage == "closed"
    assert complaint.reopen_count == 1
    assert complaint.handler == "kim"
    assert [e.version for e in events] == list(range(1, 15))
    assert fold(events) == complaint


def test_invalid_transition_names_complaint_stage_trigger_and_allowed():
    wf = default_workflow()
    start = received(wf).complaint
    with pytest.raises(InvalidTransition) as info:
        wf.fire(start, Start(), actor=SYSTEM, at=T0)
    err = info.value
    assert (err.complaint_id, err.stage, err.trigger) == ("c1", "received", "start")
    assert err.allowed == (
        "classify",
        "close_cc_card",
        "escalate",
        "flag",
        "reject",
        "respond",
        "withdraw",
    )
    assert str(err) == (
        "complaint c1 in stage 'received' cannot fire 'start'; "
        "allowed from there: classify, close_cc_card, escalate, flag, reject, respond, withdraw"
    )


def test_unknown_trigger_says_the_workflow_lacks_it():
    wf = default_workflow()
    start = received(wf).complaint
    with pytest.raises(InvalidTransition, match="workflow 'voc' has no trigger 'teleport'"):
        wf.fire(start, Fire(name="teleport"), actor=SYSTEM, at=T0)


def test_role_restriction():
    wf = default_workflow()
    complaint, _ = run(wf, [Classify(codes=("PRD.DEF",))])
    handler = Actor(id="kim", role=Role.HANDLER)
    with pytest.raises(NotPermitted) as info:
        wf.fire(
            complaint, AssignDepartment(department="qa"), actor=handler, at=T0 + timedelta(days=1)
        )
    assert info.value.role == "handler"
    assert "front_line" in info.value.roles


def test_authority_guard_refuses_above_the_limit_and_names_who_may():
    wf = default_workflow()
    complaint, _ = run(
        wf,
        [
            Classify(codes=("PRD.DEF",)),
            AssignDepartment(department="qa"),
            AssignHandler(handler="kim"),
            Start(),
        ],
    )
    big = RegisterResult(result=Result(remedy="refund", amount=Money(amount=Decimal("80000"))))
    at = T0 + timedelta(days=1)
    with pytest.raises(GuardRejected) as info:
        wf.fire(complaint, big, actor=Actor(id="kim", role="handler"), at=at, organization=ORG)
    assert info.value.guard == "authority"
    assert "80000 KRW exceeds the authority limit 50000 KRW of kim" in info.value.reason
    assert "(lee)" in info.value.reason
    fired = wf.fire(
        complaint, big, actor=Actor(id="lee", role="supervisor"), at=at, organization=ORG
    )
    assert fired.complaint.result is not None
    assert fired.complaint.result.amount == Money(amount="80000")


def test_reopen_window_after_closing():
    wf = default_workflow(reopen_window_days=14)
    complaint, _ = run(
        wf,
        [
            Classify(codes=("PRD.DEF",)),
            AssignDepartment(department="qa"),
            AssignHandler(handler="kim"),
            Start(),
            RegisterResult(result=Result(remedy="apology")),
            Notify(channel="sms"),
            Close(),
        ],
    )
    closed_at = complaint.closed_at
    assert closed_at is not None
    ok = wf.fire(complaint, Reopen(), actor=SYSTEM, at=closed_at + timedelta(days=13))
    assert ok.complaint.stage == "handler_assigned"
    assert ok.complaint.closed_at is None
    with pytest.raises(GuardRejected, match="more than 14 days"):
        wf.fire(complaint, Reopen(), actor=SYSTEM, at=closed_at + timedelta(days=15))


def test_a_complaint_resolved_at_first_contact_reopens_to_dispatch_not_to_a_missing_handler():
    wf = default_workflow(reopen_window_days=14)
    fcr = [
        Classify(codes=("PRD.DEF",)),
        RegisterResult(result=Result(remedy="explanation")),
        Notify(channel="sms"),
    ]
    complaint, _ = run(wf, [*fcr, RecordFeedback(feedback={"satisfied": False, "csat": 1})])
    assert complaint.handler is None
    reopened = wf.fire(complaint, Reopen(), actor=SYSTEM, at=complaint.updated_at)
    assert reopened.complaint.stage == "classified"  # next: assign a department
    assert "assign_department" in wf.allowed_triggers(reopened.complaint.stage)
    closed, _ = run(wf, [*fcr, Close()])
    assert closed.closed_at is not None
    late = closed.closed_at + timedelta(days=15)
    with pytest.raises(GuardRejected, match="more than 14 days"):
        wf.fire(closed, Reopen(), actor=SYSTEM, at=late)
    again = wf.fire(closed, Reopen(), actor=SYSTEM, at=closed.closed_at + timedelta(days=1))
    assert again.complaint.stage == "classified"


def test_transfer_counts_and_releases_the_handler():
    wf = default_workflow()
    complaint, _ = run(
        wf,
        [
            Classify(codes=("PRD.DEF",)),
            AssignDepartment(department="cs"),
            Transfer(to_department="qa", reason="a defect"),
            AssignHandler(handler="kim"),
        ],
    )
    assert (complaint.department, complaint.handler, complaint.transfer_count) == ("qa", "kim", 1)
    with pytest.raises(GuardRejected, match="already in department 'qa'"):
        wf.fire(complaint, Transfer(to_department="qa"), actor=SYSTEM, at=T0 + timedelta(days=2))


def test_commands_cannot_go_back_in_time():
    wf = default_workflow()
    start = received(wf).complaint
    with pytest.raises(InvalidInput, match="before its last change"):
        wf.fire(start, Classify(codes=("PRD.DEF",)), actor=SYSTEM, at=T0 - timedelta(seconds=1))


def test_classify_needs_one_code_per_concern():
    wf = default_workflow()
    start = received(wf).complaint
    with pytest.raises(InvalidInput, match="has 1 concerns; give one code each, got 2"):
        wf.fire(start, Classify(codes=("PRD.DEF", "DLV")), actor=SYSTEM, at=T0)


# -- diagrams ------------------------------------------------------------------------------------


def test_mermaid_and_dot_diagrams_show_every_stage_and_guard():
    wf = default_workflow()
    mermaid = wf.diagram("mermaid")
    dot = wf.diagram("dot")
    assert "stateDiagram-v2" in mermaid
    assert dot.startswith("digraph voc {")
    for stage in voc_definition().stages:
        assert stage.name in mermaid
        assert stage.name in dot
    assert "register_result [authority & remedy_standard]" in dot
    with pytest.raises(ValueError, match="format must be"):
        wf.diagram("svg")  # type: ignore[arg-type]


def test_a_cc_card_is_closed_by_a_supervisor_even_after_the_complaint_is_closed():
    from ccms.errors import InvalidInput, NotPermitted
    from ccms.model import CcCardOpened
    from ccms.workflow import CloseCcCard

    wf = default_workflow()
    complaint, _ = run(
        wf,
        [
            Classify(codes=("PRD.DEF",)),
            RegisterResult(result=Result(remedy="explanation")),
            Notify(channel="sms"),
            Close(),
        ],
    )
    with pytest.raises(InvalidInput, match="no open CC Card"):
        wf.fire(complaint, CloseCcCard(), actor=SYSTEM, at=complaint.updated_at)
    opened = CcCardOpened(
        complaint_id=complaint.id,
        version=complaint.version + 1,
        at=complaint.updated_at,
        actor=SYSTEM,
        card_id="CC-c1",
        step=2,
    ).apply(complaint)
    assert opened.cc_card == "CC-c1"
    handler = Actor(id="kim", role=Role.HANDLER)
    with pytest.raises(NotPermitted, match="supervisor"):
        wf.fire(opened, CloseCcCard(), actor=handler, at=opened.updated_at)
    lead = Actor(id="qa-lead", role=Role.SUPERVISOR)
    fired = wf.fire(
        opened, CloseCcCard(reason="task IMP-7 verified"), actor=lead, at=opened.updated_at
    )
    assert fired.complaint.cc_card is None
    assert fired.complaint.stage == "closed"
    assert [(e.type, e.card_id) for e in fired.events] == [("cc_card_closed", "CC-c1")]
