"""Calling the append procedures of the PostgreSQL store: their outcome, a CALL canceled after
its append committed (found by its events), and the first result of an idempotency key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from ccms.store.events import COMPLAINT, AppendResult
from ccms.store.postgres.connection import (
    _CANCELED,
    _KEY_TAKEN,
    Connection,
    _PostgresBase,
)
from ccms.store.records import (
    RecordAppendResult,
    record_from_json,
)
from ccms.store.sql import (
    earlier_append,
)

__all__: list[str] = []


class _Procedures(_PostgresBase):
    """What the complaint and the record appends share: one CALL and its outcome."""

    def _call(
        self,
        conn: Connection,
        sql: str,
        params: Sequence[Any],
        written: tuple[str, str, int, int, Sequence[str]],
    ) -> tuple[str, int, int | None]:
        """CALL an append procedure: ``(outcome, first position, stored version)``; a key taken
        meanwhile is reported as ``('key', 0, None)`` (nothing was written).

        A statement timeout can cancel the CALL after its append committed (while it flushes
        the barrier): then the append is found by ``written`` (kind, stream id, its first and
        last version, the events' bodies), made durable and reported as written, so a stored
        append is never answered with StoreBusy ("nothing was changed")."""
        try:
            row = self._run(conn, sql, params)
        except psycopg.Error as err:
            if err.sqlstate == _KEY_TAKEN:
                return "key", 0, None
            if err.sqlstate == _CANCELED:
                first = self._committed(conn, *written)
                if first is not None:
                    self._durable(conn)
                    return "written", first, None
            raise
        assert row is not None
        outcome, first, actual = row
        return str(outcome), 0 if first is None else int(first), actual

    @staticmethod
    def _run(conn: Connection, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        return conn.execute(sql, params).fetchone()

    def _committed(
        self,
        conn: Connection,
        kind: str,
        stream_id: str,
        first_version: int,
        last_version: int,
        bodies: Sequence[str],
    ) -> int | None:
        """The first position of an append of exactly these ``bodies`` at these versions, if
        it is stored (``None`` if not: someone else's, or nothing)."""
        rows = conn.execute(
            self._sql.key_events, (kind, stream_id, first_version, last_version)
        ).fetchall()
        if [body for _, _, _, body in rows] != list(bodies):
            return None
        return int(rows[0][0])

    def _earlier(
        self, conn: Connection, key: str
    ) -> tuple[str, str, AppendResult | RecordAppendResult, str | None] | None:
        """(kind, stream id, the first result (a duplicate), its fingerprint) of the append
        made with ``key``, durable, or ``None`` if the key was never used."""
        row = conn.execute(self._sql.key, (key,)).fetchone()
        if row is None:
            return None
        self._durable(conn)
        kind, stream_id, first_version, last_version, snapshot, stored = row
        rows = conn.execute(
            self._sql.key_events, (kind, stream_id, first_version, last_version)
        ).fetchall()
        positions = tuple(int(p) for p, _, _, _ in rows)
        if kind == COMPLAINT:
            result = earlier_append(snapshot, ((p, type_, body) for p, _, type_, body in rows))
            return kind, stream_id, result, stored
        records = tuple(record_from_json(kind, stream_id, int(v), t, b) for _, v, t, b in rows)
        return kind, stream_id, RecordAppendResult(records, positions, True), stored
