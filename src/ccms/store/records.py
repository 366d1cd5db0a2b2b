"""Streams of other kinds: :class:`Record`, :class:`StoredRecord`, :class:`RecordAppendResult`,
the global log's entries, and the checks of record appends, log reads and checkpoints."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ccms.errors import (
    InvalidCheckpoint,
    InvalidInput,
    InvalidRecordAppend,
    require_aware,
)
from ccms.store.codec import json_object, json_text
from ccms.store.events import COMPLAINT, StoredEvent, _int_tuple

__all__ = [
    "LogEntry",
    "Record",
    "RecordAppendResult",
    "StoredRecord",
    "check_checkpoint",
    "check_kind",
    "check_log",
    "check_records",
    "record_from_json",
    "record_json",
]

# -- streams of other kinds: records ------------------------------------------------------------

_NAME_LIMIT = 128


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
