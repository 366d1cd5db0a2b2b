"""Reading the PostgreSQL store: snapshots, histories, the schedule, queries and the stream."""

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
from ccms.store.postgres.connection import (
    _BATCH,
    _PostgresBase,
)
from ccms.store.query import ComplaintQuery
from ccms.store.schedule import check_due
from ccms.store.sql import (
    QueryDialect,
    where,
)

__all__: list[str] = []


class _PostgresDialect(QueryDialect):
    """PostgreSQL's way of writing a query: ``%s`` marks (text ones cast, so an index on a
    ``"C"`` column is used), the stages as one array, the codes a ``text[]`` column."""

    mark = "%s"
    text = "%s::text"

    def stages(self, stages: list[str]) -> tuple[str, list[Any]]:
        return "stage = ANY(%s::text[])", [stages]

    def code_prefix(self, prefix: str) -> tuple[str, list[Any]]:
        return (
            "EXISTS (SELECT FROM unnest(codes) AS k(code) WHERE starts_with(k.code, %s::text))",
            [prefix],
        )


_DIALECT = _PostgresDialect()


class _Queries(_PostgresBase):
    """The reading of :class:`~ccms.store.postgres.PostgresStore`."""

    def get(self, complaint_id: str) -> Complaint:
        """The latest snapshot (read, never folded); raises ComplaintNotFound."""
        found = self.find(complaint_id)
        if found is None:
            raise ComplaintNotFound(complaint_id)
        return found

    def find(self, complaint_id: str) -> Complaint | None:
        """The latest snapshot, or ``None``."""
        check_id(complaint_id)
        with self._connection() as conn:
            row = conn.execute(self._sql.find, (complaint_id,)).fetchone()
        return None if row is None else Complaint.model_validate_json(row[0])

    def version(self, complaint_id: str) -> int:
        """The stored version, 0 if absent."""
        check_id(complaint_id)
        with self._connection() as conn:
            row = conn.execute(self._sql.version, (complaint_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def events(self, complaint_id: str) -> list[DomainEvent]:
        """The complaint's events in order (the unique index's range); raises
        ComplaintNotFound."""
        check_id(complaint_id)
        with self._connection() as conn:
            rows = conn.execute(self._sql.events, (complaint_id,)).fetchall()
        if not rows:
            raise ComplaintNotFound(complaint_id)
        return [event_from_json(body, type_) for type_, body in rows]

    def due(self, now: datetime, *, limit: int | None = None) -> list[str]:
        """Open complaints whose wake-up is at or before ``now``: a range scan of the partial
        index ``complaints_wake (wake_us, id) WHERE closed_us IS NULL``."""
        at, limit = check_due(now, limit)
        with self._connection() as conn:
            rows = conn.execute(self._sql.due, (micros(at), limit)).fetchall()
        return [str(cid) for (cid,) in rows]

    def wake_at(self, complaint_id: str) -> datetime | None:
        """The stored wake-up in UTC, or ``None``; raises ComplaintNotFound."""
        with self._connection() as conn:
            row = conn.execute(self._sql.wake_at, (complaint_id,)).fetchone()
        if row is None:
            raise ComplaintNotFound(complaint_id)
        return None if row[0] is None else from_micros(int(row[0]))

    def last_position(self) -> int:
        """The highest position of the global log, 0 when empty (the counter's one row)."""
        with self._connection() as conn:
            row = conn.execute(self._sql.last_position).fetchone()
        return 0 if row is None else int(row[0])

    def query(self, query: ComplaintQuery | None = None, /, **filters: Any) -> list[Complaint]:
        """Complaints matching the filters, ordered by ``(received_at, id)``."""
        q = ComplaintQuery.build(query, **filters)
        if q.matches_nothing:
            return []
        clause, params = where(q, _DIALECT)
        sql = f"{self._sql.query}{clause} ORDER BY received_us, id LIMIT %s"
        params.append(q.limit)
        with self._connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [Complaint.model_validate_json(body) for (body,) in rows]

    def count(self, query: ComplaintQuery | None = None, /, **filters: Any) -> int:
        """How many complaints :meth:`query` would return, counted in SQL."""
        q = ComplaintQuery.build(query, **filters)
        if q.matches_nothing:
            return 0
        clause, params = where(q, _DIALECT)
        with self._connection() as conn:
            row = conn.execute(f"{self._sql.count}{clause}", params).fetchone()
        n = 0 if row is None else int(row[0])
        return n if q.limit is None else min(n, q.limit)

    def open_load(self) -> dict[str, int]:
        """Open complaints per handler id."""
        with self._connection() as conn:
            rows = conn.execute(self._sql.open_load).fetchall()
        return {str(h): int(n) for h, n in rows}

    def ids(self) -> Iterator[str]:
        """Stored complaint ids in the order they were first stored, read in batches."""
        last = 0
        while True:
            with self._connection() as conn:
                rows = conn.execute(self._sql.ids, (last, _BATCH)).fetchall()
            if not rows:
                return
            last = int(rows[-1][0])
            for _, cid in rows:
                yield str(cid)

    def __len__(self) -> int:
        with self._connection() as conn:
            row = conn.execute(self._sql.length).fetchone()
        return 0 if row is None else int(row[0])

    def stream(self, *, after: int = 0) -> Iterator[StoredEvent]:
        """Complaint events above ``after`` in append order, read in durable batches of 1,000;
        records are left out."""
        for entry in self._scan(after, " AND kind = 'complaint'", ()):
            assert isinstance(entry, StoredEvent)
            yield entry

    def get_customer(self, customer_id: str) -> Customer:
        """The stored customer with personal data in clear (masked in its repr)."""
        with self._connection() as conn:
            row = conn.execute(self._sql.get_customer, (customer_id,)).fetchone()
        if row is None:
            raise CustomerNotFound(customer_id)
        return Customer.model_validate_json(row[0])
