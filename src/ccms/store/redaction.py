"""What the stores share for :meth:`~ccms.store.ComplaintStore.redact` (erasure, retention).

A redaction rewrites stored personal data in place: a complaint's snapshot and its events, one for
one, keeping their positions, versions and types. :func:`check_redaction` checks the arguments
before a store touches anything; :func:`check_history` compares a given history with the stored
one; :func:`folded_at` rebuilds the snapshot an idempotency key keeps.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccms.errors import InvalidInput
from ccms.model import Complaint, Customer, DomainEvent, fold
from ccms.store.base import InvalidAppend

__all__ = ["Redaction", "check_history", "check_redaction", "folded_at"]

#: One complaint to rewrite: its new snapshot and its whole new history, in order.
Redaction = tuple[Complaint, tuple[DomainEvent, ...]]


def check_redaction(
    complaints: object, customer: object
) -> tuple[list[Redaction], Customer | None]:
    """Check :meth:`~ccms.store.ComplaintStore.redact`'s arguments (their shape, not the store).

    >>> check_redaction([("c1", [])], None)
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: redact(): item 0 must be a (Complaint, events) pair, got tuple ...
    """
    if customer is not None and not isinstance(customer, Customer):
        raise InvalidInput(f"redact(customer=...) must be a Customer or None, got {customer!r:.60}")
    if isinstance(complaints, str | bytes) or not isinstance(complaints, Sequence):
        raise InvalidInput(
            f"redact() takes a sequence of (Complaint, events) pairs, got {complaints!r:.60}"
        )
    out: list[Redaction] = []
    seen: set[str] = set()
    for i, item in enumerate(complaints):
        if (
            not isinstance(item, tuple | list)
            or len(item) != 2
            or not isinstance(item[0], Complaint)
            or isinstance(item[1], str | bytes)
            or not isinstance(item[1], Sequence)
        ):
            raise InvalidInput(
                f"redact(): item {i} must be a (Complaint, events) pair, got "
                f"{type(item).__name__} {item!r:.60}"
            )
        snapshot, given = item
        history = tuple(given)
        cid = snapshot.id
        if cid in seen:
            raise InvalidAppend(cid, "it is given twice", "each complaint once per redaction")
        seen.add(cid)
        if not history:
            raise InvalidAppend(cid, "no events given", "its whole history")
        for j, event in enumerate(history):
            if not isinstance(event, DomainEvent):
                raise InvalidAppend(cid, f"item {j} is a {type(event).__name__}", "DomainEvents")
            if event.complaint_id != cid:
                raise InvalidAppend(
                    cid, f"event {j} ({event.type}) is for {event.complaint_id}", f"events of {cid}"
                )
        if history[-1].version != snapshot.version:
            raise InvalidAppend(
                cid,
                f"the history ends at version {history[-1].version}, the snapshot is at "
                f"{snapshot.version}",
                "the snapshot of the last event's version",
            )
        out.append((snapshot, history))
    return out, customer


def check_history(
    complaint_id: str, stored: Sequence[tuple[str, int]], history: Sequence[DomainEvent]
) -> None:
    """Raise :class:`~ccms.store.InvalidAppend` unless ``history`` has one event per stored
    ``(type, version)``, in the same order, of the same type and version."""
    if len(stored) != len(history):
        raise InvalidAppend(
            complaint_id,
            f"{len(history)} events given for {len(stored)} stored",
            "one event for each stored event",
        )
    for i, ((type_, version), event) in enumerate(zip(stored, history, strict=True)):
        if event.type != type_ or event.version != version:
            raise InvalidAppend(
                complaint_id,
                f"event {i} is {event.type!r} at version {event.version}, the stored one "
                f"{type_!r} at version {version}",
                "each stored event's type and version",
            )


def folded_at(history: Sequence[DomainEvent], version: int) -> Complaint:
    """The complaint ``history`` folds to at ``version`` (what an idempotency key keeps)."""
    return fold(e for e in history if e.version <= version)
