"""Domain events: one immutable class for each thing that happens to a complaint.

The event stream is the spine of ccms. A complaint is the fold of its events (:func:`fold`); the
stores persist events; scoring and metrics consume them. Every event carries the complaint id, the
complaint version it produced (all events of one command share it), the time, the actor, the
trigger that produced it and the stage the complaint is in afterwards.

Event classes register themselves by their ``type`` so a stored event reads back as its own class:

>>> from datetime import datetime, timezone
>>> e = HandlerAssigned(complaint_id="c1", version=4, at=datetime(2026, 10, 5, tzinfo=timezone.utc),
...                     actor=Actor.system(), handler="kim", stage="handler_assigned")
>>> event_from_dict(e.model_dump(mode="json")) == e
True
>>> sorted(event_types())[:3]
['cc_card_closed', 'cc_card_opened', 'classified']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, JsonValue, model_validator

from ccms.errors import FoldError, InvalidInput
from ccms.model.complaint import Complaint, Concern, Feedback, Result
from ccms.model.customer import CustomerRef
from ccms.model.remedy_standard import AppliedStandard
from ccms.model.taxonomy import VocCodeStr
from ccms.model.types import (
    AttributeValue,
    AwareDatetime,
    Frozen,
    Name,
    ShortText,
    SortedSet,
)
from ccms.model.values import Channel, Flag, Role

__all__ = [
    "Actor",
    "AppliedStandard",
    "CcCardClosed",
    "CcCardOpened",
    "Classified",
    "Closed",
    "ComplaintReceived",
    "CustomerNotified",
    "DepartmentAssigned",
    "DomainEvent",
    "EarlyWarningRaised",
    "Escalated",
    "FaultAttributed",
    "FaultWithdrawn",
    "FeedbackRecorded",
    "FlagsChanged",
    "FoldError",
    "HandlerAssigned",
    "HandlingStarted",
    "HistoryImported",
    "NotificationDelivered",
    "NotificationFailed",
    "NotificationRequested",
    "Redacted",
    "Rejected",
    "Reopened",
    "RepeatDetected",
    "Responded",
    "ResultRegistered",
    "Resumed",
    "SlaApplied",
    "SlaStatusChanged",
    "StageChanged",
    "SuggestedBy",
    "Transferred",
    "WaitingOnCustomer",
    "Withdrawn",
    "apply",
    "event_class",
    "event_from_dict",
    "event_from_json",
    "event_types",
    "fold",
]


class Actor(Frozen):
    """Who did something: an agent id (or ``system``) and the role they acted in."""

    id: Name
    role: Role

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(self, *, id: str, role: Role | str) -> None: ...

    @classmethod
    def system(cls) -> Actor:
        """The host's automation (sweeps, policies)."""
        return _SYSTEM

    def __str__(self) -> str:
        return f"{self.id} ({self.role.value})"


_SYSTEM = Actor(id="system", role=Role.SYSTEM)

_REGISTRY: dict[str, type[DomainEvent]] = {}


class DomainEvent(Frozen):
    """Base of every event. Subclasses declare ``type: Literal["..."] = "..."`` and ``_changes``."""

    type: str
    complaint_id: Name
    version: int
    at: AwareDatetime
    actor: Actor
    trigger: Name | None = None
    stage: Name | None = None  # the stage after this event; None leaves it unchanged

    #: Whether this event opens a complaint's history (only :class:`ComplaintReceived`).
    opens: ClassVar[bool] = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        default = cls.model_fields["type"].default
        if isinstance(default, str):
            if default in _REGISTRY and _REGISTRY[default].__qualname__ != cls.__qualname__:
                raise TypeError(
                    f"event type {default!r} is already registered by {_REGISTRY[default].__name__}"
                )
            _REGISTRY[default] = cls

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        """The fields this event changes (beyond version, updated_at and stage)."""
        return {}

    def apply(self, complaint: Complaint | None) -> Complaint:
        """The complaint after this event. Never mutates ``complaint``."""
        if complaint is None:
            raise FoldError(
                f"{self.type!r} event for {self.complaint_id} has no complaint to apply to"
            )
        if complaint.id != self.complaint_id:
            raise FoldError(f"{self.type!r} event is for {self.complaint_id}, not {complaint.id}")
        if self.version not in (complaint.version, complaint.version + 1):
            raise FoldError(
                f"{self.type!r} event of {self.complaint_id} has version {self.version}, "
                f"expected {complaint.version + 1}"
            )
        update = self._changes(complaint)
        update["version"] = self.version
        update["updated_at"] = self.at
        if self.stage is not None:
            update["stage"] = self.stage
        return complaint._evolve(update)


