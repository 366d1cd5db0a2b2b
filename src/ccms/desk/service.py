"""The Desk: the application service a host calls, one method per command.

The Desk wires the workflow, the store, the policies and the subscribers. Each command loads the
complaint, fires the workflow (guards, roles), lets the policies add what they decide (SLA,
escalation, early warning), and appends everything in one atomic, version-checked write. A command
that fails raises a typed :mod:`ccms.errors` exception and leaves the store exactly as it was.
After a successful write the subscribers (CS-point ledger, improvement tasks, metrics) are told.

Nothing reads the wall clock but the injected :class:`~ccms.desk.Clock`; every ``at`` argument must
be timezone-aware.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ccms.desk._commands import CommandMethods
from ccms.desk._plumbing import (
    Assessment,
    Router,
    Scheduled,
    Subscriber,
    Sweeper,
    boundary,
    check_expected_version,
    check_received_at,
    command_fingerprint,
)
from ccms.desk.clock import Clock, SystemClock
from ccms.desk.context import ContextIndex
from ccms.desk.customer_status import CustomerStatus, customer_status
from ccms.desk.notifications import (
    NoticeMethods,
    NoticeOutbox,
    check_policy,
    requested_notices,
    sent_notices,
)
from ccms.errors import (
    CCMSError,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    NoDecision,
    PolicyError,
    StoreBusy,
    require_aware,
)
from ccms.model import (
    Actor,
    Channel,
    Complaint,
    Concern,
    Customer,
    CustomerRef,
    DomainEvent,
    Flag,
    Organization,
    Taxonomy,
    new_complaint_id,
)
from ccms.notices import NoticeTemplates
from ccms.policy.base import PolicyContext
from ccms.policy.escalation import SLA_STATES
from ccms.policy.notify import NoticePolicy
from ccms.policy.remedy_standards import RemedyStandards
from ccms.policy.routing import plan_backlog
from ccms.store import ASAP, ComplaintStore, check_id, check_key
from ccms.workflow import (
    AssignHandler,
    Command,
    Fired,
    Receive,
    Workflow,
    default_workflow,
)

__all__ = ["Assessment", "Desk", "NoDecision", "Scheduled", "Subscriber", "Sweeper"]

log = logging.getLogger("ccms.desk")


_CONTACT_FIELDS = frozenset({"name", "phone", "email"})


def _customer_of(data: Mapping[str, Any]) -> Customer | CustomerRef:
    """A ``receive``'s customer given as a mapping, validated at the boundary."""
    model = Customer if _CONTACT_FIELDS & set(data) else CustomerRef
    return boundary(lambda: model.model_validate(dict(data)), "customer")


