"""The store port: what every complaint store does, and the values it takes and returns.

A store keeps, for each complaint, its append-only event history and its latest snapshot (the
complaint the events fold to), written together in one atomic :meth:`ComplaintStore.append` guarded
by optimistic concurrency (``expected_version``), never last-write-wins. It also keeps customers,
whose personal data stays out of events so that erasure can later keep every figure.

Beside complaints it keeps streams of :class:`Record` for other kinds of things (improvement tasks,
institutional items, ideas, CS-point activities), each stream versioned and appended the same way
(:meth:`ComplaintStore.append_records`), all in **one global log** with the complaint events (one
sequence of positions, :meth:`ComplaintStore.log`), and the checkpoints of durable projections
(:meth:`ComplaintStore.save_checkpoint`: a position and a state written together).

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

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Final, Protocol, Self, runtime_checkable

import attrs

from ccms.errors import (
    CheckpointConflict,
    CustomerNotFound,
    IdempotencyConflict,
    InvalidAppend,
    InvalidCheckpoint,
    InvalidInput,
    InvalidRecordAppend,
    NotACcmsStore,
    StoreClosed,
    StoreReadOnly,
    StoreSchemaError,
    StreamConflict,
    require_aware,
)
from ccms.model import Channel, Complaint, Customer, DomainEvent, Personal

__all__ = [
    "ASAP",
    "COMPLAINT",
    "LATEST",
    "MAX_KEY_LENGTH",
    "AppendResult",
    "CheckpointConflict",
    "ComplaintQuery",
    "ComplaintStore",
    "CustomerNotFound",
    "InvalidAppend",
    "InvalidCheckpoint",
    "InvalidRecordAppend",
    "LogEntry",
    "NotACcmsStore",
    "Record",
    "RecordAppendResult",
    "StoreClosed",
    "StoreReadOnly",
    "StoreSchemaError",
    "StoredEvent",
    "StoredRecord",
    "StreamConflict",
    "check_append",
    "check_checkpoint",
    "check_due",
    "check_fingerprint",
    "check_id",
    "check_key",
    "check_kind",
    "check_log",
    "check_records",
    "check_version",
    "check_wake_at",
    "customer_json",
    "events_fingerprint",
    "fingerprint",
    "from_micros",
    "json_object",
    "json_text",
    "key_conflict",
    "micros",
    "record_from_json",
    "record_json",
    "records_fingerprint",
]

#: ``wake_at=ASAP``: wake the complaint at the next tick (the earliest instant there is).
ASAP: Final[datetime] = datetime.min.replace(tzinfo=UTC)
#: The latest wake-up a store keeps; later instants are kept as this one.
LATEST: Final[datetime] = datetime.max.replace(tzinfo=UTC)
#: The kind of the complaint events in the global log (no :class:`Record` has it).
COMPLAINT: Final = "complaint"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


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


# -- streams of other kinds: records ------------------------------------------------------------

_NAME_LIMIT = 128


class _NotJson(Exception):
    """Raised inside :func:`_json_value`; ``path`` grows as it unwinds (outermost key last)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path: list[str | int] = []


def _json_value(value: Any) -> Any:
    """``value`` as the plain JSON value it reads back as (dicts, lists, str, int, float, bool,
    None); raises :class:`_NotJson` for anything JSON cannot hold exactly."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotJson(f"is {value!r}; allowed: finite numbers (JSON has no NaN or infinity)")
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotJson(
                    f"has the key {key!r} ({type(key).__name__}); allowed: str keys (a JSON object)"
                )
            try:
                out[str.__str__(key)] = _json_value(item)
            except _NotJson as err:
                err.path.append(key)
                raise
        return out
    if isinstance(value, list | tuple):
        items: list[Any] = []
        for i, item in enumerate(value):
            try:
                items.append(_json_value(item))
            except _NotJson as err:
                err.path.append(i)
                raise
        return items
    # Subclasses (enums, say) are kept as the plain value JSON writes for them.
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _json_value(float(value))
    if isinstance(value, str):
        return str.__str__(value)
    shown = repr(value)
    shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
    raise _NotJson(
        f"is a {type(value).__name__} ({shown}); allowed: JSON values (str, int, float, bool, "
        "None, and lists and str-keyed mappings of them)"
    )


def json_object(value: Mapping[str, Any], field: str = "data") -> dict[str, Any]:
    """``value`` as the plain JSON object a store reads back (a new ``dict``; tuples become
    lists, enum members their values), or :class:`ccms.errors.InvalidInput` naming the place.

    >>> json_object({"n": 1, "tags": ("a", "b"), "at": {"day": 5}})
    {'n': 1, 'tags': ['a', 'b'], 'at': {'day': 5}}
    >>> from datetime import date
    >>> json_object({"when": [date(2026, 10, 5)]}, "Record.data")
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: Record.data['when'][0] is a date (datetime.date(2026, 10, 5)); ...
    """
    if not isinstance(value, Mapping):
        raise InvalidInput(
            f"{field} must be a JSON object (a mapping with str keys), got {type(value).__name__}"
        )
    try:
        out: dict[str, Any] = _json_value(value)
    except _NotJson as err:
        where = "".join(f"[{p!r}]" for p in reversed(err.path))
        raise InvalidInput(f"{field}{where} {err.problem}") from None
    except RecursionError:
        raise InvalidInput(f"{field} is nested too deeply (or contains itself)") from None
    return out


def json_text(value: Mapping[str, Any]) -> str:
    """The JSON text of a value :func:`json_object` returned (compact, unicode kept)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _name_problem(value: object) -> str | None:
    if not isinstance(value, str):
        return f"{value!r} is a {type(value).__name__}, not a str"
    if not 1 <= len(value) <= _NAME_LIMIT:
        return f"{value!r} has {len(value)} characters"
    return None


def _check_name(owner: str, field: str, value: object) -> str:
    problem = _name_problem(value)
    if problem is not None:
        raise InvalidInput(
            f"{owner}.{field} must be a str of 1 to {_NAME_LIMIT} characters; {problem}"
        )
    return str(value)


def check_kind(kind: object, where: str = "kind") -> str:
    """Check a record stream's kind: a str of 1 to 128 characters other than ``"complaint"``
    (complaint events are appended with :meth:`ComplaintStore.append`).

    >>> check_kind("idea")
    'idea'
    >>> check_kind("complaint")
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: kind 'complaint' is the complaints' own: append complaint events ...
    """
    if kind == COMPLAINT:
        raise InvalidInput(
            f"{where} 'complaint' is the complaints' own: append complaint events with append() "
            "and read them with events() and stream(); records have any other kind"
        )
    problem = _name_problem(kind)
    if problem is not None:
        raise InvalidInput(f"{where} must be a str of 1 to {_NAME_LIMIT} characters; {problem}")
    return str(kind)


def _record_kind(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    check_kind(value, "Record.kind")


def _record_name(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    _check_name("Record", attribute.name, value)


def _record_version(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(
            f"Record.version must be an int >= 1 (1 for a stream's first record), got {value!r}"
        )


def _record_at(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, datetime):
        raise InvalidInput(f"Record.at must be an aware datetime, got {value!r}")
    require_aware(value, "Record.at")


def _record_data(value: Mapping[str, Any]) -> dict[str, Any]:
    return json_object(value, "Record.data")


@attrs.frozen(slots=True, kw_only=True)
class Record:
    """One entry of a non-complaint stream: the ``version``-th thing that happened to the
    ``kind`` stream ``stream_id`` (an improvement task, an institutional item, an idea, ...).

    ``data`` is a JSON object; it is checked and copied at construction (tuples become lists),
    so it is exactly what a store reads back. ``at`` must be aware; it comes back as the same
    instant with its UTC offset.

    >>> from datetime import datetime, timezone
    >>> r = Record(kind="idea", stream_id="IDEA-1", version=1, type="create",
    ...            at=datetime(2026, 10, 5, 9, tzinfo=timezone.utc), data={"tags": ("ux",)})
    >>> r.data
    {'tags': ['ux']}
    >>> Record(kind="idea", stream_id="IDEA-1", version=1, type="create",
    ...        at=datetime(2026, 10, 5, 9), data={})
    Traceback (most recent call last):
    ...
    ccms.errors.NaiveDatetimeError: Record.at must be a timezone-aware datetime, got naive ...
    """

    kind: str = attrs.field(validator=_record_kind)
    stream_id: str = attrs.field(validator=_record_name)
    version: int = attrs.field(validator=_record_version)
    type: str = attrs.field(validator=_record_name)
    at: datetime = attrs.field(validator=_record_at)
    data: Mapping[str, Any] = attrs.field(factory=dict, converter=_record_data)


def _trusted_record(
    kind: str, stream_id: str, version: int, type_: str, at: datetime, data: dict[str, Any]
) -> Record:
    # A record a store wrote itself, read back: checked when it was first built.
    record: Record = object.__new__(Record)
    for name, value in (
        ("kind", kind),
        ("stream_id", stream_id),
        ("version", version),
        ("type", type_),
        ("at", at),
        ("data", data),
    ):
        object.__setattr__(record, name, value)
    return record


def record_json(record: Record) -> str:
    """The JSON a store keeps for a record beside its kind, stream, version and type."""
    return json_text({"at": record.at.isoformat(), "data": record.data})


def record_from_json(kind: str, stream_id: str, version: int, type_: str, body: str) -> Record:
    """The record :func:`record_json` wrote (a new ``data`` dict each call)."""
    decoded = json.loads(body)
    return _trusted_record(
        kind, stream_id, version, type_, datetime.fromisoformat(decoded["at"]), decoded["data"]
    )


@attrs.frozen(slots=True)
class StoredRecord:
    """A record with its ``position`` in the store's global log (the sequence complaint events
    share).

    >>> from datetime import datetime, timezone
    >>> r = Record(kind="idea", stream_id="IDEA-1", version=1, type="create",
    ...            at=datetime(2026, 10, 5, tzinfo=timezone.utc), data={})
    >>> s = StoredRecord(8, r)
    >>> s.kind, s.stream_id, s.position
    ('idea', 'IDEA-1', 8)
    """

    position: int
    record: Record

    @property
    def kind(self) -> str:
        """The record's stream kind."""
        return self.record.kind

    @property
    def stream_id(self) -> str:
        """The record's stream id."""
        return self.record.stream_id


#: What :meth:`ComplaintStore.log` yields.
LogEntry = StoredEvent | StoredRecord


def _record_tuple(records: Iterable[Record]) -> tuple[Record, ...]:
    return tuple(records)


@attrs.frozen(slots=True)
class RecordAppendResult:
    """What :meth:`ComplaintStore.append_records` wrote (or, for a ``duplicate``, had written
    before): the records and their global log positions, in order (contiguous)."""

    records: tuple[Record, ...] = attrs.field(converter=_record_tuple)
    positions: tuple[int, ...] = attrs.field(converter=_int_tuple)
    duplicate: bool = False


def check_records(
    kind: str, stream_id: str, records: Sequence[Record], expected_version: int
) -> tuple[Record, ...]:
    """Check an append of records; return them as a tuple or raise :class:`InvalidRecordAppend`
    (:class:`ccms.errors.InvalidInput` for a bad kind or stream id).

    Every store calls this before touching its data: the records are non-empty, all of
    ``kind`` and ``stream_id``, at versions ``expected_version + 1``, ``+ 2``, ...
    """
    kind = check_kind(kind)
    stream_id = _check_name("append_records()", "stream_id", stream_id)
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise InvalidRecordAppend(
            kind,
            stream_id,
            f"expected_version {expected_version!r} is not an int",
            "0 for a new stream, or the stored version",
        )
    if expected_version < 0:
        raise InvalidRecordAppend(
            kind,
            stream_id,
            f"expected_version {expected_version} is negative",
            "0 for a new stream, or more",
        )
    if isinstance(records, Record):
        raise InvalidRecordAppend(
            kind, stream_id, "a Record was given alone", "a sequence of records, e.g. [record]"
        )
    batch = tuple(records)
    if not batch:
        raise InvalidRecordAppend(kind, stream_id, "no records given", "one or more records")
    for i, record in enumerate(batch):
        if not isinstance(record, Record):
            raise InvalidRecordAppend(
                kind, stream_id, f"item {i} is a {type(record).__name__}", "Record items"
            )
        if record.kind != kind or record.stream_id != stream_id:
            raise InvalidRecordAppend(
                kind,
                stream_id,
                f"record {i} ({record.type}) is for {record.kind} stream {record.stream_id}",
                f"records of {kind} stream {stream_id}",
            )
        if record.version != expected_version + 1 + i:
            raise InvalidRecordAppend(
                kind,
                stream_id,
                f"record {i} ({record.type}) has version {record.version}",
                f"versions {expected_version + 1}, {expected_version + 2}, ... in order "
                f"(expected_version {expected_version} + 1, + 2, ...)",
            )
    return batch


def check_log(after: object, kinds: Iterable[str] | None) -> tuple[int, frozenset[str] | None]:
    """Check :meth:`ComplaintStore.log`'s arguments: the position and the kinds (a lone str is
    one kind; ``"complaint"`` is the complaint events')."""
    if isinstance(after, bool) or not isinstance(after, int):
        raise InvalidInput(f"log(after=...) must be an int position, got {after!r}")
    if kinds is None:
        return after, None
    chosen = frozenset({kinds}) if isinstance(kinds, str) else frozenset(kinds)
    for kind in chosen:
        if not isinstance(kind, str):
            raise InvalidInput(
                f"log(kinds=...) must be stream kinds (str), got {kind!r}; "
                "'complaint' selects the complaint events"
            )
    return after, chosen


def _checkpoint_position(name: str, field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidCheckpoint(
            name, f"{field} {value!r} is not an int >= 0", "log positions (0: none yet)"
        )
    return value


def check_checkpoint(
    name: object, position: object, state: Mapping[str, Any], expected_position: object
) -> tuple[str, int, str]:
    """Check :meth:`ComplaintStore.save_checkpoint`'s arguments: ``(name, position, state JSON)``
    or :class:`InvalidCheckpoint`."""
    problem = _name_problem(name)
    if problem is not None:
        raise InvalidCheckpoint(
            repr(name), f"the name {problem}", f"a str of 1 to {_NAME_LIMIT} characters"
        )
    label = str(name)
    position = _checkpoint_position(label, "position", position)
    expected_position = _checkpoint_position(label, "expected_position", expected_position)
    if position < expected_position:
        raise InvalidCheckpoint(
            label,
            f"position {position} is before expected_position {expected_position}",
            "a position at or after the stored one (a projection never goes back)",
        )
    try:
        data = json_object(state, "state")
    except InvalidInput as err:
        raise InvalidCheckpoint(label, str(err), "a JSON object") from None
    return label, position, json_text(data)


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
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63
    ):
        raise InvalidInput(
            f"ComplaintQuery.limit must be a positive int below 2**63 or None, got {value!r:.40}"
        )


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
    ccms.errors.InvalidAppend: cannot append to complaint c1: wake_at 'soon' is not a datetime; ...
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
        fingerprint: str | None = None,
        customer: Customer | None = None,
    ) -> AppendResult:
        """Atomically add ``events``, replace the snapshot with ``complaint``, set its wake-up
        and (if given) insert or replace ``customer``, all in one transaction.

        ``expected_version`` is the version stored before (0 for a new complaint). ``wake_at`` is
        when the complaint next needs looking at (see :meth:`due`): an aware datetime, ``ASAP``
        (the default: at the next tick) or ``None`` (nothing scheduled). Raises
        :class:`InvalidAppend` for malformed input (a naive ``wake_at`` raises
        :class:`ccms.errors.NaiveDatetimeError`), :class:`ccms.errors.ConcurrencyConflict` if the
        stored version differs, :class:`ccms.errors.IdempotencyConflict` if ``idempotency_key`` was
        used for another command (see :func:`key_conflict`), :class:`ccms.errors.StoreBusy` if the
        database is busy; in every case nothing is written, the customer included.

        ``fingerprint`` (:func:`fingerprint`) names the command the key stands for; without one
        the store takes :func:`events_fingerprint` of ``events``. A key already used with the same
        fingerprint writes nothing (the wake-up and the customer included) and returns the
        original result with ``duplicate=True``, checked in the append's own transaction.
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
        """The highest position of the global log, complaint events and records alike (0 for
        an empty store), cheaply."""
        ...

    def idempotent_result(self, key: str, *, fingerprint: str | None = None) -> AppendResult | None:
        """The result of the append first made with ``idempotency_key=key`` (``duplicate=True``),
        or ``None`` if the key was never used; lets a service answer a retry before doing work.
        With a ``fingerprint``, a key first used with another one raises
        :class:`ccms.errors.IdempotencyConflict` (the complaint id is the caller's to check)."""
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
        """Every complaint event with a position above ``after``, in global append order,
        lazily (records are left out: see :meth:`log`)."""
        ...

    def append_records(
        self,
        kind: str,
        stream_id: str,
        records: Sequence[Record],
        *,
        expected_version: int,
        idempotency_key: str | None = None,
        fingerprint: str | None = None,
    ) -> RecordAppendResult:
        """Atomically add ``records`` to the ``kind`` stream ``stream_id``, at the end of the
        global log (contiguous positions). ``fingerprint`` is as for :meth:`append` (by default
        :func:`records_fingerprint`): the same key with other records conflicts.

        The records are all of this stream, at versions ``expected_version + 1``, ``+ 2``, ...
        (else :class:`InvalidRecordAppend`); ``expected_version`` is the stream's stored version
        (0 for a new stream), else :class:`StreamConflict` (a
        :class:`~ccms.errors.ConcurrencyConflict`). A key already used for this stream writes
        nothing and returns the first result with ``duplicate=True``; a key used for another
        stream or for a complaint raises :class:`~ccms.errors.IdempotencyConflict` (records and
        complaints share one namespace of keys). On every refusal nothing is written.
        """
        ...

    def records(self, kind: str, stream_id: str) -> list[Record]:
        """The stream's records in version order (``[]`` for a stream never written)."""
        ...

    def stream_version(self, kind: str, stream_id: str) -> int:
        """The stream's stored version (its last record's), 0 if none."""
        ...

    def stream_ids(self, kind: str) -> list[str]:
        """The ids of the streams of ``kind``, in the order they were first stored."""
        ...

    def latest_records(self, kind: str) -> list[Record]:
        """The last record of every stream of ``kind``, streams in first-stored order (without
        reading the streams' earlier records)."""
        ...

    def log(self, after: int = 0, *, kinds: Iterable[str] | None = None) -> Iterator[LogEntry]:
        """The global log above position ``after``, in position order, lazily (in batches):
        complaint events as :class:`StoredEvent` (kind ``"complaint"``), records as
        :class:`StoredRecord`; ``kinds`` keeps only those kinds (``None``: every kind)."""
        ...

    def checkpoint(self, name: str) -> tuple[int, dict[str, Any] | None]:
        """The projection ``name``'s checkpoint: ``(position, state)``, ``(0, None)`` if none."""
        ...

    def save_checkpoint(
        self, name: str, *, position: int, state: Mapping[str, Any], expected_position: int
    ) -> None:
        """Write ``position`` and ``state`` (a JSON object) together, in one transaction, if
        the stored position is ``expected_position`` (0 when none is stored yet), else raise
        :class:`CheckpointConflict` (a :class:`~ccms.errors.ConcurrencyConflict`); a position
        before ``expected_position`` raises :class:`InvalidCheckpoint`. Nothing is written on a
        refusal."""
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

    # -- personal data: erasure and retention (docs/privacy.md) ------------------------------

    def redact(
        self,
        complaints: Sequence[tuple[Complaint, Sequence[DomainEvent]]] = (),
        *,
        customer: Customer | None = None,
    ) -> None:
        """Rewrite stored personal data in place, everything in one transaction.

        Each ``(snapshot, history)`` replaces what is stored of complaint ``snapshot.id``: its
        snapshot (stored at ``snapshot.version``, else :class:`ccms.errors.ConcurrencyConflict`;
        :class:`ccms.errors.ComplaintNotFound` if not stored), its events one for one
        (``history`` is the whole new history, in order: as many events as are stored, each of
        the stored one's type and version, else :class:`InvalidAppend`), the snapshot column
        of its customer id, and the snapshots kept for its idempotency keys (``history``
        folded to their versions). ``customer`` replaces the stored customer of its id.
        Positions, versions, wake-ups, records and checkpoints stay as they were and nothing is
        appended (record the redaction with an event of its own). On a refusal nothing is
        written. The replaced bytes leave no copy in the store's files that the store can
        overwrite (SQLite: ``secure_delete`` for the rewrite, then a WAL checkpoint; see
        ``docs/privacy.md`` for what each store guarantees).
        """
        ...


#: The longest idempotency key a store takes (a key is a request id, not a payload).
MAX_KEY_LENGTH: Final = 256


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


def check_key(key: object) -> str | None:
    """An idempotency key: ``None``, or a str of 1 to :data:`MAX_KEY_LENGTH` characters."""
    if key is None:
        return None
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
        shown = f"{len(key)} characters" if isinstance(key, str) else f"{key!r:.60}"
        raise InvalidInput(
            f"an idempotency key must be a str of 1 to {MAX_KEY_LENGTH} characters, got "
            f"{type(key).__name__} {shown}"
        )
    return key


def customer_json(customer: Customer) -> str:
    """A customer as a store keeps it: JSON with the personal data in clear (the default dump
    masks it; the database must hold it, so guard the file)."""
    data = customer.model_dump(mode="json")
    for name in type(customer).model_fields:
        value = getattr(customer, name)
        if isinstance(value, Personal):
            data[name] = value.reveal()
    return json.dumps(data, ensure_ascii=False)


# -- idempotency: a key is bound to a fingerprint of its command ----------------------------------

#: The longest fingerprint a store keeps (``name:`` and a SHA-256 in hex fit easily).
_FINGERPRINT_LIMIT = 200


def fingerprint(name: str, payload: Any) -> str:
    """The fingerprint of a command: ``"name:"`` and the SHA-256 of its payload's canonical JSON
    (sorted keys, no spaces, unicode kept). ``name`` (a command or event type, no ``:``) is kept
    in clear so that a conflict can say which command a key was first used for; the payload (which
    may hold free text) only as its hash.

    >>> fp = fingerprint("classify", {"codes": ["PRD.DEF"], "complaint": "C1"})
    >>> fp.split(":")[0], len(fp.split(":")[1])
    ('classify', 64)
    >>> fp == fingerprint("classify", {"complaint": "C1", "codes": ("PRD.DEF",)})
    True
    """
    if not isinstance(name, str) or not 1 <= len(name) <= 64 or ":" in name:
        raise InvalidInput(
            f"a fingerprint's name must be a str of 1 to 64 characters without ':', got {name!r:.80}"
        )
    try:
        text = json.dumps(
            payload, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        )
    except (TypeError, ValueError) as err:
        raise InvalidInput(f"the payload of {name!r} is not plain JSON: {err}") from None
    return f"{name}:{hashlib.sha256(text.encode()).hexdigest()}"


def _digest(name: str, parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\x00")
    return f"{name}:{h.hexdigest()}"


def events_fingerprint(events: Sequence[DomainEvent], bodies: Sequence[str] | None = None) -> str:
    """The fingerprint a store gives an append made without one: its events' types and JSON
    (``bodies``: their ``model_dump_json()``, when the caller has them already). A retry of the
    very same append matches; any other events under the same key conflict."""
    texts = bodies if bodies is not None else [e.model_dump_json() for e in events]
    return _digest(
        events[0].type if events else "append",
        (t for pair in zip((e.type for e in events), texts, strict=True) for t in pair),
    )


def records_fingerprint(records: Sequence[Record], bodies: Sequence[str] | None = None) -> str:
    """The fingerprint a store gives a record append made without one: the records' types,
    versions and JSON."""
    texts = bodies if bodies is not None else [record_json(r) for r in records]
    return _digest(
        records[0].type if records else "append",
        (t for r, b in zip(records, texts, strict=True) for t in (r.type, str(r.version), b)),
    )


def check_fingerprint(value: object) -> str | None:
    """A fingerprint as :func:`fingerprint` makes it (or ``None``), else InvalidInput."""
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not 3 <= len(value) <= _FINGERPRINT_LIMIT
        or ":" not in value[1:-1]
    ):
        raise InvalidInput(
            f"a fingerprint must be a str 'name:digest' of at most {_FINGERPRINT_LIMIT} "
            f"characters (see ccms.store.fingerprint), got {type(value).__name__} {value!r:.80}"
        )
    return value


def _command_name(fp: str | None) -> str | None:
    return None if fp is None else fp.partition(":")[0]


def key_conflict(
    key: str,
    *,
    first: tuple[str | None, str, bool],
    then: tuple[str | None, str | None, bool],
    what: str = "complaint",
) -> IdempotencyConflict | None:
    """Whether an append may be answered with the result of ``key``'s first append: ``None`` if
    so, else the :class:`~ccms.errors.IdempotencyConflict` to raise (nothing is written).

    ``first`` and ``then`` are ``(fingerprint, stream id, opens the stream)`` of the key's first
    append and of the new one. The same fingerprint on the same stream is a retry; so is the same
    fingerprint on another stream when both appends open their stream (a retried ``receive``
    whose complaint id was drawn anew). A key stored without a fingerprint (before stores kept
    them) matches on the stream alone. Anything else is a conflict naming both commands.
    (``then``'s stream id is ``None`` for a look-up by fingerprint alone, which cannot say.)

    >>> first = (fingerprint("classify", {"c": "C1"}), "C1", False)
    >>> key_conflict("k", first=first, then=first) is None
    True
    >>> print(key_conflict("k", first=first, then=(fingerprint("start", {"c": "C1"}), "C1", False)))
    idempotency key 'k' was already used for classify on complaint C1, not for start on complaint C1: give each command its own key
    """
    first_fp, first_id, first_opens = first
    fp, stream_id, opens = then
    if first_fp is None or fp is None:
        same = first_id == stream_id
    else:
        same = first_fp == fp and (first_id == stream_id or (first_opens and opens))
    if same:
        return None
    before = _command_name(first_fp) or "an earlier command"
    now = _command_name(fp) or "another command"
    there = "" if stream_id is None else f" on {what} {stream_id}"
    return IdempotencyConflict(
        key,
        f"for {before} on {what} {first_id}, not for {now}{there}: give each command its own key",
        first=_command_name(first_fp),
        attempted=_command_name(fp),
    )