class ComplaintReceived(DomainEvent):
    """VOC raised through a channel (VOC 제기); opens the history at version 1."""

    type: Literal["received"] = "received"
    opens: ClassVar[bool] = True
    received_at: AwareDatetime
    channel: Channel
    customer: CustomerRef
    concerns: tuple[Concern, ...]
    flags: SortedSet[Flag] = frozenset()
    tags: SortedSet[Name] = frozenset()
    attributes: dict[str, AttributeValue] = {}
    workflow: Name = "voc"

    def apply(self, complaint: Complaint | None) -> Complaint:
        if complaint is not None:
            raise FoldError(f"complaint {self.complaint_id} was already received")
        if self.version != 1 or self.stage is None:
            raise FoldError(
                f"'received' event of {self.complaint_id} must have version 1 and a stage"
            )
        return Complaint(
            id=self.complaint_id,
            version=1,
            received_at=self.received_at,
            updated_at=self.at,
            channel=self.channel,
            customer=self.customer,
            concerns=self.concerns,
            stage=self.stage,
            flags=self.flags,
            tags=self.tags,
            attributes=self.attributes,
            workflow=self.workflow,
        )


class SuggestedBy(Frozen):
    """How a classification the system applied was suggested: the ``model`` (its version
    stamp), the code ``probabilities`` per concern and the ``threshold`` they all reached."""

    model: Name
    probabilities: tuple[Annotated[float, Field(ge=0, le=1)], ...]
    threshold: Annotated[float, Field(gt=0, le=1)]


class Classified(DomainEvent):
    """Concerns classified with VOC codes and severities (분류/등록); ``suggested`` when a model's
    suggestion was applied (``None`` for a person's classification, and in older events)."""

    type: Literal["classified"] = "classified"
    concerns: tuple[Concern, ...]
    suggested: SuggestedBy | None = None

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"concerns": self.concerns}


class DepartmentAssigned(DomainEvent):
    """The responsible department is set (담당부서 할당)."""

    type: Literal["department_assigned"] = "department_assigned"
    department: Name
    rule: ShortText = ""  # which routing rule decided, if a policy did

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"department": self.department}


class HandlerAssigned(DomainEvent):
    """A handler is assigned (담당자 배분)."""

    type: Literal["handler_assigned"] = "handler_assigned"
    handler: Name
    rule: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        previous = complaint.previous_handlers
        if complaint.handler is not None and complaint.handler != self.handler:
            previous = (*previous, complaint.handler)
        return {"handler": self.handler, "previous_handlers": previous}


class Transferred(DomainEvent):
    """Moved to another department; the handler is released and the transfer counted."""

    type: Literal["transferred"] = "transferred"
    from_department: Name | None
    to_department: Name
    reason: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        previous = complaint.previous_handlers
        if complaint.handler is not None:
            previous = (*previous, complaint.handler)
        return {
            "department": self.to_department,
            "handler": None,
            "previous_handlers": previous,
            "transfer_count": complaint.transfer_count + 1,
        }


class HandlingStarted(DomainEvent):
    """The handler started work (investigation, cause, remedy)."""

    type: Literal["handling_started"] = "handling_started"


class WaitingOnCustomer(DomainEvent):
    """Handling waits on the customer (documents, a visit); SLA clocks may pause here."""

    type: Literal["waiting_on_customer"] = "waiting_on_customer"
    reason: ShortText = ""


class Resumed(DomainEvent):
    """The customer answered; handling goes on."""

    type: Literal["resumed"] = "resumed"


class Responded(DomainEvent):
    """A reply reached the customer (acknowledgement, question); stops the first-response clock."""

    type: Literal["responded"] = "responded"
    channel: Channel
    note: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"first_response_at": complaint.first_response_at or self.at}


