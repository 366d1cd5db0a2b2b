"""The SQLite store (stdlib :mod:`sqlite3`): the embedded default, one file, safe for many writers.

Events are stored as JSON rows in one append-only table whose integer key is the global stream
position; each complaint's latest snapshot is a JSON row beside the columns the queries filter on
(instants as UTC epoch microseconds, so ranges compare instants whatever the zone). Every append is
one ``BEGIN IMMEDIATE`` transaction: writers on the same file (other threads, other processes)
serialize, and the loser of a race sees the winner's version and gets
:class:`ccms.errors.ConcurrencyConflict`. Files use WAL mode, so readers never block the writer.

What an append costs is mostly the pages it dirties (each is written whole to the WAL, and
checkpointed later), so an append writes as few as it can: the UPDATE of the snapshot names only
the columns that changed (SQLite rewrites an index whenever an UPDATE names one of its columns,
whatever the value); a complaint's events are found along a chain (``complaints.last_pos``, then
each event's ``prev``) rather than through an index every append would write; the codes live in
one column; indexes leave out the NULLs no query looks for. A store object remembers the columns it
last wrote for a complaint, so the next append is one UPDATE guarded by the version and the
wake-up (the only column changed without a new version, by :meth:`SQLiteStore.reschedule`); if
another writer got there first the guard fails and the append reads the row, as it does for a
complaint it has not written.

Records (streams of other kinds: improvement tasks, ideas, activities, ...) are rows of the same
events table, so the table's integer key is the one sequence of the global log: a row's ``kind``
is NULL for a complaint event (the complaint-only reads filter on it, and a complaint append
writes no more than before) and the stream's kind for a record, whose ``stream_id`` and
``version`` are unique among records by a partial index (the database itself refuses a second
record at a version). A ``streams`` row per record stream keeps its version, the position of its
latest record and the order streams were first stored; ``checkpoints`` keeps each projection's
position and state, written together in one transaction.

>>> from datetime import datetime, timezone
>>> from ccms.model import fold
>>> from ccms.testing.conformance.store import received_event
>>> e = received_event("c1", datetime(2026, 10, 1, 9, tzinfo=timezone.utc), code="PRD.DEF")
>>> with SQLiteStore() as store:
...     _ = store.append(fold([e]), [e], expected_version=0)
...     store.get("c1") == fold([e]), store.query(code_prefix="PRD")[0].id
(True, 'c1')

A time zone comes back as its UTC offset (the instant and the offset are kept, the zone's name is
not); the complaint compares equal to the one written.
The package's parts: :mod:`~ccms.store.sqlite.schema` (tables and migrations),
:mod:`~ccms.store.sqlite.connection` (ccms errors for every driver error),
:mod:`~ccms.store.sqlite.statements`, :mod:`~ccms.store.sqlite.append`,
:mod:`~ccms.store.sqlite.queries`, :mod:`~ccms.store.sqlite.records`,
:mod:`~ccms.store.sqlite.redaction`, and :mod:`~ccms.store.sqlite.store`, which puts them together.
"""

from __future__ import annotations

from ccms.store.sqlite.schema import APPLICATION_ID, SCHEMA_VERSION
from ccms.store.sqlite.store import SQLiteStore

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "SQLiteStore"]
