"""The SQLite store: the store contract on a file and in memory, plus what is particular to it."""

from __future__ import annotations

import itertools
import multiprocessing
import sqlite3
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ccms.store.base as store_base
import ccms.store.sqlite.queries as sqlite_queries
import ccms.store.sqlite.records as sqlite_records
import ccms.store.sqlite.schema as sqlite_schema
import ccms.store.sqlite.statements as sqlite_statements
from ccms.errors import ConcurrencyConflict, IdempotencyConflict, StoreError
from ccms.model import Closed, Complaint, Customer, HandlerAssigned, Reopened, StageChanged
from ccms.store import (
    ASAP,
    COMPLAINT,
    LATEST,
    ComplaintQuery,
    ComplaintStore,
    SQLiteStore,
    StreamConflict,
)
from ccms.store.sqlite import SCHEMA_VERSION
from ccms.testing.conformance.store import (
    RICH_DATA,
    Command,
    StoreFactory,
    StoreSuite,
    advance,
    brute_force_query,
    complaint_histories,
    received_event,
    record_batch,
    reference_due,
    rich_history,
)


class TestSQLiteFileStore(StoreSuite):
    @pytest.fixture
    def make_store(self, tmp_path: Path) -> StoreFactory:
        counter = itertools.count()
        return lambda: SQLiteStore(tmp_path / f"store-{next(counter)}.db")

    def second_handle(self, store: ComplaintStore) -> ComplaintStore:
        assert isinstance(store, SQLiteStore)
        return SQLiteStore(store.path)


class TestSQLiteMemoryStore(StoreSuite):
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


def test_files_are_durable_by_default_and_normal_on_request(tmp_path: Path) -> None:
    with (
        SQLiteStore(tmp_path / "d.db") as full,
        SQLiteStore(tmp_path / "n.db", durability="normal") as normal,
    ):
        # PRAGMA synchronous: 2 is FULL (each commit reaches the disk), 1 is NORMAL
        assert full._conn.execute("PRAGMA synchronous").fetchone() == (2,)
        assert normal._conn.execute("PRAGMA synchronous").fetchone() == (1,)
        assert (full.durability, normal.durability) == ("full", "normal")


def test_the_schema_version_is_recorded_and_a_newer_one_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    SQLiteStore(path).close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    raw.execute("PRAGMA user_version = 99")
    raw.commit()
    raw.close()
    with pytest.raises(
        StoreError, match=f"schema version 99; this ccms uses version {SCHEMA_VERSION}"
    ):
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
    monkeypatch.setattr(sqlite_queries, "_BATCH", 2)
    monkeypatch.setattr(sqlite_records, "_BATCH", 2)
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


# -- the wake-up schedule and the migration from version 1 ------------------------------------

#: The schema of version 1, verbatim, to build the files a migration must read.
_V1_SCHEMA = """
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
    body        TEXT NOT NULL
);
CREATE INDEX complaints_received ON complaints (received_us, id);
CREATE INDEX complaints_stage ON complaints (stage);
CREATE INDEX complaints_department ON complaints (department);
CREATE INDEX complaints_handler ON complaints (handler, closed_us);
CREATE INDEX complaints_customer ON complaints (customer_id);
CREATE INDEX complaints_due ON complaints (due_us) WHERE closed_us IS NULL;
CREATE TABLE complaint_codes (
    code         TEXT NOT NULL,
    complaint_id TEXT NOT NULL,
    PRIMARY KEY (code, complaint_id)
) WITHOUT ROWID;
CREATE INDEX complaint_codes_complaint ON complaint_codes (complaint_id);
CREATE TABLE events (
    position     INTEGER PRIMARY KEY,
    complaint_id TEXT NOT NULL,
    version      INTEGER NOT NULL,
    type         TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX events_complaint ON events (complaint_id, position);
CREATE TABLE idempotency (
    key          TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL,
    version      INTEGER NOT NULL,
    snapshot     TEXT NOT NULL
);
CREATE TABLE customers (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
"""

_T = datetime(2026, 10, 1, tzinfo=UTC)


