"""The store port: what every complaint store does, and the values it takes and returns.

A store keeps, for each complaint, its append-only event history and its latest snapshot (the
complaint the events fold to), written together in one atomic :meth:`ComplaintStore.append` guarded
by optimistic concurrency (``expected_version``), never last-write-wins. It also keeps customers,
whose personal data stays out of events so that erasure can later keep every figure.

Adapters: :class:`ccms.store.InMemoryStore` and :class:`ccms.store.SQLiteStore`; any other (e.g.
PostgreSQL) proves itself against :class:`ccms.testing.store_contract.StoreContract`.

>>> q = ComplaintQuery(stages={"received", "classified"}, open_only=True, limit=10)
>>> sorted(q.stages or ()), q.open_only, q.limit
(['classified', 'received'], True, 10)
>>> ComplaintQuery.build(q, handler="kim").handler
'kim'
>>> ComplaintQuery.build(None, colour="red")
Traceback (most recent call last):
...
ccms.errors.InvalidInput: unknown query filter 'colour'; allowed: channel, code_prefix, ...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Final, Protocol, Self, runtime_checkable

import attrs

from ccms.errors import (
    CCMSError,
    InvalidInput,
    StoreError,
    require_aware,
)
from ccms.model import Channel, Complaint, Customer, DomainEvent

__all__ = [
    "ASAP",
    "LATEST",
    "AppendResult",
    "ComplaintQuery",
    "ComplaintStore",
    "CustomerNotFound",
    "InvalidAppend",
    "StoreClosed",
    "StoredEvent",
    "check_append",
    "check_due",
    "check_version",
    "check_wake_at",
    "from_micros",
    "micros",
]

#: ``wake_at=ASAP``: wake the complaint at the next tick (the earliest instant there is).
ASAP: Final[datetime] = datetime.min.replace(tzinfo=UTC)
#: The latest wake-up a store keeps; later instants are kept as this one.
LATEST: Final[datetime] = datetime.max.replace(tzinfo=UTC)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class InvalidAppend(InvalidInput):
    """An append whose events do not fit its complaint or version; nothing was written.

    >>> err = InvalidAppend("c1", "no events given", "one or more events")
    >>> isinstance(err, ValueError), err.complaint_id
    (True, 'c1')
    >>> print(err)
    cannot append to complaint c1: no events given; allowed: one or more events
    """

    TEMPLATE = "cannot append to complaint {complaint_id}: {problem}; allowed: {allowed}"

    def __init__(self, complaint_id: str, problem: str, allowed: str) -> None:
        self.complaint_id = complaint_id
        self.problem = problem
        self.allowed = allowed
        super().__init__(
            self.TEMPLATE.format(complaint_id=complaint_id, problem=problem, allowed=allowed)
        )


class CustomerNotFound(CCMSError, KeyError):
    """No customer with this id is stored.

    >>> print(CustomerNotFound("C-9"))
    no customer with id 'C-9' is stored; save it first with save_customer()
    >>> isinstance(CustomerNotFound("C-9"), KeyError)
    True
    """

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(customer_id)

    def __str__(self) -> str:
        return f"no customer with id {self.customer_id!r} is stored; save it first with save_customer()"


class StoreClosed(StoreError):
    """The store was closed; open a new one to go on.

    >>> print(StoreClosed("SQLiteStore('x.db')"))
    SQLiteStore('x.db') is closed; open a new store to go on
    """

    def __init__(self, store: str) -> None:
        self.store = store
        super().__init__(f"{store} is closed; open a new store to go on")


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


def _frozen_names(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def _aware_or_none(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        if not isinstance(value, datetime):
            raise InvalidInput(
                f"ComplaintQuery.{attribute.name} must be an aware datetime, got {value!r}"
            )
        require_aware(value, f"ComplaintQuery.{attribute.name}")


def _channel_or_none(value: Channel | str | None) -> Channel | None:
    if value is None:
        return None
    try:
        return Channel(value)
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        raise InvalidInput(f"unknown channel {value!r}; allowed: {allowed}") from None


def _limit(instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidInput(f"ComplaintQuery.limit must be a positive int or None, got {value!r}")


@attrs.frozen(slots=True, kw_only=True)
class ComplaintQuery:
    """Filters for :meth:`ComplaintStore.query`; every filter left ``None`` matches everything.

    Results are ordered by ``(received_at, id)`` (the instant, whatever the zone) and cut at
    ``limit``. All filters must hold at once:

    - ``stages``: the stage is one of these (an empty set matches nothing);
    - ``department``, ``handler``, ``customer_id``, ``channel``: equal;
    - ``open_only``: ``closed_at is None``;
    - ``overdue_at``: open and ``due_at`` (set by the SLA policy) is before this moment;
    - ``received_from`` / ``received_to``: ``received_from <= received_at < received_to``;
    - ``code_prefix``: some concern's VOC code starts with this string (``"PRD"`` matches
      ``"PRD.DEF"``).

    Datetimes must be timezone-aware:

    >>> from datetime import datetime
    >>> ComplaintQuery(overdue_at=datetime(2026, 10, 1))
    Traceback (most recent call last):
    ...
    ccms.errors.NaiveDatetimeError: ComplaintQuery.overdue_at must be a timezone-aware datetime, ...
    """

    stages: frozenset[str] | None = attrs.field(default=None, converter=_frozen_names)
    department: str | None = None
    handler: str | None = None
    open_only: bool = False
    overdue_at: datetime | None = attrs.field(default=None, validator=_aware_or_none)
    received_from: datetime | None = attrs.field(default=None, validator=_aware_or_none)
    received_to: datetime | None = attrs.field(default=None, validator=_aware_or_none)
    customer_id: str | None = None
    channel: Channel | None = attrs.field(default=None, converter=_channel_or_none)
    code_prefix: str | None = None
    limit: int | None = attrs.field(default=None, validator=_limit)

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """The names of the filters, sorted (what keyword filters may be called)."""
        return tuple(sorted(a.name for a in attrs.fields(cls)))

    @classmethod
    def build(cls, query: ComplaintQuery | None = None, /, **filters: Any) -> ComplaintQuery:
        """``query`` (or an empty query) with ``filters`` set on top: the keyword shortcut."""
        unknown = sorted(set(filters) - set(cls.fields()))
        if unknown:
            raise InvalidInput(
                f"unknown query filter {unknown[0]!r}; allowed: {', '.join(cls.fields())}"
            )
        base = query if query is not None else cls()
        return attrs.evolve(base, **filters) if filters else base

    def matches(self, complaint: Complaint) -> bool:
        """Whether ``complaint`` passes every filter (``limit`` aside): the reference semantics."""
        c = complaint
        if self.stages is not None and c.stage not in self.stages:
            return False
        if self.department is not None and c.department != self.department:
            return False
        if self.handler is not None and c.handler != self.handler:
            return False
        if self.open_only and c.closed_at is not None:
            return False
        if self.overdue_at is not None and (
            c.closed_at is not None or c.due_at is None or not c.due_at < self.overdue_at
        ):
            return False
        if self.received_from is not None and c.received_at < self.received_from:
            return False
        if self.received_to is not None and not c.received_at < self.received_to:
            return False
        if self.customer_id is not None and c.customer.id != self.customer_id:
            return False
        if self.channel is not None and c.channel != self.channel:
            return False
        return self.code_prefix is None or any(
            code.startswith(self.code_prefix) for code in c.codes
        )

    def select(self, complaints: Iterable[Complaint]) -> list[Complaint]:
        """The complaints that match, ordered by ``(received_at, id)`` and cut at ``limit``."""
        if self.stages is not None and not self.stages:
            return []
        found = sorted(
            (c for c in complaints if self.matches(c)), key=lambda c: (c.received_at, c.id)
        )
        return found if self.limit is None else found[: self.limit]


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


def micros(value: datetime) -> int:
    """Exact UTC epoch microseconds of an aware datetime (how stores compare instants)."""
    return (value - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    """The aware UTC datetime of :func:`micros` (``from_micros(micros(ASAP)) == ASAP``)."""
    return _EPOCH + timedelta(microseconds=value)


def _clamped(value: datetime) -> datetime:
    # An aware instant outside what a UTC datetime can show is kept as the nearest one it can.
    if value < ASAP:
        return ASAP
    if value > LATEST:
        return LATEST
    return value.astimezone(UTC)


def check_wake_at(complaint_id: str, wake_at: object, *, append: bool = True) -> datetime | None:
    """Check an append's (or, ``append=False``, a reschedule's) ``wake_at``: ``None``, or the
    instant in UTC (instants beyond what a UTC datetime holds are kept as ``ASAP`` or ``LATEST``).

    Raises :class:`InvalidAppend` (:class:`ccms.errors.InvalidInput` for a reschedule) for a
    non-datetime and :class:`ccms.errors.NaiveDatetimeError` for a naive one.

    >>> check_wake_at("c1", ASAP) == ASAP, check_wake_at("c1", None)
    (True, None)
    >>> check_wake_at("c1", "soon")
    Traceback (most recent call last):
    ...
    ccms.store.base.InvalidAppend: cannot append to complaint c1: wake_at 'soon' is not a datetime; ...
    """
    if wake_at is None:
        return None
    if not isinstance(wake_at, datetime):
        if not append:
            raise InvalidInput(
                f"reschedule(wake_at=...) must be an aware datetime, ASAP or None, got {wake_at!r}"
            )
        raise InvalidAppend(
            complaint_id,
            f"wake_at {wake_at!r} is not a datetime",
            "an aware datetime, ASAP, or None for nothing scheduled",
        )
    return _clamped(require_aware(wake_at, "wake_at"))


def check_due(now: object, limit: object) -> tuple[datetime, int | None]:
    """Check :meth:`ComplaintStore.due`'s arguments: ``now`` in UTC and the limit.

    >>> check_due(ASAP, 0)
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: due(limit=...) must be a positive int or None, got 0
    """
    if not isinstance(now, datetime):
        raise InvalidInput(f"due(now=...) must be an aware datetime, got {now!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput(f"due(limit=...) must be a positive int or None, got {limit!r}")
    return _clamped(require_aware(now, "due(now=...)")), limit


def check_version(version: object) -> int:
    """Check :meth:`ComplaintStore.reschedule`'s ``version``: a non-negative int."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise InvalidInput(f"reschedule(version=...) must be an int >= 0, got {version!r}")
    return version


