"""Records, the global log and checkpoints in the PostgreSQL store; the log is read in durable
batches (each yielded once the WAL is flushed past it)."""

from __future__ import annotations

import json
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
from ccms.store.postgres.procedures import _Procedures
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

__all__: list[str] = []


class _Records(_Procedures):
    """Record streams, the global log and checkpoints of :class:`~ccms.store.postgres.PostgresStore`."""

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
        """Append records atomically in one round trip, as :meth:`append` does (the stream's
        row guarded by its version, the positions taken last); see the port's docs."""
        batch = check_records(kind, stream_id, records, expected_version)
        check_key(idempotency_key)
        check_fingerprint(fingerprint)
        bodies = [record_json(r) for r in batch]
        print_ = None
        if idempotency_key is not None:
            print_ = fingerprint or records_fingerprint(batch, bodies)
        params = (
            kind,
            stream_id,
            expected_version,
            idempotency_key,
            [r.type for r in batch],
            bodies,
            print_,
        )
        here = f"{kind} stream {stream_id}"
        with self._connection() as conn:
            outcome, first, actual = self._call(
                conn,
                self._sql.append_records,
                params,
                (kind, stream_id, expected_version + 1, expected_version + len(batch), bodies),
            )
            if outcome == "written":
                return RecordAppendResult(batch, range(first, first + len(batch)))
            if idempotency_key is not None:
                earlier = self._earlier(conn, idempotency_key)
                if earlier is not None:
                    found_kind, found_id, result, stored = earlier
                    if (found_kind, found_id) != (kind, stream_id):
                        what = "complaint" if found_kind == COMPLAINT else f"{found_kind} stream"
                        raise IdempotencyConflict(
                            idempotency_key, f"for {what} {found_id}, not {here}"
                        )
                    assert isinstance(result, RecordAppendResult)
                    conflict = key_conflict(
                        idempotency_key,
                        first=(stored, stream_id, False),
                        then=(print_, stream_id, False),
                        what=f"{kind} stream",
                    )
                    if conflict is not None:
                        raise conflict
                    return result
            if actual is None:
                row = conn.execute(self._sql.stream_version, (kind, stream_id)).fetchone()
                actual = 0 if row is None else int(row[0])
        raise StreamConflict(kind, stream_id, expected=expected_version, actual=int(actual))

    def records(self, kind: str, stream_id: str) -> list[Record]:
        """The stream's records in version order (``[]`` if never written)."""
        kind = check_kind(kind)
        with self._connection() as conn:
            rows = conn.execute(self._sql.records, (kind, stream_id)).fetchall()
        return [record_from_json(kind, stream_id, int(v), t, b) for v, t, b in rows]

    def stream_version(self, kind: str, stream_id: str) -> int:
        """The stream's stored version, 0 if none."""
        kind = check_kind(kind)
        with self._connection() as conn:
            row = conn.execute(self._sql.stream_version, (kind, stream_id)).fetchone()
        return 0 if row is None else int(row[0])

    def stream_ids(self, kind: str) -> list[str]:
        """The ids of the streams of ``kind`` in first-stored order."""
        kind = check_kind(kind)
        with self._connection() as conn:
            rows = conn.execute(self._sql.stream_ids, (kind,)).fetchall()
        return [str(i) for (i,) in rows]

    def latest_records(self, kind: str) -> list[Record]:
        """The last record of every stream of ``kind``, streams in first-stored order: each
        ``streams`` row joined to its one event row at the stream's version."""
        kind = check_kind(kind)
        with self._connection() as conn:
            rows = conn.execute(self._sql.latest_records, (kind,)).fetchall()
        return [record_from_json(kind, i, int(v), t, b) for i, v, t, b in rows]

    def log(self, after: int = 0, *, kinds: Iterable[str] | None = None) -> Iterator[LogEntry]:
        """The global log above ``after`` in position order, read in batches of 1,000, each
        yielded once the WAL is flushed past it (a range scan of the key; ``kinds`` filtered in
        SQL)."""
        start, chosen = check_log(after, kinds)
        if chosen is None:
            return self._scan(start, "", ())
        return self._scan(start, " AND kind = ANY(%s::text[])", (sorted(chosen),))

    def checkpoint(self, name: str) -> tuple[int, dict[str, Any] | None]:
        """``(position, state)`` of the checkpoint ``name``, ``(0, None)`` if none."""
        with self._connection() as conn:
            row = conn.execute(self._sql.checkpoint, (name,)).fetchone()
        if row is None:
            return 0, None
        state: dict[str, Any] = json.loads(row[1])
        return int(row[0]), state

    def save_checkpoint(
        self, name: str, *, position: int, state: Mapping[str, Any], expected_position: int
    ) -> None:
        """Write the position and the state in one statement, if the stored position is
        ``expected_position`` (compare-and-set); see the port's docs."""
        label, position, text = check_checkpoint(name, position, state, expected_position)
        with self._connection() as conn:
            if expected_position == 0:
                row = conn.execute(self._sql.first_checkpoint, (label, position, text)).fetchone()
            else:
                row = conn.execute(
                    self._sql.next_checkpoint, (position, text, label, expected_position)
                ).fetchone()
            if row is None:
                found = conn.execute(self._sql.checkpoint_position, (label,)).fetchone()
                actual = 0 if found is None else int(found[0])
                raise CheckpointConflict(label, expected=expected_position, actual=actual)