class Desk(CommandMethods, NoticeMethods):
    """The application service. One method per command; each returns the new complaint version.

    >>> from datetime import datetime, timedelta
    >>> from zoneinfo import ZoneInfo
    >>> from ccms.store import InMemoryStore
    >>> from ccms.desk import Desk, ManualClock
    >>> clock = ManualClock(datetime(2026, 10, 5, 9, 30, tzinfo=ZoneInfo("Asia/Seoul")))
    >>> desk = Desk(InMemoryStore(), clock=clock)
    >>> c = desk.receive(channel="phone", customer=CustomerRef(id="C-1"),
    ...                  concerns=[Concern(kind="complaint", text="Late delivery")])
    >>> c.stage, c.version
    ('received', 1)
    >>> desk.start(c.id)
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidTransition: complaint ... in stage 'received' cannot fire 'start'; allowed from there: classify, close_cc_card, escalate, flag, reject, respond, withdraw
    """

    def __init__(
        self,
        store: ComplaintStore,
        *,
        workflow: Workflow | None = None,
        organization: Organization | None = None,
        taxonomy: Taxonomy | None = None,
        clock: Clock | None = None,
        department_router: Router | None = None,
        handler_router: Router | None = None,
        sweepers: Iterable[Sweeper] = (),
        subscribers: Iterable[Subscriber] = (),
        rng: random.Random | None = None,
        context_extra: Callable[[Complaint, Sequence[DomainEvent]], Mapping[str, Any]]
        | None = None,
        index: ContextIndex | None = None,
        cache_size: int = 4096,
        notices: NoticePolicy | None = None,
        notice_templates: NoticeTemplates | None = None,
        remedy_standards: RemedyStandards | None = None,
    ) -> None:
        self.store = store
        self.workflow = workflow or default_workflow()
        self.organization = organization or Organization()
        self.taxonomy = taxonomy
        self.clock: Clock = clock or SystemClock()
        self.department_router = department_router
        self.handler_router = handler_router
        self.sweepers: tuple[Sweeper, ...] = tuple(sweepers)
        self._subscribers: list[Subscriber] = list(subscribers)
        self._rng = rng
        self._context_extra = context_extra
        self.index = index
        if index is not None:
            index.rebuild(store)
        self._cache_size = cache_size
        # Complaints a busy store kept this Desk from waking after a write (see _wake_now).
        self._pending_wakes: set[str] = set()
        self._pending_lock = threading.Lock()
        # complaint id -> (the latest version this Desk stored or read, its history)
        self._cache: dict[str, tuple[Complaint, tuple[DomainEvent, ...]]] = {}
        self._assign_stages = frozenset(
            stage for stage, trigger in self.workflow.table if trigger == "assign_handler"
        )
        #: Which commands tell the customer (None: no notices are requested); docs/notices.md.
        self.notices = notices
        self._notice_templates = notice_templates
        if notices is not None:
            check_policy(notices, self.notice_templates)
        #: The remedy standards ``register_result`` checks a remedy against (None: no check).
        self.remedy_standards = remedy_standards
        #: The pending notices of the store (what ``pending_notices`` reads).
        self.outbox = NoticeOutbox(store)

    @property
    def notice_templates(self) -> NoticeTemplates:
        """The notice templates (default: the built-in Korean and English set)."""
        if self._notice_templates is None:
            self._notice_templates = NoticeTemplates.builtin()
        return self._notice_templates

    @classmethod
    def standard(
        cls,
        store: ComplaintStore,
        *,
        organization: Organization,
        taxonomy: Taxonomy | None,
        calendar: Any,
        clock: Clock | None = None,
        config: Any = None,
        **overrides: Any,
    ) -> Desk:
        """The Desk with every built-in policy wired (see :func:`ccms.desk.standard`):
        ``calendar`` is the business calendar of the SLA clocks (or ``{name: calendar}``)."""
        from ccms.desk.standard import standard

        return standard(
            store,
            organization=organization,
            taxonomy=taxonomy,
            calendar=calendar,
            clock=clock,
            config=config,
            **overrides,
        )

    # -- plumbing --------------------------------------------------------------------------------

    def subscribe(self, subscriber: Subscriber) -> Subscriber:
        """Call ``subscriber(complaint, events)`` after every successful write; returns it."""
        self._subscribers.append(subscriber)
        return subscriber

    def _now(self, at: datetime | None, field: str = "at") -> datetime:
        return (
            require_aware(at, field)
            if at is not None
            else require_aware(self.clock.now(), "clock.now()")
        )

    def _context(
        self,
        complaint: Complaint,
        events: Sequence[DomainEvent],
        now: datetime,
        *,
        with_load: bool = False,
        given: Mapping[str, Any] | None = None,
        memo: dict[str, Any] | None = None,
    ) -> PolicyContext:
        extra: Mapping[str, Any]
        host = dict(self._context_extra(complaint, events)) if self._context_extra else {}
        if self.index is not None:
            extra = self.index.extra(complaint, self.store, {**(given or {}), **host}, memo)
        else:
            extra = {**(given or {}), **host}
        if with_load:
            load = self.index.open_load() if self.index is not None else self.store.open_load()
        else:
            load = {}
        return PolicyContext(
            complaint=complaint,
            events=events,
            organization=self.organization,
            now=now,
            open_load=load,
            taxonomy=self.taxonomy,
            extra=extra,
        )

    def _check_codes(self, codes: Iterable[str | None], complaint_received: datetime) -> None:
        if self.taxonomy is None:
            return
        as_of = complaint_received.date()
        for code in codes:
            if code is not None:
                self.taxonomy.lookup(code, as_of)

    def _catch_up(self) -> None:
        """Bring the index up to what other processes stored; wake what their changes concern
        (and what a busy store kept this Desk from waking after its last write)."""
        if self.index is not None:
            if self._pending_wakes:
                with self._pending_lock:
                    pending, self._pending_wakes = self._pending_wakes, set()
                self._wake_now(sorted(pending))
            self._wake_now(self.index.catch_up(self.store))

    def _wake_now(self, complaint_ids: Iterable[str], *, after_write: bool = False) -> None:
        index = self.index
        if index is None:
            return
        ids = list(complaint_ids)
        for n, cid in enumerate(ids):
            try:
                self.store.reschedule(cid, version=index.version(cid), wake_at=ASAP)
            except StoreBusy:
                with self._pending_lock:
                    self._pending_wakes.update(ids[n:])
                if not after_write:
                    raise
                # The command is stored: a busy store must not turn it into an error (a client
                # would retry it). The wake-ups are made before this Desk's next command or tick.
                log.warning(
                    "the store was busy waking %d complaints after a write; they are woken "
                    "before the next command or tick",
                    len(ids) - n,
                )
                return

    def _load(self, complaint_id: str) -> tuple[Complaint, tuple[DomainEvent, ...]]:
        """The stored complaint and its history: from the cache while the store's version is
        the cached one (one cheap read), else read and cached."""
        cached = self._cache.get(check_id(complaint_id))
        if cached is not None and self.store.version(complaint_id) == cached[0].version:
            return cached
        complaint = self.store.get(complaint_id)
        history = tuple(self.store.events(complaint_id))
        if history and history[-1].version != complaint.version:  # raced with a writer
            complaint = self.store.get(complaint_id)
            history = tuple(self.store.events(complaint_id))
        self._remember(complaint, history)
        return complaint, history

    def _remember(self, complaint: Complaint, history: tuple[DomainEvent, ...]) -> None:
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))  # the oldest entry
        self._cache.pop(complaint.id, None)
        self._cache[complaint.id] = (complaint, history)

    def _sweep(
        self, complaint: Complaint, history: Sequence[DomainEvent], now: datetime, version: int
    ) -> tuple[Complaint, list[DomainEvent], datetime | None]:
        """Let every sweeper add its events at ``version``; returns the folded complaint, the
        events and the next wake-up (the earliest any sweeper asks for)."""
        added: list[DomainEvent] = []
        given: dict[str, Any] = {}
        wakes: list[datetime | None] = []
        later: list[Any] = []
        # The index's inputs of one complaint object, computed once for every sweeper reading
        # them; a new memo once an event changed the complaint.
        memo: dict[str, Any] = {}
        ctx: PolicyContext | None = None  # reused while nothing it holds changed
        for sweeper in self.sweepers:
            if ctx is None or self._context_extra is not None:
                ctx = self._context(complaint, (*history, *added), now, given=given, memo=memo)
            assess = getattr(sweeper, "assess", None)
            if callable(assess):
                assessment = assess(ctx)
                proposals: Sequence[DomainEvent] = assessment.events
                wakes.append(assessment.wake)
                states = getattr(assessment, "states", None)
                if states is not None:
                    given[SLA_STATES] = states
                    ctx = None
            else:
                proposals = sweeper.sweep(ctx)
                later.append(sweeper)
            for proposed in proposals:
                if proposed.complaint_id != complaint.id:
                    raise PolicyError(
                        f"sweeper {sweeper!r} proposed an event for {proposed.complaint_id}, "
                        f"not {complaint.id}"
                    )
                event = (
                    proposed
                    if proposed.version == version
                    else proposed.model_copy(update={"version": version})
                )
                complaint = event.apply(complaint)
                added.append(event)
                memo = {}
                ctx = None
        if complaint.closed_at is not None:
            return complaint, added, None
        if later:
            if ctx is None or self._context_extra is not None:
                ctx = self._context(complaint, (*history, *added), now, given=given, memo=memo)
            for sweeper in later:
                next_wake = getattr(sweeper, "next_wake", None)
                wakes.append(next_wake(ctx) if callable(next_wake) else ASAP)
        found = [w for w in wakes if w is not None]
        return complaint, added, min(found) if found else None

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
    ) -> Complaint:
        full = (*history, *fired.events)
        complaint, extra, wake = self._sweep(fired.complaint, full, now, fired.complaint.version)
        complaint, extra = self._with_notices(complaint, fired.events, extra, now, notice_reason)
        events = (*fired.events, *extra)
        if idempotency_key is None and customer is None:
            result = self.store.append(
                complaint, events, expected_version=expected_version, wake_at=wake
            )
        else:
            result = self.store.append(
                complaint,
                events,
                expected_version=expected_version,
                idempotency_key=idempotency_key,
                wake_at=wake,
                fingerprint=command_print,
                customer=customer,
            )
        if not result.duplicate:
            self._stored(result.complaint, (*full, *extra), result.positions)
            self._publish(result.complaint, result.events)
        return result.complaint

    def _with_notices(
        self,
        complaint: Complaint,
        fired: Sequence[DomainEvent],
        swept: Sequence[DomainEvent],
        now: datetime,
        reason: str | None,
    ) -> tuple[Complaint, list[DomainEvent]]:
        """The sweep's events and the notices the command's and the sweep's events request
        (appended with them, in the same transaction), and the complaint after them."""
        if self.notices is None:
            return complaint, list(swept)
        notices = requested_notices(
            complaint,
            (*fired, *swept),
            policy=self.notices,
            templates=self.notice_templates,
            organization=self.organization,
            now=now,
            reason=reason,
        )
        for notice in notices:
            complaint = notice.apply(complaint)
        return complaint, [*swept, *notices]

    def _stored(
        self, complaint: Complaint, history: tuple[DomainEvent, ...], positions: Sequence[int]
    ) -> None:
        """Keep the cache and the index up to date after this Desk's own append."""
        self._remember(complaint, history)
        if self.index is not None:
            woken = self.index.record(complaint)
            self.index.advance(positions)
            self._wake_now(woken, after_write=True)

    def _publish(self, complaint: Complaint, events: Sequence[DomainEvent]) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(complaint, events)
            except Exception:  # a subscriber must not undo a stored command
                log.exception(
                    "subscriber %r failed on complaint %s version %s; it can catch up from "
                    "store.stream()",
                    subscriber,
                    complaint.id,
                    complaint.version,
                )

    # -- the generic command path ----------------------------------------------------------------

    def execute(
        self,
        complaint_id: str,
        command: Command,
        *,
        actor: Actor | None = None,
        at: datetime | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        notice_reason: str | None = None,
    ) -> Complaint:
        """Fire ``command`` on a stored complaint and store the result atomically.

        ``expected_version`` (optional) is the version the caller last saw: if the complaint has
        moved on, :class:`~ccms.errors.ConcurrencyConflict` is raised and nothing is written.
        A retried command with the same ``idempotency_key`` returns the original result and
        writes nothing, however late; the key is bound to the command (its type, its payload and
        the complaint, not ``at`` or ``actor``), so the same key with another command raises
        :class:`~ccms.errors.IdempotencyConflict` and writes nothing. ``notice_reason`` is the
        text for the customer in the notice the command sends, if it sends one (what is needed
        from them, why this remedy); its contact details are masked.
        """
        if not isinstance(command, Command):
            raise InvalidInput(
                f"complaint {complaint_id!r}: execute() takes a workflow Command (Classify, "
                f"Start, ...), got {type(command).__name__}"
            )
        return self._execute(
            complaint_id,
            command,
            actor=actor,
            at=at,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            notice_reason=notice_reason,
        )

    def _retried(
        self, key: str, command_print: str, complaint_id: str, name: str
    ) -> Complaint | None:
        """The complaint a first command made under ``key`` (the retry's answer), or ``None``."""
        previous = self.store.idempotent_result(key, fingerprint=command_print)
        if previous is None:
            return None
        if previous.complaint.id != complaint_id:  # a key stored without a fingerprint
            raise IdempotencyConflict(
                key,
                f"for complaint {previous.complaint.id}, not {complaint_id}",
                first=None,
                attempted=name,
            )
        return previous.complaint

    def _execute(
        self,
        complaint_id: str,
        command: Command,
        *,
        actor: Actor | None = None,
        at: datetime | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        request: str | None = None,
        notice_reason: str | None = None,
    ) -> Complaint:
        """:meth:`execute`; ``request`` is the fingerprint of what the caller asked for when the
        Desk completed the command itself (a routed assignment)."""
        expected_version = check_expected_version(expected_version, complaint_id)
        check_key(idempotency_key)
        command_print = None
        if idempotency_key is not None:
            check_id(complaint_id)
            command_print = request or command_fingerprint(
                command.trigger_name, complaint_id, command
            )
            previous = self._retried(
                idempotency_key, command_print, complaint_id, command.trigger_name
            )
            if previous is not None:
                return previous
        if at is not None:
            require_aware(at, "at")
        actor = actor or Actor.system()
        self._catch_up()
        complaint, history = self._load(complaint_id)
        if expected_version is not None and expected_version != complaint.version:
            raise ConcurrencyConflict(
                complaint_id, expected=expected_version, actual=complaint.version
            )
        now = self._now(at)
        if at is None and now < complaint.updated_at:
            # Read after the load, the clock can still be a little behind another process's
            # (whose change was just loaded): the command happens after that change, not before.
            now = complaint.updated_at.astimezone(now.tzinfo)
        fired = self.workflow.fire(
            complaint, command, actor=actor, at=now, organization=self.organization, events=history
        )
        return self._commit(
            fired,
            history=history,
            expected_version=complaint.version,
            now=now,
            idempotency_key=idempotency_key,
            command_print=command_print,
            notice_reason=notice_reason,
        )

    # -- commands --------------------------------------------------------------------------------

    def receive(
        self,
        *,
        channel: Channel | str,
        customer: Customer | CustomerRef | Mapping[str, Any],
        concerns: Sequence[Concern | Mapping[str, Any]],
        received_at: datetime | None = None,
        flags: Iterable[Flag | str] = (),
        tags: Iterable[str] = (),
        attributes: Mapping[str, Any] | None = None,
        actor: Actor | None = None,
        complaint_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Complaint:
        """Register a new contact (VOC 제기) with one or more concerns; returns version 1.

        ``customer`` may be a mapping (what a host's request carries): one with contact
        details (``name``, ``phone``, ``email``) is a :class:`~ccms.model.Customer`, else a
        :class:`~ccms.model.CustomerRef`; a bad one is :class:`~ccms.errors.InvalidInput` whose
        message leaves the values out. (A model a host builds itself raises pydantic's
        ``ValidationError``, a ``ValueError``, in the host's code, before the Desk is called.)

        A full :class:`~ccms.model.Customer` is saved to the store in the same transaction as
        the complaint (its personal data stays out of the event history); the complaint carries
        only the :class:`~ccms.model.CustomerRef`. A refused receive writes nothing, the customer
        included.

        ``received_at`` (default: the clock's now) may be at most
        :data:`~ccms.desk.RECEIPT_TOLERANCE` (5 minutes) after the Desk's clock and not before
        :data:`~ccms.desk.EARLIEST_RECEIPT` (1900-01-01 UTC); outside that window it is refused
        with :class:`~ccms.errors.InvalidInput` (a receipt from the future is a wrong clock or a
        typo, and would stop the SLA clocks from ever running).

        A retry with the same ``idempotency_key`` (late, or at the same time through another
        Desk on the same store) returns the complaint the first one opened, never a second one;
        the key is bound to the command's content (not ``received_at`` nor ``actor``), so the
        same key with another receive raises :class:`~ccms.errors.IdempotencyConflict`.
        """
        check_key(idempotency_key)
        if complaint_id is not None:
            check_id(complaint_id)
        now = self._now(received_at, "received_at")
        if received_at is not None:
            check_received_at(now, require_aware(self.clock.now(), "clock.now()"))
        if isinstance(customer, Mapping):
            customer = _customer_of(customer)
        ref = customer.ref() if isinstance(customer, Customer) else customer
        command = boundary(
            lambda: Receive(
                channel=channel,
                customer=ref,
                concerns=tuple(concerns),
                received_at=now,
                flags=frozenset(flags),
                tags=frozenset(tags),
                attributes=dict(attributes or {}),
            )
        )
        command_print = None
        if idempotency_key is not None:
            full = customer if isinstance(customer, Customer) else None
            command_print = command_fingerprint("receive", complaint_id, command, full)
            previous = self.store.idempotent_result(idempotency_key, fingerprint=command_print)
            if previous is not None:
                return previous.complaint
        self._check_codes((c.code for c in command.concerns), now)
        cid = complaint_id or new_complaint_id(now, self._rng)
        fired = self.workflow.receive(
            command, complaint_id=cid, actor=actor or Actor.system(), at=now
        )
        self._catch_up()
        return self._commit(
            fired,
            history=(),
            expected_version=0,
            now=now,
            idempotency_key=idempotency_key,
            command_print=command_print,
            customer=customer if isinstance(customer, Customer) else None,
        )

    # -- reading and sweeping --------------------------------------------------------------------

    def get(self, complaint_id: str) -> Complaint:
        """The current version of a complaint."""
        return self._load(complaint_id)[0]

    def history(self, complaint_id: str) -> list[DomainEvent]:
        """Every event of a complaint, oldest first."""
        return list(self._load(complaint_id)[1])

    def status_for_customer(self, complaint_id: str, language: str | None = None) -> CustomerStatus:
        """What the customer may see of their complaint (docs/notices.md): the stage and the
        next step in plain language in ``language`` (default: the customer's, else the notice
        policy's), the expected date from the SLA, the last update they were concerned by and
        the last notice delivered to them. Never the concern texts, notes, department, tags,
        flags, escalations, nor the handler unless the notice policy shows handlers' names
        (their display name, never their id)."""
        complaint, history = self._load(complaint_id)
        templates = self.notice_templates
        policy = self.notices or NoticePolicy()
        if language is None:
            language = complaint.customer.language
            if language not in templates.languages:
                language = policy.language
        elif not isinstance(language, str) or language not in templates.languages:
            raise InvalidInput(
                f"complaint {complaint_id}: no notices in language {language!r:.40}; allowed: "
                f"{', '.join(sorted(templates.languages))}"
            )
        handler = None
        shown = policy.show_handler_names and complaint.handler is not None
        if shown and self.organization.has_agent(str(complaint.handler)):
            handler = self.organization.agent(str(complaint.handler)).name
        return customer_status(
            complaint,
            history,
            language,
            notices=sent_notices(history),
            zone=policy.zone,
            handler_name=handler,
            templates=templates,
        )

    def tick(self, now: datetime | None = None, *, everything: bool = False) -> list[DomainEvent]:
        """Sweep the complaints that are due: SLA status, escalations, early warnings. Idempotent.

        Only complaints whose wake-up has come are looked at (each command schedules the next
        one from the time-driven policies' ``next_wake``), so a tick costs what is due, not
        what is stored. ``everything=True`` sweeps every open complaint instead (the reference
        the schedule is tested against; also after changing the policies of a running Desk).
        Running the same tick twice records nothing the second time. A complaint changed by
        someone else during the sweep, or one the store is too busy to write, is skipped (the
        next tick sees it).
        """
        now = self._now(now, "now")
        self._catch_up()
        recorded: list[DomainEvent] = []
        if self.handler_router is not None:
            recorded.extend(self._offer_backlog(now))
        if not self.sweepers:
            return recorded
        due = list(self.store.ids()) if everything else self.store.due(now)
        for cid in due:
            complaint, history = self._load(cid)
            if complaint.closed_at is not None:
                continue
            new, events, wake = self._sweep(complaint, history, now, complaint.version + 1)
            new, events = self._with_notices(new, (), events, now, None)
            if not events:
                with contextlib.suppress(StoreBusy):  # still due: the next tick looks again
                    self.store.reschedule(cid, version=complaint.version, wake_at=wake)
                continue
            try:
                result = self.store.append(
                    new, events, expected_version=complaint.version, wake_at=wake
                )
            except (ConcurrencyConflict, StoreBusy):
                continue  # changed by someone else, or the store busy: the next tick sees it
            self._stored(result.complaint, (*history, *result.events), result.positions)
            self._publish(result.complaint, result.events)
            recorded.extend(result.events)
        return recorded

    def _backlog(self, now: datetime) -> list[Complaint]:
        if self.index is not None:
            found = (self.store.find(cid) for cid in self.index.backlog(self._assign_stages))
            return [
                c for c in found if c is not None and c.handler is None and c.received_at <= now
            ]
        return [
            c
            for c in self.store.query(open_only=True, stages=self._assign_stages)
            if c.handler is None and c.received_at <= now
        ]

    def _offer_backlog(self, now: datetime) -> list[DomainEvent]:
        """Offer unassigned complaints to agents with free capacity (:func:`plan_backlog`)."""
        load = self.index.open_load() if self.index is not None else self.store.open_load()
        if not any(a.active and load.get(a.id, 0) < a.capacity for a in self.organization.agents):
            return []
        backlog = self._backlog(now)
        if not backlog:
            return []
        recorded: list[DomainEvent] = []
        for complaint, agent in plan_backlog(
            backlog, self.organization.agents, now=now, open_load=load
        ):
            try:
                stored = self.execute(
                    complaint.id,
                    AssignHandler(handler=agent.id, rule="backlog offer: severity, then age"),
                    at=now,
                    expected_version=complaint.version,
                )
            except CCMSError as exc:  # moved on, or a guard refused: leave it for later
                log.info("backlog offer of %s to %s skipped: %s", complaint.id, agent.id, exc)
                continue
            recorded.extend(e for e in self._load(stored.id)[1] if e.version == stored.version)
        return recorded

    def __repr__(self) -> str:
        return f"Desk(workflow={self.workflow.name!r}, store={type(self.store).__name__})"
