"""Every statement the SQLite store's connection runs raises a ccms error, never a raw
``sqlite3`` one: ``executemany`` and ``executescript`` as ``execute`` does (a constraint or any
other failure as StoreError, a locked database as StoreBusy, a write to a read-only file as
StoreReadOnly)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ccms.errors import StoreBusy, StoreError, StoreReadOnly
from ccms.store import SQLiteStore
from ccms.testing.conformance.store import received_event


def test_executemany_failures_are_store_errors() -> None:
    with SQLiteStore() as store:
        conn = store._db()
        with pytest.raises(StoreError, match="SQLite could not run INSERT") as caught:
            conn.executemany(
                "INSERT INTO customers (id, body) VALUES (?, ?)", [("c", "{}"), ("c", "{}")]
            )
        assert not isinstance(caught.value, sqlite3.Error)
        assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
        with pytest.raises(StoreError, match="no such table"):
            conn.executemany("INSERT INTO nowhere VALUES (?)", [(1,)])


def test_executescript_failures_are_store_errors() -> None:
    with SQLiteStore() as store:
        with pytest.raises(StoreError, match="no such table") as caught:
            store._db().executescript("UPDATE nowhere SET x = 1;")
        assert not isinstance(caught.value, sqlite3.Error)


def test_executemany_on_a_locked_file_is_store_busy(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    with SQLiteStore(path, timeout=0.05) as store:
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreBusy):
                store._db().executemany(
                    "INSERT INTO customers (id, body) VALUES (?, ?)", [("c", "{}")]
                )
        finally:
            holder.execute("ROLLBACK")
            holder.close()


def test_executemany_on_a_read_only_store_is_store_read_only(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    e = received_event("A", datetime(2026, 10, 1, tzinfo=UTC))
    with SQLiteStore(path) as store:
        store.append(e.apply(None), [e], expected_version=0)
    with SQLiteStore(path, read_only=True) as store:
        with pytest.raises(StoreReadOnly):
            store._db().executemany("DELETE FROM customers WHERE id = ?", [("A",)])
        assert store.get("A") == e.apply(None)
