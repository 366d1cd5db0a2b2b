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
>>> from ccms.testing.store_contract import received_event
>>> e = received_event("c1", datetime(2026, 10, 1, 9, tzinfo=timezone.utc), code="PRD.DEF")
>>> with SQLiteStore() as store:
...     _ = store.append(fold([e]), [e], expected_version=0)
...     store.get("c1") == fold([e]), store.query(code_prefix="PRD")[0].id
(True, 'c1')

A time zone comes back as its UTC offset (the instant and the offset are kept, the zone's name is
not); the complaint compares equal to the one written.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from ccms.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    StoreBusy,
    StoreError,
)
from ccms.model import Complaint, Customer, DomainEvent, event_from_json
from ccms.store.base import (
    ASAP,
    COMPLAINT,
    AppendResult,
    CheckpointConflict,
    ComplaintQuery,
    CustomerNotFound,
    LogEntry,
    NotACcmsStore,
    Record,
    RecordAppendResult,
    StoreClosed,
    StoredEvent,
    StoredRecord,
    StoreReadOnly,
    StoreSchemaError,
    StreamConflict,
    check_append,
    check_checkpoint,
    check_due,
    check_fingerprint,
    check_id,
    check_key,
    check_kind,
    check_log,
    check_records,
    check_version,
    check_wake_at,
    customer_json,
    events_fingerprint,
    from_micros,
    key_conflict,
    micros,
    record_from_json,
    record_json,
    records_fingerprint,
)

__all__ = ["SCHEMA_VERSION", "SQLiteStore"]

#: The schema this module writes, kept in ``PRAGMA user_version``.
SCHEMA_VERSION = 5
#: The oldest schema a read-only store reads as it is (it cannot migrate): 4 and 5 differ only
#: in the idempotency keys' fingerprints.
_OLDEST_READABLE = 4
#: ``PRAGMA application_id`` of a ccms store ("ccms" in ASCII), set since schema 5.
APPLICATION_ID = 0x63636D73
#: The tables every ccms store has had since schema 1.
_CCMS_TABLES = frozenset({"complaints", "events", "idempotency", "customers"})

#: What schema 4 adds to 3 (created as written here by a new file and by the migration 3 -> 4):
#: the record streams, the partial unique index of record rows, and the checkpoints.
_RECORD_OBJECTS = """
CREATE TABLE streams (
    seq      INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    id       TEXT NOT NULL,
    version  INTEGER NOT NULL,
    last_pos INTEGER NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX streams_kind ON streams (kind, seq);
CREATE UNIQUE INDEX events_records ON events (kind, stream_id, version) WHERE kind IS NOT NULL;
CREATE TABLE checkpoints (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    state    TEXT NOT NULL
);
"""

_SCHEMA = (
    """
CREATE TABLE complaints (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    version     INTEGER NOT NULL,
    received_us INTEGER NOT NULL,
    stage       TEXT NOT NULL,
    department  TEXT,
    handler     TEXT,
    closed_us   INTEGER,
    due_us      INTEGER,
    customer_id TEXT NOT NULL,
    channel     TEXT NOT NULL,
    body        TEXT NOT NULL,
    wake_us     INTEGER,
    codes       TEXT NOT NULL DEFAULT '',
    last_pos    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX complaints_received ON complaints (received_us, id);
CREATE INDEX complaints_stage ON complaints (stage);
CREATE INDEX complaints_department ON complaints (department) WHERE department IS NOT NULL;
CREATE INDEX complaints_handler ON complaints (handler, closed_us) WHERE handler IS NOT NULL;
CREATE INDEX complaints_customer ON complaints (customer_id);
CREATE INDEX complaints_due ON complaints (due_us) WHERE closed_us IS NULL AND due_us IS NOT NULL;
CREATE INDEX complaints_wake ON complaints (wake_us, id) WHERE closed_us IS NULL AND wake_us IS NOT NULL;
CREATE TABLE events (
    position     INTEGER PRIMARY KEY,
    stream_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    type         TEXT NOT NULL,
    body         TEXT NOT NULL,
    prev         INTEGER,
    kind         TEXT
);
CREATE TABLE idempotency (
    key          TEXT PRIMARY KEY,
    stream_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    snapshot     TEXT NOT NULL,
    first_pos    INTEGER NOT NULL DEFAULT 0,
    last_pos     INTEGER NOT NULL DEFAULT 0,
    kind         TEXT,
    fingerprint  TEXT
);
CREATE TABLE customers (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
"""
    + _RECORD_OBJECTS
)

