"""The PostgreSQL store (psycopg 3 with :mod:`psycopg_pool`): many writer processes, no table lock.

Install the extra (``pip install 'ccms[postgres]'``) and give the store a URL (it opens its own
pool) or a :class:`psycopg_pool.ConnectionPool` of autocommit connections (shared with the host)::

    from ccms.store.postgres import PostgresStore

    with PostgresStore("postgresql://ccms@db.internal/ccms", schema="ccms") as store:
        store.append(complaint, events, expected_version=0)

The schema is created, and upgraded, by the versioned :data:`MIGRATIONS` when a store opens (or
explicitly: :func:`migrate`); the ``schema_version`` table records which ran.

**Layout.** One ``events`` table holds the global log: complaint events (``kind`` ``'complaint'``)
and records of every other kind, keyed by ``position``; the database enforces
``UNIQUE (kind, stream_id, version, idx)`` (``idx``: the event's place within its append, 0 for a
record), so a second append at a stream's version is refused whatever the code above does. Each
complaint's snapshot is a ``complaints`` row beside the columns the queries filter on (instants as
UTC epoch microseconds, ids in the ``"C"`` collation, so ranges compare instants and ties sort as
Python sorts ``str``); ``streams`` keeps each record stream's version; ``idempotency`` the keys
(complaints and records share them); ``checkpoints`` each projection's position and state, written
together. Bodies are JSON kept as ``text``, exactly as written (``jsonb`` would refuse ``\\u0000``
and drop ``-0.0``).

**Positions without a table lock.** An append is one ``CALL`` of a server-side procedure (one
round trip): it checks the idempotency key, moves the stream's row on with a guarded ``UPDATE``
(``... WHERE version = expected``: the loser of a race waits for the winner's row, then sees the
new version and gets :class:`~ccms.errors.ConcurrencyConflict`), records the key, and only then, as
its last statements, takes the positions from a one-row counter
(``UPDATE log_position SET last = last + n RETURNING last``) and inserts the events. The counter's
row lock is what orders the log: the next writer cannot take positions before this transaction has
ended, and PostgreSQL makes a transaction visible before it releases its locks, so transactions
become visible in position order and every reader's snapshot holds a prefix of the log: no reader
ever sees a gap that fills later, and the positions are contiguous (a refused append takes none).
Everything before the counter (the JSON, the snapshot row and its indexes, the key) runs in
parallel; writers queue only for the counter, and only while a transaction commits.

A commit waits for the WAL to reach the disk, and a lock is held until the commit ends, so a
counter held through that wait would let one transaction flush at a time (8 writers no faster
than one, as with eventsourcing's ``LOCK TABLE``). So the procedure commits the append with
``synchronous_commit = off`` (its commit record is written, the transaction is visible and the
counter released at once), then writes one WAL record (``pg_logical_emit_message``) in a second
transaction that commits with the session's own ``synchronous_commit``: its flush covers every WAL
record before it, the append's included, and the flushes of concurrent writers are one fsync
(PostgreSQL's group commit). The ``CALL`` returns only after that flush, so an acknowledged append
is as durable as the server's ``synchronous_commit`` makes any commit. What a crash in between
loses was never acknowledged, and is a suffix of the log (the WAL is one sequence), so no gap
either. :meth:`PostgresStore.log` and :meth:`PostgresStore.stream` go one step further: they yield
a batch only once the WAL is flushed past it, so a projection never applies an entry a
server crash could take back. ``docs/postgres.md`` has the whole argument and the figures.

>>> from ccms.store.postgres import MIGRATIONS, SCHEMA_VERSION
>>> [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
True
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Final, Self

import attrs

try:
    import psycopg
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "ccms.store.postgres needs psycopg 3 and psycopg_pool: pip install 'ccms[postgres]'"
    ) from missing

from ccms.errors import (
    CCMSError,
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
    Record,
    RecordAppendResult,
    StoreClosed,
    StoredEvent,
    StoredRecord,
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

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration", "PostgresStore", "migrate"]

Connection = psycopg.Connection[tuple[Any, ...]]
Pool = ConnectionPool[Connection]


@attrs.frozen(slots=True)
class Migration:
    """One step of the schema: ``sql`` (with ``{s}`` for the quoted schema name) brings a schema
    at ``version - 1`` to ``version``, in the transaction that records it in ``schema_version``."""

    version: int
    description: str
    sql: str


_V1 = """
CREATE TABLE {s}.log_position (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    last bigint NOT NULL
);
INSERT INTO {s}.log_position (id, last) VALUES (true, 0);

CREATE TABLE {s}.events (
    position  bigint PRIMARY KEY,
    kind      text COLLATE "C" NOT NULL,
    stream_id text COLLATE "C" NOT NULL,
    version   bigint NOT NULL,
    idx       integer NOT NULL,
    type      text COLLATE "C" NOT NULL,
    body      text NOT NULL,
    CONSTRAINT events_stream_version UNIQUE (kind, stream_id, version, idx)
);