def _legacy_commands() -> list[tuple[Command, str | None]]:
    """OPEN (coded, appended with a key), SHUT (closed) and MULTI (two events in its second
    append, with a key), their events interleaved in the stream; each with its key."""
    e_open = received_event("OPEN", _T, code="PRD.DEF")
    c_open = e_open.apply(None)
    e_shut = received_event("SHUT", _T)
    c_shut1 = e_shut.apply(None)
    c_shut2, closed = advance(c_shut1, Closed, _T, stage="closed")
    e_multi = received_event("MULTI", _T)
    c_multi1 = e_multi.apply(None)
    c_multi2, first = advance(c_multi1, StageChanged, _T, note="one")
    c_multi2, second = advance(c_multi2, StageChanged, _T, same_command=True, note="two")
    commands: list[tuple[Command, str | None]] = [
        ((c_open, (e_open,)), "k-open"),
        ((c_shut1, (e_shut,)), None),
        ((c_multi1, (e_multi,)), None),
        ((c_shut2, (closed,)), None),
        ((c_multi2, (first, second)), "k-multi"),
    ]
    return commands


def _histories(commands: list[tuple[Command, str | None]]) -> dict[str, list[Command]]:
    histories: dict[str, list[Command]] = {}
    for command, _ in commands:
        histories.setdefault(command[0].id, []).append(command)
    return histories


def _v1_file(path: Path, *, as_version: int = 1) -> dict[str, list[Command]]:
    """A file written as version 1 did (brought to ``as_version`` by the module's own
    migrations), holding :func:`_legacy_commands`."""
    commands = _legacy_commands()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executescript(_V1_SCHEMA)
    micros = store_base.micros
    position = 0
    for (c, events), key in commands:
        raw.execute("DELETE FROM complaints WHERE id = ?", (c.id,))
        raw.execute(
            "INSERT INTO complaints (version, received_us, stage, department, handler, "
            "closed_us, due_us, customer_id, channel, body, id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                c.version,
                micros(c.received_at),
                c.stage,
                c.department,
                c.handler,
                None if c.closed_at is None else micros(c.closed_at),
                None,
                c.customer.id,
                c.channel.value,
                c.model_dump_json(),
                c.id,
            ),
        )
        raw.execute("DELETE FROM complaint_codes WHERE complaint_id = ?", (c.id,))
        for code in sorted(set(c.codes)):
            raw.execute("INSERT INTO complaint_codes VALUES (?, ?)", (code, c.id))
        for e in events:
            position += 1
            raw.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                (position, e.complaint_id, e.version, e.type, e.model_dump_json()),
            )
        if key is not None:
            raw.execute(
                "INSERT INTO idempotency VALUES (?, ?, ?, ?)",
                (key, c.id, c.version, c.model_dump_json()),
            )
    raw.execute("PRAGMA user_version = 1")
    raw.execute("BEGIN")
    for version in range(1, as_version):
        for statement in sqlite_schema._MIGRATIONS[version]:
            raw.execute(statement)
    raw.execute(f"PRAGMA user_version = {as_version}")
    raw.execute("COMMIT")
    raw.close()
    return _histories(commands)


#: The schema of version 3, verbatim (what a new file of schema 3 held).
_V3_SCHEMA = """
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
    complaint_id TEXT NOT NULL,
    version      INTEGER NOT NULL,
    type         TEXT NOT NULL,
    body         TEXT NOT NULL,
    prev         INTEGER
);
CREATE TABLE idempotency (
    key          TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL,
    version      INTEGER NOT NULL,
    snapshot     TEXT NOT NULL,
    first_pos    INTEGER NOT NULL DEFAULT 0,
    last_pos     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE customers (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
"""


