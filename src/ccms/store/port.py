"""The store port: :class:`ComplaintStore`, the protocol every complaint store implements.

A store keeps, for each complaint, its append-only event history and its latest snapshot (the
complaint the events fold to), written together in one atomic :meth:`ComplaintStore.append` guarded
by optimistic concurrency (``expected_version``), never last-write-wins. It also keeps customers,
whose personal data stays out of events so that erasure can later keep every figure.

Beside complaints it keeps streams of :class:`~ccms.store.Record` for other kinds of things
(improvement tasks, institutional items, ideas, CS-point activities), each stream versioned and
appended the same way (:meth:`ComplaintStore.append_records`), all in **one global log** with the
complaint events (one sequence of positions, :meth:`ComplaintStore.log`), and the checkpoints of
durable projections (:meth:`ComplaintStore.save_checkpoint`: a position and a state written
together).

Adapters: :class:`ccms.store.InMemoryStore`, :class:`ccms.store.SQLiteStore` and
:class:`ccms.store.postgres.PostgresStore`; any other proves itself against
:class:`ccms.testing.conformance.StoreSuite`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from ccms.model import Complaint, Customer, DomainEvent
from ccms.store.events import AppendResult, StoredEvent
from ccms.store.query import ComplaintQuery
from ccms.store.records import LogEntry, Record, RecordAppendResult
from ccms.store.schedule import ASAP

__all__ = ["ComplaintStore"]


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
