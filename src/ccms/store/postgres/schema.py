"""The PostgreSQL store's schema: the versioned :data:`MIGRATIONS`, run in one transaction (under
an advisory lock) when a store opens or by :func:`migrate`; ``schema_version`` records which ran.

The append procedures are written from shared parts, each fact once: the key check that opens
them, the refusal of a key another transaction took meanwhile, and the epilogue that takes the
positions last, commits asynchronously and flushes one WAL record (see :mod:`ccms.store.postgres`).
A migration's SQL is history: ``tests/store/test_pg_migrations_frozen.py`` pins each one's text,
so a change to a shared part is a new migration, never an edit of an old one.

>>> [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
True
"""

from __future__ import annotations

from typing import Final

import attrs
import psycopg

from ccms.errors import StoreError, StoreSchemaError
from ccms.store.postgres.connection import (
    _NOT_AUTOCOMMIT,
    Connection,
    Pool,
    _driver_errors,
    _quoted,
)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration", "migrate", "prepare"]


@attrs.frozen(slots=True)
class Migration:
    """One step of the schema: ``sql`` (with ``{s}`` for the quoted schema name) brings a schema
    at ``version - 1`` to ``version``, in the transaction that records it in ``schema_version``."""

    version: int
    description: str
    sql: str


#: Every append procedure's start: its locals, and a key already used answered as 'key'.
_OPENING = """
LANGUAGE plpgsql AS $$
DECLARE
    n integer := cardinality(p_types);
    v_last bigint;
BEGIN
    IF p_key IS NOT NULL AND EXISTS (SELECT FROM {s}.idempotency WHERE key = p_key) THEN
        outcome := 'key';
        RETURN;
    END IF;"""

#: After the key's INSERT ... ON CONFLICT DO NOTHING: a key taken meanwhile is SQLSTATE CC001.
_KEY_TAKEN_MEANWHILE = """
        ON CONFLICT (key) DO NOTHING;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'CC001', MESSAGE = 'idempotency key taken meanwhile';
        END IF;
    END IF;"""

#: The complaint's row: inserted for a new complaint, else moved on guarded by its version; the
#: stored version reported on a conflict.
_COMPLAINT_ROW = """
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
    END IF;"""

#: The record stream's row, the same way.
_STREAM_ROW = """
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
    END IF;"""


def _positions_last(kind: str, version: str, idx: str, actual: str) -> str:
    """Every append procedure's end: the positions from the one-row counter, last, the events
    inserted at them, the commit asynchronous, then one WAL record flushed with the session's
    ``synchronous_commit`` (the append is durable when the CALL returns)."""
    return f"""
    UPDATE {{s}}.log_position SET last = last + n RETURNING last INTO v_last;
    INSERT INTO {{s}}.events (position, kind, stream_id, version, idx, type, body)
    SELECT v_last - n + t.i, {kind}, p_id, {version}, {idx}, t.type, t.body
    FROM unnest(p_types, p_bodies) WITH ORDINALITY AS t(type, body, i);
    outcome := 'written';
    first_position := v_last - n + 1;
    actual := {actual};
    PERFORM set_config('synchronous_commit', 'off', true);
    COMMIT;
    PERFORM pg_logical_emit_message(true, 'ccms', '');
END $$;
"""


_COMPLAINT_EVENTS = _positions_last("'complaint'", "p_version", "t.i - 1", "p_version")
_RECORDS = _positions_last("p_kind", "p_expected + t.i", "0", "p_expected + n")
_OUT = """
    INOUT outcome text DEFAULT NULL, INOUT first_position bigint DEFAULT NULL,
    INOUT actual bigint DEFAULT NULL
)"""
_COMPLAINT_PARAMS = """(
    p_id text, p_expected bigint, p_version bigint, p_key text,
    p_stage text, p_department text, p_handler text, p_closed bigint, p_due bigint,
    p_wake bigint, p_codes text[], p_received bigint, p_customer text, p_channel text,
    p_body text, p_types text[], p_bodies text[],"""
_RECORD_PARAMS = """(
    p_kind text, p_id text, p_expected bigint, p_key text, p_types text[], p_bodies text[],"""

