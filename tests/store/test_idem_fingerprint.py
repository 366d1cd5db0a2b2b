"""A redaction neutralises the idempotency fingerprints of the complaints it rewrites (the digest
of a ``receive`` covers the customer's contact details, so a guess could be confirmed against
it): what the SQL stores keep afterwards is the command's name alone, and the migrations (SQLite
schema 6, PostgreSQL migration 3) neutralise the keys of complaints redacted before."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ccms.model import Redacted, redact
from ccms.store import SQLiteStore, fingerprint
from ccms.store.idempotency import neutralised
from ccms.testing.conformance.store import advance, received_event
from postgres_kit import postgres_url as server_url

_T = datetime(2026, 10, 1, 9, tzinfo=UTC)
_RIGHT = fingerprint("receive", {"phone": "010-1234-5678"})
_OTHER = fingerprint("receive", {"phone": "010-5555-6666"})


def _receive(store: Any, cid: str, key: str, print_: str = _RIGHT) -> None:
    e = received_event(cid, _T, customer_id=f"CUST-{cid}")
    store.append(e.apply(None), [e], expected_version=0, idempotency_key=key, fingerprint=print_)


def _erase(store: Any, cid: str) -> None:
    """What ccms.desk.erasure does: rewrite the complaint, then mark it with a Redacted event."""
    history = [redact(e, customer_id=f"anon-{cid}") for e in store.events(cid)]
    snapshot = redact(store.get(cid), customer_id=f"anon-{cid}")
    store.redact([(snapshot, history)])
    after, marked = advance(snapshot, Redacted, _T + timedelta(days=1), purpose="erasure")
    store.append(after, [marked], expected_version=snapshot.version)


def test_neutralised_keeps_the_name_only() -> None:
    assert neutralised(_RIGHT) == "receive:"
    assert neutralised("receive:") == "receive:"
    assert neutralised(None) is None


# -- SQLite ---------------------------------------------------------------------------------


def _sqlite_prints(path: Path) -> dict[str, str | None]:
    raw = sqlite3.connect(path)
    try:
        return dict(raw.execute("SELECT key, fingerprint FROM idempotency").fetchall())
    finally:
        raw.close()


def test_sqlite_keeps_no_digest_of_a_redacted_complaint(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        _receive(store, "A", "ka")
        _receive(store, "B", "kb", _OTHER)
        _erase(store, "A")
    assert _sqlite_prints(path) == {"ka": "receive:", "kb": _OTHER}
    # secure_delete and the WAL checkpoint of a redaction: no copy of the digest in the file.
    assert _RIGHT.split(":")[1].encode() not in path.read_bytes()
    assert _OTHER.split(":")[1].encode() in path.read_bytes()


def test_sqlite_schema_6_neutralises_the_keys_of_complaints_redacted_before(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v5.db"
    with SQLiteStore(path) as store:
        _receive(store, "A", "ka")
        _receive(store, "B", "kb")
        _erase(store, "A")
    # What a schema-5 store left: the redacted complaint's key with its whole fingerprint.
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("UPDATE idempotency SET fingerprint = ?", (_RIGHT,))
    raw.execute("PRAGMA user_version = 5")
    raw.close()
    with SQLiteStore(path, read_only=True) as old:  # a read-only store reads 5 as it is
        assert old.idempotent_result("ka", fingerprint=_RIGHT) is not None
    assert _sqlite_prints(path) == {"ka": _RIGHT, "kb": _RIGHT}
    with SQLiteStore(path) as store:
        wrong = fingerprint("receive", {"phone": "010-0000-0000"})
        assert store.idempotent_result("ka", fingerprint=wrong) is not None
    assert _sqlite_prints(path) == {"ka": "receive:", "kb": _RIGHT}
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone() == (6,)
    raw.close()


# -- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def pg_schema() -> Iterator[tuple[str, str]]:
    url = server_url()
    psycopg = pytest.importorskip("psycopg")
    name = f"t_{uuid.uuid4().hex[:20]}"
    yield url, name
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _pg_prints(url: str, schema: str) -> dict[str, str | None]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(f'SELECT key, fingerprint FROM "{schema}".idempotency').fetchall()
    return {str(k): v for k, v in rows}


def test_postgres_keeps_no_digest_of_a_redacted_complaint(pg_schema: tuple[str, str]) -> None:
    from ccms.store.postgres import PostgresStore

    url, schema = pg_schema
    with PostgresStore(url, schema=schema) as store:
        _receive(store, "A", "ka")
        _receive(store, "B", "kb")
        _receive(store, "C", "kc")
        _erase(store, "A")
        store.redact(customer=_blank("CUST-C"))
    assert _pg_prints(url, schema) == {"ka": "receive:", "kb": _RIGHT, "kc": "receive:"}


def _blank(customer_id: str) -> Any:
    from ccms.model import Customer

    return Customer(id=customer_id, segment="general")


def test_postgres_migration_3_neutralises_the_keys_of_complaints_redacted_before(
    pg_schema: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    import ccms.store.postgres.schema as pg_schema_module
    from ccms.store.postgres import PostgresStore

    url, schema = pg_schema
    with PostgresStore(url, schema=schema) as store:
        _receive(store, "A", "ka")
        _receive(store, "B", "kb")
        _erase(store, "A")
    # What a version-2 schema left: the redacted complaint's key with its whole fingerprint.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'UPDATE "{schema}".idempotency SET fingerprint = %s', (_RIGHT,))
        conn.execute(f'DELETE FROM "{schema}".schema_version WHERE version = 3')
    assert _pg_prints(url, schema) == {"ka": _RIGHT, "kb": _RIGHT}
    with PostgresStore(url, schema=schema) as store:  # opening migrates 2 -> 3
        wrong = fingerprint("receive", {"phone": "010-0000-0000"})
        assert store.idempotent_result("ka", fingerprint=wrong) is not None
    assert _pg_prints(url, schema) == {"ka": "receive:", "kb": _RIGHT}
    assert pg_schema_module.SCHEMA_VERSION == 3
