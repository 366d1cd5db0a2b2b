"""The notice outbox: notices the Desk requests with its commands, and the host's sender reports.

The Desk never sends anything. With a :class:`~ccms.policy.notify.NoticePolicy`, a command (or a
sweep: an SLA at risk) that should tell the customer records a
:class:`~ccms.model.NotificationRequested` event **in the same append** as its own events, with
the rendered subject and body. The host's sender asks :meth:`~ccms.desk.Desk.pending_notices`
for what is due, hands each notice to its provider with the notification id as the provider's
idempotency key, and reports :meth:`~ccms.desk.Desk.notice_delivered` or
:meth:`~ccms.desk.Desk.notice_failed`; both are events on the complaint too. A failure is
retried with backoff until the notice's ``max_attempts``; then it is given up. So a requested
notice is always delivered, given up or pending (now or at its retry time), never lost; a
sender that crashes between the provider's send and its report sends again, and the provider's
idempotency key makes that one message.

:class:`NoticeOutbox` is the projection behind ``pending_notices``: the pending notices, kept from
the store's complaint event stream and checkpointed in the store (``ccms.notices.outbox``), so a
restart reads only what came after the checkpoint.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from ccms.errors import (
    CheckpointConflict,
    ConcurrencyConflict,
    InvalidInput,
    PolicyError,
    StoreBusy,
    StoreReadOnly,
)
from ccms.model import (
    Actor,
    Channel,
    Complaint,
    Customer,
    DomainEvent,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    Organization,
    ResultRegistered,
    SlaStatusChanged,
    mask_text,
)
from ccms.notices import Notice, NoticeKind, NoticeTemplates, render_notice
from ccms.policy.base import system_stamp
from ccms.policy.notify import NoticePolicy
from ccms.policy.remedy_standards import StandardRemedy
from ccms.store import ComplaintStore, from_micros, micros
from ccms.workflow import Fired, Notify, Workflow

__all__ = [
    "OUTBOX_CHECKPOINT",
    "NoticeMethods",
    "NoticeOutbox",
    "NoticeState",
    "PendingNotice",
    "check_policy",
    "complaint_of_id",
    "delivery",
    "failure",
    "give_up_pending",
    "notice_id",
    "notice_state",
    "pending_notice",
    "requested_notices",
    "sent_notices",
    "unknown_notice",
]

#: The checkpoint the outbox projection keeps in the store.
OUTBOX_CHECKPOINT: Final = "ccms.notices.outbox"
#: Stream positions an outbox may read past its saved checkpoint before it saves without a
#: notice having moved.
_SAVE_EVERY: Final = 1_000
#: The template whose delivery tells the customer the result (fires ``notify``).
RESULT: Final = NoticeKind.RESULT.value
_ID_LIMIT: Final = 128
_REASON_LIMIT: Final = 2_000
_BODY_LIMIT: Final = 20_000
#: How often a report is tried again when another writer changed the complaint meanwhile.
_REPORT_ATTEMPTS: Final = 5


@attrs.frozen(slots=True, kw_only=True)
class PendingNotice:
    """A notice the host's sender should deliver now (what :meth:`Desk.pending_notices` returns).

    Pass ``notification_id`` (also :attr:`idempotency_key`) to the provider as its idempotency
    key, resolve ``recipient`` (the customer id) to an address on ``channel`` from the host's own
    customer records, and send ``subject`` and ``body``. ``attempt`` is the attempt this send is
    (1 for the first), ``max_attempts`` when a failure gives it up.
    """

    notification_id: str
    complaint_id: str
    template: str
    cause: str
    language: str
    channel: Channel
    recipient: str
    subject: str = attrs.field(repr=False)
    body: str = attrs.field(repr=False)
    attempt: int
    max_attempts: int
    requested_at: datetime
    due_at: datetime

    @property
    def idempotency_key(self) -> str:
        """The key the provider dedups on: the notification id."""
        return self.notification_id


@attrs.frozen(slots=True)
class NoticeState:
    """Where one notice stands, from its complaint's history: its request, the failed attempts,
    and whether it was delivered or given up (else it is pending)."""

    requested: NotificationRequested
    failures: int = 0
    delivered: bool = False
    gave_up: bool = False
    retry_at: datetime | None = None

    @property
    def status(self) -> Literal["delivered", "given_up", "pending"]:
        """``delivered``, ``given_up`` or ``pending`` (due now or at ``retry_at``)."""
        if self.delivered:
            return "delivered"
        return "given_up" if self.gave_up else "pending"


def notice_id(complaint_id: str, version: int, template: str) -> str:
    """The notification id of the ``template`` notice of ``complaint_id``'s ``version``:
    ``"<complaint id>.<version>.<template>"`` (a hash of the complaint id if that is too long).

    >>> notice_id("VOC-1", 3, "receipt")
    'VOC-1.3.receipt'
    """
    tail = f".{version}.{template}"
    head = complaint_id
    if len(head) + len(tail) > _ID_LIMIT:
        head = hashed_head(complaint_id)
    return head + tail


def hashed_head(complaint_id: str) -> str:
    """The head :func:`notice_id` gives a complaint id too long to be spelled out."""
    return "h-" + hashlib.blake2b(complaint_id.encode(), digest_size=16).hexdigest()


def check_policy(policy: NoticePolicy, templates: NoticeTemplates) -> None:
    """Refuse a policy naming a template the set lacks (:class:`~ccms.errors.PolicyError`)."""
    from ccms.notices.templates import environment

    environment()  # the notices extra is installed (MissingExtra otherwise), before any command
    kinds = {k.value for k in NoticeKind}
    named = {*policy.on.values(), *([NoticePolicy.PROGRESS] if policy.progress_on else [])}
    if policy.language not in templates.languages:
        raise PolicyError(
            f"NoticePolicy.language {policy.language!r} has no templates; the set has "
            f"{', '.join(sorted(templates.languages)) or 'none'}"
        )
    # Every language the set has any template in must have each notice the policy sends.
    languages = sorted({language for t in templates.templates.values() for language in t})
    for template in sorted(named):
        if template not in kinds:
            raise PolicyError(
                f"NoticePolicy names the template {template!r}; allowed: {', '.join(sorted(kinds))}"
            )
        for language in languages:
            templates.template(template, language)  # ConfigError naming what exists


def _standard(event: ResultRegistered) -> StandardRemedy | None:
    applied = event.standard
    if applied is None or applied.verdict == "no_standard" or not applied.remedies:
        return None
    return StandardRemedy(
        version=applied.version,
        rule=applied.rule or applied.table,
        remedies=applied.remedies,
        compensation=applied.compensation,
        days_since_purchase=applied.days_since_purchase or 0,
        repairs=applied.repairs,
    )


def requested_notices(
    complaint: Complaint,
    events: Sequence[DomainEvent],
    *,
    policy: NoticePolicy,
    templates: NoticeTemplates,
    organization: Organization,
    now: datetime,
    reason: str | None = None,
) -> list[NotificationRequested]:
    """The notices ``events`` (one command's, at ``complaint.version``) send under ``policy``,
    rendered from ``complaint`` (the complaint after them); one per template at most."""
    wanted: list[tuple[str, DomainEvent]] = []
    for event in events:
        template = policy.template_for(event.type)
        if (
            template is None
            and isinstance(event, SlaStatusChanged)
            and event.status == "at_risk"
            and event.target in policy.progress_on
        ):
            template = NoticePolicy.PROGRESS
        if template is not None and all(t != template for t, _ in wanted):
            wanted.append((template, event))
    if not wanted:
        return []
    language = complaint.customer.language
    if language not in templates.languages:
        language = policy.language
    handler = None
    if (
        policy.show_handler_names
        and complaint.handler
        and organization.has_agent(complaint.handler)
    ):
        handler = organization.agent(complaint.handler).name
    channel = policy.channel_for(complaint.channel)
    notices: list[NotificationRequested] = []
    for template, cause in wanted:
        notice = render_notice(
            complaint,
            template,
            language,
            zone=policy.zone,
            reason=reason[:_REASON_LIMIT] if reason else None,
            handler_name=handler,
            standard=_standard(cause) if isinstance(cause, ResultRegistered) else None,
            templates=templates,
        )
        notices.append(
            NotificationRequested(
                complaint_id=complaint.id,
                version=complaint.version,
                at=now,
                actor=Actor.system(),
                trigger=cause.trigger,
                notification_id=notice_id(complaint.id, complaint.version, template),
                template=template,
                cause=cause.type,
                language=language,
                channel=channel,
                recipient=complaint.customer.id,
                subject=notice.subject[:_REASON_LIMIT],
                body=notice.body[:_BODY_LIMIT],
                templates_version=notice.templates_version,
                max_attempts=policy.max_attempts,
            )
        )
    return notices


def notice_state(history: Iterable[DomainEvent], notification_id: str) -> NoticeState | None:
    """Where the notice ``notification_id`` stands in a complaint's ``history`` (``None``: the
    history has no such notice)."""
    state: NoticeState | None = None
    for event in history:
        if isinstance(event, NotificationRequested) and event.notification_id == notification_id:
            state = NoticeState(event)
        elif state is None:
            continue
        elif isinstance(event, NotificationDelivered) and event.notification_id == notification_id:
            state = attrs.evolve(state, delivered=True, retry_at=None)
        elif isinstance(event, NotificationFailed) and event.notification_id == notification_id:
            state = attrs.evolve(
                state,
                failures=max(state.failures, event.attempt),
                gave_up=state.gave_up or event.gave_up,
                retry_at=event.retry_at,
            )
    return state


def _header(complaint: Complaint, at: datetime, trigger: str) -> dict[str, Any]:
    return system_stamp(complaint, at, trigger)


def _current_result(history: Sequence[DomainEvent], requested: NotificationRequested) -> bool:
    """Whether a result notice tells the result in force (no later result or reopen)."""
    last = max(
        (e.version for e in history if e.type in ("result_registered", "reopened")), default=0
    )
    return requested.version >= last


def delivery(
    complaint: Complaint,
    history: Sequence[DomainEvent],
    state: NoticeState,
    *,
    at: datetime,
    provider_ref: str | None,
    workflow: Workflow,
    organization: Organization,
) -> Fired | None:
    """The events recording ``state``'s delivery at ``at`` (``None``: already delivered).

    A delivered result notice that tells the result in force fires the workflow's ``notify`` (as
    the system, on the notice's channel) when the complaint's stage allows it: the customer was
    told (처리결과 통보), and ``customer_notified`` is recorded with the delivery.
    """
    if state.delivered:
        return None
    requested = state.requested
    event = NotificationDelivered(
        **_header(complaint, at, "notice_delivered"),
        notification_id=requested.notification_id,
        attempt=state.failures + 1,
        provider_ref=provider_ref,
    )
    if requested.template == RESULT and _current_result(history, requested):
        notify = Notify(channel=requested.channel)
        system = Actor.system()
        if workflow.can_fire(complaint, notify, actor=system, at=at, organization=organization):
            fired = workflow.fire(
                complaint, notify, actor=system, at=at, organization=organization, events=history
            )
            return Fired(event.apply(fired.complaint), (*fired.events, event))
    return Fired(event.apply(complaint), (event,))


def failure(
    complaint: Complaint,
    state: NoticeState,
    *,
    at: datetime,
    reason: str,
    retryable: bool,
    policy: NoticePolicy,
) -> Fired | None:
    """The event recording a failed attempt of ``state``'s notice (``None``: it was delivered or
    given up already). The reason is masked (a provider's error may quote the address)."""
    if state.delivered or state.gave_up:
        return None
    attempt = state.failures + 1
    give_up = not retryable or attempt >= state.requested.max_attempts
    event = NotificationFailed(
        **_header(complaint, at, "notice_failed"),
        notification_id=state.requested.notification_id,
        attempt=attempt,
        reason=mask_text(reason)[:_REASON_LIMIT],
        retryable=retryable,
        gave_up=give_up,
        retry_at=None if give_up else at + policy.retry_delay(attempt),
    )
    return Fired(event.apply(complaint), (event,))


def give_up_pending(
    history: Sequence[DomainEvent], *, version: int, at: datetime, actor: Actor, trigger: str
) -> list[NotificationFailed]:
    """Failures giving up every notice still pending in ``history``, at ``version``, fired by
    ``trigger`` (``erasure``, ``retention``: a complaint's personal data is removed and nothing
    more is sent to the person). Their reason is empty (free text is what redaction wipes)."""
    pending: dict[str, NoticeState] = {}
    for event in history:
        if isinstance(event, NotificationRequested):
            state = notice_state(history, event.notification_id)
            if state is not None and state.status == "pending":
                pending[event.notification_id] = state
    return [
        NotificationFailed(
            complaint_id=state.requested.complaint_id,
            version=version,
            at=at,
            actor=actor,
            trigger=trigger,
            notification_id=nid,
            attempt=state.failures + 1,
            retryable=False,
            gave_up=True,
        )
        for nid, state in pending.items()
    ]


def sent_notices(history: Iterable[DomainEvent]) -> list[Notice]:
    """The notices of a history that were delivered, in the order they were requested."""
    requested: dict[str, NotificationRequested] = {}
    delivered: set[str] = set()
    kinds = {k.value for k in NoticeKind}
    for event in history:
        if isinstance(event, NotificationRequested) and event.template in kinds:
            requested[event.notification_id] = event
        elif isinstance(event, NotificationDelivered):
            delivered.add(event.notification_id)
    return [
        Notice(
            complaint_id=e.complaint_id,
            kind=NoticeKind(e.template),
            language=e.language,
            subject=e.subject,
            body=e.body,
            templates_version=e.templates_version,
        )
        for nid, e in requested.items()
        if nid in delivered
    ]


@attrs.define(slots=True)
class _Entry:
    complaint_id: str
    version: int
    attempt: int
    due: int  # UTC epoch microseconds
    position: int

    def dump(self) -> list[Any]:
        return [self.complaint_id, self.version, self.attempt, self.due, self.position]


class NoticeOutbox:
    """The pending notices of a store, kept from its complaint event stream (module docs).

    :meth:`catch_up` reads the stream after its position (the first call starts from the
    store's checkpoint ``name``) and saves the checkpoint when a notice moved (or the stream
    ran 1,000 positions past the saved one); several processes may
    share a store (a checkpoint conflict only means another saved first). :meth:`due` lists
    the pending notices due at a moment; their content is read from the complaint's history.
    """

    def __init__(self, store: ComplaintStore, *, name: str = OUTBOX_CHECKPOINT) -> None:
        self.store = store
        self.name = name
        self._pending: dict[str, _Entry] = {}
        self._position = 0
        self._saved: int | None = None  # None: the checkpoint is not read yet
        self._lock = threading.Lock()

    @property
    def position(self) -> int:
        """The last stream position read."""
        return self._position

    def __len__(self) -> int:
        return len(self._pending)

    def complaint_of(self, notification_id: str) -> str | None:
        """The complaint of a pending notice (``None`` if it is not pending)."""
        entry = self._pending.get(notification_id)
        return None if entry is None else entry.complaint_id

    def catch_up(self) -> None:
        """Read what the store appended since the last call; save the checkpoint if it moved."""
        with self._lock:
            if self._saved is None:
                position, state = self.store.checkpoint(self.name)
                self._pending = {
                    nid: _Entry(*values) for nid, values in (state or {}).get("pending", {}).items()
                }
                self._position = self._saved = position
            changed = False
            for stored in self.store.stream(after=self._position):
                changed = self._apply(stored.position, stored.event) or changed
                self._position = stored.position
            # Saved when a notice moved, or when the stream ran far past the saved position
            # (so a restart rereads little); not on every poll that saw other events.
            if (changed and self._position > self._saved) or (
                self._position - self._saved >= _SAVE_EVERY
            ):
                self._save()

    def _apply(self, position: int, event: DomainEvent) -> bool:
        """Apply one stream event; whether it was a notice's."""
        if not isinstance(
            event, NotificationRequested | NotificationDelivered | NotificationFailed
        ):
            return False
        if isinstance(event, NotificationRequested):
            self._pending[event.notification_id] = _Entry(
                event.complaint_id, event.version, 1, micros(event.at), position
            )
        elif isinstance(event, NotificationDelivered):
            self._pending.pop(event.notification_id, None)
        elif isinstance(event, NotificationFailed):
            entry = self._pending.get(event.notification_id)
            if entry is None:
                return True
            if event.gave_up or event.retry_at is None:
                del self._pending[event.notification_id]
            else:
                entry.attempt = event.attempt + 1
                entry.due = micros(event.retry_at)
        return True

    def _save(self) -> None:
        assert self._saved is not None
        state = {"pending": {nid: e.dump() for nid, e in self._pending.items()}}
        try:
            self.store.save_checkpoint(
                self.name, position=self._position, state=state, expected_position=self._saved
            )
        except CheckpointConflict:
            # Another process saved first; take its position as the one stored.
            self._saved = self.store.checkpoint(self.name)[0]
            return
        except (StoreBusy, StoreReadOnly):
            return  # kept in memory; saved at a later call
        self._saved = self._position

    def due(self, now: datetime, limit: int | None = None) -> list[tuple[str, str, int]]:
        """``(notification id, complaint id, version)`` of the pending notices due at ``now``,
        the earliest first (then in request order), cut at ``limit``."""
        at = micros(now)
        found = sorted(
            ((e.due, e.position, nid, e) for nid, e in self._pending.items() if e.due <= at),
            key=lambda t: (t[0], t[1]),
        )
        if limit is not None:
            found = found[:limit]
        return [(nid, e.complaint_id, e.version) for _, _, nid, e in found]

    def due_at(self, notification_id: str) -> datetime | None:
        """When a pending notice is (next) offered, or ``None`` if it is not pending."""
        entry = self._pending.get(notification_id)
        return None if entry is None else from_micros(entry.due)


def pending_notice(state: NoticeState) -> PendingNotice:
    """The :class:`PendingNotice` a sender is handed for a pending ``state``."""
    e = state.requested
    due_at = state.retry_at or e.at
    return PendingNotice(
        notification_id=e.notification_id,
        complaint_id=e.complaint_id,
        template=e.template,
        cause=e.cause,
        language=e.language,
        channel=e.channel,
        recipient=e.recipient,
        subject=e.subject,
        body=e.body,
        attempt=state.failures + 1,
        max_attempts=e.max_attempts,
        requested_at=e.at,
        due_at=due_at,
    )


def complaint_of_id(notification_id: str) -> str | None:
    """The complaint id a notification id names (see :func:`notice_id`), if it can tell."""
    if not isinstance(notification_id, str) or notification_id.count(".") < 2:
        return None
    head = notification_id.rsplit(".", 2)[0]
    return None if head.startswith("h-") and len(head) == 34 else head


def unknown_notice(notification_id: object, complaint_id: str | None) -> InvalidInput:
    """The error for a notification id no complaint requested."""
    where = f" on complaint {complaint_id}" if complaint_id else ""
    return InvalidInput(
        f"no notice {notification_id!r} was requested{where}; report the notification_id of a "
        "notice from pending_notices()"
    )


class NoticeMethods:
    """The outbox methods of :class:`~ccms.desk.Desk` (``Desk`` inherits them; see there)."""

    if TYPE_CHECKING:
        store: ComplaintStore
        workflow: Workflow
        organization: Organization
        notices: NoticePolicy | None
        outbox: NoticeOutbox

        def _now(self, at: datetime | None, field: str = "at") -> datetime: ...

        def _catch_up(self) -> None: ...

        def _load(self, complaint_id: str) -> tuple[Complaint, tuple[DomainEvent, ...]]: ...

        def _commit(
            self,
            fired: Fired,
            *,
            history: Sequence[DomainEvent],
            expected_version: int,
            now: datetime,
            idempotency_key: str | None,
            command_print: str | None = None,
            customer: Customer | None = None,
            notice_reason: str | None = None,
        ) -> Complaint: ...

    def pending_notices(
        self, now: datetime | None = None, *, limit: int | None = None
    ) -> list[PendingNotice]:
        """The notices the host's sender should deliver at ``now`` (default: the clock's), the
        earliest due first, at most ``limit``: new ones and failed ones whose retry time came.

        A notice stays pending until :meth:`notice_delivered` or a failure that gives it up is
        reported, so a sender that crashed before reporting gets it again: pass
        ``notification_id`` to the provider as its idempotency key.
        """
        when = self._now(now, "now")
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 1
        ):
            raise InvalidInput(
                f"pending_notices(limit=...) must be a positive int or None, got {limit!r}"
            )
        self.outbox.catch_up()
        found: list[PendingNotice] = []
        for nid, cid, _version in self.outbox.due(when, limit):
            state = notice_state(self._load(cid)[1], nid)
            if state is not None and state.status == "pending":
                found.append(pending_notice(state))
        return found

    def notice(self, notification_id: str) -> NoticeState:
        """Where a notice stands (requested, failed attempts, delivered or given up), read
        from its complaint's history; :class:`~ccms.errors.InvalidInput` for an unknown id."""
        cid = self._notice_complaint(notification_id)
        state = notice_state(self._load(cid)[1], notification_id)
        if state is None:
            raise unknown_notice(notification_id, cid)
        return state

    def notice_delivered(
        self,
        notice: PendingNotice | str,
        *,
        at: datetime | None = None,
        provider_ref: str | None = None,
    ) -> Complaint:
        """Record that the host's sender delivered ``notice`` (a :class:`PendingNotice` or its
        notification id) at ``at`` (default: now); returns the complaint.

        Reporting a delivery twice records it once (the second report writes nothing). A
        delivered result notice telling the result in force also fires ``notify`` (the system
        tells the customer the result: ``customer_notified``) when the stage allows it.
        """

        def build(
            complaint: Complaint, history: Sequence[DomainEvent], state: NoticeState, now: datetime
        ) -> Fired | None:
            return delivery(
                complaint,
                history,
                state,
                at=now,
                provider_ref=provider_ref,
                workflow=self.workflow,
                organization=self.organization,
            )

        return self._report(notice, at, build)

    def notice_failed(
        self,
        notice: PendingNotice | str,
        reason: str = "",
        *,
        retryable: bool = True,
        at: datetime | None = None,
    ) -> Complaint:
        """Record a failed attempt to deliver ``notice``; returns the complaint.

        ``retryable=False`` (a bad address) gives the notice up at once; otherwise it is offered
        again after the policy's backoff, and given up when its ``max_attempts`` have failed. A
        failure reported for a notice delivered or given up already writes nothing.
        """
        policy = self.notices or NoticePolicy()

        def build(
            complaint: Complaint, history: Sequence[DomainEvent], state: NoticeState, now: datetime
        ) -> Fired | None:
            return failure(
                complaint, state, at=now, reason=reason, retryable=retryable, policy=policy
            )

        return self._report(notice, at, build)

    def _notice_complaint(self, notice: PendingNotice | str) -> str:
        if isinstance(notice, PendingNotice):
            return notice.complaint_id
        if not isinstance(notice, str) or not 1 <= len(notice) <= _ID_LIMIT:
            raise unknown_notice(notice, None)
        cid = complaint_of_id(notice)
        if cid is not None and self.store.find(cid) is not None:
            return cid
        self.outbox.catch_up()
        pending = self.outbox.complaint_of(notice)
        if pending is not None:
            return pending
        if cid is None and notice.count(".") >= 2:
            # A hashed head (a complaint id over ~110 characters) and the notice is no longer
            # pending: find the complaint among the long ids of the store.
            head = notice.rsplit(".", 2)[0]
            tail = len(notice) - len(head)
            for long_id in self.store.ids():
                if len(long_id) + tail > _ID_LIMIT and hashed_head(long_id) == head:
                    return long_id
        raise unknown_notice(notice, cid)

    def _report(
        self,
        notice: PendingNotice | str,
        at: datetime | None,
        build: Callable[[Complaint, Sequence[DomainEvent], NoticeState, datetime], Fired | None],
    ) -> Complaint:
        nid = notice.notification_id if isinstance(notice, PendingNotice) else notice
        cid = self._notice_complaint(notice)
        for attempt in range(_REPORT_ATTEMPTS):
            self._catch_up()
            complaint, history = self._load(cid)
            state = notice_state(history, nid)
            if state is None:
                raise unknown_notice(nid, cid)
            now = self._now(at)
            if now < complaint.updated_at:  # a report never goes back before the last change
                now = complaint.updated_at.astimezone(now.tzinfo)
            fired = build(complaint, history, state, now)
            if fired is None:
                return complaint
            try:
                return self._commit(
                    fired,
                    history=history,
                    expected_version=complaint.version,
                    now=now,
                    idempotency_key=None,
                )
            except ConcurrencyConflict:
                if attempt + 1 == _REPORT_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover
