"""Erasure of a customer and retention of closed complaints: personal data removed, figures kept.

:func:`erase_customer` forgets a customer (the right to erasure, 개인정보 삭제 요구): the
customer row loses the name, phone and e-mail (segment, region and language stay), and every
complaint of the customer has its free text redacted in place, in its snapshot and in every
stored event (:func:`ccms.model.redact`), and then gets one :class:`~ccms.model.Redacted`
event (``purpose="erasure"``) that records the erasure and holds no personal data; the notices
of the complaint still waiting in the outbox are given up with it (nothing more is sent).

:func:`apply_retention` anonymises the closed complaints a
:class:`~ccms.policy.retention.RetentionPolicy` says have expired at ``now``: free text
redacted, the customer reference replaced by an id that tells nothing
(:func:`~ccms.model.redaction.anonymous_id`), and a ``Redacted(purpose="retention")`` event.

Both are idempotent (a second run writes nothing) and keep every KPI and fairness figure: only
free text, tags and attribute values holding contact details, and (retention) the customer id
change, and no metric reads them; the event moves a complaint's ``version`` and ``updated_at``
only. Both bump the versions they touch, so a Desk in any process reads the rewritten
complaints anew instead of serving them from its cache.

>>> from datetime import datetime, timezone
>>> from ccms.desk import ManualClock, erase_customer
>>> from ccms.desk.service import Desk
>>> from ccms.model import Customer
>>> from ccms.store import InMemoryStore
>>> t = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
>>> desk = Desk(InMemoryStore(), clock=ManualClock(t))
>>> c = desk.receive(customer=Customer(id="C-1", name="홍길동", phone="010-1234-5678"),
...                  channel="phone", concerns=[{"kind": "complaint", "text": "홍길동, 010-1234-5678"}])
>>> done = erase_customer(desk.store, "C-1", at=t)
>>> done.complaints == (c.id,), desk.get(c.id).concerns[0].text, desk.store.get_customer("C-1").phone
(True, '[redacted]', None)
>>> erase_customer(desk.store, "C-1", at=t).changed
False
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Final, Literal

import attrs

from ccms.desk.notifications import give_up_pending
from ccms.errors import ConcurrencyConflict, InvalidInput, StoreError, require_aware
from ccms.model import Actor, Complaint, Customer, DomainEvent, Redacted, redact
from ccms.model.redaction import ANONYMOUS_PREFIX, anonymous_id
from ccms.policy.retention import RetentionPolicy
from ccms.store import ComplaintStore, CustomerNotFound, check_id

__all__ = ["Erasure", "RetentionRun", "apply_retention", "erase_customer"]

log = logging.getLogger("ccms.desk.erasure")

#: How often a complaint is read again when another writer moved it meanwhile.
_TRIES: Final = 20


@attrs.frozen(slots=True, kw_only=True)
class Erasure:
    """What :func:`erase_customer` did: the complaints it rewrote or marked, the events it
    appended and whether it replaced the customer row (all empty on a repeated erasure)."""

    customer_id: str
    complaints: tuple[str, ...] = ()
    events: tuple[DomainEvent, ...] = ()
    customer_erased: bool = False

    @property
    def changed(self) -> bool:
        """Whether this call wrote anything."""
        return bool(self.complaints) or self.customer_erased


@attrs.frozen(slots=True, kw_only=True)
class RetentionRun:
    """What :func:`apply_retention` did: the complaints it anonymised (in query order) and the
    events it appended; ``cutoff`` is the latest closing instant that had expired."""

    cutoff: datetime
    complaints: tuple[str, ...] = ()
    events: tuple[DomainEvent, ...] = ()


def _at(at: object) -> datetime:
    if not isinstance(at, datetime):
        raise InvalidInput(f"an erasure needs an aware datetime at, got {at!r:.40}")
    return require_aware(at, "at")


def _actor(actor: object) -> Actor:
    if not isinstance(actor, Actor):
        raise InvalidInput(f"actor must be an Actor, got {actor!r:.40}")
    return actor


def _known(customer: Customer | None) -> tuple[str, ...]:
    """The customer's own values, as stored and without separators (what tags are scrubbed of)."""
    if customer is None:
        return ()
    values: list[str] = []
    for personal in (customer.name, customer.phone, customer.email):
        if personal is not None:
            clear = personal.reveal()
            values.append(clear)
            digits = "".join(ch for ch in clear if ch.isdigit())
            if len(digits) >= 7:
                values.append(digits)
    return tuple(values)


