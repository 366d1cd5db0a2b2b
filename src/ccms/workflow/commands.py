"""Commands: what a host asks the workflow to do, validated at the boundary (pydantic, frozen).

Each command names its trigger and builds the domain events it records. Hosts usually call the
:class:`~ccms.desk.Desk` methods, which build these for them; the classes are public so a host can
queue, log or replay commands (their JSON Schema is in ``ccms schema``).

>>> Notify(channel="sms").trigger
'notify'
>>> Transfer(to_department="logistics", reason="delivery damage").trigger
'transfer'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from ccms.model import (
    AppliedStandard,
    CcCardClosed,
    Channel,
    Classified,
    Closed,
    Complaint,
    ComplaintReceived,
    Concern,
    CustomerNotified,
    CustomerRef,
    DepartmentAssigned,
    DomainEvent,
    Escalated,
    Feedback,
    FeedbackRecorded,
    Flag,
    FlagsChanged,
    HandlerAssigned,
    HandlingStarted,
    Rejected,
    Reopened,
    Responded,
    Result,
    ResultRegistered,
    Resumed,
    Severity,
    StageChanged,
    Transferred,
    WaitingOnCustomer,
    Withdrawn,
)
from ccms.model.complaint import ConcernOutcome
from ccms.model.taxonomy import VocCodeStr
from ccms.model.types import AttributeValue, AwareDatetime, Frozen, Name, ShortText

__all__ = [
    "AssignDepartment",
    "AssignHandler",
    "Classify",
    "Close",
    "CloseCcCard",
    "Command",
    "Escalate",
    "Fire",
    "Notify",
    "Receive",
    "RecordFeedback",
    "RegisterResult",
    "Reject",
    "Reopen",
    "Respond",
    "Resume",
    "SetFlags",
    "Start",
    "Transfer",
    "WaitOnCustomer",
    "Withdraw",
]


class Command(Frozen):
    """Base of every command. ``trigger`` names the workflow trigger it fires."""

    trigger: ClassVar[str] = ""

    @property
    def trigger_name(self) -> str:
        """The trigger this command fires (generic commands carry it as a field)."""
        return self.trigger

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        """The events this command records, given the common ``header`` fields."""
        raise NotImplementedError


class Receive(Frozen):
    """Register a new contact (VOC 제기): its channel, customer and one or more concerns."""

    channel: Channel
    customer: CustomerRef
    concerns: Annotated[tuple[Concern, ...], Field(min_length=1, max_length=20)]
    received_at: AwareDatetime
    flags: frozenset[Flag] = frozenset()
    tags: frozenset[Name] = frozenset()
    attributes: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")], AttributeValue] = {}

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            channel: Channel | str,
            customer: CustomerRef | Mapping[str, Any],
            concerns: Iterable[Concern | Mapping[str, Any]],
            received_at: datetime,
            flags: Iterable[Flag | str] = ...,
            tags: Iterable[str] = ...,
            attributes: Mapping[str, Any] = ...,
        ) -> None: ...

    def build(self, header: dict[str, Any], workflow: str) -> ComplaintReceived:
        """The ``received`` event."""
        return ComplaintReceived(
            **header,
            received_at=self.received_at,
            channel=self.channel,
            customer=self.customer,
            concerns=self.concerns,
            flags=self.flags,
            tags=self.tags,
            attributes=self.attributes,
            workflow=workflow,
        )


class Classify(Command):
    """Give each concern its VOC code (and optionally a severity), in concern order."""

    trigger: ClassVar[str] = "classify"
    codes: Annotated[tuple[VocCodeStr, ...], Field(min_length=1, max_length=20)]
    severities: tuple[Severity, ...] | None = None

    @model_validator(mode="after")
    def _lengths(self) -> Classify:
        if self.severities is not None and len(self.severities) != len(self.codes):
            raise ValueError(
                f"give one severity per code: {len(self.codes)} codes, {len(self.severities)} severities"
            )
        return self

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        if len(self.codes) != len(complaint.concerns):
            raise ValueError(
                f"complaint {complaint.id} has {len(complaint.concerns)} concerns; "
                f"give one code each, got {len(self.codes)}"
            )
        severities = self.severities or tuple(c.severity for c in complaint.concerns)
        concerns = tuple(
            c.model_copy(update={"code": code, "severity": sev})
            for c, code, sev in zip(complaint.concerns, self.codes, severities, strict=True)
        )
        return [Classified(**header, concerns=concerns)]


class AssignDepartment(Command):
    """Make a department responsible (담당부서 할당)."""

    trigger: ClassVar[str] = "assign_department"
    department: Name
    rule: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [DepartmentAssigned(**header, department=self.department, rule=self.rule)]


class AssignHandler(Command):
    """Assign (or reassign) the handler (담당자 배분)."""

    trigger: ClassVar[str] = "assign_handler"
    handler: Name
    rule: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [HandlerAssigned(**header, handler=self.handler, rule=self.rule)]


class Start(Command):
    """The handler starts working on it."""

    trigger: ClassVar[str] = "start"

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [HandlingStarted(**header)]


class WaitOnCustomer(Command):
    """Handling waits on the customer; SLA clocks pause."""

    trigger: ClassVar[str] = "wait_on_customer"
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [WaitingOnCustomer(**header, reason=self.reason)]


class Resume(Command):
    """The customer answered; handling goes on."""

    trigger: ClassVar[str] = "resume"

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [Resumed(**header)]


class Respond(Command):
    """A reply reached the customer (stops the first-response clock); the stage stays."""

    trigger: ClassVar[str] = "respond"
    channel: Channel
    note: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [Responded(**header, channel=self.channel, note=self.note)]


class Transfer(Command):
    """Move the complaint to another department; counted, handler released."""

    trigger: ClassVar[str] = "transfer"
    to_department: Name
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [
            Transferred(
                **header,
                from_department=complaint.department,
                to_department=self.to_department,
                reason=self.reason,
            )
        ]


class RegisterResult(Command):
    """Register the handling result (처리결과 등록); guarded by the authority limits and, with
    a ``standard``, by the remedy standard (below it, a supervisor and a reason)."""

    trigger: ClassVar[str] = "register_result"
    result: Result
    outcomes: tuple[ConcernOutcome | None, ...] = ()
    standard: AppliedStandard | None = None  # the remedy standard checked, recorded with it

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        if self.outcomes and len(self.outcomes) != len(complaint.concerns):
            raise ValueError(
                f"complaint {complaint.id} has {len(complaint.concerns)} concerns; "
                f"give one outcome each (or none), got {len(self.outcomes)}"
            )
        return [
            ResultRegistered(
                **header, result=self.result, outcomes=self.outcomes, standard=self.standard
            )
        ]


class Notify(Command):
    """Tell the customer the result (처리결과 통보)."""

    trigger: ClassVar[str] = "notify"
    channel: Channel

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [CustomerNotified(**header, channel=self.channel)]


class RecordFeedback(Command):
    """Record the happy call's answer (해피콜)."""

    trigger: ClassVar[str] = "record_feedback"
    feedback: Feedback

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [FeedbackRecorded(**header, feedback=self.feedback)]


