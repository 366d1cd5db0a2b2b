"""A PostgreSQL migration's SQL is history: once released, a schema ran it as it was. The append
procedures are written from shared parts (``ccms.store.postgres.schema``); this pins the text
each migration produces, so that a change to a shared part shows up here and becomes a new
migration instead of an edit of an old one. (Versions 1 and 2 hash as they did when each was
written out whole.)"""

from __future__ import annotations

import hashlib

import pytest

pytest.importorskip("psycopg", reason="the postgres extra is not installed")

from ccms.store.postgres import MIGRATIONS, SCHEMA_VERSION

FROZEN = {
    1: "2a93aa1c9355be37c3b8bf9b1457e92a8eb7dbf25bd5fc7a0ce2fec822979aa1",
    2: "9877a0f59acc52c66d8626da99131d04e9ad598f101c3dd4905235d8d08fc5ab",
    3: "68256f5ff7889a9da6a682fe94c7548354b993055b00c08e9415ab3aa9e2470a",
}


def test_every_migration_is_pinned() -> None:
    assert sorted(FROZEN) == [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("migration", MIGRATIONS, ids=lambda m: f"v{m.version}")
def test_a_released_migration_keeps_its_sql(migration: object) -> None:
    from ccms.store.postgres import Migration

    assert isinstance(migration, Migration)
    assert hashlib.sha256(migration.sql.encode()).hexdigest() == FROZEN[migration.version]


def test_the_procedures_share_their_parts() -> None:
    v1, v2 = MIGRATIONS[0].sql, MIGRATIONS[1].sql
    for sql in (v1, v2):
        # each procedure takes the positions last, once, and flushes one WAL record
        assert sql.count("UPDATE {s}.log_position SET last = last + n") == 2
        assert sql.count("PERFORM pg_logical_emit_message(true, 'ccms', '')") == 2
        assert sql.count("idempotency key taken meanwhile") == 2
