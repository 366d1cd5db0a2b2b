"""Fault attribution on complaints: the commands and the workflow triggers that record it.

An upheld complaint is attributed to an employee (:class:`AttributeFault`, recording
:class:`~ccms.model.events.FaultAttributed`); an appeal withdraws it (:class:`WithdrawFault`,
recording :class:`~ccms.model.events.FaultWithdrawn`). Both are internal transitions (the stage
stays) that supervisors, executives and the system may fire. :func:`with_attribution` adds them to
a workflow definition, so the Desk stores them and tells its subscribers like any other command.

>>> from ccms.workflow import voc_definition
>>> wf = attribution_workflow()
>>> "attribute_fault" in wf.allowed_triggers("closed"), "attribute_fault" in wf.allowed_triggers("rejected")
(True, False)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from ccms.model import Complaint, DomainEvent, Role
from ccms.model.events import FaultAttributed, FaultWithdrawn
from ccms.model.types import Name, ShortText
from ccms.workflow import (
    ANY,
    Command,
    TransitionSpec,
    Workflow,
    WorkflowDefinition,
    reopen_window,
    voc_definition,
)

__all__ = ["AttributeFault", "WithdrawFault", "attribution_workflow", "with_attribution"]

_REVIEWERS = frozenset({Role.SUPERVISOR, Role.EXECUTIVE, Role.SYSTEM})


class AttributeFault(Command):
    """Attribute the upheld complaint to ``agent`` (귀책): handling, attitude, process or other."""

    trigger: ClassVar[str] = "attribute_fault"
    agent: Name
    category: Literal["handling", "attitude", "process", "other"] = "handling"
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [
            FaultAttributed(**header, agent=self.agent, category=self.category, reason=self.reason)
        ]


class WithdrawFault(Command):
    """Withdraw the attribution recorded at ``attributed_version`` (an appeal was upheld)."""

    trigger: ClassVar[str] = "withdraw_fault"
    agent: Name
    attributed_version: Annotated[int, Field(ge=1)]
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        if self.attributed_version > complaint.version:
            raise ValueError(
                f"complaint {complaint.id} is at version {complaint.version}; no attribution at "
                f"version {self.attributed_version}"
            )
        return [
            FaultWithdrawn(
                **header,
                agent=self.agent,
                attributed_version=self.attributed_version,
                reason=self.reason,
            )
        ]


def with_attribution(definition: WorkflowDefinition) -> WorkflowDefinition:
    """``definition`` plus the ``attribute_fault`` and ``withdraw_fault`` internal transitions
    (from every non-terminal stage; supervisors, executives and the system)."""
    extra = tuple(
        TransitionSpec(trigger=trigger, source=(ANY,), dest=None, roles=_REVIEWERS)
        for trigger in ("attribute_fault", "withdraw_fault")
        if trigger not in definition.triggers
    )
    return definition.model_copy(update={"transitions": (*definition.transitions, *extra)})


def attribution_workflow(reopen_window_days: int = 14) -> Workflow:
    """The default VOC workflow with the attribution triggers, compiled."""
    return Workflow(
        with_attribution(voc_definition()),
        guards={"reopen_window": reopen_window(timedelta(days=reopen_window_days))},
    )
