"""SQLiteStore.redact: typed refusals on a read-only or a locked file (nothing written), and no
byte of the replaced values left in the database or its WAL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ccms.errors import StoreBusy
from ccms.model import Customer, redact
from ccms.store import SQLiteStore, StoreReadOnly
from ccms.testing.conformance.store import received_event

T = datetime(2026, 10, 5, 9, tzinfo=UTC)
SECRET = "비밀사연-ZQX-01055554444"


def _filled(path: Path) -> SQLiteStore:
    store = SQLiteStore(path, timeout=0.2)
    e = received_event("R", T, customer_id="K", text=SECRET)
    store.append(e.apply(None), [e], expected_version=0)
    store.save_customer(Customer(id="K", name="홍길동", phone="01055554444"))
    return store


def _redaction(store: SQLiteStore) -> tuple[object, list[object]]:
    return redact(store.get("R")), [redact(e) for e in store.events("R")]


def test_a_read_only_store_refuses_to_redact(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    _filled(path).close()
    before = path.read_bytes()
    with SQLiteStore(path, read_only=True) as reader:
        with pytest.raises(StoreReadOnly):
            reader.redact([_redaction(reader)])  # type: ignore[list-item]
        assert reader.events("R")[0].concerns[0].text == SECRET  # type: ignore[attr-defined]
    assert path.read_bytes() == before


def test_a_locked_file_gives_store_busy_and_nothing_changes(tmp_path: Path) -> None:
    path = tmp_path / "b.db"
    store = _filled(path)
    item = _redaction(store)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy):
            store.redact([item])  # type: ignore[list-item]
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.events("R")[0].concerns[0].text == SECRET  # type: ignore[attr-defined]
    store.redact([item], customer=Customer(id="K"))  # type: ignore[list-item]
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("b.db*"))
    for value in (SECRET, "홍길동", "01055554444"):
        assert value.encode() not in raw