def _v3_file(path: Path) -> dict[str, list[Command]]:
    """A new file of schema 3, holding :func:`_legacy_commands` as the version-3 append wrote
    them (each append's first event linked to the complaint's previous one, every open
    complaint waking at the next tick)."""
    commands = _legacy_commands()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executescript(_V3_SCHEMA)
    micros = store_base.micros
    position = 0
    last: dict[str, int] = {}
    for (c, events), key in commands:
        first = position + 1
        for i, e in enumerate(events):
            position += 1
            raw.execute(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                (
                    position,
                    e.complaint_id,
                    e.version,
                    e.type,
                    e.model_dump_json(),
                    last.get(c.id, 0) if i == 0 else None,
                ),
            )
        last[c.id] = position
        raw.execute("DELETE FROM complaints WHERE id = ?", (c.id,))
        raw.execute(
            "INSERT INTO complaints (id, version, received_us, stage, department, handler, "
            "closed_us, due_us, customer_id, channel, body, wake_us, codes, last_pos) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                c.id,
                c.version,
                micros(c.received_at),
                c.stage,
                c.department,
                c.handler,
                None if c.closed_at is None else micros(c.closed_at),
                None,
                c.customer.id,
                c.channel.value,
                c.model_dump_json(),
                micros(ASAP) if c.closed_at is None else None,
                "\n".join(sorted(set(c.codes))),
                position,
            ),
        )
        if key is not None:
            raw.execute(
                "INSERT INTO idempotency VALUES (?, ?, ?, ?, ?, ?)",
                (key, c.id, c.version, c.model_dump_json(), first, position),
            )
    raw.execute("PRAGMA user_version = 3")
    raw.close()
    return _histories(commands)


def _older_file(path: Path, version: str) -> dict[str, list[Command]]:
    return _v3_file(path) if version == "3-new" else _v1_file(path, as_version=int(version))


@pytest.mark.parametrize("version", ["1", "2", "3", "3-new"])
def test_an_older_file_is_migrated_in_place(tmp_path: Path, version: str) -> None:
    path = tmp_path / f"v{version}.db"
    histories = _older_file(path, version)
    c_open = histories["OPEN"][-1][0]
    with SQLiteStore(path) as store:
        for cid, history in histories.items():
            assert store.get(cid) == history[-1][0]
            assert store.events(cid) == [e for _, events in history for e in events]
        assert store.wake_at("OPEN") == ASAP  # every open complaint is looked at by the next tick
        assert store.wake_at("MULTI") == ASAP
        assert store.wake_at("SHUT") is None
        assert store.due(_T) == ["MULTI", "OPEN"]
        assert store.last_position() == 6
        assert [s.position for s in store.stream()] == [1, 2, 3, 4, 5, 6]
        assert [c.id for c in store.query(code_prefix="PRD")] == ["OPEN"]
        assert store.query(code_prefix="SVC") == []
        k_open = store.idempotent_result("k-open")
        k_multi = store.idempotent_result("k-multi")
        assert k_open is not None
        assert k_multi is not None
        assert (k_open.complaint, k_open.events, k_open.positions) == (
            c_open,
            histories["OPEN"][0][1],
            (1,),
        )
        assert (k_multi.events, k_multi.positions) == (histories["MULTI"][1][1], (5, 6))
        c2, e = advance(c_open, StageChanged, _T, note="after the migration")
        assert store.append(c2, [e], expected_version=1, wake_at=None).positions == (7,)
        assert store.events("OPEN") == [*histories["OPEN"][0][1], e]
        assert store.due(_T) == ["MULTI"]
        assert [c.id for c in store.query(code_prefix="PRD.DEF")] == ["OPEN"]
        # Records and checkpoints after the migration: the same sequence goes on.
        batch = record_batch("idea", "IDEA-1", count=2)
        assert store.append_records(
            "idea", "IDEA-1", batch, expected_version=0, idempotency_key="k-idea"
        ).positions == (8, 9)
        with pytest.raises(IdempotencyConflict):  # a key from before the migration
            store.append_records(
                "idea",
                "IDEA-2",
                record_batch("idea", "IDEA-2"),
                expected_version=0,
                idempotency_key="k-open",
            )
        assert [(x.position, x.kind) for x in store.log(after=6)] == [
            (7, COMPLAINT),
            (8, "idea"),
            (9, "idea"),
        ]
        assert [s.position for s in store.stream(after=6)] == [7]
        store.save_checkpoint("p", position=9, state={"n": 9}, expected_position=0)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (6,)
    assert raw.execute("PRAGMA application_id").fetchone() == (sqlite_schema.APPLICATION_ID,)
    names = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
    event_columns = [row[1] for row in raw.execute("PRAGMA table_info(events)")]
    key_columns = [row[1] for row in raw.execute("PRAGMA table_info(idempotency)")]
    raw.close()
    assert "complaints_wake" in names
    assert "events_complaint" not in names
    assert "complaint_codes" not in names
    assert {"streams", "streams_kind", "events_records", "checkpoints"} <= names
    assert event_columns == ["position", "stream_id", "version", "type", "body", "prev", "kind"]
    assert key_columns[1] == "stream_id"
    assert key_columns[-2:] == ["kind", "fingerprint"]
    with SQLiteStore(path) as again:  # opening a migrated file again changes nothing
        assert again.wake_at("OPEN") is None
        assert again.get("OPEN") == c2
        assert again.events("OPEN") == [*histories["OPEN"][0][1], e]
        assert again.records("idea", "IDEA-1") == batch
        assert again.checkpoint("p") == (9, {"n": 9})
        again_idea = again.append_records(
            "idea", "IDEA-1", batch, expected_version=0, idempotency_key="k-idea"
        )
        assert (again_idea.duplicate, again_idea.positions) == (True, (8, 9))