#: The indexes 2 -> 3 redefines, as in _SCHEMA.
_INDEXES = tuple(
    line.rstrip(";")
    for line in _SCHEMA.splitlines()
    if line.startswith("CREATE INDEX complaints_")
    and line.split()[2]
    in {"complaints_department", "complaints_handler", "complaints_due", "complaints_wake"}
)

#: How a file of an older schema is brought to the next version, inside the migration's
#: transaction (a failure leaves the file as it was).
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 1 -> 2: the wake-up schedule (every open complaint wakes at the next tick) and the sorted
    # codes beside the snapshot (NULL: not known; 2 -> 3 fills them in).
    1: (
        "ALTER TABLE complaints ADD COLUMN wake_us INTEGER",
        "ALTER TABLE complaints ADD COLUMN codes TEXT",
        f"UPDATE complaints SET wake_us = {micros(ASAP)} WHERE closed_us IS NULL",
        "CREATE INDEX complaints_wake ON complaints (wake_us, id) WHERE closed_us IS NULL",
    ),
    # 2 -> 3: a complaint's events are found along a chain (complaints.last_pos, then each
    # event's prev) instead of the (complaint_id, position) index every append had to write; an
    # idempotency key keeps the positions of its append (always contiguous); the codes live in
    # complaints.codes only (the code_prefix query scanned the complaints anyway); indexes leave
    # out the rows no query looks for (NULL department, handler, deadline or wake-up).
    2: (
        "ALTER TABLE complaints ADD COLUMN last_pos INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE events ADD COLUMN prev INTEGER",
        "ALTER TABLE idempotency ADD COLUMN first_pos INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE idempotency ADD COLUMN last_pos INTEGER NOT NULL DEFAULT 0",
        "UPDATE events SET prev = COALESCE((SELECT MAX(p.position) FROM events p "
        "WHERE p.complaint_id = events.complaint_id AND p.position < events.position), 0)",
        "UPDATE complaints SET last_pos = COALESCE((SELECT MAX(e.position) FROM events e "
        "WHERE e.complaint_id = complaints.id), 0)",
        "UPDATE idempotency SET "
        "first_pos = COALESCE((SELECT MIN(e.position) FROM events e "
        "WHERE e.complaint_id = idempotency.complaint_id AND e.version = idempotency.version), 0), "
        "last_pos = COALESCE((SELECT MAX(e.position) FROM events e "
        "WHERE e.complaint_id = idempotency.complaint_id AND e.version = idempotency.version), 0)",
        "UPDATE complaints SET codes = COALESCE((SELECT group_concat(k.code, char(10)) "
        "FROM complaint_codes k WHERE k.complaint_id = complaints.id), '')",
        "DROP TABLE complaint_codes",
        "DROP INDEX events_complaint",
        "DROP INDEX complaints_department",
        "DROP INDEX complaints_handler",
        "DROP INDEX complaints_due",
        "DROP INDEX complaints_wake",
        *_INDEXES,
    ),
    # 3 -> 4: records in the events table (kind NULL: a complaint event, as every row so far),
    # the complaint id columns renamed for what they hold now (a stream's id), and the record
    # streams and checkpoints. No row is rewritten.
    3: (
        "ALTER TABLE events RENAME COLUMN complaint_id TO stream_id",
        "ALTER TABLE events ADD COLUMN kind TEXT",
        "ALTER TABLE idempotency RENAME COLUMN complaint_id TO stream_id",
        "ALTER TABLE idempotency ADD COLUMN kind TEXT",
        *(part.strip() for part in _RECORD_OBJECTS.split(";") if part.strip()),
    ),
    # 4 -> 5: an idempotency key keeps the fingerprint of its command (NULL for the keys stored
    # before: they match on their stream alone, as they did); the file says it is a ccms store.
    4: (
        "ALTER TABLE idempotency ADD COLUMN fingerprint TEXT",
        f"PRAGMA application_id = {APPLICATION_ID}",
    ),
}