CREATE TABLE {s}.complaints (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          text COLLATE "C" NOT NULL UNIQUE,
    version     bigint NOT NULL,
    received_us bigint NOT NULL,
    stage       text COLLATE "C" NOT NULL,
    department  text COLLATE "C",
    handler     text COLLATE "C",
    closed_us   bigint,
    due_us      bigint,
    customer_id text COLLATE "C" NOT NULL,
    channel     text COLLATE "C" NOT NULL,
    codes       text[] COLLATE "C" NOT NULL,
    wake_us     bigint,
    body        text NOT NULL
);
CREATE INDEX complaints_received ON {s}.complaints (received_us, id);
CREATE INDEX complaints_stage ON {s}.complaints (stage);
CREATE INDEX complaints_department ON {s}.complaints (department) WHERE department IS NOT NULL;
CREATE INDEX complaints_handler ON {s}.complaints (handler, closed_us) WHERE handler IS NOT NULL;
CREATE INDEX complaints_customer ON {s}.complaints (customer_id);
CREATE INDEX complaints_due ON {s}.complaints (due_us)
    WHERE closed_us IS NULL AND due_us IS NOT NULL;
CREATE INDEX complaints_wake ON {s}.complaints (wake_us, id)
    WHERE closed_us IS NULL AND wake_us IS NOT NULL;

CREATE TABLE {s}.streams (
    seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind    text COLLATE "C" NOT NULL,
    id      text COLLATE "C" NOT NULL,
    version bigint NOT NULL,
    UNIQUE (kind, id)
);
CREATE INDEX streams_kind ON {s}.streams (kind, seq);

CREATE TABLE {s}.idempotency (
    key           text COLLATE "C" PRIMARY KEY,
    kind          text COLLATE "C" NOT NULL,
    stream_id     text COLLATE "C" NOT NULL,
    first_version bigint NOT NULL,
    last_version  bigint NOT NULL,
    snapshot      text
);

CREATE TABLE {s}.customers (
    id   text COLLATE "C" PRIMARY KEY,
    body text NOT NULL
);

CREATE TABLE {s}.checkpoints (
    name     text COLLATE "C" PRIMARY KEY,
    position bigint NOT NULL,
    state    text NOT NULL
);

-- One append of complaint events, in one CALL: the key, the snapshot row (guarded by the
-- version), the key's row, then the positions, last; the commit, asynchronous, releases the
-- counter at once; then one WAL record committed with the session's synchronous_commit, whose
-- flush makes the append durable before the CALL returns (see the module's docs). Sets outcome
-- to 'written' (first_position, actual: the new version), 'conflict' (actual: the stored
-- version) or 'key' (a key already used); raises SQLSTATE CC001 for a key another transaction
-- took meanwhile (nothing is written then).
CREATE PROCEDURE {s}.append_complaint(
    p_id text, p_expected bigint, p_version bigint, p_key text,
    p_stage text, p_department text, p_handler text, p_closed bigint, p_due bigint,
    p_wake bigint, p_codes text[], p_received bigint, p_customer text, p_channel text,
    p_body text, p_types text[], p_bodies text[],
    INOUT outcome text DEFAULT NULL, INOUT first_position bigint DEFAULT NULL,
    INOUT actual bigint DEFAULT NULL
)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := cardinality(p_types);
    v_last bigint;
BEGIN
    IF p_key IS NOT NULL AND EXISTS (SELECT FROM {s}.idempotency WHERE key = p_key) THEN
        outcome := 'key';
        RETURN;
    END IF;
    IF p_expected = 0 THEN
        INSERT INTO {s}.complaints (id, version, received_us, stage, department, handler,
            closed_us, due_us, customer_id, channel, codes, wake_us, body)
        VALUES (p_id, p_version, p_received, p_stage, p_department, p_handler, p_closed, p_due,
            p_customer, p_channel, p_codes, p_wake, p_body)
        ON CONFLICT (id) DO NOTHING;
    ELSE
        UPDATE {s}.complaints SET version = p_version, received_us = p_received,
            stage = p_stage, department = p_department, handler = p_handler,
            closed_us = p_closed, due_us = p_due, customer_id = p_customer,
            channel = p_channel, codes = p_codes, wake_us = p_wake, body = p_body
        WHERE id = p_id AND version = p_expected;
    END IF;
    IF NOT FOUND THEN
        outcome := 'conflict';
        actual := COALESCE((SELECT c.version FROM {s}.complaints c WHERE c.id = p_id), 0);
        RETURN;
    END IF;
    IF p_key IS NOT NULL THEN
        INSERT INTO {s}.idempotency (key, kind, stream_id, first_version, last_version, snapshot)
        VALUES (p_key, 'complaint', p_id, p_version, p_version, p_body)
        ON CONFLICT (key) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'CC001', MESSAGE = 'idempotency key taken meanwhile';
        END IF;
    END IF;
    UPDATE {s}.log_position SET last = last + n RETURNING last INTO v_last;
    INSERT INTO {s}.events (position, kind, stream_id, version, idx, type, body)
    SELECT v_last - n + t.i, 'complaint', p_id, p_version, t.i - 1, t.type, t.body
    FROM unnest(p_types, p_bodies) WITH ORDINALITY AS t(type, body, i);
    outcome := 'written';
    first_position := v_last - n + 1;
    actual := p_version;
    PERFORM set_config('synchronous_commit', 'off', true);
    COMMIT;
    PERFORM pg_logical_emit_message(true, 'ccms', '');
END $$;

-- One append of records, the same way: versions p_expected + 1, + 2, ...
CREATE PROCEDURE {s}.append_records(
    p_kind text, p_id text, p_expected bigint, p_key text, p_types text[], p_bodies text[],
    INOUT outcome text DEFAULT NULL, INOUT first_position bigint DEFAULT NULL,
    INOUT actual bigint DEFAULT NULL
)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := cardinality(p_types);
    v_last bigint;
BEGIN
    IF p_key IS NOT NULL AND EXISTS (SELECT FROM {s}.idempotency WHERE key = p_key) THEN
        outcome := 'key';
        RETURN;
    END IF;
    IF p_expected = 0 THEN
        INSERT INTO {s}.streams (kind, id, version) VALUES (p_kind, p_id, n)
        ON CONFLICT (kind, id) DO NOTHING;
    ELSE
        UPDATE {s}.streams SET version = p_expected + n
        WHERE kind = p_kind AND id = p_id AND version = p_expected;
    END IF;
    IF NOT FOUND THEN
        outcome := 'conflict';
        actual := COALESCE(
            (SELECT s.version FROM {s}.streams s WHERE s.kind = p_kind AND s.id = p_id), 0);
        RETURN;
    END IF;
    IF p_key IS NOT NULL THEN
        INSERT INTO {s}.idempotency (key, kind, stream_id, first_version, last_version)
        VALUES (p_key, p_kind, p_id, p_expected + 1, p_expected + n)
        ON CONFLICT (key) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'CC001', MESSAGE = 'idempotency key taken meanwhile';
        END IF;
    END IF;
    UPDATE {s}.log_position SET last = last + n RETURNING last INTO v_last;
    INSERT INTO {s}.events (position, kind, stream_id, version, idx, type, body)
    SELECT v_last - n + t.i, p_kind, p_id, p_expected + t.i, 0, t.type, t.body
    FROM unnest(p_types, p_bodies) WITH ORDINALITY AS t(type, body, i);
    outcome := 'written';
    first_position := v_last - n + 1;
    actual := p_expected + n;
    PERFORM set_config('synchronous_commit', 'off', true);
    COMMIT;
    PERFORM pg_logical_emit_message(true, 'ccms', '');
END $$;
"""

_V2 = """
ALTER TABLE {s}.idempotency ADD COLUMN fingerprint text;
DROP PROCEDURE {s}.append_complaint;
DROP PROCEDURE {s}.append_records;

-- As in version 1, and: the key keeps the fingerprint of its command; the customer's row (when
-- given) is written in the same transaction, after the version check, so a refused append
-- writes nothing at all.
CREATE PROCEDURE {s}.append_complaint(
    p_id text, p_expected bigint, p_version bigint, p_key text,
    p_stage text, p_department text, p_handler text, p_closed bigint, p_due bigint,
    p_wake bigint, p_codes text[], p_received bigint, p_customer text, p_channel text,
    p_body text, p_types text[], p_bodies text[],
    p_fingerprint text, p_customer_id text, p_customer_body text,
    INOUT outcome text DEFAULT NULL, INOUT first_position bigint DEFAULT NULL,
    INOUT actual bigint DEFAULT NULL
)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := cardinality(p_types);
    v_last bigint;