class ResultRegistered(DomainEvent):
    """The handling result is registered (처리결과 등록).

    ``standard`` is the remedy standard the result was checked against, when the Desk has a
    remedy-standards table (see :class:`AppliedStandard`); ``None`` when none was applied.
    """

    type: Literal["result_registered"] = "result_registered"
    result: Result
    outcomes: tuple[str | None, ...] = ()  # per concern, in concern order; empty leaves them
    standard: AppliedStandard | None = None

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        changes: dict[str, Any] = {"result": self.result, "resolved_at": self.at}
        if self.outcomes:
            changes["concerns"] = tuple(
                c.model_copy(update={"outcome": o}) if o is not None else c
                for c, o in zip(complaint.concerns, self.outcomes, strict=True)
            )
        return changes


class CustomerNotified(DomainEvent):
    """The result is communicated to the customer (처리결과 통보)."""

    type: Literal["customer_notified"] = "customer_notified"
    channel: Channel

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"first_response_at": complaint.first_response_at or self.at}


class FeedbackRecorded(DomainEvent):
    """The happy call's answer (해피콜)."""

    type: Literal["feedback_recorded"] = "feedback_recorded"
    feedback: Feedback

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"feedback": self.feedback}


class Reopened(DomainEvent):
    """Reopened after an unhappy happy call or after closing; the result is cleared and counted."""

    type: Literal["reopened"] = "reopened"
    reason: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {
            "reopen_count": complaint.reopen_count + 1,
            "result": None,
            "feedback": None,
            "resolved_at": None,
            "closed_at": None,
        }


class Closed(DomainEvent):
    """Handling is complete."""

    type: Literal["closed"] = "closed"
    reason: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"closed_at": self.at}


class Withdrawn(DomainEvent):
    """The customer withdrew the complaint."""

    type: Literal["withdrawn"] = "withdrawn"
    reason: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"closed_at": self.at}


class Rejected(DomainEvent):
    """Not handled: a duplicate, out of scope, or abusive."""

    type: Literal["rejected"] = "rejected"
    reason: Literal["duplicate", "out_of_scope", "abusive", "other"]
    duplicate_of: Name | None = None
    note: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"closed_at": self.at}


class Escalated(DomainEvent):
    """Raised to a higher level; ``notify`` lists who must be told."""

    type: Literal["escalated"] = "escalated"
    level: int
    reason: ShortText = ""
    notify: tuple[Name, ...] = ()

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"escalation_level": max(complaint.escalation_level, self.level)}


class FlagsChanged(DomainEvent):
    """Flags added or removed (safety, legal threat, repeat, supervisor requested, ...)."""

    type: Literal["flags_changed"] = "flags_changed"
    added: SortedSet[Flag] = frozenset()
    removed: SortedSet[Flag] = frozenset()
    reason: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"flags": (complaint.flags - self.removed) | self.added}


class StageChanged(DomainEvent):
    """A trigger of a custom workflow with no event class of its own."""

    type: Literal["stage_changed"] = "stage_changed"
    note: ShortText = ""


class SlaApplied(DomainEvent):
    """The SLA table version and targets that govern this complaint were fixed.

    Recorded once (and again only when a reopen starts a new clock or the severity changes), so a
    later change of the table never rewrites the past.
    """

    type: Literal["sla_applied"] = "sla_applied"
    table_version: Name
    targets: dict[Name, JsonValue] = {}
    due_at: AwareDatetime | None = None  # resolution deadline as computed when applied

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"sla_version": self.table_version, "due_at": self.due_at}


class SlaStatusChanged(DomainEvent):
    """An SLA target became at risk, was breached or was met (emitted once per target and status)."""

    type: Literal["sla_status_changed"] = "sla_status_changed"
    target: Name
    status: Literal["at_risk", "breached", "met"]
    due_at: AwareDatetime | None = None
    owner: Name | None = None  # who held the stage in which the time ran out


class EarlyWarningRaised(DomainEvent):
    """Serious-complaint early warning (중대불만 조기경보): a crisis step 1 to 3 is assigned."""

    type: Literal["early_warning_raised"] = "early_warning_raised"
    step: Annotated[int, Field(ge=1, le=3)]
    rules: tuple[Name, ...] = ()
    actions: tuple[ShortText, ...] = ()
    notify: tuple[Name, ...] = ()

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"crisis_step": max(complaint.crisis_step, self.step)}