_BATCH = 1000
#: Records per INSERT (5 parameters each, under the 999 of older SQLite builds).
_RECORD_ROWS = 199
#: How many complaints' last written columns an object remembers (see ``SQLiteStore.append``).
_REMEMBERED = 4096
#: The ids due at a moment: a range scan of the partial index, already in (wake_us, id) order.
_DUE = (
    "SELECT id FROM complaints INDEXED BY complaints_wake "
    "WHERE closed_us IS NULL AND wake_us <= ? ORDER BY wake_us, id LIMIT ?"
)
#: A complaint's events, newest first: from complaints.last_pos along each event's prev (NULL
#: for the event just before, in the same append; 0 after the complaint's first event).
_CHAIN = """
WITH RECURSIVE chain(position, type, body, next) AS (
    SELECT e.position, e.type, e.body, COALESCE(e.prev, e.position - 1)
    FROM complaints c JOIN events e ON e.position = c.last_pos WHERE c.id = ?
    UNION ALL
    SELECT e.position, e.type, e.body, COALESCE(e.prev, e.position - 1)
    FROM chain JOIN events e ON e.position = chain.next
)
SELECT position, type, body FROM chain
"""


def _micros_or_none(value: datetime | None) -> int | None:
    return None if value is None else micros(value)


#: The columns a snapshot fills beside its body, in the order :func:`_columns` gives them.
_COLUMNS = (
    "stage",
    "department",
    "handler",
    "closed_us",
    "due_us",
    "wake_us",
    "codes",
    "received_us",
    "customer_id",
    "channel",
)
_WAKE_COLUMN = _COLUMNS.index("wake_us")
_INDEXES_OF_COLUMNS = range(len(_COLUMNS))
_CURRENT = f"SELECT seq, version, last_pos, {', '.join(_COLUMNS)} FROM complaints WHERE id = ?"
_INSERT_COMPLAINT = (
    f"INSERT INTO complaints ({', '.join(_COLUMNS)}, version, body, last_pos, id) "
    f"VALUES ({', '.join('?' * (len(_COLUMNS) + 4))})"
)


def _columns(c: Complaint, wake_us: int | None, codes: str) -> tuple[Any, ...]:
    return (
        c.stage,
        c.department,
        c.handler,
        _micros_or_none(c.closed_at),
        _micros_or_none(c.due_at),
        wake_us,
        codes,
        micros(c.received_at),
        c.customer.id,
        c.channel.value,
    )


@functools.cache
def _update(changed: tuple[int, ...], guarded: bool) -> str:
    """The UPDATE of a snapshot that sets only the ``changed`` columns (by index in _COLUMNS).

    ``guarded``: only if the version and the wake-up are still the ones given last.
    """
    sets = "".join(f"{_COLUMNS[i]} = ?, " for i in changed)
    guard = " AND version = ? AND wake_us IS ?" if guarded else ""
    return f"UPDATE complaints SET {sets}version = ?, body = ?, last_pos = ? WHERE seq = ?{guard}"


@functools.cache
def _insert_events(count: int) -> str:
    """One INSERT of ``count`` complaint events (stream_id: the complaint's id, version, type,
    body, prev); ``kind`` is left NULL, which is what makes them complaint events."""
    rows = ", ".join(["(?, ?, ?, ?, ?)"] * count)
    return f"INSERT INTO events (stream_id, version, type, body, prev) VALUES {rows}"