def _redact_one(
    store: ComplaintStore,
    complaint_id: str,
    *,
    purpose: Literal["erasure", "retention"],
    scrub: tuple[str, ...],
    anonymise: bool,
    at: datetime,
    actor: Actor,
) -> DomainEvent | Literal[False] | None:
    """Rewrite one complaint and mark it; the event appended, ``None`` if it was only
    rewritten (already marked), ``False`` if nothing was left to do."""
    for _ in range(_TRIES):
        complaint = store.get(complaint_id)
        history = tuple(store.events(complaint_id))
        if history[-1].version != complaint.version:  # raced with a writer: read again
            continue
        customer_id = anonymous_id(complaint_id) if anonymise else None
        new_history = tuple(redact(e, scrub=scrub, customer_id=customer_id) for e in history)
        snapshot: Complaint = redact(complaint, scrub=scrub, customer_id=customer_id)
        marked = any(isinstance(e, Redacted) and e.purpose == purpose for e in history)
        rewrite = new_history != history or snapshot != complaint
        if marked and not rewrite:
            return False
        try:
            if rewrite:
                store.redact([(snapshot, new_history)])
            if marked:
                return None
            event = Redacted(
                complaint_id=complaint_id,
                version=complaint.version + 1,
                at=at,
                actor=actor,
                purpose=purpose,
            )
            # Nothing more is sent to the person: the notices still pending are given up.
            given_up = give_up_pending(
                new_history,
                version=event.version,
                at=at,
                actor=actor,
                trigger=purpose,
            )
            after = event.apply(snapshot)
            for failed in given_up:
                after = failed.apply(after)
            store.append(
                after,
                [event, *given_up],
                expected_version=complaint.version,
                wake_at=store.wake_at(complaint_id),
            )
        except ConcurrencyConflict:
            continue  # someone appended meanwhile: redact what they wrote too
        return event
    raise StoreError(
        f"complaint {complaint_id} kept changing while its personal data was removed "
        f"({_TRIES} tries); run the {purpose} again"
    )


def _redact_all(
    store: ComplaintStore,
    ids: Iterable[str],
    *,
    purpose: Literal["erasure", "retention"],
    scrub: tuple[str, ...],
    anonymise: bool,
    at: datetime,
    actor: Actor,
) -> tuple[tuple[str, ...], tuple[DomainEvent, ...]]:
    touched: list[str] = []
    events: list[DomainEvent] = []
    for cid in ids:
        done = _redact_one(
            store, cid, purpose=purpose, scrub=scrub, anonymise=anonymise, at=at, actor=actor
        )
        if done is False:
            continue
        touched.append(cid)
        if done is not None:
            events.append(done)
    return tuple(touched), tuple(events)


def erase_customer(
    store: ComplaintStore,
    customer_id: str,
    *,
    at: datetime,
    actor: Actor | None = None,
) -> Erasure:
    """Forget a customer: redact their complaints (an ``erasure`` event each) and remove the
    name, phone and e-mail from their row; see the module's docs.

    ``at`` is when the erasure is recorded (aware); ``actor`` who ordered it (default: the
    system). A customer the store never saw, with no complaints, is no error (nothing to do).
    Run it again after a failure: it finishes what is left and writes nothing twice.
    """
    check_id(customer_id, "customer id")
    moment = _at(at)
    who = _actor(actor if actor is not None else Actor.system())
    try:
        customer: Customer | None = store.get_customer(customer_id)
    except CustomerNotFound:
        customer = None
    scrub = _known(customer)
    ids = [c.id for c in store.query(customer_id=customer_id)]
    touched, events = _redact_all(
        store, ids, purpose="erasure", scrub=scrub, anonymise=False, at=moment, actor=who
    )
    erased = False
    if customer is not None and scrub:
        tombstone = Customer(
            id=customer.id,
            segment=customer.segment,
            region=customer.region,
            language=customer.language,
        )
        store.redact(customer=tombstone)
        erased = True
    log.info(
        "erased customer %s: %d complaints rewritten, %d events recorded",
        customer_id,
        len(touched),
        len(events),
    )
    return Erasure(
        customer_id=customer_id, complaints=touched, events=events, customer_erased=erased
    )


def apply_retention(
    store: ComplaintStore,
    policy: RetentionPolicy,
    *,
    now: datetime,
    actor: Actor | None = None,
) -> RetentionRun:
    """Anonymise the closed complaints ``policy`` says have expired at ``now`` (a
    ``retention`` event each); see the module's docs. Idempotent: a complaint already
    anonymised (its customer id made by :func:`~ccms.model.redaction.anonymous_id`) is left
    alone, so a second run with the same ``now`` appends nothing.

    The customer rows are kept (a customer may have newer complaints): erase a customer with
    :func:`erase_customer`.
    """
    if not isinstance(policy, RetentionPolicy):
        raise InvalidInput(f"apply_retention needs a RetentionPolicy, got {policy!r:.40}")
    cutoff = policy.cutoff(now)
    who = _actor(actor if actor is not None else Actor.system())
    expired = [
        c
        for c in store.query()
        if policy.expired(c.closed_at, now) and not c.customer.id.startswith(ANONYMOUS_PREFIX)
    ]
    touched: list[str] = []
    events: list[DomainEvent] = []
    for complaint in expired:
        try:
            scrub = _known(store.get_customer(complaint.customer.id))
        except CustomerNotFound:
            scrub = ()
        done, added = _redact_all(
            store,
            [complaint.id],
            purpose="retention",
            scrub=scrub,
            anonymise=True,
            at=require_aware(now, "now"),
            actor=who,
        )
        touched.extend(done)
        events.extend(added)
    log.info("retention at %s: %d complaints anonymised", cutoff.isoformat(), len(touched))
    return RetentionRun(cutoff=cutoff, complaints=tuple(touched), events=tuple(events))
