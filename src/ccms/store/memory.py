"""The in-memory store: dictionaries behind a lock, for tests, demos and single-process hosts.

Entities and events are deeply immutable, so the store keeps the very objects it is given and hands
them back without copying.

>>> from datetime import datetime, timezone
>>> from ccms.testing.store_contract import received_event
>>> from ccms.model import fold
>>> e = received_event("c1", datetime(2026, 10, 1, 9, tzinfo=timezone.utc))
>>> store = InMemoryStore()
>>> store.append(fold([e]), [e], expected_version=0).positions
(1,)
>>> store.get("c1").stage, store.version("c1"), len(store)
('received', 1, 1)
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from ccms.errors import ComplaintNotFound, ConcurrencyConflict, IdempotencyConflict
from ccms.model import Complaint, Customer, DomainEvent
from ccms.store.base import (
    ASAP,
    AppendResult,
    ComplaintQuery,
    CustomerNotFound,
    StoreClosed,
    StoredEvent,
    check_append,
    check_due,
    check_version,
    check_wake_at,
    from_micros,
    micros,
)

__all__ = ["InMemoryStore"]


class InMemoryStore:
    """A :class:`~ccms.store.ComplaintStore` held in memory; safe to share between threads.

    The wake-up schedule is a list of ``(wake-up in epoch microseconds, id)`` of the open
    complaints that have one, kept sorted with :mod:`bisect`, so :meth:`due` reads only its front.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._closed = False
        self._snapshots: dict[str, Complaint] = {}
        self._history: dict[str, list[StoredEvent]] = {}
        self._log: list[StoredEvent] = []
        self._keys: dict[str, AppendResult] = {}
        self._customers: dict[str, Customer] = {}
        self._wake: dict[str, int | None] = {}
        self._schedule: list[tuple[int, str]] = []

    def __repr__(self) -> str:
        return f"InMemoryStore({len(self._snapshots)} complaints, {len(self._log)} events)"

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
    ) -> AppendResult:
        """Append atomically; see :meth:`ccms.store.ComplaintStore.append`."""
        batch = check_append(complaint, events, expected_version)
        wake = check_wake_at(complaint.id, wake_at)
        with self._lock:
            self._check_open()
            if idempotency_key is not None and idempotency_key in self._keys:
                first = self._keys[idempotency_key]
                if first.complaint.id != complaint.id:
                    raise IdempotencyConflict(
                        idempotency_key, f"for complaint {first.complaint.id}, not {complaint.id}"
                    )
                return AppendResult(first.complaint, first.events, True, first.positions)
            current = self._snapshots.get(complaint.id)
            actual = 0 if current is None else current.version
            if actual != expected_version:
                raise ConcurrencyConflict(complaint.id, expected=expected_version, actual=actual)
            start = len(self._log) + 1
            stored = [StoredEvent(start + i, e) for i, e in enumerate(batch)]
            self._log.extend(stored)
            self._history.setdefault(complaint.id, []).extend(stored)
            self._snapshots[complaint.id] = complaint
            self._set_wake(complaint, None if wake is None else micros(wake))
            result = AppendResult(complaint, batch, False, tuple(s.position for s in stored))
            if idempotency_key is not None:
                self._keys[idempotency_key] = result
            return result

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

    def idempotent_result(self, key: str) -> AppendResult | None:
        """The result first stored under ``key`` (``duplicate=True``), or ``None``."""
        with self._lock:
            self._check_open()
            first = self._keys.get(key)
        if first is None:
            return None
        return AppendResult(first.complaint, first.events, True, first.positions)

    def get(self, complaint_id: str) -> Complaint:
        """The latest snapshot; raises :class:`ccms.errors.ComplaintNotFound`."""
        found = self.find(complaint_id)
        if found is None:
            raise ComplaintNotFound(complaint_id)
        return found

    def find(self, complaint_id: str) -> Complaint | None:
        """The latest snapshot, or ``None``."""
        with self._lock:
            self._check_open()
            return self._snapshots.get(complaint_id)

    def version(self, complaint_id: str) -> int:
        """The stored version, 0 if absent."""
        found = self.find(complaint_id)
        return 0 if found is None else found.version

    def events(self, complaint_id: str) -> list[DomainEvent]:
        """The complaint's events in order; raises :class:`ccms.errors.ComplaintNotFound`."""
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
        """Events with a position above ``after``, in append order; sees appends made meanwhile."""
        # Positions are 1-based list indexes, so the log is read from index ``after`` on.
        index = max(after, 0)
        while True:
            with self._lock:
                self._check_open()
                chunk = self._log[index : index + 1024]
            if not chunk:
                return
            index += len(chunk)
            yield from chunk

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