@functools.cache
def _insert_records(count: int) -> str:
    """One INSERT of ``count`` records (kind, stream_id, version, type, body)."""
    rows = ", ".join(["(?, ?, ?, ?, ?)"] * count)
    return f"INSERT INTO events (kind, stream_id, version, type, body) VALUES {rows}"


#: The columns of a log row, as :func:`_entry` reads them.
_LOG_COLUMNS = "position, kind, stream_id, version, type, body"


_SAVE_CUSTOMER = (
    "INSERT INTO customers (id, body) VALUES (?, ?) "
    "ON CONFLICT (id) DO UPDATE SET body = excluded.body"
)


def _customer_row(customer: object) -> tuple[str, str] | None:
    """(id, body) of a customer to store, or ``None``; anything else is InvalidInput."""
    if customer is None:
        return None
    if not isinstance(customer, Customer):
        raise InvalidInput(f"customer must be a Customer, got {type(customer).__name__}")
    return customer.id, customer_json(customer)


def _entry(row: tuple[Any, ...]) -> LogEntry:
    position, kind, stream_id, version, type_, body = row
    if kind is None:
        return StoredEvent(position, event_from_json(body, type_))
    return StoredRecord(position, record_from_json(kind, stream_id, version, type_, body))


#: What an object remembers of a complaint it wrote: (seq, version, last_pos, columns).
_Row = tuple[int, int, int, tuple[Any, ...]]

#: SQLite's primary result codes for a database another connection holds.
_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
_READONLY_CODE = 8  # SQLITE_READONLY


class _Connection(sqlite3.Connection):
    """A connection whose statements raise ccms errors: a busy or locked database as
    :class:`~ccms.errors.StoreBusy`, a write to a read-only one as
    :class:`~ccms.store.StoreReadOnly`, any other failure (disk full, I/O, a damaged file) as
    :class:`~ccms.errors.StoreError`; never a raw driver error."""

    label = "SQLiteStore"

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as err:
            raise _translated(err, self.label, sql) from err