def test_a_new_file_and_a_migrated_one_have_the_same_schema(tmp_path: Path) -> None:
    def shape(path: Path) -> dict[str, list[tuple[Any, ...]]]:
        raw = sqlite3.connect(path)
        tables = [n for (n,) in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {t: [tuple(r[1:]) for r in raw.execute(f"PRAGMA table_info({t})")] for t in tables}
        found["indexes"] = sorted(
            raw.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
                "AND name NOT LIKE 'sqlite_autoindex%'"
            )
        )
        raw.close()
        return found

    SQLiteStore(tmp_path / "new.db").close()
    _v3_file(tmp_path / "old.db")
    SQLiteStore(tmp_path / "old.db").close()
    assert shape(tmp_path / "old.db") == shape(tmp_path / "new.db")


def test_a_failed_migration_leaves_the_version_3_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    _v3_file(path)
    raw = sqlite3.connect(path, isolation_level=None)
    # A stray table under the name the migration creates last makes it fail.
    raw.execute("CREATE TABLE checkpoints (x)")
    raw.close()
    with pytest.raises(StoreError, match="checkpoints"):
        SQLiteStore(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone() == (3,)
    columns = [row[1] for row in raw.execute("PRAGMA table_info(events)")]
    names = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert columns == ["position", "complaint_id", "version", "type", "body", "prev"]
    assert "streams" not in names


def test_a_failed_migration_leaves_the_version_1_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    _v1_file(path)
    raw = sqlite3.connect(path, isolation_level=None)
    # A stray index under the name the migration creates makes its last statement fail.
    raw.execute("CREATE INDEX complaints_wake ON complaints (id)")
    raw.close()
    with pytest.raises(StoreError, match="complaints_wake"):
        SQLiteStore(path)
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone() == (1,)
    columns = {row[1] for row in raw.execute("PRAGMA table_info(complaints)")}
    raw.close()
    assert "wake_us" not in columns


def test_due_is_a_range_scan_of_the_partial_wake_index() -> None:
    with SQLiteStore() as store:
        for i in range(50):
            e = received_event(f"D{i:02d}", _T)
            store.append(e.apply(None), [e], expected_version=0, wake_at=None if i % 2 else _T)
        plan = (
            store._db().execute(f"EXPLAIN QUERY PLAN {sqlite_statements._DUE}", (0, -1)).fetchall()
        )
        detail = " ".join(str(row[-1]) for row in plan)
        assert "SEARCH complaints USING INDEX complaints_wake (wake_us<?)" in detail
        assert "TEMP B-TREE" not in detail
        assert len(store.due(_T)) == 25


# -- what one store object remembers, while another writes the same file ----------------------


def test_a_remembered_row_is_checked_against_other_writers(tmp_path: Path) -> None:
    # Each object remembers the columns it wrote last and guards its next UPDATE by the version
    # and the wake-up; another object's append or reschedule must be seen, never overwritten.
    path = tmp_path / "two.db"
    e = received_event("R", _T, code="PRD.DEF")
    with SQLiteStore(path) as a, SQLiteStore(path) as b:
        c1 = e.apply(None)
        a.append(c1, [e], expected_version=0, wake_at=_T)
        # b reschedules: a's next append must still write its own wake-up and columns.
        assert b.reschedule("R", version=1, wake_at=ASAP) is True
        c2, assigned = advance(c1, HandlerAssigned, _T, stage="handler_assigned", handler="kim")
        a.append(c2, [assigned], expected_version=1, wake_at=_T + timedelta(hours=1))
        assert b.wake_at("R") == _T + timedelta(hours=1)
        assert b.query(handler="kim") == [c2]
        # b appends: a's remembered version is stale, so its append conflicts...
        c3, note = advance(c2, StageChanged, _T, note="from b")
        b.append(c3, [note], expected_version=2, wake_at=None)
        c3a, note_a = advance(c2, StageChanged, _T, note="from a")
        with pytest.raises(ConcurrencyConflict) as caught:
            a.append(c3a, [note_a], expected_version=2)
        assert caught.value.actual == 3
        # ... and after reloading, its append builds on b's.
        current = a.get("R")
        assert current == c3
        c4, closed = advance(current, Closed, _T, stage="closed")
        assert a.append(c4, [closed], expected_version=3).positions == (4,)
        assert b.events("R") == [e, assigned, note, closed]
        assert b.query(handler="kim", open_only=True) == []
        assert b.due(LATEST) == []
        # b's own memory of version 3 is stale too.
        stale, stale_note = advance(c3, StageChanged, _T, note="b, stale")
        with pytest.raises(ConcurrencyConflict):
            b.append(stale, [stale_note], expected_version=3)
        c5, reopened = advance(c4, Reopened, _T, stage="in_progress")
        assert b.append(c5, [reopened], expected_version=4, wake_at=_T).positions == (5,)
        assert a.due(_T) == ["R"]
        assert a.get("R") == c5


def test_two_objects_on_one_file_match_a_reference(tmp_path: Path) -> None:
    counter = itertools.count()

    @settings(deadline=None, max_examples=40)
    @given(histories=complaint_histories(max_size=6), data=st.data())
    def check(histories: list[list[Command]], data: st.DataObject) -> None:
        path = tmp_path / f"pair-{next(counter)}.db"
        schedule: dict[str, datetime | None] = {}
        stored: dict[str, Complaint] = {}
        with SQLiteStore(path) as a, SQLiteStore(path) as b:
            handles = (a, b)
            for step in range(max((len(h) for h in histories), default=0)):
                for history in histories:
                    if step >= len(history):
                        continue
                    snapshot, events = history[step]
                    writer = handles[data.draw(st.integers(0, 1), label="writer")]
                    wake = data.draw(st.none() | st.just(ASAP) | st.just(_T), label="wake")
                    writer.append(
                        snapshot, events, expected_version=snapshot.version - 1, wake_at=wake
                    )
                    schedule[snapshot.id] = wake
                    stored[snapshot.id] = snapshot
                    if data.draw(st.booleans(), label="reschedule?"):
                        other = handles[data.draw(st.integers(0, 1), label="rescheduler")]
                        wake = data.draw(st.none() | st.just(LATEST), label="to")
                        assert other.reschedule(snapshot.id, version=snapshot.version, wake_at=wake)
                        schedule[snapshot.id] = wake
            for handle in handles:
                for history in histories:
                    c = history[-1][0]
                    assert handle.get(c.id) == c
                    assert handle.events(c.id) == [e for _, events in history for e in events]
                    assert handle.wake_at(c.id) == schedule[c.id]
                assert handle.due(LATEST) == reference_due(schedule, stored, LATEST)
                finals = [h[-1][0] for h in histories]
                for q in (
                    ComplaintQuery(open_only=True),
                    ComplaintQuery(code_prefix="PRD"),
                    ComplaintQuery(handler="kim"),
                    ComplaintQuery(stages={"closed", "in_progress"}),
                ):
                    assert handle.query(q) == brute_force_query(q, finals)
                positions = [s.position for s in handle.stream()]
                assert positions == list(range(1, len(positions) + 1))

    check()


# -- records, the global log and checkpoints in the file ----------------------------------------


def test_records_log_and_checkpoints_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "records.db"
    with SQLiteStore(path) as store:
        _rich(store)
        store.append_records(
            "improvement_task",
            "TASK-1",
            record_batch("improvement_task", "TASK-1", count=3, data=RICH_DATA),
            expected_version=0,
            idempotency_key="t-1",
        )
        store.append_records("idea", "I-1", record_batch("idea", "I-1"), expected_version=0)
        store.save_checkpoint("p1", position=12, state=RICH_DATA, expected_position=0)
        log = list(store.log())
        tasks = store.records("improvement_task", "TASK-1")
    with SQLiteStore(path) as again:
        assert list(again.log()) == log
        assert again.records("improvement_task", "TASK-1") == tasks
        assert tasks[0].data == {**RICH_DATA, "n": 1}
        assert again.stream_ids("improvement_task") == ["TASK-1"]
        assert again.latest_records("idea") == record_batch("idea", "I-1")
        assert again.checkpoint("p1") == (12, RICH_DATA)
        assert again.last_position() == 14
        retry = again.append_records(
            "improvement_task",
            "TASK-1",
            record_batch("improvement_task", "TASK-1", count=3, data=RICH_DATA),
            expected_version=0,
            idempotency_key="t-1",
        )
        assert (retry.duplicate, retry.positions, list(retry.records)) == (
            True,
            (11, 12, 13),
            tasks,
        )


def test_the_database_refuses_a_second_record_at_a_version(tmp_path: Path) -> None:
    path = tmp_path / "unique.db"
    with SQLiteStore(path) as store:
        store.append_records("idea", "I-1", record_batch("idea", "I-1"), expected_version=0)
    raw = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        raw.execute(
            "INSERT INTO events (kind, stream_id, version, type, body) "
            "VALUES ('idea', 'I-1', 1, 'again', '{}')"
        )
    # Complaint rows (kind NULL) are not in the index: their versions repeat within an append.
    raw.execute(
        "INSERT INTO events (stream_id, version, type, body) VALUES ('I-1', 1, 'x', '{}'), "
        "('I-1', 1, 'y', '{}')"
    )
    raw.rollback()
    raw.close()


def _plan(store: SQLiteStore, sql: str, params: tuple[Any, ...]) -> str:
    rows = store._db().execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return " | ".join(str(row[-1]) for row in rows)


def test_reads_of_records_use_their_indexes_and_complaint_reads_skip_them() -> None:
    with SQLiteStore() as store:
        for i in range(30):
            e = received_event(f"C{i}", _T)
            store.append(e.apply(None), [e], expected_version=0)
            store.append_records(
                "idea",
                f"I{i % 5}",
                record_batch("idea", f"I{i % 5}", after=i // 5),
                expected_version=i // 5,
            )
        # The complaint stream: a range of the table's key.
        stream = _plan(
            store,
            "SELECT position, type, body FROM events WHERE position > ? AND kind IS NULL "
            "ORDER BY position LIMIT ?",
            (0, 10),
        )
        assert "USING INTEGER PRIMARY KEY (rowid>?)" in stream
        assert "events_" not in stream
        # The log of one kind: a range of the table's key too (never a sort of the kind).
        one = _plan(
            store,
            f"SELECT {sqlite_statements._LOG_COLUMNS} FROM events NOT INDEXED "
            "WHERE position > ? AND kind IN (?) ORDER BY position LIMIT ?",
            (0, "idea", 10),
        )
        assert "USING INTEGER PRIMARY KEY (rowid>?)" in one
        assert "TEMP B-TREE" not in one
        # A stream's records: the partial unique index, in version order.
        records = _plan(
            store,
            "SELECT version, type, body FROM events INDEXED BY events_records "
            "WHERE kind = ? AND stream_id = ? ORDER BY version",
            ("idea", "I1"),
        )
        assert "USING INDEX events_records (kind=? AND stream_id=?)" in records
        assert "TEMP B-TREE" not in records
        # The latest record of each stream: one key lookup per stream, never its history.
        latest = _plan(
            store,
            "SELECT s.id, e.version, e.type, e.body FROM streams s "
            "JOIN events e ON e.position = s.last_pos WHERE s.kind = ? ORDER BY s.seq",
            ("idea",),
        )
        assert "SEARCH s USING INDEX streams_kind (kind=?)" in latest
        assert "SEARCH e USING INTEGER PRIMARY KEY (rowid=?)" in latest
        assert "TEMP B-TREE" not in latest
        assert [r.version for r in store.latest_records("idea")] == [6] * 5


def test_the_log_pages_through_batches_and_merges_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_queries, "_BATCH", 2)
    monkeypatch.setattr(sqlite_records, "_BATCH", 2)
    with SQLiteStore() as store:
        for i in range(4):
            e = received_event(f"C{i}", _T)
            store.append(e.apply(None), [e], expected_version=0)
            for kind in ("idea", "activity"):
                store.append_records(kind, f"S{i}", record_batch(kind, f"S{i}"), expected_version=0)
        full = list(store.log())
        assert [x.position for x in full] == list(range(1, 13))
        for kinds in ({"idea"}, {"idea", "activity"}, {COMPLAINT, "activity"}, {COMPLAINT}):
            for after in (0, 3, 7, 12):
                got = list(store.log(after, kinds=kinds))
                assert got == [x for x in full if x.position > after and x.kind in kinds]
        it = store.log(kinds={"idea", "activity"})
        assert next(it).position == 2
        store.append_records("idea", "S9", record_batch("idea", "S9"), expected_version=0)
        assert [x.position for x in it] == [3, 5, 6, 8, 9, 11, 12, 13]


def test_a_large_batch_of_records_is_written_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_records, "_RECORD_ROWS", 2)
    with SQLiteStore() as store:
        e = received_event("C", _T)
        store.append(e.apply(None), [e], expected_version=0)
        batch = record_batch("activity", "A", count=7)
        assert store.append_records("activity", "A", batch, expected_version=0).positions == tuple(
            range(2, 9)
        )
        assert store.records("activity", "A") == batch
        assert store.stream_version("activity", "A") == 7
        assert store.latest_records("activity") == batch[-1:]


def _append_records(path: str, writer: int, count: int) -> int:
    conflicts = 0
    with SQLiteStore(path) as store:
        for i in range(count):
            while True:
                version = store.stream_version("activity", "SHARED")
                batch = record_batch(
                    "activity", "SHARED", after=version, data={"w": writer, "i": i}
                )
                try:
                    store.append_records("activity", "SHARED", batch, expected_version=version)
                    break
                except StreamConflict:
                    conflicts += 1
            e = received_event(f"P{writer}-{i}", _T)
            store.append(e.apply(None), [e], expected_version=0)
    return conflicts


def test_two_processes_appending_records_and_complaints_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "records-procs.db")
    SQLiteStore(path).close()
    per_writer = 25
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_append_records, path, n, per_writer) for n in range(2)]
        for f in futures:
            f.result()
    with SQLiteStore(path) as store:
        shared = store.records("activity", "SHARED")
        assert [r.version for r in shared] == list(range(1, 1 + 2 * per_writer))
        for n in range(2):
            assert [r.data["i"] for r in shared if r.data["w"] == n] == list(range(per_writer))
        positions = [x.position for x in store.log()]
        assert positions == list(range(1, 1 + 4 * per_writer))
        assert len(store) == 2 * per_writer
