"""Appending to the PostgreSQL store: one ``CALL`` of a procedure per append (no table lock),
idempotency keys, bulk imports, reschedules and customers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ccms.errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
)
from ccms.model import Complaint, Customer, DomainEvent
from ccms.store.codec import customer_json, micros
from ccms.store.events import COMPLAINT, AppendResult, check_append
from ccms.store.idempotency import (
    check_fingerprint,
    check_key,
    events_fingerprint,
    key_conflict,
    lookup_conflict,
)
from ccms.store.postgres.connection import (
    _ASYNC_COMMIT,
    _BARRIER,
)
from ccms.store.postgres.procedures import _Procedures
from ccms.store.schedule import ASAP, check_version, check_wake_at
from ccms.store.sql import (
    customer_row,
    snapshot_columns,
    sorted_codes,
)

__all__: list[str] = []


class _Appends(_Procedures):
    """The writing of :class:`~ccms.store.postgres.PostgresStore` (complaints, keys, customers)."""

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
        """Append atomically in one round trip: ``CALL append_complaint`` (no table lock; the
        customer's row and the key with its fingerprint in the same transaction; the positions
        from the one-row counter, last; returns once the append is flushed)."""
        batch = check_append(complaint, events, expected_version)
        check_key(idempotency_key)
        check_fingerprint(fingerprint)
        wake = check_wake_at(complaint.id, wake_at)
        saved = customer_row(customer)
        cid = complaint.id
        snapshot = complaint.model_dump_json()
        bodies = [e.model_dump_json() for e in batch]
        print_ = None
        if idempotency_key is not None:
            print_ = fingerprint or events_fingerprint(batch, bodies)
        params = (
            cid,
            expected_version,
            complaint.version,
            idempotency_key,
            *snapshot_columns(
                complaint, None if wake is None else micros(wake), sorted_codes(complaint)
            ),
            snapshot,
            [e.type for e in batch],
            bodies,
            print_,
            *(saved or (None, None)),
        )
        with self._connection() as conn:
            outcome, first, actual = self._call(
                conn,
                self._sql.append_complaint,
                params,
                (COMPLAINT, cid, complaint.version, complaint.version, bodies),
            )
            if outcome == "written":
                return AppendResult(complaint, batch, False, range(first, first + len(batch)))
            if idempotency_key is not None:
                earlier = self._earlier(conn, idempotency_key)
                if earlier is not None:
                    kind, stream_id, result, stored = earlier
                    if kind != COMPLAINT:
                        raise IdempotencyConflict(
                            idempotency_key, f"for {kind} stream {stream_id}, not complaint {cid}"
                        )
                    assert isinstance(result, AppendResult)
                    conflict = key_conflict(
                        idempotency_key,
                        first=(stored, stream_id, result.complaint.version == 1),
                        then=(print_, cid, expected_version == 0),
                    )
                    if conflict is not None:
                        raise conflict
                    return result
            if actual is None:  # a key taken meanwhile, and gone: no one can remove a key
                row = conn.execute(self._sql.version, (cid,)).fetchone()
                actual = 0 if row is None else int(row[0])
        raise ConcurrencyConflict(cid, expected=expected_version, actual=int(actual))

    def append_new(
        self,
        items: Sequence[tuple[Complaint, Sequence[DomainEvent]]],
        *,
        wake_at: datetime | None = None,
    ) -> list[AppendResult | None]:
        """Store each item as a new complaint, as ``append(c, events, expected_version=0,
        wake_at=wake_at)`` would, all in one transaction (a bulk import's batch); see
        :meth:`ccms.store.SQLiteStore.append_new`.

        An item whose complaint is already stored, or comes earlier in the batch, is skipped
        (``None`` in its place); a malformed item writes nothing of the batch. One ``INSERT ...
        ON CONFLICT DO NOTHING`` of the snapshots, then, last, the positions of every event of
        the batch from the counter and one ``INSERT`` of them; committed and flushed as an
        append is."""
        checked = [(c, check_append(c, events, 0)) for c, events in items]
        moment = check_wake_at("batch", wake_at)
        wake = None if moment is None else micros(moment)
        firsts: dict[str, tuple[Complaint, tuple[DomainEvent, ...]]] = {}
        for complaint, batch in checked:
            firsts.setdefault(complaint.id, (complaint, batch))
        if not firsts:
            return [None] * len(checked)
        candidates = list(firsts.values())
        columns: list[list[Any]] = [[] for _ in range(13)]
        for c, _ in candidates:
            for column, value in zip(
                columns,
                (
                    c.id,
                    c.version,
                    *snapshot_columns(c, wake, "\n".join(sorted_codes(c))),
                    c.model_dump_json(),
                ),
                strict=True,
            ):
                column.append(value)
        with self._connection() as conn:
            with conn.transaction():
                stored = {
                    str(cid) for (cid,) in conn.execute(self._sql.insert_new, columns).fetchall()
                }
                written = [(c, b) for c, b in candidates if c.id in stored]
                positions: dict[str, range] = {}
                if written:
                    total = sum(len(b) for _, b in written)
                    rows: list[list[Any]] = [[], [], [], [], []]
                    for c, b in written:
                        for i, e in enumerate(b):
                            for part, item in zip(
                                rows, (c.id, c.version, i, e.type, e.model_dump_json()), strict=True
                            ):
                                part.append(item)
                    conn.execute(_ASYNC_COMMIT)
                    row = conn.execute(
                        self._sql.insert_new_events, (total, total, *rows)
                    ).fetchone()
                    first = 0 if row is None else int(row[0])
                    for c, b in written:
                        positions[c.id] = range(first, first + len(b))
                        first += len(b)
            if positions:
                conn.execute(_BARRIER)
        out: list[AppendResult | None] = []
        seen: set[str] = set()
        for complaint, batch in checked:
            span = positions.get(complaint.id)
            if span is None or complaint.id in seen:
                out.append(None)
                continue
            seen.add(complaint.id)
            out.append(AppendResult(complaint, batch, False, span))
        return out

    def idempotent_result(self, key: str, *, fingerprint: str | None = None) -> AppendResult | None:
        """The result first stored under ``key`` (``duplicate=True``), or ``None``; a key of a
        record append, or of another ``fingerprint``, raises
        :class:`~ccms.errors.IdempotencyConflict`."""
        check_fingerprint(fingerprint)
        with self._connection() as conn:
            earlier = self._earlier(conn, key)
        if earlier is None:
            return None
        kind, stream_id, result, stored = earlier
        if not isinstance(result, AppendResult):
            raise IdempotencyConflict(key, f"for {kind} stream {stream_id}, not a complaint")
        conflict = lookup_conflict(key, stored=stored, stream_id=stream_id, fingerprint=fingerprint)
        if conflict is not None:
            raise conflict
        return result

    def reschedule(self, complaint_id: str, *, version: int, wake_at: datetime | None) -> bool:
        """Set the wake-up if the stored version is ``version`` (one guarded ``UPDATE``)."""
        check_version(version)
        wake = check_wake_at(complaint_id, wake_at, append=False)
        with self._connection() as conn:
            cursor = conn.execute(
                self._sql.reschedule,
                (None if wake is None else micros(wake), complaint_id, version),
            )
        return cursor.rowcount == 1

    def save_customer(self, customer: Customer) -> None:
        """Insert or replace a customer; personal data is stored in clear (guard the database)."""
        body = customer_json(customer)
        with self._connection() as conn:
            conn.execute(self._sql.save_customer, (customer.id, body))
