"""The SQLite store: the store contract on a file and in memory, plus what is particular to it."""

from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

import ccms.store.sqlite as sqlite_module
from ccms.errors import ConcurrencyConflict, StoreError
from ccms.model import Complaint, Customer, StageChanged
from ccms.store import ComplaintStore, SQLiteStore
from ccms.store.sqlite import SCHEMA_VERSION
from ccms.testing.store_contract import (
    StoreContract,
    StoreFactory,
    advance,
    received_event,
    rich_history,
)


class TestSQLiteFileStore(StoreContract):
    @pytest.fixture
    def make_store(self, tmp_path: Path) -> StoreFactory:
        counter = itertools.count()
        return lambda: SQLiteStore(tmp_path / f"store-{next(counter)}.db")

    def second_handle(self, store: ComplaintStore) -> ComplaintStore:
        assert isinstance(store, SQLiteStore)
        return SQLiteStore(store.path)


class TestSQLiteMemoryStore(StoreContract):
    @pytest.fixture
    def make_store(self) -> StoreFactory:
        return SQLiteStore


# -- what is particular to SQLite -------------------------------------------------------------


def _rich(store: ComplaintStore) -> Complaint:
    history = rich_history()
    for c, events in history:
        store.append(c, events, expected_version=c.version - 1)
    return history[-1][0]


def test_reopening_the_file_gives_the_same_data(tmp_path: Path) -> None:
    path = tmp_path / "ccms.db"
    customer = Customer(id="CUST-9", name="홍길동", phone="010-1234-5678")
    with SQLiteStore(path) as store:
        final = _rich(store)
        store.save_customer(customer)
        events = store.events(final.id)
        stream = list(store.stream())
    with SQLiteStore(str(path)) as again:
        assert again.get(final.id) == final
        assert again.events(final.id) == events
        assert list(again.stream()) == stream
        assert again.get_customer("CUST-9") == customer
        assert len(again) == 1


def test_files_use_wal_and_memory_does_not(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "a.db") as on_file, SQLiteStore() as in_memory:
        assert on_file.journal_mode == "wal"
        assert in_memory.journal_mode == "memory"


def test_the_schema_version_is_recorded_and_a_newer_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SQLiteStore(path).close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    raw.execute("PRAGMA user_version = 99")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="schema version 99; this ccms reads version 1 only"):
        SQLiteStore(path)


def test_personal_data_is_stored_in_clear_for_the_host_to_guard(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    with SQLiteStore(path) as store:
        store.save_customer(Customer(id="C-1", phone="010-1234-5678"))
    raw = sqlite3.connect(path)
    (body,) = raw.execute("SELECT body FROM customers").fetchone()
    raw.close()
    assert "010-1234-5678" in body


def test_get_reads_the_snapshot_without_folding(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        final = _rich(store)
    raw = sqlite3.connect(path)
    raw.execute("DELETE FROM events")
    raw.commit()
    raw.close()
    with SQLiteStore(path) as store:
        assert store.get(final.id) == final


def test_writers_waiting_on_a_lock_serialize_and_the_loser_conflicts(tmp_path: Path) -> None:
    # Another connection holds the write lock while both writers start, so both have read
    # nothing yet when it is released: BEGIN IMMEDIATE makes the second see the first's version.
    path = tmp_path / "race.db"
    first = received_event("R", datetime(2026, 10, 1, tzinfo=UTC))
    with SQLiteStore(path) as a, SQLiteStore(path) as b:
        base = first.apply(None)
        a.append(base, [first], expected_version=0)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        outcome: list[str] = []

        def write(n: int, store: SQLiteStore) -> None:
            c, events = advance(base, StageChanged, base.received_at, note=str(n))
            try:
                store.append(c, [events], expected_version=1)
                outcome.append("won")
            except ConcurrencyConflict as err:
                outcome.append(f"lost at {err.actual}")

        threads = [threading.Thread(target=write, args=(n, s)) for n, s in enumerate((a, b))]
        for t in threads:
            t.start()
        time.sleep(0.2)
        assert outcome == []  # both are waiting on the lock
        blocker.execute("ROLLBACK")
        blocker.close()
        for t in threads:
            t.join()
        assert sorted(outcome) == ["lost at 2", "won"]
        assert [e.version for e in a.events("R")] == [1, 2]


def _increment(path: str, writer: int, count: int) -> int:
    conflicts = 0
    with SQLiteStore(path) as store:
        for i in range(count):
            while True:
                current = store.get("P")
                c, e = advance(current, StageChanged, current.received_at, note=f"{writer}:{i}")
                try:
                    store.append(c, [e], expected_version=current.version)
                    break
                except ConcurrencyConflict:
                    conflicts += 1
    return conflicts


def test_two_processes_racing_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "procs.db")
    first = received_event("P", datetime(2026, 10, 1, tzinfo=UTC))
    with SQLiteStore(path) as store:
        store.append(first.apply(None), [first], expected_version=0)
    per_writer = 25
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_increment, path, n, per_writer) for n in range(2)]
        for f in futures:
            f.result()
    with SQLiteStore(path) as store:
        events = store.events("P")
        assert store.version("P") == 1 + 2 * per_writer
        assert [e.version for e in events] == list(range(1, 2 + 2 * per_writer))
        notes = [getattr(e, "note", "") for e in events[1:]]
        for n in range(2):
            assert [x for x in notes if x.startswith(f"{n}:")] == [
                f"{n}:{i}" for i in range(per_writer)
            ]


def test_stream_and_ids_page_through_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_module, "_BATCH", 2)
    with SQLiteStore() as store:
        for i in range(5):
            e = received_event(f"B{i}", datetime(2026, 10, 1, tzinfo=UTC))
            store.append(e.apply(None), [e], expected_version=0)
        assert [s.position for s in store.stream()] == [1, 2, 3, 4, 5]
        assert [s.position for s in store.stream(after=3)] == [4, 5]
        assert list(store.ids()) == [f"B{i}" for i in range(5)]
        it = store.stream()
        assert next(it).complaint_id == "B0"
        e = received_event("B5", datetime(2026, 10, 1, tzinfo=UTC))
        store.append(e.apply(None), [e], expected_version=0)
        assert [s.complaint_id for s in it] == ["B1", "B2", "B3", "B4", "B5"]