BEGIN
    IF p_key IS NOT NULL AND EXISTS (SELECT FROM {s}.idempotency WHERE key = p_key) THEN
        outcome := 'key';
        RETURN;
    END IF;
    IF p_expected = 0 THEN
        INSERT INTO {s}.complaints (id, version, received_us, stage, department, handler,
            closed_us, due_us, customer_id, channel, codes, wake_us, body)
        VALUES (p_id, p_version, p_received, p_stage, p_department, p_handler, p_closed, p_due,
            p_customer, p_channel, p_codes, p_wake, p_body)
        ON CONFLICT (id) DO NOTHING;
    ELSE
        UPDATE {s}.complaints SET version = p_version, received_us = p_received,
            stage = p_stage, department = p_department, handler = p_handler,
            closed_us = p_closed, due_us = p_due, customer_id = p_customer,
            channel = p_channel, codes = p_codes, wake_us = p_wake, body = p_body
        WHERE id = p_id AND version = p_expected;
    END IF;
    IF NOT FOUND THEN
        outcome := 'conflict';
        actual := COALESCE((SELECT c.version FROM {s}.complaints c WHERE c.id = p_id), 0);
        RETURN;
    END IF;
    IF p_customer_id IS NOT NULL THEN
        INSERT INTO {s}.customers (id, body) VALUES (p_customer_id, p_customer_body)
        ON CONFLICT (id) DO UPDATE SET body = excluded.body;
    END IF;
    IF p_key IS NOT NULL THEN
        INSERT INTO {s}.idempotency (key, kind, stream_id, first_version, last_version, snapshot,
            fingerprint)
        VALUES (p_key, 'complaint', p_id, p_version, p_version, p_body, p_fingerprint)
        ON CONFLICT (key) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'CC001', MESSAGE = 'idempotency key taken meanwhile';
        END IF;
    END IF;
    UPDATE {s}.log_position SET last = last + n RETURNING last INTO v_last;
    INSERT INTO {s}.events (position, kind, stream_id, version, idx, type, body)
    SELECT v_last - n + t.i, 'complaint', p_id, p_version, t.i - 1, t.type, t.body
    FROM unnest(p_types, p_bodies) WITH ORDINALITY AS t(type, body, i);
    outcome := 'written';
    first_position := v_last - n + 1;
    actual := p_version;
    PERFORM set_config('synchronous_commit', 'off', true);
    COMMIT;
    PERFORM pg_logical_emit_message(true, 'ccms', '');
END $$;

