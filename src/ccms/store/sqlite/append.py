"""Appending complaint events to the SQLite store: one ``BEGIN IMMEDIATE`` transaction each,
idempotency keys, bulk imports, reschedules and customers."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ccms.errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
)
from ccms.model import Complaint, Customer, DomainEvent
from ccms.store.codec import micros
from ccms.store.events import AppendResult, check_append
from ccms.store.idempotency import (
    check_fingerprint,
    check_key,
    events_fingerprint,
    key_conflict,
    lookup_conflict,
)
from ccms.store.schedule import ASAP, check_version, check_wake_at
from ccms.store.sql import (
    customer_row,
    earlier_append,
    snapshot_columns,
    sorted_codes,
)
from ccms.store.sqlite.connection import _SQLiteBase
from ccms.store.sqlite.statements import (
    _CURRENT,
    _INDEXES_OF_COLUMNS,
    _INSERT_COMPLAINT,
    _REMEMBERED,
    _SAVE_CUSTOMER,
    _WAKE_COLUMN,
    _insert_events,
    _update,
)

__all__: list[str] = []


#: Ids a statement asks about at most (SQLite's own limit is 32,766 variables since 3.32).
_IDS_A_READ = 500


def _stored_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` are stored complaints (read in the caller's transaction)."""
    found: set[str] = set()
    unique = list(dict.fromkeys(ids))
    for i in range(0, len(unique), _IDS_A_READ):
        part = unique[i : i + _IDS_A_READ]
        marks = ", ".join("?" * len(part))
        found.update(
            cid for (cid,) in conn.execute(f"SELECT id FROM complaints WHERE id IN ({marks})", part)
        )
    return found