class CcCardOpened(DomainEvent):
    """A CC Card is attached: it follows the complaint until the root cause is removed."""

    type: Literal["cc_card_opened"] = "cc_card_opened"
    card_id: Name
    step: Annotated[int, Field(ge=1, le=3)]

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"cc_card": self.card_id}


class CcCardClosed(DomainEvent):
    """The root cause behind a CC Card was removed (e.g. its improvement task was verified)."""

    type: Literal["cc_card_closed"] = "cc_card_closed"
    card_id: Name
    reason: ShortText = ""

    @classmethod
    def of(cls, complaint: Complaint, reason: str = "", **header: Any) -> CcCardClosed:
        """The event closing ``complaint``'s open card; :class:`InvalidInput` if none is open.

        ``header`` carries the common fields (complaint id, version, time, actor, trigger, stage).
        """
        if complaint.cc_card is None:
            raise InvalidInput(
                f"complaint {complaint.id} has no open CC Card to close; a card is opened by "
                "the early-warning sweep"
            )
        return cls(**header, card_id=complaint.cc_card, reason=reason)

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        return {"cc_card": None}


class RepeatDetected(DomainEvent):
    """A repeated complaint or a spike of one code: an internal broadcast (the "VOC pop-up")."""

    type: Literal["repeat_detected"] = "repeat_detected"
    pattern: Literal["same_customer", "code_spike"]
    code: Name | None = None
    related: tuple[Name, ...] = ()  # ids of the earlier complaints
    detail: ShortText = ""

    def _changes(self, complaint: Complaint) -> dict[str, Any]:
        if self.pattern == "same_customer":
            return {"flags": complaint.flags | {Flag.REPEAT}}
        return {}


class FaultAttributed(DomainEvent):
    """The complaint is upheld and attributed to an employee's conduct (귀책), after review.

    Recorded on the complaint (it changes nothing on it); the CS-point ledger turns it into bad
    points by the rule set in force. ``category`` says what was at fault.
    """

    type: Literal["fault_attributed"] = "fault_attributed"
    agent: Name
    category: Literal["handling", "attitude", "process", "other"] = "handling"
    reason: ShortText = ""


class FaultWithdrawn(DomainEvent):
    """An attribution is withdrawn (an appeal was upheld); the points it caused are reversed.

    ``attributed_version`` is the complaint version of the :class:`FaultAttributed` event withdrawn.
    """

    type: Literal["fault_withdrawn"] = "fault_withdrawn"
    agent: Name
    attributed_version: Annotated[int, Field(ge=1)]
    reason: ShortText = ""


class Redacted(DomainEvent):
    """The complaint's personal data was removed from the stored history (개인정보 파기).

    ``purpose`` says why: ``"erasure"`` (the customer asked to be forgotten) or ``"retention"``
    (the complaint was closed longer than the retention period). The event itself holds no
    personal data, and it changes nothing a figure reads (only ``version`` and ``updated_at``
    move): the words and contact details were rewritten in place, in the events before it (see
    :mod:`ccms.model.redaction` and ``docs/privacy.md``).
    """

    type: Literal["redacted"] = "redacted"
    purpose: Literal["erasure", "retention"]


_IMPORT_KEY = r"^[a-z][a-z0-9_]{0,63}$"
_REPORTED_KEY = r"^[a-z][a-z0-9_]{0,54}$"