CREATE PROCEDURE {s}.append_records(
    p_kind text, p_id text, p_expected bigint, p_key text, p_types text[], p_bodies text[],
    p_fingerprint text,
    INOUT outcome text DEFAULT NULL, INOUT first_position bigint DEFAULT NULL,
    INOUT actual bigint DEFAULT NULL
)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := cardinality(p_types);
    v_last bigint;
BEGIN
    IF p_key IS NOT NULL AND EXISTS (SELECT FROM {s}.idempotency WHERE key = p_key) THEN
        outcome := 'key';
        RETURN;
    END IF;
    IF p_expected = 0 THEN
        INSERT INTO {s}.streams (kind, id, version) VALUES (p_kind, p_id, n)
        ON CONFLICT (kind, id) DO NOTHING;
    ELSE
        UPDATE {s}.streams SET version = p_expected + n
        WHERE kind = p_kind AND id = p_id AND version = p_expected;
    END IF;
    IF NOT FOUND THEN
        outcome := 'conflict';
        actual := COALESCE(
            (SELECT s.version FROM {s}.streams s WHERE s.kind = p_kind AND s.id = p_id), 0);
        RETURN;
    END IF;
    IF p_key IS NOT NULL THEN
        INSERT INTO {s}.idempotency (key, kind, stream_id, first_version, last_version,
            fingerprint)
        VALUES (p_key, p_kind, p_id, p_expected + 1, p_expected + n, p_fingerprint)
        ON CONFLICT (key) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'CC001', MESSAGE = 'idempotency key taken meanwhile';
        END IF;
    END IF;
    UPDATE {s}.log_position SET last = last + n RETURNING last INTO v_last;
    INSERT INTO {s}.events (position, kind, stream_id, version, idx, type, body)
    SELECT v_last - n + t.i, p_kind, p_id, p_expected + t.i, 0, t.type, t.body
    FROM unnest(p_types, p_bodies) WITH ORDINALITY AS t(type, body, i);
    outcome := 'written';
    first_position := v_last - n + 1;
    actual := p_expected + n;
    PERFORM set_config('synchronous_commit', 'off', true);
    COMMIT;
    PERFORM pg_logical_emit_message(true, 'ccms', '');
END $$;
"""

#: Every migration, in order; a schema at version ``v`` runs those after ``v`` when it opens.
MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "the global log (events, log_position), complaints, streams, idempotency keys, "
        "customers, checkpoints and the append functions",
        _V1,
    ),
    Migration(
        2,
        "idempotency keys keep their command's fingerprint; an append writes the customer's row "
        "in its own transaction",
        _V2,
    ),
)
#: The schema this module reads and writes.
SCHEMA_VERSION: Final = MIGRATIONS[-1].version

_KEY_TAKEN = "CC001"
_CANCELED = "57014"  # query_canceled: a statement timeout (or a cancel request)
#: One WAL record in its own transaction, committed with the session's synchronous_commit: its
#: flush covers every commit before it (see the module's docs).
_BARRIER = "SELECT pg_logical_emit_message(true, 'ccms', '')"
#: Whether the WAL is flushed past everything committed when this statement runs.
_FLUSHED = "SELECT pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()"
#: The rest of the transaction commits without waiting for the flush (a barrier follows).
_ASYNC_COMMIT = "SELECT set_config('synchronous_commit', 'off', true)"
_BATCH = 1000
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")
_PASSWORD = re.compile(r"(?<=://)([^:/@]*):[^@/]*@|(?i:\bpassword\s*=\s*)('[^']*'|\S+)")


def _quoted(schema: str) -> str:
    if not isinstance(schema, str) or _IDENTIFIER.fullmatch(schema) is None:
        raise InvalidInput(
            f"schema must be a PostgreSQL identifier (a letter or _, then letters, digits, _ "
            f"or $; at most 63 characters), got {schema!r}"
        )
    return '"' + schema + '"'


def _shown(conninfo: str) -> str:
    """A connection string with its password masked (for reprs and messages)."""

    def mask(found: re.Match[str]) -> str:
        if found.group(1) is not None:
            return f"{found.group(1)}:***@"
        return found.group(0)[: found.start(2) - found.start(0)] + "***"

    return _PASSWORD.sub(mask, conninfo)


def _micros_or_none(value: datetime | None) -> int | None:
    return None if value is None else micros(value)


def _apply(conn: Connection, schema: str) -> int:
    """Run the migrations ``schema`` lacks on ``conn`` (autocommit) in one transaction; return
    the version found before."""
    s = _quoted(schema)
    with conn.transaction():
        # Two stores opening a new schema at once: one migrates, the other waits and finds it done.
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('ccms.store.postgres'), hashtext(%s))", (schema,)
        )
        exists = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", (s,)).fetchone()
        if not (exists and exists[0]):  # CREATE SCHEMA needs a right an existing one does not
            conn.execute(f"CREATE SCHEMA {s}")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {s}.schema_version (version integer PRIMARY KEY, "
            "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        row = conn.execute(f"SELECT COALESCE(max(version), 0) FROM {s}.schema_version").fetchone()
        found = 0 if row is None else int(row[0])
        if found > SCHEMA_VERSION:
            raise StoreSchemaError(
                f"PostgreSQL schema {schema}",
                found=found,
                supported=SCHEMA_VERSION,
                what="use the ccms that wrote it (this one migrates older ones)",
            )
        for step in MIGRATIONS[found:]:
            try:
                conn.execute(step.sql.replace("{s}", s).encode())
            except psycopg.Error as err:
                raise StoreError(
                    f"migration {step.version} of PostgreSQL schema {schema} ({step.description}) "
                    f"failed, so none ran (the schema stays at version {found}): {err}"
                ) from err
            conn.execute(
                f"INSERT INTO {s}.schema_version (version, description) VALUES (%s, %s)",
                (step.version, step.description),
            )
    return found


def _installed(conn: Connection, schema: str) -> int | None:
    """The schema's recorded version, or ``None`` if it has no ``schema_version`` table."""
    s = _quoted(schema)
    row = conn.execute("SELECT to_regclass(%s)", (f"{s}.schema_version",)).fetchone()
    if row is None or row[0] is None:
        return None
    found = conn.execute(f"SELECT COALESCE(max(version), 0) FROM {s}.schema_version").fetchone()
    return 0 if found is None else int(found[0])