def _translated(err: sqlite3.Error, label: str, sql: str) -> StoreError:
    code = getattr(err, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    text = str(err)
    operation = sql.split(None, 1)[0].upper() if sql.strip() else "a statement"
    if primary in _BUSY_CODES or "locked" in text or "busy" in text:
        return StoreBusy(label, operation, text)
    if primary == _READONLY_CODE or "readonly" in text:
        return StoreReadOnly(label, operation)
    return StoreError(f"{label}: SQLite could not run {operation}: {text}")


class SQLiteStore:
    """A :class:`~ccms.store.ComplaintStore` in an SQLite database (``":memory:"`` by default).

    One connection per store object, guarded by a lock, so an object may be shared between
    threads; open one object per process (or per thread, for parallel reads) on the same file for
    concurrent writers. ``timeout`` is how many seconds a writer waits for another's transaction.

    ``durability`` is what a committed append survives: ``"full"`` (the default: SQLite's
    ``synchronous=FULL``, every commit reaches the disk before it returns, so an OS crash or a
    power cut loses nothing acknowledged) or ``"normal"`` (``synchronous=NORMAL``: a commit
    survives the process being killed, but an OS crash can lose the last ones; several times
    faster per commit, for demos, tests and bulk loads that can be run again).

    >>> SQLiteStore(durability="fast")
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: durability must be 'full' or 'normal', got 'fast'
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        timeout: float = 30.0,
        durability: Literal["full", "normal"] = "full",
        read_only: bool = False,
    ) -> None:
        if durability not in ("full", "normal"):
            raise InvalidInput(f"durability must be 'full' or 'normal', got {durability!r}")
        self.durability = durability
        self.path = str(path)
        self.read_only = bool(read_only)
        self._lock = threading.RLock()
        self._closed = False
        self._rows: dict[str, _Row] = {}
        memory = self.path == ":memory:" or self.path.startswith("file::memory:")
        if self.read_only:
            if memory:
                raise InvalidInput("a read-only SQLiteStore needs the path of a store file")
            if not Path(self.path).is_file():
                raise NotACcmsStore(self.path, "there is no such file")
            # A URI with mode=ro: SQLite itself refuses every write on this connection.
            target = Path(self.path).resolve().as_uri() + "?mode=ro"
        else:
            target = self.path
        try:
            conn = sqlite3.connect(
                target,
                timeout=timeout,
                isolation_level=None,
                check_same_thread=False,
                factory=_Connection,
                uri=self.read_only,
            )
        except sqlite3.Error as err:
            raise StoreError(f"cannot open {self.path} as an SQLite database: {err}") from err
        self._conn = conn
        conn.label = repr(self)
        try:
            # Before anything is written (the journal mode included): is it a ccms store?
            self._schema = self._identify()
            if self.read_only:
                conn.execute("PRAGMA query_only = ON")
            else:
                if not memory:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(f"PRAGMA synchronous={durability.upper()}")
                self._migrate()
                self._schema = SCHEMA_VERSION
        except BaseException:
            conn.close()
            raise

    def __repr__(self) -> str:
        if getattr(self, "read_only", False):
            return f"SQLiteStore({self.path!r}, read_only=True)"
        return f"SQLiteStore({self.path!r})"

    # -- plumbing ---------------------------------------------------------------------------

    def _identify(self) -> int:
        """The file's ccms schema version (0: an empty database a writable store may create);
        raises :class:`~ccms.store.NotACcmsStore` for anything else and
        :class:`~ccms.store.StoreSchemaError` for a version this ccms cannot use. Reads only."""
        conn = self._conn
        try:
            (found,) = conn.execute("PRAGMA user_version").fetchone()
            (app,) = conn.execute("PRAGMA application_id").fetchone()
            tables = {
                str(name)
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }
        except StoreBusy:
            raise
        except (sqlite3.DatabaseError, StoreError) as err:
            reason = err.__cause__ if isinstance(err, StoreError) and err.__cause__ else err
            raise NotACcmsStore(self.path, f"it is not an SQLite database ({reason})") from None
        if app not in (0, APPLICATION_ID):
            raise NotACcmsStore(
                self.path, f"it is another program's SQLite database (application_id {app})"
            )
        if found == 0:
            if tables:
                shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
                raise NotACcmsStore(
                    self.path, f"it is an SQLite database of other tables ({shown}), no ccms schema"
                )
            if self.read_only:
                raise NotACcmsStore(self.path, "it is an empty SQLite database")
            return 0
        if not tables >= _CCMS_TABLES:
            raise NotACcmsStore(
                self.path,
                f"it has user_version {found} but not the ccms tables (complaints, events)",
            )
        if found > SCHEMA_VERSION:
            raise StoreSchemaError(
                self.path,
                found=found,
                supported=SCHEMA_VERSION,
                what="open it with the ccms that wrote it",
            )
        if self.read_only and found < _OLDEST_READABLE:
            raise StoreSchemaError(
                self.path,
                found=found,
                supported=SCHEMA_VERSION,
                what="a read-only store cannot upgrade it: open it once with SQLiteStore(path)",
            )
        return int(found)

    def _writable(self, operation: str) -> None:
        if self.read_only:
            raise StoreReadOnly(repr(self), operation)

    def _migrate(self) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            (found,) = conn.execute("PRAGMA user_version").fetchone()
            if found == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif found in _MIGRATIONS:
                for version in range(found, SCHEMA_VERSION):
                    for statement in _MIGRATIONS[version]:
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            elif found != SCHEMA_VERSION:
                raise StoreSchemaError(
                    self.path,
                    found=found,
                    supported=SCHEMA_VERSION,
                    what="open it with the ccms that wrote it (this one migrates older ones)",
                )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreClosed(repr(self))
        return self._conn

    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode for this database (``"wal"`` for files)."""
        with self._lock:
            (mode,) = self._db().execute("PRAGMA journal_mode").fetchone()
        return str(mode)

    # -- writing ----------------------------------------------------------------------------

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
        customer_row = _customer_row(customer)
        cid = complaint.id
        version = complaint.version
        count = len(batch)
        snapshot = complaint.model_dump_json()
        codes = sorted(set(complaint.codes))
        columns = _columns(complaint, None if wake is None else micros(wake), "\n".join(codes))
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
                    if customer_row is not None:
                        conn.execute(_SAVE_CUSTOMER, customer_row)
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
            codes = "\n".join(sorted(set(complaint.codes)))
            rows: list[Any] = []
            for e in batch:
                rows.extend((complaint.id, complaint.version, e.type, e.model_dump_json(), None))
            rows[4] = 0  # a new complaint's first event links to nothing
            prepared.append(
                (
                    complaint,
                    batch,
                    rows,
                    _columns(complaint, wake, codes),
                    complaint.model_dump_json(),
                )
            )
        out: list[AppendResult | None] = []
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                seen: set[str] = set()
                for complaint, batch, rows, columns, snapshot in prepared:
                    cid = complaint.id
                    if cid in seen or conn.execute(_CURRENT, (cid,)).fetchone() is not None:
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
        if fingerprint is not None and stored is not None and stored != fingerprint:
            cid = earlier.complaint.id
            conflict = key_conflict(
                key, first=(stored, cid, False), then=(fingerprint, None, False)
            )
            assert conflict is not None
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
        result = AppendResult(
            Complaint.model_validate_json(snapshot),
            tuple(event_from_json(body, type_) for _, type_, body in rows),
            True,
            tuple(int(p) for p, _, _ in rows),
        )
        return result, stored

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
        row = _customer_row(customer)
        assert row is not None
        with self._lock:
            self._db().execute(_SAVE_CUSTOMER, row)

    # -- reading ----------------------------------------------------------------------------

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

    @staticmethod
    def _where(q: ComplaintQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if q.stages is not None:
            clauses.append(f"stage IN ({', '.join('?' * len(q.stages))})")
            params.extend(sorted(q.stages))
        for column, value in (
            ("department", q.department),
            ("handler", q.handler),
            ("customer_id", q.customer_id),
            ("channel", None if q.channel is None else q.channel.value),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if q.open_only:
            clauses.append("closed_us IS NULL")
        if q.overdue_at is not None:
            clauses.append("closed_us IS NULL AND due_us < ?")
            params.append(micros(q.overdue_at))
        if q.received_from is not None:
            clauses.append("received_us >= ?")
            params.append(micros(q.received_from))
        if q.received_to is not None:
            clauses.append("received_us < ?")
            params.append(micros(q.received_to))
        if q.code_prefix is not None:
            # codes holds the sorted codes one per line (a code has no line break): a code starts
            # with the prefix where a line does.
            if "\n" in q.code_prefix:
                clauses.append("0")
            else:
                clauses.append("codes <> '' AND instr(char(10) || codes, char(10) || ?) > 0")
                params.append(q.code_prefix)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return where, params

    def query(self, query: ComplaintQuery | None = None, /, **filters: Any) -> list[Complaint]:
        """Complaints matching the filters, ordered by ``(received_at, id)``."""
        q = ComplaintQuery.build(query, **filters)
        if q.stages is not None and not q.stages:
            return []
        where, params = self._where(q)
        sql = f"SELECT body FROM complaints{where} ORDER BY received_us, id"
        if q.limit is not None:
            sql += " LIMIT ?"
            params.append(q.limit)
        with self._lock:
            rows = self._db().execute(sql, params).fetchall()
        return [Complaint.model_validate_json(body) for (body,) in rows]

    def count(self, query: ComplaintQuery | None = None, /, **filters: Any) -> int:
        """How many complaints :meth:`query` would return, counted in SQL."""
        q = ComplaintQuery.build(query, **filters)
        if q.stages is not None and not q.stages:
            return 0
        where, params = self._where(q)
        with self._lock:
            (n,) = self._db().execute(f"SELECT COUNT(*) FROM complaints{where}", params).fetchone()
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

    # -- records, the global log, checkpoints ------------------------------------------------------

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
                yield _entry(row)

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

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; further use raises StoreClosed. Closing twice is fine."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- personal data: erasure and retention (docs/privacy.md) ------------------------------

    #: A complaint's stored events (position, type, version), newest first, along the chain.
    _REDACT_CHAIN = """
    WITH RECURSIVE chain(position, type, version, next) AS (
        SELECT e.position, e.type, e.version, COALESCE(e.prev, e.position - 1)
        FROM complaints c JOIN events e ON e.position = c.last_pos WHERE c.id = ?
        UNION ALL
        SELECT e.position, e.type, e.version, COALESCE(e.prev, e.position - 1)
        FROM chain JOIN events e ON e.position = chain.next
    )
    SELECT position, type, version FROM chain
    """

    def redact(
        self,
        complaints: Sequence[tuple[Complaint, Sequence[DomainEvent]]] = (),
        *,
        customer: Customer | None = None,
    ) -> None:
        """Rewrite stored personal data in place in one ``BEGIN IMMEDIATE`` transaction, with
        ``secure_delete`` on (the replaced rows' bytes are overwritten with zeros), then
        checkpoint the WAL (``TRUNCATE``: the log's old page images go too); see the port.

        Older copies in free pages, left by writes made before with ``secure_delete`` off
        (each append rewrites the snapshot), stay until ``VACUUM``: run it after an erasure
        (see ``docs/privacy.md``)."""
        import logging

        from ccms.store.redaction import check_history, check_redaction, folded_at

        self._writable("redact")
        items, customer = check_redaction(complaints, customer)
        prepared = [
            (snapshot, history, snapshot.model_dump_json(), [e.model_dump_json() for e in history])
            for snapshot, history in items
        ]
        body = None if customer is None else customer_json(customer)
        with self._lock:
            conn = self._db()
            (secure,) = conn.execute("PRAGMA secure_delete").fetchone()
            conn.execute("PRAGMA secure_delete = ON")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for snapshot, history, snapshot_json, bodies in prepared:
                        cid = snapshot.id
                        row = conn.execute(
                            "SELECT version FROM complaints WHERE id = ?", (cid,)
                        ).fetchone()
                        if row is None:
                            raise ComplaintNotFound(cid)
                        if row[0] != snapshot.version:
                            raise ConcurrencyConflict(
                                cid, expected=snapshot.version, actual=int(row[0])
                            )
                        stored = sorted(conn.execute(self._REDACT_CHAIN, (cid,)).fetchall())
                        check_history(cid, [(t, int(v)) for _, t, v in stored], history)
                        for b, (p, _, _) in zip(bodies, stored, strict=True):
                            conn.execute("UPDATE events SET body = ? WHERE position = ?", (b, p))
                        conn.execute(
                            "UPDATE complaints SET body = ?, customer_id = ? WHERE id = ?",
                            (snapshot_json, snapshot.customer.id, cid),
                        )
                        keys = conn.execute(
                            "SELECT key, version FROM idempotency "
                            "WHERE stream_id = ? AND kind IS NULL",
                            (cid,),
                        ).fetchall()
                        for key, version in keys:
                            conn.execute(
                                "UPDATE idempotency SET snapshot = ? WHERE key = ?",
                                (folded_at(history, int(version)).model_dump_json(), key),
                            )
                        self._rows.pop(cid, None)
                    if customer is not None:
                        conn.execute(
                            "INSERT INTO customers (id, body) VALUES (?, ?) "
                            "ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                            (customer.id, body),
                        )
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            finally:
                conn.execute(f"PRAGMA secure_delete = {int(secure)}")
            if self.path != ":memory:" and not self.path.startswith("file::memory:"):
                busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if busy:  # a reader holds the log: its old pages go at the next checkpoint
                    logging.getLogger("ccms.store").warning(
                        "%r: the WAL checkpoint after a redaction was blocked by a reader; "
                        "the replaced bytes leave the -wal file at the next checkpoint",
                        self,
                    )
