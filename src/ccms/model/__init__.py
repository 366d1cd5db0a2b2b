"""``ccms.model``: entities and values (pydantic v2, frozen) and the domain events.

Complaints, concerns, customers, VOC kinds, channels, the VOC code taxonomy, the organization and
the events whose fold is a complaint. This package imports nothing else from ccms but its errors.
"""

from __future__ import annotations

from ccms.model.complaint import Complaint, Concern, ConcernOutcome, Feedback, Result
from ccms.model.customer import Customer, CustomerRef, Personal, mask
from ccms.model.events import (
    Actor,
    Classified,
    Closed,
    ComplaintReceived,
    CustomerNotified,
    DepartmentAssigned,
    DomainEvent,
    Escalated,
    FeedbackRecorded,
    FlagsChanged,
    FoldError,
    HandlerAssigned,
    HandlingStarted,
    Rejected,
    Reopened,
    Responded,
    ResultRegistered,
    Resumed,
    StageChanged,
    Transferred,
    WaitingOnCustomer,
    Withdrawn,
    apply,
    event_class,
    event_from_dict,
    event_types,
    fold,
)
from ccms.model.ids import new_complaint_id
from ccms.model.organization import Agent, Authority, Department, Organization, UnknownMember
from ccms.model.taxonomy import CodeDefaults, CodeName, Taxonomy, VocCode, VocCodeStr
from ccms.model.values import Channel, Flag, Money, RemedyKind, Role, Severity, VocKind

__all__ = [
    "Actor",
    "Agent",
    "Authority",
    "Channel",
    "Classified",
    "Closed",
    "CodeDefaults",
    "CodeName",
    "Complaint",
    "ComplaintReceived",
    "Concern",
    "ConcernOutcome",
    "Customer",
    "CustomerNotified",
    "CustomerRef",
    "Department",
    "DepartmentAssigned",
    "DomainEvent",
    "Escalated",
    "FeedbackRecorded",
    "Flag",
    "FlagsChanged",
    "FoldError",
    "HandlerAssigned",
    "HandlingStarted",
    "Money",
    "Organization",
    "Personal",
    "Rejected",
    "RemedyKind",
    "Reopened",
    "Responded",
    "Result",
    "ResultRegistered",
    "Resumed",
    "Role",
    "Severity",
    "StageChanged",
    "Taxonomy",
    "Transferred",
    "UnknownMember",
    "VocCode",
    "VocCodeStr",
    "VocKind",
    "WaitingOnCustomer",
    "Withdrawn",
    "apply",
    "event_class",
    "event_from_dict",
    "event_types",
    "fold",
    "mask",
    "new_complaint_id",
]