@runtime_checkable
class ComplaintStore(Protocol):
    """The persistence port every store implements (the contract suite says exactly how).

    Unknown complaint ids raise :class:`ccms.errors.ComplaintNotFound` from :meth:`get` and
    :meth:`events`; :meth:`find` returns ``None`` and :meth:`version` returns 0 for them.
    """

    def append(
        self,
        complaint: Complaint,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
        idempotency_key: str | None = None,
        wake_at: datetime | None = ASAP,
    ) -> AppendResult:
        """Atomically add ``events``, replace the snapshot with ``complaint`` and set its wake-up.

        ``expected_version`` is the version stored before (0 for a new complaint). ``wake_at`` is
        when the complaint next needs looking at (see :meth:`due`): an aware datetime, ``ASAP``
        (the default: at the next tick) or ``None`` (nothing scheduled). Raises
        :class:`InvalidAppend` for malformed input (a naive ``wake_at`` raises
        :class:`ccms.errors.NaiveDatetimeError`), :class:`ccms.errors.ConcurrencyConflict` if the
        stored version differs, :class:`ccms.errors.IdempotencyConflict` if ``idempotency_key`` was
        used for another complaint; in every case nothing is written. A key already used for this
        complaint writes nothing (the wake-up included) and returns the original result with
        ``duplicate=True``.
        """
        ...

    def reschedule(self, complaint_id: str, *, version: int, wake_at: datetime | None) -> bool:
        """Set the complaint's wake-up without appending, if its stored version is ``version``.

        Returns ``True`` if set, ``False`` if the complaint moved on (or is not stored).
        """
        ...

    def due(self, now: datetime, *, limit: int | None = None) -> list[str]:
        """Ids of open complaints (``closed_at is None``) whose wake-up is at or before ``now``,
        ordered by (wake-up instant, id) and cut at ``limit``; in time that does not grow with
        the number of complaints stored."""
        ...

    def wake_at(self, complaint_id: str) -> datetime | None:
        """The stored wake-up in UTC (``ASAP`` comes back equal to ``ASAP``), or ``None``;
        raises :class:`ccms.errors.ComplaintNotFound`."""
        ...

    def last_position(self) -> int:
        """The highest stream position (0 for an empty store), cheaply."""
        ...

    def idempotent_result(self, key: str) -> AppendResult | None:
        """The result of the append first made with ``idempotency_key=key`` (``duplicate=True``),
        or ``None`` if the key was never used; lets a service answer a retry before doing work."""
        ...

    def get(self, complaint_id: str) -> Complaint:
        """The latest snapshot; raises :class:`ccms.errors.ComplaintNotFound`."""
        ...

    def find(self, complaint_id: str) -> Complaint | None:
        """The latest snapshot, or ``None``."""
        ...

    def version(self, complaint_id: str) -> int:
        """The stored version, 0 if the complaint is not stored."""
        ...

    def events(self, complaint_id: str) -> list[DomainEvent]:
        """The complaint's events in order; raises :class:`ccms.errors.ComplaintNotFound`."""
        ...

    def query(self, query: ComplaintQuery | None = None, /, **filters: Any) -> list[Complaint]:
        """Complaints matching ``query`` plus keyword ``filters``, ordered by (received_at, id)."""
        ...

    def count(self, query: ComplaintQuery | None = None, /, **filters: Any) -> int:
        """``len(self.query(query, **filters))``, without building the complaints."""
        ...

    def open_load(self) -> dict[str, int]:
        """Open complaints per handler id (handlers with none are absent)."""
        ...

    def ids(self) -> Iterator[str]:
        """Every stored complaint id, in the order the complaints were first stored."""
        ...

    def __len__(self) -> int:
        """The number of stored complaints."""
        ...

    def stream(self, *, after: int = 0) -> Iterator[StoredEvent]:
        """Every event with a position above ``after``, in global append order, lazily."""
        ...

    def save_customer(self, customer: Customer) -> None:
        """Insert or replace a customer, personal data included."""
        ...

    def get_customer(self, customer_id: str) -> Customer:
        """The stored customer; raises :class:`CustomerNotFound`."""
        ...

    def close(self) -> None:
        """Release resources; further use raises :class:`StoreClosed`. Closing twice is fine."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