class HistoryImported(DomainEvent):
    """A complaint's whole past, imported from another system (과거 이력 이관) in one event.

    It opens the history at version 1, like :class:`ComplaintReceived`, and folds straight to the
    complaint's final historical state (``stage`` is that state: ``closed``, ``rejected``, ``in_progress``,
    ...), so the live workflow's steps that the source does not record (classification,
    assignment, start, notification) are not invented. ``at`` is the last instant the source
    records (the closure, else its latest date); ``imported_at`` is when the import ran (its
    ``as_of``). ``source`` and ``source_id`` name the record in the other system; ``run`` the
    import that wrote it, ``line`` and ``content_hash`` the source row.

    The raw source values are kept beside the mapped ones: ``channel_raw`` beside ``channel``,
    ``outcome_raw`` beside ``outcome`` (the importer's outcome name, e.g. ``monetary_relief``),
    ``code_names`` the long source names of the concerns' codes; ``reported`` holds flags the source
    itself reported (e.g. the CFPB's "Timely response?"), ``None`` where it gave none. The fold writes
    them into the complaint's attributes (``source``, ``source_id``, ``channel_raw``, ``outcome``,
    ``outcome_raw`` and ``reported_<name>`` as ``"yes"``/``"no"``), a missing value as ``"unknown"``
    (so a figure grouped by them never drops a complaint); those keys are reserved.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2024, 3, 1, 9, tzinfo=timezone.utc)
    >>> e = HistoryImported(complaint_id="cfpb-1", version=1, at=t, actor=Actor.system(),
    ...     stage="closed", source="cfpb", source_id="1", imported_at=t, received_at=t,
    ...     channel="web", channel_raw="Web", customer=CustomerRef(id="cfpb-1"),
    ...     concerns=(Concern(kind="complaint", code="MORTGAGE", text="late fees"),),
    ...     outcome="explanation", reported={"timely": True}, closed_at=t)
    >>> c = fold([e])
    >>> c.stage, c.closed_at == t, c.attributes["reported_timely"], c.attributes["outcome_raw"]
    ('closed', True, 'yes', 'unknown')
    """

    type: Literal["history_imported"] = "history_imported"
    opens: ClassVar[bool] = True
    #: What a missing source value becomes in the complaint's attributes.
    UNKNOWN: ClassVar[str] = "unknown"
    #: The attribute keys the fold writes from the event's own fields.
    RESERVED: ClassVar[frozenset[str]] = frozenset(
        {"source", "source_id", "channel_raw", "outcome", "outcome_raw"}
    )
    source: Name
    source_id: Name
    imported_at: AwareDatetime
    run: Name | None = None
    line: Annotated[int, Field(ge=1)] | None = None
    content_hash: Name | None = None
    received_at: AwareDatetime
    channel: Channel
    channel_raw: ShortText = ""
    customer: CustomerRef
    concerns: Annotated[tuple[Concern, ...], Field(min_length=1, max_length=20)]
    code_names: dict[VocCodeStr, ShortText] = {}
    department: Name | None = None
    handler: Name | None = None
    result: Result | None = None
    outcome: Name | None = None
    outcome_raw: ShortText = ""
    reported: dict[Annotated[str, Field(pattern=_REPORTED_KEY)], bool | None] = {}
    sent_at: AwareDatetime | None = None  # forwarded to the company or department
    first_response_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    closed_at_estimated: bool = False  # the source has no closure date; see the importer
    due_at: AwareDatetime | None = None
    flags: SortedSet[Flag] = frozenset()
    tags: SortedSet[Name] = frozenset()
    attributes: dict[Annotated[str, Field(pattern=_IMPORT_KEY)], AttributeValue] = {}
    notes: tuple[ShortText, ...] = ()
    workflow: Name = "voc"

    @model_validator(mode="after")
    def _in_order(self) -> HistoryImported:
        cid = self.complaint_id
        for name in ("sent_at", "first_response_at", "resolved_at", "closed_at"):
            moment = getattr(self, name)
            if moment is None:
                continue
            if moment < self.received_at:
                raise InvalidInput(
                    f"imported complaint {cid}: {name} {moment.isoformat()} is before its receipt "
                    f"{self.received_at.isoformat()}; no event comes before the receipt"
                )
            if moment > self.at:
                raise InvalidInput(
                    f"imported complaint {cid}: {name} {moment.isoformat()} is after the event's "
                    f"at {self.at.isoformat()}; at is the last instant the history records"
                )
        if self.at < self.received_at:
            raise InvalidInput(
                f"imported complaint {cid}: at {self.at.isoformat()} is before its receipt "
                f"{self.received_at.isoformat()}"
            )
        if self.at > self.imported_at:
            raise InvalidInput(
                f"imported complaint {cid}: its history runs to {self.at.isoformat()}, after the "
                f"import's as_of {self.imported_at.isoformat()}; nothing is imported from the future"
            )
        if (
            self.resolved_at is not None
            and self.closed_at is not None
            and self.resolved_at > self.closed_at
        ):
            raise InvalidInput(
                f"imported complaint {cid}: resolved_at {self.resolved_at.isoformat()} is after "
                f"closed_at {self.closed_at.isoformat()}"
            )
        clash = sorted(
            k for k in self.attributes if k in self.RESERVED or k.startswith("reported_")
        )
        if clash:
            raise InvalidInput(
                f"imported complaint {cid}: attribute {clash[0]!r} is written by the import "
                "itself; use another key (reserved: source, source_id, channel_raw, outcome, "
                "outcome_raw, reported_*)"
            )
        if len(self.attributes) + len(self.RESERVED) + len(self.reported) > 64:
            raise InvalidInput(
                f"imported complaint {cid}: {len(self.attributes)} attributes and "
                f"{len(self.reported)} reported flags are too many; a complaint holds 64 "
                f"attributes, {len(self.RESERVED)} of them the import's own"
            )
        return self

    def apply(self, complaint: Complaint | None) -> Complaint:
        if complaint is not None:
            raise FoldError(f"complaint {self.complaint_id} was already received")
        if self.version != 1 or self.stage is None:
            raise FoldError(
                f"'history_imported' event of {self.complaint_id} must have version 1 and a stage"
            )
        unknown = self.UNKNOWN
        attributes: dict[str, JsonValue] = dict(self.attributes)
        attributes["source"] = self.source
        attributes["source_id"] = self.source_id
        attributes["channel_raw"] = self.channel_raw or unknown
        attributes["outcome"] = self.outcome or unknown
        attributes["outcome_raw"] = self.outcome_raw or unknown
        for name, value in self.reported.items():
            attributes[f"reported_{name}"] = (
                unknown if value is None else ("yes" if value else "no")
            )
        return self._complaint(
            id=self.complaint_id,
            version=1,
            received_at=self.received_at,
            updated_at=self.at,
            channel=self.channel,
            customer=self.customer,
            concerns=self.concerns,
            stage=self.stage,
            department=self.department,
            handler=self.handler,
            result=self.result,
            flags=self.flags,
            tags=self.tags,
            attributes=attributes,
            first_response_at=self.first_response_at,
            resolved_at=self.resolved_at,
            closed_at=self.closed_at,
            due_at=self.due_at,
            workflow=self.workflow,
        )

    @staticmethod
    def _complaint(**values: Any) -> Complaint:
        # Every value was validated with the event, to the complaint's own constraints too (1
        # to 20 concerns, attribute keys and their number), so the complaint is built without
        # validating it again, the way Frozen._evolve copies one (a fifth of an import's cost).
        return Complaint._from_validated(values)


