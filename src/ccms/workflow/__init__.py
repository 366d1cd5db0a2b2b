"""``ccms.workflow``: the handling-stage state machine.

A declarative :class:`WorkflowDefinition` (stages, transitions, guards, roles) is validated when it
is made and compiled once into a :class:`Workflow` (built on ``transitions``) shared by every
complaint. :meth:`Workflow.fire` returns the new complaint version and its events, or raises a
typed error naming the complaint, the stage, the trigger and what was allowed.
"""

from __future__ import annotations

from ccms.workflow.commands import (
    AssignDepartment,
    AssignHandler,
    Classify,
    Close,
    CloseCcCard,
    Command,
    Escalate,
    Fire,
    Notify,
    Receive,
    RecordFeedback,
    RegisterResult,
    Reject,
    Reopen,
    Respond,
    Resume,
    SetFlags,
    Start,
    Transfer,
    WaitOnCustomer,
    Withdraw,
)
from ccms.workflow.default import OPEN_STAGES, default_workflow, voc_definition
from ccms.workflow.definition import ANY, StageSpec, TransitionSpec, WorkflowDefinition
from ccms.workflow.engine import Fired, ResolvedTransition, Workflow
from ccms.workflow.guards import (
    BUILTIN_GUARDS,
    Guard,
    GuardContext,
    authority,
    different_department,
    handler_in_department,
    has_handler,
    reopen_window,
)

__all__ = [
    "ANY",
    "BUILTIN_GUARDS",
    "OPEN_STAGES",
    "AssignDepartment",
    "AssignHandler",
    "Classify",
    "Close",
    "CloseCcCard",
    "Command",
    "Escalate",
    "Fire",
    "Fired",
    "Guard",
    "GuardContext",
    "Notify",
    "Receive",
    "RecordFeedback",
    "RegisterResult",
    "Reject",
    "Reopen",
    "ResolvedTransition",
    "Respond",
    "Resume",
    "SetFlags",
    "StageSpec",
    "Start",
    "Transfer",
    "TransitionSpec",
    "WaitOnCustomer",
    "Withdraw",
    "Workflow",
    "WorkflowDefinition",
    "authority",
    "default_workflow",
    "different_department",
    "handler_in_department",
    "has_handler",
    "reopen_window",
    "voc_definition",
]
