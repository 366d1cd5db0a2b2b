"""The PostgreSQL store: the store contract on a real server, writers in 8 processes, migrations.

Needs a server: ``CCMS_POSTGRES_URL`` (``scripts/postgres.sh start`` starts a throw-away one and
prints its URL). Without it every test here is skipped, saying so, unless
``CCMS_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), which makes a missing server a failure. Every
test works in schemas of its own, dropped afterwards.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")
psycopg_pool = pytest.importorskip("psycopg_pool", reason="the postgres extra is not installed")

import ccms.store.postgres.connection as postgres_connection  # noqa: E402
import ccms.store.postgres.schema as postgres_module  # noqa: E402
from ccms.errors import (  # noqa: E402
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    StoreError,
)
from ccms.model import Customer, StageChanged  # noqa: E402
from ccms.store import (  # noqa: E402
    ComplaintStore,
    InvalidAppend,
    StoreClosed,
    StoreSchemaError,
    StreamConflict,
)
from ccms.store.postgres import (  # noqa: E402
    SCHEMA_VERSION,
    Migration,
    PostgresStore,
    migrate,
)
from ccms.testing.conformance.store import (  # noqa: E402
    StoreFactory,
    StoreSuite,
    advance,
    received_event,
    record_batch,
    rich_history,
)
from postgres_kit import postgres_url as _url  # noqa: E402

URL_VARIABLE = "CCMS_POSTGRES_URL"
_T = datetime(2026, 10, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def postgres_url() -> str:
    return _url()


@pytest.fixture
def new_schema(postgres_url: str) -> Iterator[Callable[[], str]]:
    """A factory of new schema names; every schema made is dropped after the test."""
    made: list[str] = []

    def make() -> str:
        name = f"t_{uuid.uuid4().hex[:20]}"
        made.append(name)
        return name

    yield make
    if made:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            names = ", ".join(f'"{name}"' for name in made)
            conn.execute(f"DROP SCHEMA IF EXISTS {names} CASCADE")


def _raw(url: str) -> Any:
    return psycopg.connect(url, autocommit=True)


class TestPostgresStore(StoreSuite):
    @pytest.fixture
    def make_store(self, postgres_url: str, new_schema: Callable[[], str]) -> StoreFactory:
        return lambda: PostgresStore(postgres_url, schema=new_schema(), max_size=4)

    def second_handle(self, store: ComplaintStore) -> ComplaintStore:
        assert isinstance(store, PostgresStore)
        assert store.url is not None
        return PostgresStore(store.url, schema=store.schema, max_size=4)


@pytest.fixture
def store(postgres_url: str, new_schema: Callable[[], str]) -> Iterator[PostgresStore]:
    with PostgresStore(postgres_url, schema=new_schema()) as s:
        yield s


# -- what is particular to PostgreSQL ------------------------------------------------------------


def test_a_new_schema_records_its_version(store: PostgresStore, postgres_url: str) -> None:
    with _raw(postgres_url) as conn:
        rows = conn.execute(f'SELECT version FROM "{store.schema}".schema_version').fetchall()
    assert rows == [(v,) for v in range(1, SCHEMA_VERSION + 1)]
    assert migrate(postgres_url, schema=store.schema) == SCHEMA_VERSION  # nothing left to run


def test_migrate_creates_a_schema_explicitly(
    postgres_url: str, new_schema: Callable[[], str]
) -> None:
    name = new_schema()
    assert migrate(postgres_url, schema=name) == 0
    with PostgresStore(postgres_url, schema=name, migrate=False) as store:
        assert len(store) == 0


def test_a_schema_not_migrated_is_refused_without_migrate(
    postgres_url: str, new_schema: Callable[[], str]
) -> None:
    with pytest.raises(
        StoreError, match=rf"not {SCHEMA_VERSION}: run ccms.store.postgres.migrate\(\) first"
    ):
        PostgresStore(postgres_url, schema=new_schema(), migrate=False)


def test_a_newer_schema_is_refused(store: PostgresStore, postgres_url: str) -> None:
    with _raw(postgres_url) as conn:
        conn.execute(
            f"INSERT INTO \"{store.schema}\".schema_version (version, description) VALUES (99, 'x')"
        )
    with pytest.raises(
        StoreSchemaError, match=f"schema version 99; this ccms uses version {SCHEMA_VERSION}"
    ):
        PostgresStore(postgres_url, schema=store.schema)


def test_an_older_schema_is_upgraded_when_opened(
    postgres_url: str, new_schema: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = new_schema()
    with PostgresStore(postgres_url, schema=name) as store:
        e = received_event("C", _T)
        store.append(e.apply(None), [e], expected_version=0)
    nxt = SCHEMA_VERSION + 1
    step = Migration(nxt, "a test column", "ALTER TABLE {s}.complaints ADD COLUMN note text;")
    monkeypatch.setattr(postgres_module, "MIGRATIONS", (*postgres_module.MIGRATIONS, step))
    monkeypatch.setattr(postgres_module, "SCHEMA_VERSION", nxt)
    with PostgresStore(postgres_url, schema=name) as store:
        assert store.get("C") == e.apply(None)
    with _raw(postgres_url) as conn:
        versions = conn.execute(f'SELECT version FROM "{name}".schema_version').fetchall()
        conn.execute(f'SELECT note FROM "{name}".complaints')
    assert versions == [(v,) for v in range(1, nxt + 1)]


def test_a_failed_migration_changes_nothing(
    postgres_url: str, new_schema: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = new_schema()
    PostgresStore(postgres_url, schema=name).close()
    nxt = SCHEMA_VERSION + 1
    broken = Migration(nxt, "broken", "ALTER TABLE {s}.complaints ADD COLUMN x text; SELECT 1/0;")
    monkeypatch.setattr(postgres_module, "MIGRATIONS", (*postgres_module.MIGRATIONS, broken))
    monkeypatch.setattr(postgres_module, "SCHEMA_VERSION", nxt)
    with pytest.raises(StoreError, match="division by zero"):
        PostgresStore(postgres_url, schema=name)
    with _raw(postgres_url) as conn:
        assert conn.execute(f'SELECT max(version) FROM "{name}".schema_version').fetchone() == (
            SCHEMA_VERSION,
        )
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'complaints'",
            (name,),
        ).fetchall()
    assert ("x",) not in columns


def test_stores_opening_a_new_schema_at_once_migrate_it_once(
    postgres_url: str, new_schema: Callable[[], str]
) -> None:
    name = new_schema()
    opened: list[PostgresStore] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_one() -> None:
        barrier.wait()
        try:
            opened.append(PostgresStore(postgres_url, schema=name, max_size=1))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in opened:
        s.close()
    assert errors == []
    with _raw(postgres_url) as conn:
        rows = conn.execute(f'SELECT version FROM "{name}".schema_version').fetchall()
    assert rows == [(v,) for v in range(1, SCHEMA_VERSION + 1)]


def test_the_database_refuses_a_second_entry_at_a_version(
    store: PostgresStore, postgres_url: str
) -> None:
    store.append_records("idea", "I", record_batch("idea", "I"), expected_version=0)
    e = received_event("C", _T)
    store.append(e.apply(None), [e], expected_version=0)
    with _raw(postgres_url) as conn:
        for kind, stream in (("idea", "I"), ("complaint", "C")):
            with pytest.raises(psycopg.errors.UniqueViolation, match="events_stream_version"):
                conn.execute(
                    f'INSERT INTO "{store.schema}".events '
                    "(position, kind, stream_id, version, idx, type, body) "
                    "VALUES (99, %s, %s, 1, 0, 'note', '{}')",
                    (kind, stream),
                )


def test_personal_data_is_stored_in_clear_for_the_host_to_guard(
    store: PostgresStore, postgres_url: str
) -> None:
    store.save_customer(Customer(id="C-1", name="홍길동", phone="010-1234-5678"))
    with _raw(postgres_url) as conn:
        (body,) = conn.execute(f'SELECT body FROM "{store.schema}".customers').fetchone()
    assert "010-1234-5678" in body
    assert "홍길동" in body


def test_ids_sort_as_python_sorts_strings(store: PostgresStore) -> None:
    # The "C" collation: code points, not a locale's dictionary order.
    names = ["b", "B", "a", "_", "Z", "é", "a1", "a-", "가"]
    for name in names:
        e = received_event(name, _T)
        store.append(e.apply(None), [e], expected_version=0)
    assert [c.id for c in store.query()] == sorted(names)
    assert store.due(_T) == sorted(names)


def test_text_postgres_cannot_hold_is_refused_as_invalid_input(store: PostgresStore) -> None:
    e = received_event("NUL\x00", _T)
    with pytest.raises(InvalidInput, match="NUL"):
        store.append(e.apply(None), [e], expected_version=0)
    assert len(store) == 0
    assert store.last_position() == 0


def test_the_url_password_is_masked(postgres_url: str, new_schema: Callable[[], str]) -> None:
    shown = postgres_connection._shown("postgresql://ccms:s3cret@db:5432/ccms")
    assert shown == "postgresql://ccms:***@db:5432/ccms"
    assert (
        postgres_connection._shown("host=db password=s3cret user=x")
        == "host=db password=*** user=x"
    )
    with PostgresStore(postgres_url, schema=new_schema()) as s:
        assert repr(s) == f"PostgresStore({postgres_url!r}, schema={s.schema!r})"


def test_an_unreachable_server_is_a_store_error() -> None:
    started = time.monotonic()
    with pytest.raises(
        StoreError,
        match=r"cannot connect to PostgreSQL at postgresql://nobody:\*\*\*@127\.0\.0\.1:1/x: .*refused",
    ) as caught:
        PostgresStore("postgresql://nobody:pw@127.0.0.1:1/x", timeout=1)
    assert "pw" not in str(caught.value)
    assert time.monotonic() - started < 10


def test_a_bad_schema_name_is_refused(postgres_url: str) -> None:
    with pytest.raises(InvalidInput, match="schema must be a PostgreSQL identifier"):
        PostgresStore(postgres_url, schema='x"; DROP TABLE y; --')


def test_a_pool_of_the_hosts_is_used_and_left_open(
    postgres_url: str, new_schema: Callable[[], str]
) -> None:
    name = new_schema()
    with psycopg_pool.ConnectionPool(
        postgres_url, min_size=1, max_size=2, kwargs={"autocommit": True}
    ) as pool:
        store = PostgresStore(pool, schema=name)
        e = received_event("C", _T)
        store.append(e.apply(None), [e], expected_version=0)
        store.close()
        with pytest.raises(StoreClosed):
            store.get("C")
        with pool.connection() as conn:  # still open
            assert conn.execute(f'SELECT count(*) FROM "{name}".complaints').fetchone() == (1,)
        assert PostgresStore(pool, schema=name).get("C") == e.apply(None)


def test_a_pool_without_autocommit_is_refused(
    postgres_url: str, new_schema: Callable[[], str]
) -> None:
    with (
        psycopg_pool.ConnectionPool(postgres_url, min_size=1, max_size=1) as pool,
        pytest.raises(StoreError, match="autocommit"),
    ):
        PostgresStore(pool, schema=new_schema())


def test_an_append_takes_no_table_lock(store: PostgresStore, postgres_url: str) -> None:
    # Another transaction holds complaint A's row (and everything a writer of A takes before the
    # positions); an append to complaint B and a record append go through meanwhile.
    a, b = received_event("A", _T), received_event("B", _T)
    store.append(a.apply(None), [a], expected_version=0)
    with _raw(postgres_url) as blocker:
        blocker.execute("BEGIN")
        blocker.execute(f"UPDATE \"{store.schema}\".complaints SET stage = stage WHERE id = 'A'")
        blocker.execute(
            f'INSERT INTO "{store.schema}".idempotency VALUES '
            "('held', 'complaint', 'A', 2, 2, NULL)"
        )
        started = time.monotonic()
        store.append(b.apply(None), [b], expected_version=0)
        store.append_records("idea", "I", record_batch("idea", "I"), expected_version=0)
        assert time.monotonic() - started < 5
        # A writer of A waits for the holder, then sees what it did (here: nothing).
        outcome: list[str] = []
        c2, moved = advance(a.apply(None), StageChanged, _T, note="x")

        def write_a() -> None:
            try:
                store.append(c2, [moved], expected_version=1)
                outcome.append("won")
            except ConcurrencyConflict:
                outcome.append("lost")

        writer = threading.Thread(target=write_a)
        writer.start()
        time.sleep(0.3)
        assert outcome == []  # waiting on A's row, not on the log
        blocker.execute("ROLLBACK")
        writer.join(10)
    assert outcome == ["won"]
    assert [x.position for x in store.log()] == [1, 2, 3, 4]


def test_the_counter_serialises_only_the_positions(store: PostgresStore, postgres_url: str) -> None:
    # A transaction holding the counter (as an append does while it commits) holds back every
    # append at that point and no reader: readers see the log up to it, never a gap.
    for cid in "AB":
        e = received_event(cid, _T)
        store.append(e.apply(None), [e], expected_version=0)
    with _raw(postgres_url) as holder:
        holder.execute("BEGIN")
        holder.execute(f'UPDATE "{store.schema}".log_position SET last = last')
        done: list[int] = []
        e = received_event("C", _T)
        writer = threading.Thread(
            target=lambda: done.extend(
                store.append(e.apply(None), [e], expected_version=0).positions
            )
        )
        writer.start()
        time.sleep(0.3)
        assert done == []
        assert [x.position for x in store.log()] == [1, 2]
        assert store.get("A").id == "A"  # reads go on
        holder.execute("COMMIT")
        writer.join(10)
    assert done == [3]
    assert [x.position for x in store.log()] == [1, 2, 3]


def test_a_duplicate_answer_is_the_first_result_after_a_race(
    store: PostgresStore,
) -> None:
    # Two handles retry one command with one key at once: one writes, the other gets its result.
    other = PostgresStore(store.url or "", schema=store.schema)
    try:
        history = rich_history()
        c1, e1 = history[0]
        store.append(c1, e1, expected_version=0)
        for round_ in range(10):
            key = f"cmd-{round_}"
            current = store.get(c1.id)
            c, events = advance(current, StageChanged, _T, note=str(round_))
            results: list[Any] = []
            barrier = threading.Barrier(2)

            def go(
                handle: PostgresStore,
                c: Any = c,
                events: Any = events,
                key: str = key,
                barrier: threading.Barrier = barrier,
                results: list[Any] = results,
            ) -> None:
                barrier.wait()
                results.append(
                    handle.append(c, [events], expected_version=c.version - 1, idempotency_key=key)
                )

            threads = [threading.Thread(target=go, args=(h,)) for h in (store, other)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(r.duplicate for r in results) == [False, True]
            assert results[0].positions == results[1].positions
            assert results[0].complaint == results[1].complaint == c
        assert store.version(c1.id) == 11
        b = received_event("B", _T)
        with pytest.raises(IdempotencyConflict):
            other.append(b.apply(None), [b], expected_version=0, idempotency_key="cmd-3")
    finally:
        other.close()


# -- 8 writer processes ---------------------------------------------------------------------------

WRITERS = 8


def _distinct_writer(url: str, schema: str, writer: int, complaints: int, steps: int) -> list[Any]:
    """Append ``steps`` commands to each of this writer's own complaints, interleaved, and a
    record stream of its own; the positions of every append, in order."""
    out: list[Any] = []
    with PostgresStore(url, schema=schema, max_size=1) as store:
        current = {}
        for k in range(complaints):
            e = received_event(f"W{writer}-{k}", _T)
            current[e.complaint_id] = e.apply(None)
            out.append(store.append(current[e.complaint_id], [e], expected_version=0).positions)
        for step in range(steps):
            for cid, c in list(current.items()):
                nxt, moved = advance(c, StageChanged, _T + timedelta(minutes=step), note=str(step))
                out.append(store.append(nxt, [moved], expected_version=c.version).positions)
                current[cid] = nxt
            batch = record_batch("activity", f"R{writer}", after=step, data={"w": writer})
            out.append(
                store.append_records(
                    "activity", f"R{writer}", batch, expected_version=step
                ).positions
            )
    return out


def _shared_writer(url: str, schema: str, writer: int, count: int, shared: int) -> dict[str, int]:
    """Append ``count`` commands spread over ``shared`` complaints every writer appends to,
    reloading and retrying on each ConcurrencyConflict; returns how many it tried, won and lost."""
    tried = won = lost = 0
    with PostgresStore(url, schema=schema, max_size=1) as store:
        for i in range(count):
            cid = f"S{(writer + i) % shared}"
            while True:
                tried += 1
                current = store.get(cid)
                nxt, moved = advance(current, StageChanged, _T, note=f"{writer}:{i}")
                try:
                    store.append(nxt, [moved], expected_version=current.version)
                    won += 1
                    break
                except ConcurrencyConflict:
                    lost += 1
            version = store.stream_version("activity", "SHARED")
            while True:
                batch = record_batch(
                    "activity", "SHARED", after=version, data={"w": writer, "i": i}
                )
                try:
                    store.append_records("activity", "SHARED", batch, expected_version=version)
                    break
                except StreamConflict as err:
                    lost += 1
                    version = err.actual
    return {"tried": tried, "won": won, "lost": lost}


def _one_round(url: str, schema: str, writer: int, version: int, barrier: Any) -> str:
    """Every writer appends to complaint ONE at the same expected version at once."""
    with PostgresStore(url, schema=schema, max_size=1) as store:
        current = store.get("ONE")
        assert current.version == version
        nxt, moved = advance(current, StageChanged, _T, note=str(writer))
        barrier.wait()
        try:
            store.append(nxt, [moved], expected_version=version)
            return "won"
        except ConcurrencyConflict as err:
            return f"lost at {err.actual}"


class _Reader(threading.Thread):
    """Polls the log while writers run: every poll must continue the log exactly where the last
    one stopped (no gap, nothing out of order), and must see every position the counter had
    reached before the poll began (a committed position is never missing)."""

    def __init__(self, store: PostgresStore) -> None:
        super().__init__(daemon=True)
        self.store = store
        self.seen = 0
        self.polls = 0
        self.problems: list[str] = []
        self.stop = threading.Event()

    def poll(self) -> None:
        end = self.store.last_position()
        got = [x.position for x in self.store.log(after=self.seen)]
        self.polls += 1
        expected = list(range(self.seen + 1, self.seen + 1 + len(got)))
        if got != expected:
            self.problems.append(f"after {self.seen}: {got[:5]}... not {expected[:5]}...")
        if got:
            self.seen = got[-1]
        if self.seen < end:
            self.problems.append(f"the counter was at {end} but the log ends at {self.seen}")

    def run(self) -> None:
        while not self.stop.wait(0.002):
            self.poll()
        self.poll()


def _spawn_pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(WRITERS, mp_context=multiprocessing.get_context("spawn"))


def test_eight_processes_on_distinct_complaints(
    store: PostgresStore, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    complaints, steps = 3, 6
    reader = _Reader(store)
    reader.start()
    started = time.monotonic()
    with _spawn_pool() as pool:
        futures = [
            pool.submit(_distinct_writer, postgres_url, store.schema, w, complaints, steps)
            for w in range(WRITERS)
        ]
        per_writer = [f.result() for f in futures]
    elapsed = time.monotonic() - started
    reader.stop.set()
    reader.join(30)
    assert reader.problems == []
    total = WRITERS * (complaints * (1 + steps) + steps)
    assert reader.seen == total
    for positions in per_writer:
        assert all(a[-1] < b[0] for a, b in itertools.pairwise(positions))  # in append order
    everything = sorted(p for positions in per_writer for ps in positions for p in ps)
    assert everything == list(range(1, total + 1))
    assert store.last_position() == total
    for w in range(WRITERS):
        for k in range(complaints):
            events = store.events(f"W{w}-{k}")
            assert [e.version for e in events] == list(range(1, steps + 2))
        assert [r.version for r in store.records("activity", f"R{w}")] == list(range(1, steps + 1))
    with capsys.disabled():
        print(
            f"\n  postgres, {WRITERS} processes on distinct complaints: {total} entries in "
            f"{elapsed:.1f} s, the reader polled {reader.polls} times and saw no gap"
        )


def test_eight_processes_on_shared_complaints_lose_nothing(
    store: PostgresStore, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shared, count = 3, 12
    for k in range(shared):
        e = received_event(f"S{k}", _T)
        store.append(e.apply(None), [e], expected_version=0)
    reader = _Reader(store)
    reader.start()
    with _spawn_pool() as pool:
        futures = [
            pool.submit(_shared_writer, postgres_url, store.schema, w, count, shared)
            for w in range(WRITERS)
        ]
        figures = [f.result() for f in futures]
    reader.stop.set()
    reader.join(30)
    assert reader.problems == []
    notes: list[str] = []
    for k in range(shared):
        events = store.events(f"S{k}")
        assert [e.version for e in events] == list(range(1, len(events) + 1))  # contiguous
        assert store.get(f"S{k}").version == len(events)
        notes.extend(getattr(e, "note", "") for e in events[1:])
    assert sorted(notes) == sorted(f"{w}:{i}" for w in range(WRITERS) for i in range(count))
    for w in range(WRITERS):
        mine = [n for n in notes if n.startswith(f"{w}:")]
        assert len(mine) == count  # each accepted command once
    records = store.records("activity", "SHARED")
    assert [r.version for r in records] == list(range(1, WRITERS * count + 1))
    for w in range(WRITERS):
        assert [r.data["i"] for r in records if r.data["w"] == w] == list(range(count))
    total = shared + 2 * WRITERS * count
    assert [x.position for x in store.log()] == list(range(1, total + 1))
    assert reader.seen == total
    tried = sum(f["tried"] for f in figures)
    won = sum(f["won"] for f in figures)
    lost = sum(f["lost"] for f in figures)
    assert won == WRITERS * count
    with capsys.disabled():
        print(
            f"\n  postgres, {WRITERS} processes on {shared} shared complaints: tried {tried}, "
            f"accepted {won}, conflicts {lost} (records included); versions contiguous, "
            "nothing lost or duplicated"
        )


def test_eight_processes_at_one_version_one_wins(store: PostgresStore, postgres_url: str) -> None:
    e = received_event("ONE", _T)
    store.append(e.apply(None), [e], expected_version=0)
    manager = multiprocessing.get_context("spawn").Manager()
    try:
        with _spawn_pool() as pool:
            for round_ in range(3):
                barrier = manager.Barrier(WRITERS)
                version = 1 + round_
                futures = [
                    pool.submit(_one_round, postgres_url, store.schema, w, version, barrier)
                    for w in range(WRITERS)
                ]
                outcomes = sorted(f.result() for f in futures)
                assert outcomes == ["lost at " + str(version + 1)] * (WRITERS - 1) + ["won"]
    finally:
        manager.shutdown()
    assert [ev.version for ev in store.events("ONE")] == [1, 2, 3, 4]
    assert [x.position for x in store.log()] == [1, 2, 3, 4]


def test_connections_that_are_not_read_committed_are_refused(
    postgres_url: str, new_schema: Callable[[], str]
) -> None:
    with (
        psycopg_pool.ConnectionPool(
            postgres_url,
            min_size=1,
            max_size=1,
            kwargs={
                "autocommit": True,
                "options": "-c default_transaction_isolation=serializable",
            },
        ) as pool,
        pytest.raises(StoreError, match="needs read committed transactions"),
    ):
        PostgresStore(pool, schema=new_schema())


# -- a server crash: what was acknowledged is there ----------------------------------------------

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres.sh"


def _without_barrier(url: str, schema: str) -> None:
    """Redefine the schema's append procedures without their barrier: the asynchronous commit
    is acknowledged at once (what the barrier is there to prevent)."""
    sql = postgres_module.MIGRATIONS[0].sql
    procedures = sql[sql.index("-- One append of complaint events") :]
    procedures = procedures.replace("CREATE PROCEDURE", "CREATE OR REPLACE PROCEDURE")
    barrier = "    PERFORM pg_logical_emit_message(true, 'ccms', '');\n"
    assert procedures.count(barrier) == 2
    with _raw(url) as conn:
        conn.execute(procedures.replace(barrier, "").replace("{s}", f'"{schema}"').encode())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _acknowledged_until_the_crash(
    store: PostgresStore, prefix: str, crash: Callable[[], None]
) -> list[str]:
    """Append new complaints from 4 threads until ``crash()`` (called after a second) stops the
    server; the ids whose append returned."""
    acknowledged: list[str] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        for i in itertools.count():
            e = received_event(f"{prefix}-{n}-{i}", _T)
            try:
                store.append(e.apply(None), [e], expected_version=0)
            except StoreError:
                return
            with lock:
                acknowledged.append(e.complaint_id)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    crash()
    for t in threads:
        t.join(60)
    return acknowledged


def test_a_server_crash_loses_no_acknowledged_append(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A cluster of its own (the shared one stays up), stopped with pg_ctl -m immediate: the
    # server's processes end at once, its WAL buffers lost, and the next start recovers.
    state = tempfile.mkdtemp(prefix="ccms-pg-crash-")
    env = {**os.environ, "CCMS_PG_DIR": state, "CCMS_PG_PORT": str(_free_port())}

    def script(command: str) -> str:
        done = subprocess.run(
            ["bash", str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"postgres.sh {command}: {done.stderr}"
        return done.stdout.strip()

    url = script("start")
    try:
        lost: dict[str, int] = {}
        for name in ("barrier", "no_barrier"):
            store = PostgresStore(url, schema=name, max_size=4)
            if name == "no_barrier":
                _without_barrier(url, name)
            acknowledged = _acknowledged_until_the_crash(store, name, lambda: script("crash"))
            store.close()
            script("start")
            with PostgresStore(url, schema=name) as after:
                kept = set(after.ids())
                positions = [x.position for x in after.log()]
                assert positions == list(range(1, after.last_position() + 1))  # no gap
            lost[name] = len(set(acknowledged) - kept)
            if name == "barrier":
                assert acknowledged, "nothing was appended before the crash"
                assert lost[name] == 0, f"{lost[name]} acknowledged appends lost"
        with capsys.disabled():
            print(
                f"\n  postgres, a server crash under 4 writers: {lost['barrier']} acknowledged "
                f"appends lost with the barrier, {lost['no_barrier']} without it"
            )
    finally:
        script("stop")
        shutil.rmtree(state, ignore_errors=True)


# -- append_new: a batch of new complaints in one transaction -----------------------------------


def _new_item(i: int) -> tuple[Any, list[Any]]:
    event = received_event(f"N{i:04d}", _T + timedelta(minutes=i), code="PRD.DEF")
    return event.apply(None), [event]


def test_a_batch_stores_new_complaints_and_skips_what_exists(store: PostgresStore) -> None:
    first, events = _new_item(0)
    store.append(first, events, expected_version=0)
    batch = [_new_item(0), _new_item(1), _new_item(2), _new_item(1)]
    results = store.append_new(batch)
    assert [r is None for r in results] == [True, False, False, True]
    assert [c.id for c in store.query()] == ["N0000", "N0001", "N0002"]
    assert [p for r in results if r is not None for p in r.positions] == [2, 3]
    assert [s.position for s in store.stream()] == [1, 2, 3]
    assert store.get("N0002") == batch[2][0]
    assert store.query(code_prefix="PRD.D") == [first, batch[1][0], batch[2][0]]
    assert store.wake_at("N0001") is None
    assert store.last_position() == 3
    assert store.append_new([_new_item(1)]) == [None]
    assert store.last_position() == 3


def test_a_malformed_batch_item_writes_nothing(store: PostgresStore) -> None:
    good, events = _new_item(1)
    later = good.model_copy(update={"version": 2})
    with pytest.raises(InvalidAppend):
        store.append_new([(good, events), (later, events)])
    assert len(store) == 0
    assert list(store.stream()) == []


def test_a_batch_wakes_as_told_and_takes_positions_among_other_writers(
    store: PostgresStore,
) -> None:
    other = received_event("O", _T)
    store.append(other.apply(None), [other], expected_version=0)
    results = store.append_new([_new_item(3), _new_item(4)], wake_at=_T + timedelta(hours=1))
    assert [r.positions for r in results if r is not None] == [(2,), (3,)]
    assert store.due(_T + timedelta(hours=1)) == ["O", "N0003", "N0004"]  # O wakes ASAP
    assert store.due(_T) == ["O"]
    assert [x.position for x in store.log()] == [1, 2, 3]
    assert store.append_new([]) == []
