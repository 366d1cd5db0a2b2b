"""Reading the SQLite store: snapshots, histories, the schedule, queries and the stream."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ccms.errors import (
    ComplaintNotFound,
    CustomerNotFound,
)
from ccms.model import Complaint, Customer, DomainEvent, event_from_json
from ccms.store.codec import from_micros, micros
from ccms.store.events import StoredEvent, check_id
from ccms.store.query import ComplaintQuery
from ccms.store.schedule import check_due
from ccms.store.sql import (
    QueryDialect,
    where,
)
from ccms.store.sqlite.connection import _SQLiteBase
from ccms.store.sqlite.statements import (
    _BATCH,
    _CHAIN,
    _DUE,
)

__all__: list[str] = []

#: SQLite's way of writing a query (the base dialect).
_DIALECT = QueryDialect()


class _Queries(_SQLiteBase):
    """The reading of :class:`~ccms.store.SQLiteStore` (complaints, queries, the stream)."""

    def get(self, complaint_id: str) -> Complaint:
        """The latest snapshot (read, never folded); raises ComplaintNotFound."""
        found = self.find(complaint_id)
        if found is None:
            raise ComplaintNotFound(complaint_id)
        return found

    def find(self, complaint_id: str) -> Complaint | None:
        """The latest snapshot, or ``None``."""
        check_id(complaint_id)
        with self._lock:
            row = (
                self._db()
                .execute("SELECT body FROM complaints WHERE id = ?", (complaint_id,))
                .fetchone()
            )
        return None if row is None else Complaint.model_validate_json(row[0])

    def version(self, complaint_id: str) -> int:
        """The stored version, 0 if absent."""
        check_id(complaint_id)
        with self._lock:
            row = (
                self._db()
                .execute("SELECT version FROM complaints WHERE id = ?", (complaint_id,))
                .fetchone()
            )
        return 0 if row is None else int(row[0])

    def events(self, complaint_id: str) -> list[DomainEvent]:
        """The complaint's events in order; raises ComplaintNotFound."""
        check_id(complaint_id)
        with self._lock:
            rows = self._db().execute(_CHAIN, (complaint_id,)).fetchall()
        if not rows:
            raise ComplaintNotFound(complaint_id)
        rows.sort()
        return [event_from_json(body, type_) for _, type_, body in rows]

    def due(self, now: datetime, *, limit: int | None = None) -> list[str]:
        """Open complaints whose wake-up is at or before ``now``: a range scan of the partial
        index ``complaints_wake (wake_us, id) WHERE closed_us IS NULL``."""
        at, limit = check_due(now, limit)
        with self._lock:
            rows = (
                self._db()
                .execute(
                    _DUE,
                    (micros(at), -1 if limit is None else limit),
                )
                .fetchall()
            )
        return [str(cid) for (cid,) in rows]

    def wake_at(self, complaint_id: str) -> datetime | None:
        """The stored wake-up in UTC, or ``None``; raises ComplaintNotFound."""
        with self._lock:
            row = (
                self._db()
                .execute("SELECT wake_us FROM complaints WHERE id = ?", (complaint_id,))
                .fetchone()
            )
        if row is None:
            raise ComplaintNotFound(complaint_id)
        return None if row[0] is None else from_micros(int(row[0]))

    def last_position(self) -> int:
        """The highest stream position, 0 when empty (one look at the end of the key)."""
        with self._lock:
            (last,) = self._db().execute("SELECT MAX(position) FROM events").fetchone()
        return 0 if last is None else int(last)

    def query(self, query: ComplaintQuery | None = None, /, **filters: Any) -> list[Complaint]:
        """Complaints matching the filters, ordered by ``(received_at, id)``."""
        q = ComplaintQuery.build(query, **filters)
        if q.matches_nothing:
            return []
        clause, params = where(q, _DIALECT)
        sql = f"SELECT body FROM complaints{clause} ORDER BY received_us, id"
        if q.limit is not None:
            sql += " LIMIT ?"
            params.append(q.limit)
        with self._lock:
            rows = self._db().execute(sql, params).fetchall()
        return [Complaint.model_validate_json(body) for (body,) in rows]

    def count(self, query: ComplaintQuery | None = None, /, **filters: Any) -> int:
        """How many complaints :meth:`query` would return, counted in SQL."""
        q = ComplaintQuery.build(query, **filters)
        if q.matches_nothing:
            return 0
        clause, params = where(q, _DIALECT)
        with self._lock:
            (n,) = self._db().execute(f"SELECT COUNT(*) FROM complaints{clause}", params).fetchone()
        return int(n) if q.limit is None else min(int(n), q.limit)

    def open_load(self) -> dict[str, int]:
        """Open complaints per handler id."""
        with self._lock:
            rows = (
                self._db()
                .execute(
                    "SELECT handler, COUNT(*) FROM complaints "
                    "WHERE handler IS NOT NULL AND closed_us IS NULL GROUP BY handler"
                )
                .fetchall()
            )
        return {str(h): int(n) for h, n in rows}

    def ids(self) -> Iterator[str]:
        """Stored complaint ids in the order they were first stored, read in batches.

        The order is kept in an explicit ``seq`` key (a bare rowid could change on ``VACUUM``).
        """
        last = 0
        while True:
            with self._lock:
                rows = (
                    self._db()
                    .execute(
                        "SELECT seq, id FROM complaints WHERE seq > ? ORDER BY seq LIMIT ?",
                        (last, _BATCH),
                    )
                    .fetchall()
                )
            if not rows:
                return
            last = rows[-1][0]
            for _, cid in rows:
                yield str(cid)

    def __len__(self) -> int:
        with self._lock:
            (n,) = self._db().execute("SELECT COUNT(*) FROM complaints").fetchone()
        return int(n)

    def stream(self, *, after: int = 0) -> Iterator[StoredEvent]:
        """Complaint events above ``after`` in append order, read in batches of 1,000 (never
        all at once); records are left out (``kind IS NULL``)."""
        last = after
        while True:
            with self._lock:
                rows = (
                    self._db()
                    .execute(
                        "SELECT position, type, body FROM events WHERE position > ? "
                        "AND kind IS NULL ORDER BY position LIMIT ?",
                        (last, _BATCH),
                    )
                    .fetchall()
                )
            if not rows:
                return
            last = rows[-1][0]
            for position, type_, body in rows:
                yield StoredEvent(int(position), event_from_json(body, type_))

    def get_customer(self, customer_id: str) -> Customer:
        """The stored customer with personal data in clear (masked in its repr)."""
        with self._lock:
            row = (
                self._db()
                .execute("SELECT body FROM customers WHERE id = ?", (customer_id,))
                .fetchone()
            )
        if row is None:
            raise CustomerNotFound(customer_id)
        return Customer.model_validate_json(row[0])