#: SQLSTATEs of a busy database: a serialization failure, a deadlock, a lock timeout
#: (lock_not_available), a statement timeout (query_canceled), too many connections.
_BUSY_STATES: Final = frozenset({"40001", "40P01", "55P03", "57014", "53300"})


@contextlib.contextmanager
def _driver_errors(where: str) -> Iterator[None]:
    """Driver errors as ccms errors: a busy database as StoreBusy, bad values as InvalidInput,
    the rest as StoreError."""
    try:
        yield
    except PoolTimeout as err:
        raise StoreBusy(
            where,
            "waiting for a connection",
            f"no pool connection became free in time: {err}; a larger pool (max_size=...) helps",
        ) from err
    except psycopg.Error as err:
        raise _translated(where, err) from err


def _translated(where: str, err: psycopg.Error) -> CCMSError:
    if err.sqlstate in _BUSY_STATES:
        return StoreBusy(where, "a statement", f"{type(err).__name__}: {err}".strip())
    if isinstance(err, psycopg.DataError):
        return InvalidInput(f"{where}: PostgreSQL cannot store this value: {err}")
    if isinstance(err, psycopg.OperationalError):
        return StoreError(
            f"{where}: the database connection failed ({err}); check the server and retry"
        )
    return StoreError(f"{where}: PostgreSQL refused the operation: {err}")


def migrate(target: str | Pool, *, schema: str = "public") -> int:
    """Create ``schema`` or bring it up to :data:`SCHEMA_VERSION`; return the version found
    before (0 for a new one). A store does this itself when it opens; call it to upgrade a
    database ahead of a deployment. Concurrent callers are serialised by an advisory lock::

        migrate("postgresql://ccms@db.internal/ccms", schema="ccms")  # 0: the schema was new
    """
    where = f"migrate(schema={schema!r})"
    _quoted(schema)
    if isinstance(target, str):
        with _driver_errors(where), psycopg.connect(target, autocommit=True) as conn:
            return _apply(conn, schema)
    with _driver_errors(where), target.connection() as conn:
        if not conn.autocommit:
            raise StoreError(_NOT_AUTOCOMMIT)
        return _apply(conn, schema)


_NOT_AUTOCOMMIT = (
    "PostgresStore needs a pool of autocommit connections: "
    "ConnectionPool(url, kwargs={'autocommit': True})"
)


