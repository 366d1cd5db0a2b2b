"""The in-memory store: dictionaries behind a lock, for tests, demos and single-process hosts.

Entities and events are deeply immutable, so the store keeps the very objects it is given and hands
them back without copying.

>>> from datetime import datetime, timezone
>>> from ccms.testing.conformance.store import received_event
>>> from ccms.model import fold
>>> e = received_event("c1", datetime(2026, 10, 1, 9, tzinfo=timezone.utc))
>>> store = InMemoryStore()
>>> store.append(fold([e]), [e], expected_version=0).positions
(1,)
>>> store.get("c1").stage, store.version("c1"), len(store)
('received', 1, 1)

Records are kept as the JSON they were given (as a database would), so what a reader gets back is
a new ``dict`` each time, never one another reader could change.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from ccms.errors import ComplaintNotFound, ConcurrencyConflict, IdempotencyConflict, InvalidInput
from ccms.model import Complaint, Customer, DomainEvent
from ccms.store.base import (
    ASAP,
    COMPLAINT,
    AppendResult,
    CheckpointConflict,
    ComplaintQuery,
    CustomerNotFound,
    LogEntry,
    Record,
    RecordAppendResult,
    StoreClosed,
    StoredEvent,
    StoredRecord,
    StreamConflict,
    check_append,
    check_checkpoint,
    check_due,
    check_fingerprint,
    check_id,
    check_key,
    check_kind,
    check_log,
    check_records,
    check_version,
    check_wake_at,
    events_fingerprint,
    from_micros,
    key_conflict,
    micros,
    record_from_json,
    record_json,
    records_fingerprint,
)
from ccms.store.idempotency import lookup_conflict, neutralised

__all__ = ["InMemoryStore"]


class _Entry:
    """A record as kept: its log position, identity, and its JSON (decoded anew on each read)."""

    __slots__ = ("body", "kind", "position", "stream_id", "type", "version")

    def __init__(self, position: int, record: Record) -> None:
        self.position = position
        self.kind = record.kind
        self.stream_id = record.stream_id
        self.version = record.version
        self.type = record.type
        self.body = record_json(record)

    def record(self) -> Record:
        return record_from_json(self.kind, self.stream_id, self.version, self.type, self.body)

    def stored(self) -> StoredRecord:
        return StoredRecord(self.position, self.record())


#: What an idempotency key was first used for: a complaint append, or (kind, stream id, the
#: positions of the records) for a record append.
_Key = AppendResult | tuple[str, str, range]


class InMemoryStore:
    """A :class:`~ccms.store.ComplaintStore` held in memory; safe to share between threads.

    The wake-up schedule is a list of ``(wake-up in epoch microseconds, id)`` of the open
    complaints that have one, kept sorted with :mod:`bisect`, so :meth:`due` reads only its front.
    The global log is one list (position ``p`` at index ``p - 1``) of complaint events and
    records; each stream of records is a list of its entries, the streams of a kind a dict in
    first-stored order.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._closed = False
        self._snapshots: dict[str, Complaint] = {}
        self._history: dict[str, list[StoredEvent]] = {}
        self._log: list[StoredEvent | _Entry] = []
        self._events = 0
        self._keys: dict[str, _Key] = {}
        self._fingerprints: dict[str, str] = {}
        self._customers: dict[str, Customer] = {}
        self._wake: dict[str, int | None] = {}
        self._schedule: list[tuple[int, str]] = []
        self._streams: dict[str, dict[str, list[_Entry]]] = {}
        self._checkpoints: dict[str, tuple[int, str]] = {}

    def __repr__(self) -> str:
        shown = f"InMemoryStore({len(self._snapshots)} complaints, {self._events} events"
        records = len(self._log) - self._events
        return f"{shown}, {records} records)" if records else f"{shown})"

    def _check_open(self) -> None:
        if self._closed:
            raise StoreClosed(repr(self))

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
        """Append atomically; see :meth:`ccms.store.ComplaintStore.append`."""
        batch = check_append(complaint, events, expected_version)
        check_key(idempotency_key)
        check_fingerprint(fingerprint)
        wake = check_wake_at(complaint.id, wake_at)
        if customer is not None and not isinstance(customer, Customer):
            raise InvalidInput(
                f"append(customer=...) must be a Customer, got {type(customer).__name__}"
            )
        print_ = None
        if idempotency_key is not None:
            print_ = fingerprint or events_fingerprint(batch)
        with self._lock:
            self._check_open()
            if idempotency_key is not None and idempotency_key in self._keys:
                first = self._complaint_result(idempotency_key, f"not complaint {complaint.id}")
                conflict = key_conflict(
                    idempotency_key,
                    first=(
                        self._fingerprints.get(idempotency_key),
                        first.complaint.id,
                        first.complaint.version == 1,
                    ),
                    then=(print_, complaint.id, expected_version == 0),
                )
                if conflict is not None:
                    raise conflict
                return AppendResult(first.complaint, first.events, True, first.positions)
            current = self._snapshots.get(complaint.id)
            actual = 0 if current is None else current.version
            if actual != expected_version:
                raise ConcurrencyConflict(complaint.id, expected=expected_version, actual=actual)
            start = len(self._log) + 1
            stored = [StoredEvent(start + i, e) for i, e in enumerate(batch)]
            self._log.extend(stored)
            self._events += len(stored)
            self._history.setdefault(complaint.id, []).extend(stored)
            self._snapshots[complaint.id] = complaint
            self._set_wake(complaint, None if wake is None else micros(wake))
            result = AppendResult(complaint, batch, False, tuple(s.position for s in stored))
            if customer is not None:
                self._customers[customer.id] = customer
            if idempotency_key is not None and print_ is not None:
                self._keys[idempotency_key] = result
                self._fingerprints[idempotency_key] = print_
            return result

    def append_new(
        self,
        items: Sequence[tuple[Complaint, Sequence[DomainEvent]]],
        *,
        wake_at: datetime | None = None,
    ) -> list[AppendResult | None]:
        """Store each item as a new complaint, all at once (see :meth:`SQLiteStore.append_new`)."""
        checked = [(c, check_append(c, events, 0)) for c, events in items]
        moment = check_wake_at("batch", wake_at)
        wake = None if moment is None else micros(moment)
        out: list[AppendResult | None] = []
        with self._lock:
            self._check_open()
            for complaint, batch in checked:
                if complaint.id in self._snapshots:
                    out.append(None)
                    continue
                start = len(self._log) + 1
                stored = [StoredEvent(start + i, e) for i, e in enumerate(batch)]
                self._log.extend(stored)
                self._events += len(stored)
                self._history[complaint.id] = list(stored)
                self._snapshots[complaint.id] = complaint
                self._set_wake(complaint, wake)
                out.append(AppendResult(complaint, batch, False, tuple(s.position for s in stored)))
        return out

    def _set_wake(self, complaint: Complaint, wake: int | None) -> None:
        # Called under the lock, with ``complaint`` the stored snapshot.
        cid = complaint.id
        old = self._wake.get(cid)
        if old is not None:
            i = bisect.bisect_left(self._schedule, (old, cid))
            if i < len(self._schedule) and self._schedule[i] == (old, cid):
                del self._schedule[i]
        self._wake[cid] = wake
        if wake is not None and complaint.closed_at is None:
            bisect.insort(self._schedule, (wake, cid))

    def reschedule(self, complaint_id: str, *, version: int, wake_at: datetime | None) -> bool:
        """Set the wake-up if the stored version is ``version``; see the port's docs."""
        check_version(version)
        wake = check_wake_at(complaint_id, wake_at, append=False)
        with self._lock:
            self._check_open()
            current = self._snapshots.get(complaint_id)
            if current is None or current.version != version:
                return False
            self._set_wake(current, None if wake is None else micros(wake))
            return True

    def due(self, now: datetime, *, limit: int | None = None) -> list[str]:
        """Open complaints whose wake-up is at or before ``now``, by (wake-up, id)."""
        at, limit = check_due(now, limit)
        # (t + 1,) sorts after every (t, id) and before every (t + 1, id).
        with self._lock:
            self._check_open()
            end = bisect.bisect_left(self._schedule, (micros(at) + 1,))
            if limit is not None:
                end = min(end, limit)
            return [cid for _, cid in self._schedule[:end]]

    def wake_at(self, complaint_id: str) -> datetime | None:
        """The stored wake-up in UTC, or ``None``; raises ComplaintNotFound."""
        with self._lock:
            self._check_open()
            if complaint_id not in self._snapshots:
                raise ComplaintNotFound(complaint_id)
            wake = self._wake.get(complaint_id)
        return None if wake is None else from_micros(wake)

    def last_position(self) -> int:
        """The highest stream position, 0 when empty."""
        with self._lock:
            self._check_open()
            return len(self._log)

    def _complaint_result(self, key: str, instead: str) -> AppendResult:
        # Under the lock, for a key that was used: its complaint result, or the conflict.
        first = self._keys[key]
        if not isinstance(first, AppendResult):
            kind, stream_id, _ = first
            raise IdempotencyConflict(key, f"for {kind} stream {stream_id}, {instead}")
        return first

    def idempotent_result(self, key: str, *, fingerprint: str | None = None) -> AppendResult | None:
        """The result first stored under ``key`` (``duplicate=True``), or ``None``; a key of a
        record append, or of another ``fingerprint``, raises
        :class:`~ccms.errors.IdempotencyConflict`."""
        check_fingerprint(fingerprint)
        with self._lock:
            self._check_open()
            if key not in self._keys:
                return None
            first = self._complaint_result(key, "not a complaint")
            stored = self._fingerprints.get(key)
        conflict = lookup_conflict(
            key, stored=stored, stream_id=first.complaint.id, fingerprint=fingerprint
        )
        if conflict is not None:
            raise conflict
        return AppendResult(first.complaint, first.events, True, first.positions)

    def get(self, complaint_id: str) -> Complaint:
        """The latest snapshot; raises :class:`ccms.errors.ComplaintNotFound`."""
        found = self.find(complaint_id)
        if found is None:
            raise ComplaintNotFound(complaint_id)
        return found

    def find(self, complaint_id: str) -> Complaint | None:
        """The latest snapshot, or ``None``."""
        check_id(complaint_id)
        with self._lock:
            self._check_open()
            return self._snapshots.get(complaint_id)

    def version(self, complaint_id: str) -> int:
        """The stored version, 0 if absent."""
        check_id(complaint_id)
        found = self.find(complaint_id)
        return 0 if found is None else found.version

    def events(self, complaint_id: str) -> list[DomainEvent]:
        """The complaint's events in order; raises :class:`ccms.errors.ComplaintNotFound`."""
        check_id(complaint_id)
        with self._lock:
            self._check_open()
            history = self._history.get(complaint_id)
            if history is None:
                raise ComplaintNotFound(complaint_id)
            return [s.event for s in history]

    def query(self, query: ComplaintQuery | None = None, /, **filters: Any) -> list[Complaint]:
        """Complaints matching the filters, ordered by ``(received_at, id)``."""
        q = ComplaintQuery.build(query, **filters)
        with self._lock:
            self._check_open()
            snapshots = list(self._snapshots.values())
        return q.select(snapshots)

    def count(self, query: ComplaintQuery | None = None, /, **filters: Any) -> int:
        """How many complaints :meth:`query` would return."""
        return len(self.query(query, **filters))

    def open_load(self) -> dict[str, int]:
        """Open complaints per handler id."""
        load: dict[str, int] = {}
        with self._lock:
            self._check_open()
            for c in self._snapshots.values():
                if c.handler is not None and c.closed_at is None:
                    load[c.handler] = load.get(c.handler, 0) + 1
        return load

    def ids(self) -> Iterator[str]:
        """Stored complaint ids in the order they were first stored (a snapshot of the moment)."""
        with self._lock:
            self._check_open()
            return iter(list(self._snapshots))

    def __len__(self) -> int:
        with self._lock:
            return len(self._snapshots)

    def stream(self, *, after: int = 0) -> Iterator[StoredEvent]:
        """Complaint events with a position above ``after``, in append order; sees appends made
        meanwhile."""
        # Positions are 1-based list indexes, so the log is read from index ``after`` on.
        index = max(after, 0)
        while True:
            with self._lock:
                self._check_open()
                chunk = self._log[index : index + 1024]
            if not chunk:
                return
            index += len(chunk)
            for entry in chunk:
                if isinstance(entry, StoredEvent):
                    yield entry

    # -- records, the global log, checkpoints ------------------------------------------------------

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
        """Append records atomically; see :meth:`ccms.store.ComplaintStore.append_records`."""
        batch = check_records(kind, stream_id, records, expected_version)
        check_key(idempotency_key)
        check_fingerprint(fingerprint)
        print_ = None
        if idempotency_key is not None:
            print_ = fingerprint or records_fingerprint(batch)
        with self._lock:
            self._check_open()
            if idempotency_key is not None and idempotency_key in self._keys:
                first = self._keys[idempotency_key]
                here = f"{kind} stream {stream_id}"
                if isinstance(first, AppendResult):
                    raise IdempotencyConflict(
                        idempotency_key, f"for complaint {first.complaint.id}, not {here}"
                    )
                if first[:2] != (kind, stream_id):
                    raise IdempotencyConflict(
                        idempotency_key, f"for {first[0]} stream {first[1]}, not {here}"
                    )
                conflict = key_conflict(
                    idempotency_key,
                    first=(self._fingerprints.get(idempotency_key), stream_id, False),
                    then=(print_, stream_id, False),
                    what=f"{kind} stream",
                )
                if conflict is not None:
                    raise conflict
                written = [self._log[p - 1] for p in first[2]]
                return RecordAppendResult(
                    tuple(e.record() for e in written if isinstance(e, _Entry)), first[2], True
                )
            streams = self._streams.get(kind)
            stream = None if streams is None else streams.get(stream_id)
            actual = 0 if not stream else stream[-1].version
            if actual != expected_version:
                raise StreamConflict(kind, stream_id, expected=expected_version, actual=actual)
            start = len(self._log) + 1
            entries = [_Entry(start + i, r) for i, r in enumerate(batch)]
            self._log.extend(entries)
            self._streams.setdefault(kind, {}).setdefault(stream_id, []).extend(entries)
            positions = range(start, start + len(entries))
            if idempotency_key is not None and print_ is not None:
                self._keys[idempotency_key] = (kind, stream_id, positions)
                self._fingerprints[idempotency_key] = print_
        return RecordAppendResult(batch, positions)

    def _stream(self, kind: str, stream_id: str) -> list[_Entry]:
        # Under the lock.
        self._check_open()
        return self._streams.get(check_kind(kind), {}).get(stream_id, [])

    def records(self, kind: str, stream_id: str) -> list[Record]:
        """The stream's records in version order (``[]`` if never written)."""
        with self._lock:
            entries = list(self._stream(kind, stream_id))
        return [e.record() for e in entries]

    def stream_version(self, kind: str, stream_id: str) -> int:
        """The stream's stored version, 0 if none."""
        with self._lock:
            entries = self._stream(kind, stream_id)
            return entries[-1].version if entries else 0

    def stream_ids(self, kind: str) -> list[str]:
        """The ids of the streams of ``kind`` in first-stored order."""
        with self._lock:
            self._check_open()
            return list(self._streams.get(check_kind(kind), {}))

    def latest_records(self, kind: str) -> list[Record]:
        """The last record of every stream of ``kind``, streams in first-stored order."""
        with self._lock:
            self._check_open()
            last = [entries[-1] for entries in self._streams.get(check_kind(kind), {}).values()]
        return [e.record() for e in last]

    def log(self, after: int = 0, *, kinds: Iterable[str] | None = None) -> Iterator[LogEntry]:
        """The global log above ``after`` in position order, lazily; see the port's docs."""
        index, chosen = check_log(after, kinds)
        return self._log_from(max(index, 0), chosen)

    def _log_from(self, index: int, chosen: frozenset[str] | None) -> Iterator[LogEntry]:
        events = chosen is None or COMPLAINT in chosen
        while True:
            with self._lock:
                self._check_open()
                chunk = self._log[index : index + 1024]
            if not chunk:
                return
            index += len(chunk)
            for entry in chunk:
                if isinstance(entry, StoredEvent):
                    if events:
                        yield entry
                elif chosen is None or entry.kind in chosen:
                    yield entry.stored()

    def checkpoint(self, name: str) -> tuple[int, dict[str, Any] | None]:
        """``(position, state)`` of the checkpoint ``name``, ``(0, None)`` if none."""
        with self._lock:
            self._check_open()
            found = self._checkpoints.get(name)
        if found is None:
            return 0, None
        position, state = found
        return position, json.loads(state)

    def save_checkpoint(
        self, name: str, *, position: int, state: Mapping[str, Any], expected_position: int
    ) -> None:
        """Write the position and the state together if the stored position is
        ``expected_position``; see the port's docs."""
        label, position, text = check_checkpoint(name, position, state, expected_position)
        with self._lock:
            self._check_open()
            found = self._checkpoints.get(label)
            actual = 0 if found is None else found[0]
            if actual != expected_position:
                raise CheckpointConflict(label, expected=expected_position, actual=actual)
            self._checkpoints[label] = (position, text)

    def save_customer(self, customer: Customer) -> None:
        """Insert or replace a customer."""
        with self._lock:
            self._check_open()
            self._customers[customer.id] = customer

    def get_customer(self, customer_id: str) -> Customer:
        """The stored customer; raises :class:`~ccms.store.CustomerNotFound`."""
        with self._lock:
            self._check_open()
            try:
                return self._customers[customer_id]
            except KeyError:
                raise CustomerNotFound(customer_id) from None

    def close(self) -> None:
        """Mark the store closed; further use raises :class:`~ccms.store.StoreClosed`."""
        with self._lock:
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- personal data: erasure and retention (docs/privacy.md) ------------------------------

    def redact(
        self,
        complaints: Sequence[tuple[Complaint, Sequence[DomainEvent]]] = (),
        *,
        customer: Customer | None = None,
    ) -> None:
        """Rewrite stored personal data in place, all at once; see the port's docs."""
        from ccms.store.redaction import check_history, check_redaction, folded_at

        items, customer = check_redaction(complaints, customer)
        with self._lock:
            self._check_open()
            for snapshot, history in items:
                current = self._snapshots.get(snapshot.id)
                if current is None:
                    raise ComplaintNotFound(snapshot.id)
                if current.version != snapshot.version:
                    raise ConcurrencyConflict(
                        snapshot.id, expected=snapshot.version, actual=current.version
                    )
                stored = [(s.event.type, s.event.version) for s in self._history[snapshot.id]]
                check_history(snapshot.id, stored, history)
            for snapshot, history in items:
                cid = snapshot.id
                new = [
                    StoredEvent(s.position, e)
                    for s, e in zip(self._history[cid], history, strict=True)
                ]
                self._history[cid] = new
                for entry in new:
                    self._log[entry.position - 1] = entry
                self._snapshots[cid] = snapshot
                events = {s.position: s.event for s in new}
                for key, first in self._keys.items():
                    if isinstance(first, AppendResult) and first.complaint.id == cid:
                        self._keys[key] = AppendResult(
                            folded_at(history, first.complaint.version),
                            tuple(events[p] for p in first.positions),
                            first.duplicate,
                            first.positions,
                        )
                        self._neutralise(key)
            if customer is not None:
                for key, first in self._keys.items():
                    if (
                        isinstance(first, AppendResult)
                        and self._snapshots[first.complaint.id].customer.id == customer.id
                    ):
                        self._neutralise(key)
                self._customers[customer.id] = customer

    def _neutralise(self, key: str) -> None:
        # The fingerprint's digest may cover the customer's contact details: only the name stays.
        stored = neutralised(self._fingerprints.get(key))
        if stored is not None:
            self._fingerprints[key] = stored