class Reopen(Command):
    """Reopen after an unhappy happy call, or after closing (within the reopen window)."""

    trigger: ClassVar[str] = "reopen"
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [Reopened(**header, reason=self.reason)]


class Close(Command):
    """Close the complaint."""

    trigger: ClassVar[str] = "close"
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [Closed(**header, reason=self.reason)]


class Withdraw(Command):
    """The customer withdrew it."""

    trigger: ClassVar[str] = "withdraw"
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [Withdrawn(**header, reason=self.reason)]


class Reject(Command):
    """Do not handle it: a duplicate, out of scope, or abusive."""

    trigger: ClassVar[str] = "reject"
    reason: Literal["duplicate", "out_of_scope", "abusive", "other"]
    duplicate_of: Name | None = None
    note: ShortText = ""

    @model_validator(mode="after")
    def _duplicate_names_original(self) -> Reject:
        if self.reason == "duplicate" and self.duplicate_of is None:
            raise ValueError("a duplicate must name the complaint it duplicates (duplicate_of)")
        return self

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [
            Rejected(**header, reason=self.reason, duplicate_of=self.duplicate_of, note=self.note)
        ]


class Escalate(Command):
    """Raise the complaint to an escalation level and say who must be told."""

    trigger: ClassVar[str] = "escalate"
    level: Annotated[int, Field(ge=1, le=10)]
    reason: ShortText = ""
    notify: tuple[Name, ...] = ()

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [Escalated(**header, level=self.level, reason=self.reason, notify=self.notify)]


class CloseCcCard(Command):
    """Close the complaint's open CC Card: its root cause was removed (e.g. a task verified)."""

    trigger: ClassVar[str] = "close_cc_card"
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [CcCardClosed.of(complaint, self.reason, **header)]


class SetFlags(Command):
    """Add or remove flags (safety, legal threat, supervisor requested, ...)."""

    trigger: ClassVar[str] = "flag"
    added: frozenset[Flag] = frozenset()
    removed: frozenset[Flag] = frozenset()
    reason: ShortText = ""

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [FlagsChanged(**header, added=self.added, removed=self.removed, reason=self.reason)]


class Fire(Command):
    """A trigger of a custom workflow that has no command class of its own."""

    name: Name
    note: ShortText = ""

    @property
    def trigger_name(self) -> str:
        return self.name

    def build(self, complaint: Complaint, header: dict[str, Any]) -> list[DomainEvent]:
        return [StageChanged(**header, note=self.note)]