class _Sql:
    """The store's statements, with its schema's name in them (built once per store)."""

    def __init__(self, schema: str) -> None:
        s = _quoted(schema)
        cast = "%s::text, %s::bigint, %s::bigint, %s::text"
        self.append_complaint = (
            f"CALL {s}.append_complaint({cast}, %s::text, %s::text, %s::text, %s::bigint, "
            "%s::bigint, %s::bigint, %b::text[], %s::bigint, %s::text, %s::text, %s::text, "
            "%b::text[], %b::text[], %s::text, %s::text, %s::text)"
        )
        self.append_records = (
            f"CALL {s}.append_records(%s::text, %s::text, %s::bigint, %s::text, %b::text[], "
            "%b::text[], %s::text)"
        )
        self.insert_new = (
            f"INSERT INTO {s}.complaints (id, version, received_us, stage, department, handler, "
            "closed_us, due_us, customer_id, channel, codes, wake_us, body) "
            "SELECT t.id, t.version, t.received_us, t.stage, t.department, t.handler, "
            "t.closed_us, t.due_us, t.customer_id, t.channel, string_to_array(t.codes, E'\\n'), "
            "t.wake_us, t.body FROM unnest(%b::text[], %b::bigint[], %b::bigint[], %b::text[], "
            "%b::text[], %b::text[], %b::bigint[], %b::bigint[], %b::text[], %b::text[], "
            "%b::text[], %b::bigint[], %b::text[]) AS t(id, version, received_us, stage, "
            "department, handler, closed_us, due_us, customer_id, channel, codes, wake_us, body) "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        # The batch's positions, last: the counter moved on by the whole batch, the events at
        # last - total + 1, ... in batch order; returns the first position.
        self.insert_new_events = (
            f"WITH p AS (UPDATE {s}.log_position SET last = last + %s RETURNING last - %s AS base), "
            f"e AS (INSERT INTO {s}.events (position, kind, stream_id, version, idx, type, body) "
            "SELECT p.base + t.n, 'complaint', t.id, t.version, t.idx, t.type, t.body FROM p, "
            "unnest(%b::text[], %b::bigint[], %b::integer[], %b::text[], %b::text[]) "
            "WITH ORDINALITY AS t(id, version, idx, type, body, n) RETURNING position) "
            "SELECT min(position) FROM e"
        )
        self.key = (
            f"SELECT kind, stream_id, first_version, last_version, snapshot, fingerprint "
            f"FROM {s}.idempotency WHERE key = %s"
        )
        self.key_events = (
            f"SELECT position, version, type, body FROM {s}.events WHERE kind = %s "
            "AND stream_id = %s AND version BETWEEN %s AND %s ORDER BY version, idx"
        )
        self.reschedule = (
            f"UPDATE {s}.complaints SET wake_us = %s WHERE id = %s AND version = %s::bigint"
        )
        self.save_customer = (
            f"INSERT INTO {s}.customers (id, body) VALUES (%s, %s) "
            "ON CONFLICT (id) DO UPDATE SET body = excluded.body"
        )
        self.get_customer = f"SELECT body FROM {s}.customers WHERE id = %s"
        self.find = f"SELECT body FROM {s}.complaints WHERE id = %s"
        self.version = f"SELECT version FROM {s}.complaints WHERE id = %s"
        self.events = (
            f"SELECT type, body FROM {s}.events WHERE kind = 'complaint' AND stream_id = %s "
            "ORDER BY version, idx"
        )
        self.due = (
            f"SELECT id FROM {s}.complaints WHERE closed_us IS NULL AND wake_us IS NOT NULL "
            "AND wake_us <= %s ORDER BY wake_us, id LIMIT %s"
        )
        self.wake_at = f"SELECT wake_us FROM {s}.complaints WHERE id = %s"
        self.last_position = f"SELECT last FROM {s}.log_position"
        self.query = f"SELECT body FROM {s}.complaints"
        self.count = f"SELECT count(*) FROM {s}.complaints"
        self.open_load = (
            f"SELECT handler, count(*) FROM {s}.complaints "
            "WHERE handler IS NOT NULL AND closed_us IS NULL GROUP BY handler"
        )
        self.ids = f"SELECT seq, id FROM {s}.complaints WHERE seq > %s ORDER BY seq LIMIT %s"
        self.length = f"SELECT count(*) FROM {s}.complaints"
        self.log = (
            f"SELECT position, kind, stream_id, version, type, body FROM {s}.events "
            "WHERE position > %s{kinds} ORDER BY position LIMIT %s"
        )
        self.records = (
            f"SELECT version, type, body FROM {s}.events WHERE kind = %s AND stream_id = %s "
            "ORDER BY version"
        )
        self.stream_version = f"SELECT version FROM {s}.streams WHERE kind = %s AND id = %s"
        self.stream_ids = f"SELECT id FROM {s}.streams WHERE kind = %s ORDER BY seq"
        self.latest_records = (
            f"SELECT t.id, e.version, e.type, e.body FROM {s}.streams t JOIN {s}.events e "
            "ON e.kind = t.kind AND e.stream_id = t.id AND e.version = t.version AND e.idx = 0 "
            "WHERE t.kind = %s ORDER BY t.seq"
        )
        self.checkpoint = f"SELECT position, state FROM {s}.checkpoints WHERE name = %s"
        self.first_checkpoint = (
            f"INSERT INTO {s}.checkpoints AS c (name, position, state) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
            "state = excluded.state WHERE c.position = 0 RETURNING 1"
        )
        self.next_checkpoint = (
            f"UPDATE {s}.checkpoints SET position = %s, state = %s "
            "WHERE name = %s AND position = %s RETURNING 1"
        )
        self.checkpoint_position = f"SELECT position FROM {s}.checkpoints WHERE name = %s"


def _entry(row: tuple[Any, ...]) -> LogEntry:
    position, kind, stream_id, version, type_, body = row
    if kind == COMPLAINT:
        return StoredEvent(int(position), event_from_json(body, type_))
    return StoredRecord(int(position), record_from_json(kind, stream_id, int(version), type_, body))


class PostgresStore:
    """A :class:`~ccms.store.ComplaintStore` in a PostgreSQL schema, safe for many threads and
    processes at once (one store object per process; it is thread-safe).

    ``target`` is a connection URL (or libpq conninfo string), for which the store opens and
    later closes its own pool of ``min_size`` to ``max_size`` connections, or an open
    :class:`psycopg_pool.ConnectionPool` of autocommit connections that the host owns (closing
    the store leaves it open). ``schema`` is where the tables live (created if missing, and
    upgraded by :data:`MIGRATIONS` unless ``migrate=False``). ``timeout`` is how many seconds an
    operation waits for a connection (and, when the store opens its pool, for the first one)::

        store = PostgresStore("postgresql://ccms:secret@127.0.0.1/ccms", schema="ccms")
        repr(store)  # "PostgresStore('postgresql://ccms:***@127.0.0.1/ccms', schema='ccms')"

    (``tests/store/test_store_postgres.py`` runs these against a server.)
    """

    def __init__(
        self,
        target: str | Pool,
        *,
        schema: str = "public",
        min_size: int = 1,
        max_size: int = 8,
        timeout: float = 30.0,
        migrate: bool = True,
    ) -> None:
        self._sql = _Sql(schema)
        self.schema = schema
        self._timeout = timeout
        self._closed = False
        self._lock = threading.Lock()
        self._pool: Pool
        if isinstance(target, str):
            self.url: str | None = target
            self._owns_pool = True
            # One direct connection first: a wrong URL or a server that is down fails at once,
            # with libpq's reason, and the schema is ready before the pool fills.
            try:
                with psycopg.connect(
                    target, autocommit=True, connect_timeout=max(2, math.ceil(timeout))
                ) as conn:
                    self._prepare(conn, migrate)
            except psycopg.OperationalError as err:
                raise StoreError(
                    f"cannot connect to PostgreSQL at {_shown(target)}: {err}; check the URL and "
                    "that the server runs (scripts/postgres.sh start starts a throw-away one)"
                ) from err
            self._pool = ConnectionPool(
                target,
                min_size=min_size,
                max_size=max_size,
                kwargs={"autocommit": True},
                open=False,
                name=f"ccms-{schema}",
            )
            try:
                self._pool.open(wait=True, timeout=timeout)
            except PoolTimeout as err:
                self._pool.close()
                raise StoreError(
                    f"cannot open {min_size} connections to PostgreSQL at {_shown(target)} within "
                    f"{timeout} s: the server is busy or refuses more connections"
                ) from err
        elif isinstance(target, ConnectionPool):
            self.url = None
            self._owns_pool = False
            self._pool = target
            try:
                with self._connection() as conn:
                    self._prepare(conn, migrate)
            except BaseException:
                self.close()
                raise
        else:
            raise InvalidInput(
                f"PostgresStore needs a connection URL or a psycopg_pool.ConnectionPool, got "
                f"{type(target).__name__}"
            )

    def _prepare(self, conn: Connection, migrate: bool) -> None:
        """Check the connection and the schema's version; migrate it (or refuse)."""
        if not conn.autocommit:
            raise StoreError(_NOT_AUTOCOMMIT)
        with _driver_errors(repr(self)):
            row = conn.execute("SHOW transaction_isolation").fetchone()
            if row is None or row[0] != "read committed":
                raise StoreError(
                    f"PostgresStore needs read committed transactions (an append waits for a "
                    f"row another writer holds, then reads its new version); the connections "
                    f"default to {row[0] if row else 'unknown'!r}: set "
                    "default_transaction_isolation = 'read committed' for them"
                )
            found = _installed(conn, self.schema)
            if found != SCHEMA_VERSION:
                if not migrate:
                    raise StoreError(
                        f"PostgreSQL schema {self.schema} is at store schema version "
                        f"{found or 0}, not {SCHEMA_VERSION}: run ccms.store.postgres.migrate() "
                        "first (or open the store with migrate=True)"
                    )
                _apply(conn, self.schema)

    def __repr__(self) -> str:
        where = _shown(self.url) if self.url is not None else f"<pool {self._pool.name}>"
        return f"PostgresStore({where!r}, schema={self.schema!r})"

    # -- plumbing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Connection]:
        if self._closed:
            raise StoreClosed(repr(self))
        with _driver_errors(repr(self)), self._pool.connection(timeout=self._timeout) as conn:
            yield conn

    @staticmethod
    def _durable(conn: Connection) -> None:
        """Return once the WAL is flushed past every commit this connection has seen."""
        row = conn.execute(_FLUSHED).fetchone()
        if row is None or not row[0]:
            conn.execute(_BARRIER)

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
        """Append atomically in one round trip: ``CALL append_complaint`` (no table lock; the
        customer's row and the key with its fingerprint in the same transaction; the positions
        from the one-row counter, last; returns once the append is flushed)."""
        batch = check_append(complaint, events, expected_version)
        check_key(idempotency_key)
        check_fingerprint(fingerprint)
        wake = check_wake_at(complaint.id, wake_at)
        if customer is not None and not isinstance(customer, Customer):
            raise InvalidInput(f"customer must be a Customer, got {type(customer).__name__}")
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
            complaint.stage,
            complaint.department,
            complaint.handler,
            _micros_or_none(complaint.closed_at),
            _micros_or_none(complaint.due_at),
            None if wake is None else micros(wake),
            sorted(set(complaint.codes)),
            micros(complaint.received_at),
            complaint.customer.id,
            complaint.channel.value,
            snapshot,
            [e.type for e in batch],
            bodies,
            print_,
            None if customer is None else customer.id,
            None if customer is None else customer_json(customer),
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
                    micros(c.received_at),
                    c.stage,
                    c.department,
                    c.handler,
                    _micros_or_none(c.closed_at),
                    _micros_or_none(c.due_at),
                    c.customer.id,
                    c.channel.value,
                    "\n".join(sorted(set(c.codes))),
                    wake,
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
            return (
                kind,
                stream_id,
                AppendResult(
                    Complaint.model_validate_json(snapshot),
                    tuple(event_from_json(body, type_) for _, _, type_, body in rows),
                    True,
                    positions,
                ),
                stored,
            )
        records = tuple(record_from_json(kind, stream_id, int(v), t, b) for _, v, t, b in rows)
        return kind, stream_id, RecordAppendResult(records, positions, True), stored

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
        if fingerprint is not None and stored is not None and stored != fingerprint:
            conflict = key_conflict(
                key, first=(stored, stream_id, False), then=(fingerprint, None, False)
            )
            assert conflict is not None
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

    @staticmethod
    def _where(q: ComplaintQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if q.stages is not None:
            clauses.append("stage = ANY(%s::text[])")
            params.append(sorted(q.stages))
        for column, value in (
            ("department", q.department),
            ("handler", q.handler),
            ("customer_id", q.customer_id),
            ("channel", None if q.channel is None else q.channel.value),
        ):
            if value is not None:
                clauses.append(f"{column} = %s::text")
                params.append(value)
        if q.open_only:
            clauses.append("closed_us IS NULL")
        if q.overdue_at is not None:
            clauses.append("closed_us IS NULL AND due_us < %s")
            params.append(micros(q.overdue_at))
        if q.received_from is not None:
            clauses.append("received_us >= %s")
            params.append(micros(q.received_from))
        if q.received_to is not None:
            clauses.append("received_us < %s")
            params.append(micros(q.received_to))
        if q.code_prefix is not None:
            clauses.append(
                "EXISTS (SELECT FROM unnest(codes) AS k(code) WHERE starts_with(k.code, %s::text))"
            )
            params.append(q.code_prefix)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return where, params

    def query(self, query: ComplaintQuery | None = None, /, **filters: Any) -> list[Complaint]:
        """Complaints matching the filters, ordered by ``(received_at, id)``."""
        q = ComplaintQuery.build(query, **filters)
        if q.stages is not None and not q.stages:
            return []
        where, params = self._where(q)
        sql = f"{self._sql.query}{where} ORDER BY received_us, id LIMIT %s"
        params.append(q.limit)
        with self._connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [Complaint.model_validate_json(body) for (body,) in rows]

    def count(self, query: ComplaintQuery | None = None, /, **filters: Any) -> int:
        """How many complaints :meth:`query` would return, counted in SQL."""
        q = ComplaintQuery.build(query, **filters)
        if q.stages is not None and not q.stages:
            return 0
        where, params = self._where(q)
        with self._connection() as conn:
            row = conn.execute(f"{self._sql.count}{where}", params).fetchone()
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

    # -- records, the global log, checkpoints ------------------------------------------------

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

    def _scan(self, after: int, kinds: str, params: Sequence[Any]) -> Iterator[LogEntry]:
        sql = self._sql.log.replace("{kinds}", kinds)
        last = after
        while True:
            with self._connection() as conn:
                rows = conn.execute(sql, (last, *params, _BATCH)).fetchall()
                if rows:
                    self._durable(conn)
            if not rows:
                return
            last = int(rows[-1][0])
            for row in rows:
                yield _entry(row)

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

    def get_customer(self, customer_id: str) -> Customer:
        """The stored customer with personal data in clear (masked in its repr)."""
        with self._connection() as conn:
            row = conn.execute(self._sql.get_customer, (customer_id,)).fetchone()
        if row is None:
            raise CustomerNotFound(customer_id)
        return Customer.model_validate_json(row[0])

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the store (and its pool, if it opened it); further use raises StoreClosed.
        Closing twice is fine."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._owns_pool:
            self._pool.close()

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

    def redact(
        self,
        complaints: Sequence[tuple[Complaint, Sequence[DomainEvent]]] = (),
        *,
        customer: Customer | None = None,
    ) -> None:
        """Rewrite stored personal data in place in one transaction (each complaint's row
        locked and its version checked first); see the port.

        The rows hold the new values at once; the old row versions stay in the table files as
        dead tuples until ``VACUUM`` reclaims them and later writes reuse the space (see
        ``docs/privacy.md``)."""
        from ccms.store.redaction import check_history, check_redaction, folded_at

        items, customer = check_redaction(complaints, customer)
        s = _quoted(self.schema)
        with self._connection() as conn:
            with conn.transaction():
                for snapshot, history in items:
                    cid = snapshot.id
                    row = conn.execute(
                        f"SELECT version FROM {s}.complaints WHERE id = %s FOR UPDATE", (cid,)
                    ).fetchone()
                    if row is None:
                        raise ComplaintNotFound(cid)
                    if int(row[0]) != snapshot.version:
                        raise ConcurrencyConflict(
                            cid, expected=snapshot.version, actual=int(row[0])
                        )
                    stored = conn.execute(
                        f"SELECT position, type, version FROM {s}.events "
                        "WHERE kind = 'complaint' AND stream_id = %s ORDER BY version, idx",
                        (cid,),
                    ).fetchall()
                    check_history(cid, [(t, int(v)) for _, t, v in stored], history)
                    with conn.cursor() as cursor:
                        cursor.executemany(
                            f"UPDATE {s}.events SET body = %s WHERE position = %s",
                            [
                                (e.model_dump_json(), p)
                                for e, (p, _, _) in zip(history, stored, strict=True)
                            ],
                        )
                    conn.execute(
                        f"UPDATE {s}.complaints SET body = %s, customer_id = %s WHERE id = %s",
                        (snapshot.model_dump_json(), snapshot.customer.id, cid),
                    )
                    keys = conn.execute(
                        f"SELECT key, last_version FROM {s}.idempotency "
                        "WHERE kind = 'complaint' AND stream_id = %s AND snapshot IS NOT NULL",
                        (cid,),
                    ).fetchall()
                    for key, version in keys:
                        conn.execute(
                            f"UPDATE {s}.idempotency SET snapshot = %s WHERE key = %s",
                            (folded_at(history, int(version)).model_dump_json(), key),
                        )
                if customer is not None:
                    conn.execute(self._sql.save_customer, (customer.id, customer_json(customer)))
            self._durable(conn)