_V1 = (
    """
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
CREATE PROCEDURE {s}.append_complaint"""
    + _COMPLAINT_PARAMS
    + _OUT
    + _OPENING
    + _COMPLAINT_ROW
    + """
    IF p_key IS NOT NULL THEN
        INSERT INTO {s}.idempotency (key, kind, stream_id, first_version, last_version, snapshot)
        VALUES (p_key, 'complaint', p_id, p_version, p_version, p_body)"""
    + _KEY_TAKEN_MEANWHILE
    + _COMPLAINT_EVENTS
    + """
-- One append of records, the same way: versions p_expected + 1, + 2, ...
CREATE PROCEDURE {s}.append_records"""
    + _RECORD_PARAMS
    + _OUT
    + _OPENING
    + _STREAM_ROW
    + """
    IF p_key IS NOT NULL THEN
        INSERT INTO {s}.idempotency (key, kind, stream_id, first_version, last_version)
        VALUES (p_key, p_kind, p_id, p_expected + 1, p_expected + n)"""
    + _KEY_TAKEN_MEANWHILE
    + _RECORDS
)

_V2 = (
    """
ALTER TABLE {s}.idempotency ADD COLUMN fingerprint text;
DROP PROCEDURE {s}.append_complaint;
DROP PROCEDURE {s}.append_records;

-- As in version 1, and: the key keeps the fingerprint of its command; the customer's row (when
-- given) is written in the same transaction, after the version check, so a refused append
-- writes nothing at all.
CREATE PROCEDURE {s}.append_complaint"""
    + _COMPLAINT_PARAMS
    + """
    p_fingerprint text, p_customer_id text, p_customer_body text,"""
    + _OUT
    + _OPENING
    + _COMPLAINT_ROW
    + """
    IF p_customer_id IS NOT NULL THEN
        INSERT INTO {s}.customers (id, body) VALUES (p_customer_id, p_customer_body)
        ON CONFLICT (id) DO UPDATE SET body = excluded.body;
    END IF;
    IF p_key IS NOT NULL THEN
        INSERT INTO {s}.idempotency (key, kind, stream_id, first_version, last_version, snapshot,
            fingerprint)
        VALUES (p_key, 'complaint', p_id, p_version, p_version, p_body, p_fingerprint)"""
    + _KEY_TAKEN_MEANWHILE
    + _COMPLAINT_EVENTS
    + """
CREATE PROCEDURE {s}.append_records"""
    + _RECORD_PARAMS
    + """
    p_fingerprint text,"""
    + _OUT
    + _OPENING
    + _STREAM_ROW
    + """
    IF p_key IS NOT NULL THEN
        INSERT INTO {s}.idempotency (key, kind, stream_id, first_version, last_version,
            fingerprint)
        VALUES (p_key, p_kind, p_id, p_expected + 1, p_expected + n, p_fingerprint)"""
    + _KEY_TAKEN_MEANWHILE
    + _RECORDS
)

_V3 = """
-- A redaction neutralises the fingerprints of its complaint's idempotency keys (the digest of a
-- receive covers the customer's contact data): the keys of complaints redacted before keep only
-- their command's name, as a redaction now leaves them.
UPDATE {s}.idempotency i SET fingerprint = split_part(i.fingerprint, ':', 1) || ':'
WHERE i.kind = 'complaint' AND i.fingerprint IS NOT NULL
    AND EXISTS (SELECT FROM {s}.events e WHERE e.kind = 'complaint'
        AND e.stream_id = i.stream_id AND e.type = 'redacted');
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
    Migration(
        3,
        "the idempotency keys of complaints redacted before keep only their command's name "
        "(a redaction neutralises its keys' fingerprints)",
        _V3,
    ),
)
#: The schema this module reads and writes.
SCHEMA_VERSION: Final = MIGRATIONS[-1].version


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


def prepare(conn: Connection, schema: str, migrate: bool, where: str) -> None:
    """Check a store's connection and its schema's version; migrate it (or refuse)."""
    if not conn.autocommit:
        raise StoreError(_NOT_AUTOCOMMIT)
    with _driver_errors(where):
        row = conn.execute("SHOW transaction_isolation").fetchone()
        if row is None or row[0] != "read committed":
            raise StoreError(
                f"PostgresStore needs read committed transactions (an append waits for a "
                f"row another writer holds, then reads its new version); the connections "
                f"default to {row[0] if row else 'unknown'!r}: set "
                "default_transaction_isolation = 'read committed' for them"
            )
        found = _installed(conn, schema)
        if found != SCHEMA_VERSION:
            if not migrate:
                raise StoreError(
                    f"PostgreSQL schema {schema} is at store schema version "
                    f"{found or 0}, not {SCHEMA_VERSION}: run ccms.store.postgres.migrate() "
                    "first (or open the store with migrate=True)"
                )
            _apply(conn, schema)