class _Appends(_SQLiteBase):
    """The writing of :class:`~ccms.store.SQLiteStore` (complaints, keys, customers)."""

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
        """Append atomically in one ``BEGIN IMMEDIATE`` transaction (the customer's row, the
        idempotency key and its fingerprint included); see the port's docs."""
        self._writable("append")
        batch = check_append(complaint, events, expected_version)
        check_key(idempotency_key)
        check_fingerprint(fingerprint)
        wake = check_wake_at(complaint.id, wake_at)
        saved = customer_row(customer)
        cid = complaint.id
        version = complaint.version
        count = len(batch)
        snapshot = complaint.model_dump_json()
        codes = sorted_codes(complaint)
        columns = snapshot_columns(
            complaint, None if wake is None else micros(wake), "\n".join(codes)
        )
        rows: list[Any] = []
        bodies = [e.model_dump_json() for e in batch]
        for e, body in zip(batch, bodies, strict=True):
            rows.extend((cid, version, e.type, body, None))
        print_ = None
        if idempotency_key is not None:
            print_ = fingerprint or events_fingerprint(batch, bodies)
        with self._lock:
            conn = self._db()
            remembered = self._rows.pop(cid, None)
            if remembered is not None and remembered[1] != expected_version:
                remembered = None
            while True:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    if idempotency_key is not None:
                        found = self._earlier(conn, idempotency_key, f"not complaint {cid}")
                        if found is not None:
                            conn.execute("ROLLBACK")
                            earlier, first_print = found
                            conflict = key_conflict(
                                idempotency_key,
                                first=(
                                    first_print,
                                    earlier.complaint.id,
                                    earlier.complaint.version == 1,
                                ),
                                then=(print_, cid, expected_version == 0),
                            )
                            if conflict is not None:
                                raise conflict
                            return earlier
                    old: tuple[Any, ...] | None
                    if remembered is not None:
                        # What this object wrote last: the UPDATE below is guarded by it.
                        seq, _, before, old = remembered
                    else:
                        row = conn.execute(_CURRENT, (cid,)).fetchone()
                        actual = 0 if row is None else row[1]
                        if actual != expected_version:
                            raise ConcurrencyConflict(cid, expected=expected_version, actual=actual)
                        seq, before, old = (
                            (0, 0, None) if row is None else (row[0], row[2], row[3:])
                        )
                    # The first event links to the complaint's previous one. Inside the write
                    # transaction no one else appends, so the positions are the stream's end
                    # plus 1, 2, ... (SQLite's next rowid is one above the largest).
                    rows[4] = before
                    last = conn.execute(_insert_events(count), rows).lastrowid or 0
                    if old is None:
                        seq = (
                            conn.execute(
                                _INSERT_COMPLAINT, (*columns, version, snapshot, last, cid)
                            ).lastrowid
                            or 0
                        )
                    else:
                        # Only the columns that change are set: SQLite rewrites an index
                        # whenever the UPDATE names one of its columns, whatever the value.
                        changed = tuple([i for i in _INDEXES_OF_COLUMNS if columns[i] != old[i]])
                        params = [columns[i] for i in changed]
                        params.extend((version, snapshot, last, seq))
                        if remembered is not None:
                            # Only an append changes the version, only a reschedule the wake-up.
                            params.extend((expected_version, old[_WAKE_COLUMN]))
                        cursor = conn.execute(_update(changed, remembered is not None), params)
                        if cursor.rowcount != 1:  # someone else wrote it: read, try again
                            conn.execute("ROLLBACK")
                            remembered = None
                            continue
                    first = last - count + 1
                    if saved is not None:
                        conn.execute(_SAVE_CUSTOMER, saved)
                    if idempotency_key is not None:
                        conn.execute(
                            "INSERT INTO idempotency (key, stream_id, version, snapshot, "
                            "first_pos, last_pos, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (idempotency_key, cid, version, snapshot, first, last, print_),
                        )
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                break
            self._rows[cid] = (seq, version, last, columns)
            if len(self._rows) > _REMEMBERED:
                del self._rows[next(iter(self._rows))]
        return AppendResult(complaint, batch, False, range(first, last + 1))

    def append_new(
        self,
        items: Sequence[tuple[Complaint, Sequence[DomainEvent]]],
        *,
        wake_at: datetime | None = None,
    ) -> list[AppendResult | None]:
        """Store each item as a new complaint, as ``append(c, events, expected_version=0,
        wake_at=wake_at)`` would, all in ONE transaction (a bulk import's batch).

        An item whose complaint id is already stored, or comes earlier in the same batch, is
        skipped: ``None`` in its place, nothing written for it. A malformed item
        (:class:`~ccms.store.InvalidAppend`) writes nothing of the whole batch. Results are in
        item order.
        """
        self._writable("append_new")
        checked = [(c, check_append(c, events, 0)) for c, events in items]
        moment = check_wake_at("batch", wake_at)
        wake = None if moment is None else micros(moment)
        prepared = []
        for complaint, batch in checked:
            codes = "\n".join(sorted_codes(complaint))
            rows: list[Any] = []
            for e in batch:
                rows.extend((complaint.id, complaint.version, e.type, e.model_dump_json(), None))
            rows[4] = 0  # a new complaint's first event links to nothing
            prepared.append(
                (
                    complaint,
                    batch,
                    rows,
                    snapshot_columns(complaint, wake, codes),
                    complaint.model_dump_json(),
                )
            )
        out: list[AppendResult | None] = []
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                # The batch's ids already stored, in one read a few hundred ids (not one a row).
                seen = _stored_ids(conn, [c.id for c, *_ in prepared])
                for complaint, batch, rows, columns, snapshot in prepared:
                    cid = complaint.id
                    if cid in seen:
                        out.append(None)
                        continue
                    seen.add(cid)
                    last = conn.execute(_insert_events(len(batch)), rows).lastrowid or 0
                    conn.execute(
                        _INSERT_COMPLAINT, (*columns, complaint.version, snapshot, last, cid)
                    )
                    first = last - len(batch) + 1
                    out.append(AppendResult(complaint, batch, False, range(first, last + 1)))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return out

    def idempotent_result(self, key: str, *, fingerprint: str | None = None) -> AppendResult | None:
        """The result first stored under ``key`` (``duplicate=True``), or ``None``; a key of a
        record append, or of another ``fingerprint``, raises
        :class:`~ccms.errors.IdempotencyConflict`."""
        check_fingerprint(fingerprint)
        with self._lock:
            found = self._earlier(self._db(), key, "not a complaint")
        if found is None:
            return None
        earlier, stored = found
        conflict = lookup_conflict(
            key, stored=stored, stream_id=earlier.complaint.id, fingerprint=fingerprint
        )
        if conflict is not None:
            raise conflict
        return earlier

    def _earlier(
        self, conn: sqlite3.Connection, key: str, instead: str
    ) -> tuple[AppendResult, str | None] | None:
        """The result first stored under ``key`` and its fingerprint, or ``None``; a key of a
        record append raises IdempotencyConflict (after a rollback)."""
        print_ = "fingerprint" if self._schema >= 5 else "NULL"
        row = conn.execute(
            f"SELECT snapshot, first_pos, last_pos, kind, stream_id, {print_} FROM idempotency "
            "WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        snapshot, first, last, kind, stream_id, stored = row
        if kind is not None:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise IdempotencyConflict(key, f"for {kind} stream {stream_id}, {instead}")
        rows = conn.execute(
            "SELECT position, type, body FROM events WHERE position BETWEEN ? AND ? "
            "ORDER BY position",
            (first, last),
        ).fetchall()
        return earlier_append(snapshot, rows), stored

    def reschedule(self, complaint_id: str, *, version: int, wake_at: datetime | None) -> bool:
        """Set the wake-up if the stored version is ``version`` (one guarded ``UPDATE``)."""
        self._writable("reschedule")
        check_version(version)
        wake = check_wake_at(complaint_id, wake_at, append=False)
        with self._lock:
            self._rows.pop(complaint_id, None)
            cursor = self._db().execute(
                "UPDATE complaints SET wake_us = ? WHERE id = ? AND version = ?",
                (None if wake is None else micros(wake), complaint_id, version),
            )
        return cursor.rowcount == 1

    def save_customer(self, customer: Customer) -> None:
        """Insert or replace a customer; personal data is stored in clear (guard the file)."""
        self._writable("save_customer")
        row = customer_row(customer)
        assert row is not None
        with self._lock:
            self._db().execute(_SAVE_CUSTOMER, row)
