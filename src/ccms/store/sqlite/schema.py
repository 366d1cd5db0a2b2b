"""The SQLite store's schema: the tables a new file gets, and the migrations that bring an
older file to :data:`SCHEMA_VERSION` (``PRAGMA user_version``) in one transaction."""

from __future__ import annotations

import sqlite3

from ccms.errors import (
    NotACcmsStore,
    StoreBusy,
    StoreError,
    StoreSchemaError,
)
from ccms.store.codec import micros
from ccms.store.schedule import ASAP

__all__ = ["APPLICATION_ID", "SCHEMA_VERSION", "identify", "migrate"]

#: The schema this module writes, kept in ``PRAGMA user_version``.
SCHEMA_VERSION = 6
#: The oldest schema a read-only store reads as it is (it cannot migrate): 4, 5 and 6 differ
#: only in the idempotency keys' fingerprints.
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
    # 5 -> 6: a redaction neutralises the fingerprints of its complaint's keys (the digest of a
    # receive covers the customer's contact details; see ccms.store.idempotency.neutralised):
    # the keys of complaints redacted before keep only their command's name, as a redaction
    # now leaves them.
    5: (
        "UPDATE idempotency SET fingerprint = substr(fingerprint, 1, instr(fingerprint, ':')) "
        "WHERE kind IS NULL AND fingerprint IS NOT NULL AND stream_id IN "
        "(SELECT stream_id FROM events WHERE kind IS NULL AND type = 'redacted')",
    ),
}


def identify(conn: sqlite3.Connection, path: str, read_only: bool) -> int:
    """The file's ccms schema version (0: an empty database a writable store may create);
    raises :class:`~ccms.store.NotACcmsStore` for anything else and
    :class:`~ccms.store.StoreSchemaError` for a version this ccms cannot use. Reads only."""
    try:
        # One read transaction: the version and the tables of one moment. Read one by one, a
        # process creating the schema in between made an empty file look like another program's.
        conn.execute("BEGIN")
        try:
            (found,) = conn.execute("PRAGMA user_version").fetchone()
            (app,) = conn.execute("PRAGMA application_id").fetchone()
            tables = {
                str(name)
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            }
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # nothing was written
    except StoreBusy:
        raise
    except (sqlite3.DatabaseError, StoreError) as err:
        reason = err.__cause__ if isinstance(err, StoreError) and err.__cause__ else err
        raise NotACcmsStore(path, f"it is not an SQLite database ({reason})") from None
    if app not in (0, APPLICATION_ID):
        raise NotACcmsStore(path, f"it is another program's SQLite database (application_id {app})")
    if found == 0:
        if tables:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise NotACcmsStore(
                path, f"it is an SQLite database of other tables ({shown}), no ccms schema"
            )
        if read_only:
            raise NotACcmsStore(path, "it is an empty SQLite database")
        return 0
    if not tables >= _CCMS_TABLES:
        raise NotACcmsStore(
            path,
            f"it has user_version {found} but not the ccms tables (complaints, events)",
        )
    if found > SCHEMA_VERSION:
        raise StoreSchemaError(
            path,
            found=found,
            supported=SCHEMA_VERSION,
            what="open it with the ccms that wrote it",
        )
    if read_only and found < _OLDEST_READABLE:
        raise StoreSchemaError(
            path,
            found=found,
            supported=SCHEMA_VERSION,
            what="a read-only store cannot upgrade it: open it once with SQLiteStore(path)",
        )
    return int(found)


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Create the schema in an empty file, or run the migrations an older one lacks, in one
    ``BEGIN IMMEDIATE`` transaction (a failure leaves the file as it was)."""
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
                path,
                found=found,
                supported=SCHEMA_VERSION,
                what="open it with the ccms that wrote it (this one migrates older ones)",
            )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
