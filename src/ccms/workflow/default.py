"""The default VOC handling process (VOC 처리 프로세스) as a workflow definition.

received -> classified -> department_assigned -> handler_assigned -> in_progress ->
result_registered -> customer_notified -> feedback_recorded (happy call) -> closed, with waiting on
the customer (and back), transfers between departments (counted), reopening after an unhappy happy
call or within a window after closing (counted), withdrawal, rejection (duplicate, out of scope),
first-contact resolution by the front line, and the authority and remedy-standard guards on
registering a result.

>>> d = voc_definition()
>>> d.initial, sorted(d.terminal_stages), sorted(d.paused_stages)
('received', ['rejected', 'withdrawn'], ['waiting_on_customer'])
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from ccms.model import Role
from ccms.workflow.definition import ANY, StageSpec, TransitionSpec, WorkflowDefinition
from ccms.workflow.engine import Workflow
from ccms.workflow.guards import reopen_window

__all__ = ["OPEN_STAGES", "default_workflow", "voc_definition"]

FL, HD, SV, EX, SY = Role.FRONT_LINE, Role.HANDLER, Role.SUPERVISOR, Role.EXECUTIVE, Role.SYSTEM
_ANYONE = frozenset({FL, HD, SV, EX, SY})
_DESK = frozenset({FL, SV, EX, SY})  # intake and dispatch

#: Stages in which the complaint is still being worked on.
OPEN_STAGES = (
    "received",
    "classified",
    "department_assigned",
    "handler_assigned",
    "in_progress",
    "waiting_on_customer",
    "result_registered",
    "customer_notified",
    "feedback_recorded",
)


def voc_definition(*, name: str = "voc") -> WorkflowDefinition:
    """The default definition (a new, equal object each call)."""
    stages = [
        StageSpec(name="received", description="VOC raised through a channel (VOC 제기)"),
        StageSpec(name="classified", description="classified with VOC codes (분류/등록)"),
        StageSpec(name="department_assigned", description="department responsible (담당부서 할당)"),
        StageSpec(name="handler_assigned", description="handler assigned (담당자 배분)"),
        StageSpec(name="in_progress", description="investigation, cause, remedy (VOC 처리)"),
        StageSpec(name="waiting_on_customer", paused=True, description="waiting on the customer"),
        StageSpec(name="result_registered", description="result registered (처리결과 등록)"),
        StageSpec(name="customer_notified", description="result told (처리결과 통보)"),
        StageSpec(name="feedback_recorded", description="happy call answered (해피콜)"),
        StageSpec(name="closed", open=False, description="done; reopenable within a window"),
        StageSpec(name="withdrawn", terminal=True, open=False, description="customer withdrew"),
        StageSpec(
            name="rejected", terminal=True, open=False, description="duplicate or out of scope"
        ),
    ]
    working = ("department_assigned", "handler_assigned", "in_progress", "waiting_on_customer")
    t = TransitionSpec
    transitions = [
        t(trigger="classify", source=("received", "classified"), dest="classified", roles=_ANYONE),
        t(
            trigger="assign_department",
            source=("classified",),
            dest="department_assigned",
            roles=_DESK,
        ),
        t(
            trigger="assign_handler",
            source=("department_assigned", "handler_assigned"),
            dest="handler_assigned",
            guards=("handler_in_department",),
            roles=_ANYONE,
        ),
        t(trigger="start", source=("handler_assigned",), dest="in_progress", roles=_ANYONE),
        t(
            trigger="wait_on_customer",
            source=("in_progress",),
            dest="waiting_on_customer",
            roles=_ANYONE,
        ),
        t(trigger="resume", source=("waiting_on_customer",), dest="in_progress", roles=_ANYONE),
        t(
            trigger="transfer",
            source=working,
            dest="department_assigned",
            guards=("different_department",),
            roles=_ANYONE,
        ),
        # First-contact resolution: the front line resolves within its authority at intake.
        t(
            trigger="register_result",
            source=("classified", "in_progress", "waiting_on_customer"),
            dest="result_registered",
            guards=("authority", "remedy_standard"),
            roles=_ANYONE,
        ),
        t(trigger="notify", source=("result_registered",), dest="customer_notified", roles=_ANYONE),
        t(
            trigger="record_feedback",
            source=("customer_notified",),
            dest="feedback_recorded",
            roles=_ANYONE,
        ),
        # A reopened complaint goes back to its handler; one resolved at first contact (no
        # handler) goes back to dispatch. The first row whose guards pass is taken.
        t(
            trigger="reopen",
            source=("feedback_recorded",),
            dest="handler_assigned",
            guards=("has_handler",),
            roles=_ANYONE,
        ),
        t(trigger="reopen", source=("feedback_recorded",), dest="classified", roles=_ANYONE),
        t(
            trigger="reopen",
            source=("closed",),
            dest="handler_assigned",
            guards=("reopen_window", "has_handler"),
            roles=_ANYONE,
        ),
        t(
            trigger="reopen",
            source=("closed",),
            dest="classified",
            guards=("reopen_window",),
            roles=_ANYONE,
        ),
        t(
            trigger="close",
            source=("customer_notified", "feedback_recorded"),
            dest="closed",
            roles=_ANYONE,
        ),
        t(trigger="withdraw", source=OPEN_STAGES, dest="withdrawn", roles=_ANYONE),
        t(
            trigger="reject",
            source=(
                "received",
                "classified",
                "department_assigned",
                "handler_assigned",
                "in_progress",
            ),
            dest="rejected",
            roles=frozenset({FL, SV, EX, SY}),
        ),
        t(trigger="respond", source=OPEN_STAGES, dest=None, roles=_ANYONE),
        t(trigger="escalate", source=(ANY,), dest=None, roles=_ANYONE),
        t(trigger="flag", source=(ANY,), dest=None, roles=_ANYONE),
        # The root cause behind a CC Card was removed; also after the complaint was closed.
        t(trigger="close_cc_card", source=(ANY,), dest=None, roles=frozenset({SV, EX, SY})),
    ]
    return WorkflowDefinition(
        name=name,
        initial="received",
        stages=tuple(stages),
        transitions=tuple(transitions),
        params={"reopen_window_days": 14},
    )


@lru_cache(maxsize=8)
def default_workflow(reopen_window_days: int = 14) -> Workflow:
    """The compiled default workflow (built once per window and cached)."""
    return Workflow(
        voc_definition(),
        guards={"reopen_window": reopen_window(timedelta(days=reopen_window_days))},
    )
