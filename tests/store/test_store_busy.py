"""A busy database gives :class:`ccms.errors.StoreBusy` (retry), never a raw driver error, and
the refused operation changes nothing: SQLite locked by another connection past the store's
timeout; PostgreSQL past a lock timeout, a statement timeout, or with no free pool connection
(when ``CCMS_POSTGRES_URL`` names a server)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ccms.desk import Desk, ManualClock
from ccms.errors import ConcurrencyConflict, StoreBusy, StoreError
from ccms.model import Concern, Customer, CustomerRef, StageChanged
from ccms.store import CustomerNotFound, SQLiteStore
from ccms.testing.conformance.store import advance, received_event, record_batch
from postgres_kit import postgres_url as server_url

_T = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _dump(store: Any) -> tuple[Any, ...]:
    return (
        [(s.position, s.event) for s in store.stream()],
        [c.model_dump_json() for c in store.query()],
        [(x.position, x.kind) for x in store.log()],
        store.checkpoint("p"),
    )


@pytest.fixture
def locked(tmp_path: Path) -> Iterator[tuple[SQLiteStore, sqlite3.Connection]]:
    """A store with a short timeout, and another connection holding the file's write lock."""
    path = tmp_path / "busy.db"
    store = SQLiteStore(path, timeout=0.05)
    e = received_event("C1", _T)
    store.append(e.apply(None), [e], expected_version=0)
    holder = sqlite3.connect(path, isolation_level=None, timeout=0.05)
    holder.execute("BEGIN IMMEDIATE")
    yield store, holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()
    store.close()


def test_every_write_to_a_locked_sqlite_file_is_store_busy_and_writes_nothing(
    locked: tuple[SQLiteStore, sqlite3.Connection],
) -> None:
    store, holder = locked
    before = _dump(store)
    c2, e2 = advance(store.get("C1"), StageChanged, _T, note="busy")
    new = received_event("C2", _T)
    attempts = {
        "append": lambda: store.append(
            c2, [e2], expected_version=1, customer=Customer(id="X", phone="010-1111-2222")
        ),
        "append_new": lambda: store.append_new([(new.apply(None), [new])]),
        "append_records": lambda: store.append_records(
            "idea", "I-1", record_batch("idea", "I-1"), expected_version=0
        ),
        "save_customer": lambda: store.save_customer(Customer(id="X")),
        "reschedule": lambda: store.reschedule("C1", version=1, wake_at=None),
        "save_checkpoint": lambda: store.save_checkpoint(
            "p", position=1, state={}, expected_position=0
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(StoreBusy) as caught:
            attempt()
        err = caught.value
        assert isinstance(err, StoreError), name
        assert not isinstance(err, sqlite3.Error)
        assert "retry" in str(err)
        assert "locked" in err.reason
    # Reads go on (WAL: readers never wait for the writer).
    assert store.get("C1").version == 1
    # Opening another store on the file waits for the lock too, and says so.
    with pytest.raises(StoreBusy):
        SQLiteStore(store.path, timeout=0.05)
    holder.execute("ROLLBACK")
    assert _dump(store) == before
    # Once the lock is released the same write goes through.
    assert store.append(c2, [e2], expected_version=1).positions == (2,)


def test_a_read_of_an_exclusively_locked_file_is_store_busy(tmp_path: Path) -> None:
    path = tmp_path / "exclusive.db"
    with SQLiteStore(path) as setup:
        e = received_event("C1", _T)
        setup.append(e.apply(None), [e], expected_version=0)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreBusy):
            SQLiteStore(path, timeout=0.05, read_only=True).get("C1")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_desk_command_on_a_locked_file_is_store_busy_and_changes_nothing(
    locked: tuple[SQLiteStore, sqlite3.Connection],
) -> None:
    store, holder = locked
    desk = Desk(store, clock=ManualClock(_T))
    before = _dump(store)
    with pytest.raises(StoreBusy):
        desk.receive(
            channel="phone",
            customer=Customer(id="C-9", phone="010-5555-6666"),
            concerns=[Concern(kind="complaint", text="late")],
        )
    with pytest.raises(StoreBusy):
        desk.classify("C1", ["PRD.DEF"])
    holder.execute("ROLLBACK")
    assert _dump(store) == before
    assert (
        desk.receive(
            channel="phone",
            customer=CustomerRef(id="C-9"),
            concerns=[Concern(kind="complaint", text="late")],
        ).version
        == 1
    )


# -- PostgreSQL -----------------------------------------------------------------------------------


@pytest.fixture(name="postgres_url")
def _postgres_url() -> str:
    return server_url()


@pytest.fixture
def schema(postgres_url: str) -> Iterator[str]:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:20]}"
    yield name
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def _with_options(url: str, options: str) -> str:
    from urllib.parse import quote

    return f"{url}{'&' if '?' in url else '?'}options={quote(options)}"


