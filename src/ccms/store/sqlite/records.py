"""Records, the global log and checkpoints in the SQLite store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ccms.errors import (
    CheckpointConflict,
    IdempotencyConflict,
    StreamConflict,
)
from ccms.store.events import COMPLAINT
from ccms.store.idempotency import (
    check_fingerprint,
    check_key,
    key_conflict,
    records_fingerprint,
)
from ccms.store.records import (
    LogEntry,
    Record,
    RecordAppendResult,
    check_checkpoint,
    check_kind,
    check_log,
    check_records,
    record_from_json,
    record_json,
)
from ccms.store.sql import (
    log_entry,
)
from ccms.store.sqlite.connection import _SQLiteBase
from ccms.store.sqlite.statements import (
    _BATCH,
    _LOG_COLUMNS,
    _RECORD_ROWS,
    _insert_records,
)

__all__: list[str] = []


class _Records(_SQLiteBase):
    """Record streams, the global log and checkpoints of :class:`~ccms.store.SQLiteStore`."""

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
        """Append records atomically in one ``BEGIN IMMEDIATE`` transaction; see the port's
        docs. The stream's row is read and written in the transaction, and the partial unique
        index on (kind, stream_id, version) refuses a duplicate version whatever happens."""
        self._writable("append_records")
        batch = check_records(kind, stream_id, records, expected_version)
        check_key(idempotency_key)
        check_fingerprint(fingerprint)
        rows: list[Any] = []
        bodies = [record_json(r) for r in batch]
        for r, body in zip(batch, bodies, strict=True):
            rows.extend((kind, stream_id, r.version, r.type, body))
        print_ = None
        if idempotency_key is not None:
            print_ = fingerprint or records_fingerprint(batch, bodies)
        here = f"{kind} stream {stream_id}"
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                if idempotency_key is not None:
                    earlier = self._earlier_records(conn, idempotency_key, here)
                    if earlier is not None:
                        conn.execute("ROLLBACK")
                        if (earlier[0], earlier[1]) != (kind, stream_id):
                            raise IdempotencyConflict(
                                idempotency_key, f"for {earlier[0]} stream {earlier[1]}, not {here}"
                            )
                        conflict = key_conflict(
                            idempotency_key,
                            first=(earlier[3], stream_id, False),
                            then=(print_, stream_id, False),
                            what=f"{kind} stream",
                        )
                        if conflict is not None:
                            raise conflict
                        return earlier[2]
                row = conn.execute(
                    "SELECT seq, version FROM streams WHERE kind = ? AND id = ?", (kind, stream_id)
                ).fetchone()
                actual = 0 if row is None else int(row[1])
                if actual != expected_version:
                    raise StreamConflict(kind, stream_id, expected=expected_version, actual=actual)
                # Inside the write transaction no one else appends: the positions are the
                # log's end plus 1, 2, ... whatever the chunks.
                last = 0
                step = _RECORD_ROWS * 5
                for start in range(0, len(rows), step):
                    chunk = rows[start : start + step]
                    last = conn.execute(_insert_records(len(chunk) // 5), chunk).lastrowid or 0
                first = last - len(batch) + 1
                version = batch[-1].version
                if row is None:
                    conn.execute(
                        "INSERT INTO streams (kind, id, version, last_pos) VALUES (?, ?, ?, ?)",
                        (kind, stream_id, version, last),
                    )
                else:
                    conn.execute(
                        "UPDATE streams SET version = ?, last_pos = ? WHERE seq = ?",
                        (version, last, row[0]),
                    )
                if idempotency_key is not None:
                    conn.execute(
                        "INSERT INTO idempotency (key, stream_id, version, snapshot, first_pos, "
                        "last_pos, kind, fingerprint) VALUES (?, ?, ?, '', ?, ?, ?, ?)",
                        (idempotency_key, stream_id, version, first, last, kind, print_),
                    )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return RecordAppendResult(batch, range(first, last + 1))

    def _earlier_records(
        self, conn: sqlite3.Connection, key: str, here: str
    ) -> tuple[str, str, RecordAppendResult, str | None] | None:
        """(kind, stream id, the first result, its fingerprint) of a record append made with
        ``key``, or ``None``; a complaint's key raises IdempotencyConflict (after a rollback)."""
        row = conn.execute(
            "SELECT kind, stream_id, first_pos, last_pos, fingerprint FROM idempotency "
            "WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        kind, stream_id, first, last, stored = row
        if kind is None:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise IdempotencyConflict(key, f"for complaint {stream_id}, not {here}")
        rows = conn.execute(
            "SELECT position, version, type, body FROM events WHERE position BETWEEN ? AND ? "
            "ORDER BY position",
            (first, last),
        ).fetchall()
        records = tuple(record_from_json(kind, stream_id, v, t, b) for _, v, t, b in rows)
        positions = tuple(int(p) for p, _, _, _ in rows)
        return kind, stream_id, RecordAppendResult(records, positions, True), stored

    def records(self, kind: str, stream_id: str) -> list[Record]:
        """The stream's records in version order (``[]`` if never written), read through the
        partial index of record rows."""
        kind = check_kind(kind)
        with self._lock:
            rows = (
                self._db()
                .execute(
                    "SELECT version, type, body FROM events INDEXED BY events_records "
                    "WHERE kind = ? AND stream_id = ? ORDER BY version",
                    (kind, stream_id),
                )
                .fetchall()
            )
        return [record_from_json(kind, stream_id, v, t, b) for v, t, b in rows]

    def stream_version(self, kind: str, stream_id: str) -> int:
        """The stream's stored version, 0 if none (one look at its ``streams`` row)."""
        kind = check_kind(kind)
        with self._lock:
            row = (
                self._db()
                .execute("SELECT version FROM streams WHERE kind = ? AND id = ?", (kind, stream_id))
                .fetchone()
            )
        return 0 if row is None else int(row[0])

    def stream_ids(self, kind: str) -> list[str]:
        """The ids of the streams of ``kind`` in first-stored order."""
        kind = check_kind(kind)
        with self._lock:
            rows = (
                self._db()
                .execute("SELECT id FROM streams WHERE kind = ? ORDER BY seq", (kind,))
                .fetchall()
            )
        return [str(i) for (i,) in rows]

    def latest_records(self, kind: str) -> list[Record]:
        """The last record of every stream of ``kind``, streams in first-stored order: each
        ``streams`` row joined to the one event row at its ``last_pos``."""
        kind = check_kind(kind)
        with self._lock:
            rows = (
                self._db()
                .execute(
                    "SELECT s.id, e.version, e.type, e.body FROM streams s "
                    "JOIN events e ON e.position = s.last_pos WHERE s.kind = ? ORDER BY s.seq",
                    (kind,),
                )
                .fetchall()
            )
        return [record_from_json(kind, i, v, t, b) for i, v, t, b in rows]

    def log(self, after: int = 0, *, kinds: Iterable[str] | None = None) -> Iterator[LogEntry]:
        """The global log above ``after`` in position order, read in batches of 1,000: a range
        scan of the table's key, the ``kinds`` filtered in SQL (the rows left out are never
        decoded). No index of kinds is kept: it would cost every record append a page, and a
        projection reads only the log's tail after its checkpoint."""
        start, chosen = check_log(after, kinds)
        if chosen is None:
            return self._scan(start, "", ())
        others = sorted(chosen - {COMPLAINT})
        marks = ", ".join("?" * len(others))
        if COMPLAINT not in chosen:
            return self._scan(start, f" AND kind IN ({marks})", others)
        if not others:
            return self._scan(start, " AND kind IS NULL", ())
        return self._scan(start, f" AND (kind IS NULL OR kind IN ({marks}))", others)

    def _scan(self, after: int, where: str, params: Sequence[str]) -> Iterator[LogEntry]:
        # NOT INDEXED: the key's range, in order, whatever the planner thinks of events_records.
        sql = (
            f"SELECT {_LOG_COLUMNS} FROM events NOT INDEXED WHERE position > ?{where} "
            "ORDER BY position LIMIT ?"
        )
        last = after
        while True:
            with self._lock:
                rows = self._db().execute(sql, (last, *params, _BATCH)).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for row in rows:
                yield log_entry(*row)

    def checkpoint(self, name: str) -> tuple[int, dict[str, Any] | None]:
        """``(position, state)`` of the checkpoint ``name``, ``(0, None)`` if none."""
        with self._lock:
            row = (
                self._db()
                .execute("SELECT position, state FROM checkpoints WHERE name = ?", (name,))
                .fetchone()
            )
        if row is None:
            return 0, None
        state: dict[str, Any] = json.loads(row[1])
        return int(row[0]), state

    def save_checkpoint(
        self, name: str, *, position: int, state: Mapping[str, Any], expected_position: int
    ) -> None:
        """Write the position and the state in one ``BEGIN IMMEDIATE`` transaction if the
        stored position is ``expected_position``; see the port's docs."""
        self._writable("save_checkpoint")
        label, position, text = check_checkpoint(name, position, state, expected_position)
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT position FROM checkpoints WHERE name = ?", (label,)
                ).fetchone()
                actual = 0 if row is None else int(row[0])
                if actual != expected_position:
                    raise CheckpointConflict(label, expected=expected_position, actual=actual)
                conn.execute(
                    "INSERT INTO checkpoints (name, position, state) VALUES (?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
                    "state = excluded.state",
                    (label, position, text),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
