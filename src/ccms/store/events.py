"""Complaint events as a store keeps them: :class:`StoredEvent` (an event and its log position),
:class:`AppendResult`, and the checks of an append every store runs before touching its data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from ccms.errors import (
    InvalidAppend,
    InvalidInput,
)
from ccms.model import Complaint, DomainEvent

__all__ = ["COMPLAINT", "AppendResult", "StoredEvent", "check_append", "check_id"]

#: The kind of the complaint events in the global log (no :class:`Record` has it).
COMPLAINT: Final = "complaint"


@attrs.frozen(slots=True)
class StoredEvent:
    """An event with its global ``position`` in the store's append order (strictly increasing).

    >>> from datetime import datetime, timezone
    >>> from ccms.model import Actor, HandlingStarted
    >>> e = HandlingStarted(complaint_id="c1", version=5, at=datetime(2026, 10, 5, tzinfo=timezone.utc),
    ...                     actor=Actor.system(), stage="in_progress")
    >>> StoredEvent(7, e).complaint_id
    'c1'
    """

    position: int
    event: DomainEvent

    @property
    def complaint_id(self) -> str:
        """The id of the complaint the event belongs to."""
        return self.event.complaint_id

    @property
    def kind(self) -> str:
        """``"complaint"`` (:data:`COMPLAINT`): what a log entry of a complaint event is."""
        return COMPLAINT

    @property
    def stream_id(self) -> str:
        """The complaint's id (the name every log entry gives its stream)."""
        return self.event.complaint_id


def _event_tuple(events: Iterable[DomainEvent]) -> tuple[DomainEvent, ...]:
    return tuple(events)


def _int_tuple(values: Iterable[int]) -> tuple[int, ...]:
    return tuple(values)


@attrs.frozen(slots=True)
class AppendResult:
    """What :meth:`ComplaintStore.append` wrote (or, for a ``duplicate``, had written before).

    ``positions`` are the global stream positions of ``events``, in order.
    """

    complaint: Complaint
    events: tuple[DomainEvent, ...] = attrs.field(converter=_event_tuple)
    duplicate: bool = False
    positions: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)


def check_id(value: object, what: str = "complaint id") -> str:
    """``value`` if it is a usable id (a str of 1 to 128 characters), else :class:`InvalidInput`.

    >>> check_id({})
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: a complaint id must be a str of 1 to 128 characters, got dict {}
    """
    if not isinstance(value, str) or not 1 <= len(value) <= 128:
        shown = f"{value!r:.60}" if not isinstance(value, str) else f"{len(value)} characters"
        raise InvalidInput(
            f"a {what} must be a str of 1 to 128 characters, got {type(value).__name__} {shown}"
        )
    return value


def check_append(
    complaint: Complaint, events: Sequence[DomainEvent], expected_version: int
) -> tuple[DomainEvent, ...]:
    """Check that an append is well formed; return the events as a tuple or raise InvalidAppend.

    Every store calls this before touching its data, so a malformed append never writes anything:
    the events are non-empty, all for ``complaint.id``, all at ``complaint.version``, which is
    ``expected_version + 1``; a new complaint's first event opens its history (``received``), and
    no later append contains such an event.
    """
    cid = complaint.id
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidAppend(
            cid, f"expected_version {expected_version!r} is not an int", "0 for a new complaint"
        )
    if expected_version < 0:
        raise InvalidAppend(
            cid,
            f"expected_version {expected_version} is negative",
            "0 for a new complaint, or more",
        )
    batch = tuple(events)
    if not batch:
        raise InvalidAppend(cid, "no events given", "one or more events")
    if complaint.version != expected_version + 1:
        raise InvalidAppend(
            cid,
            f"the snapshot is at version {complaint.version} but expected_version is "
            f"{expected_version}",
            f"a snapshot at version {expected_version + 1}",
        )
    for i, event in enumerate(batch):
        if not isinstance(event, DomainEvent):
            raise InvalidAppend(cid, f"item {i} is a {type(event).__name__}", "DomainEvent items")
        if event.complaint_id != cid:
            raise InvalidAppend(
                cid,
                f"event {i} ({event.type}) is for complaint {event.complaint_id}",
                f"events of {cid}",
            )
        if event.version != complaint.version:
            raise InvalidAppend(
                cid,
                f"event {i} ({event.type}) has version {event.version}",
                f"every event at the snapshot's version {complaint.version}",
            )
        if event.opens and (expected_version != 0 or i != 0):
            raise InvalidAppend(
                cid,
                f"event {i} ({event.type}) opens a history",
                "an opening event only first, in the append that creates the complaint",
            )
    if expected_version == 0 and not batch[0].opens:
        raise InvalidAppend(
            cid,
            f"a new complaint's first event is {batch[0].type!r}",
            "an opening event (received) first",
        )
    return batch