def event_types() -> frozenset[str]:
    """The ``type`` of every registered event class (ccms' own and integrators')."""
    return frozenset(_REGISTRY)


def event_class(type_: str) -> type[DomainEvent]:
    """The class registered for an event ``type``."""
    try:
        return _REGISTRY[type_]
    except KeyError:
        raise InvalidInput(
            f"unknown event type {type_!r}; known: {', '.join(sorted(_REGISTRY))}"
        ) from None


def event_from_dict(data: Mapping[str, Any]) -> DomainEvent:
    """Rebuild an event from its ``model_dump(mode="json")`` form."""
    type_ = data.get("type")
    if not isinstance(type_, str):
        raise InvalidInput("an event needs a string 'type'")
    return event_class(type_).model_validate(data)


def event_from_json(body: str | bytes, type_: str | None = None) -> DomainEvent:
    """Rebuild an event from its JSON text; pass ``type_`` when it is known (stores keep it in a
    column) to parse the text once, in pydantic-core, instead of twice."""
    if type_ is None:
        return event_from_dict(json.loads(body))
    return event_class(type_).model_validate_json(body)


def apply(complaint: Complaint | None, event: DomainEvent) -> Complaint:
    """The complaint after ``event`` (``None`` before the ``received`` event)."""
    return event.apply(complaint)


def fold(events: Iterable[DomainEvent], start: Complaint | None = None) -> Complaint:
    """Fold a complaint's events, in order, into the complaint they produce.

    >>> fold([])
    Traceback (most recent call last):
    ...
    ccms.errors.FoldError: no events to fold
    """
    complaint = start
    for event in events:
        complaint = event.apply(complaint)
    if complaint is None:
        raise FoldError("no events to fold")
    return complaint


# The outbox's events live in their own module; importing it registers them (and re-exports
# them from here: ``ccms.model.events.NotificationRequested``).
from ccms.model.notices import (  # noqa: E402
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
)