def test_a_postgres_lock_timeout_is_store_busy_and_writes_nothing(
    postgres_url: str, schema: str
) -> None:
    import psycopg

    from ccms.store.postgres import PostgresStore

    with PostgresStore(_with_options(postgres_url, "-c lock_timeout=100"), schema=schema) as store:
        e = received_event("C1", _T)
        store.append(e.apply(None), [e], expected_version=0)
        before = _dump(store)
        c2, e2 = advance(store.get("C1"), StageChanged, _T, note="busy")
        with psycopg.connect(postgres_url, autocommit=True) as holder, holder.transaction():
            holder.execute(f'SELECT 1 FROM "{schema}".complaints WHERE id = %s FOR UPDATE', ("C1",))
            with pytest.raises(StoreBusy) as caught:
                store.append(c2, [e2], expected_version=1, customer=Customer(id="X"))
            assert "LockNotAvailable" in caught.value.reason
            assert not isinstance(caught.value, psycopg.Error)
        assert _dump(store) == before
        with pytest.raises(CustomerNotFound):
            store.get_customer("X")
        assert store.append(c2, [e2], expected_version=1).positions == (2,)
        with pytest.raises(ConcurrencyConflict):
            store.append(c2, [e2], expected_version=1)


def test_a_postgres_statement_timeout_is_store_busy(postgres_url: str, schema: str) -> None:
    import psycopg

    from ccms.store.postgres import PostgresStore

    url = _with_options(postgres_url, "-c statement_timeout=100")
    with PostgresStore(url, schema=schema) as store:
        with psycopg.connect(postgres_url, autocommit=True) as holder, holder.transaction():
            holder.execute(f'LOCK TABLE "{schema}".complaints IN ACCESS EXCLUSIVE MODE')
            with pytest.raises(StoreBusy, match="QueryCanceled"):
                store.find("C1")
        assert store.find("C1") is None


def test_no_free_pool_connection_is_store_busy(postgres_url: str, schema: str) -> None:
    from ccms.store.postgres import PostgresStore

    with PostgresStore(postgres_url, schema=schema, min_size=1, max_size=1, timeout=0.2) as store:
        # The only connection, held by someone else:
        with store._pool.connection(), pytest.raises(StoreBusy, match="waiting for a connection"):
            store.version("C1")
        assert store.version("C1") == 0


def test_a_statement_timeout_after_the_append_committed_is_reported_as_written(
    postgres_url: str, schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CALL commits the append, then flushes a barrier: a statement timeout there cancels
    # the CALL although the append is stored. The store finds it and answers it as written.
    import psycopg

    from ccms.store.postgres import PostgresStore

    with PostgresStore(postgres_url, schema=schema) as store:
        real = PostgresStore._run

        def canceled_after(conn: Any, sql: str, params: Any) -> Any:
            real(conn, sql, params)
            raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")

        def canceled_before(conn: Any, sql: str, params: Any) -> Any:
            raise psycopg.errors.QueryCanceled("canceling statement due to statement timeout")

        monkeypatch.setattr(PostgresStore, "_run", staticmethod(canceled_after))
        e = received_event("C1", _T)
        result = store.append(e.apply(None), [e], expected_version=0)
        assert (result.duplicate, result.positions) == (False, (1,))
        batch = record_batch("idea", "I-1", count=2)
        assert store.append_records("idea", "I-1", batch, expected_version=0).positions == (2, 3)
        monkeypatch.setattr(PostgresStore, "_run", staticmethod(canceled_before))
        c2, e2 = advance(store.get("C1"), StageChanged, _T, note="never")
        with pytest.raises(StoreBusy, match="QueryCanceled"):
            store.append(c2, [e2], expected_version=1)
        with pytest.raises(StoreBusy):
            store.append_records(
                "idea", "I-1", record_batch("idea", "I-1", after=2), expected_version=2
            )
        monkeypatch.undo()
        assert store.version("C1") == 1
        assert store.stream_version("idea", "I-1") == 2
        assert store.last_position() == 3
