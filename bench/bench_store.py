"""Store throughput: SQLite appends against a verbatim copy of the version-1 append, same run.

The contenders append the same realistic workload (complaints of 8-15 events over several appends,
the VOC codes set once, at classification; many complaints in flight at once) to fresh WAL files
(``synchronous=NORMAL`` on both), in alternating rounds (legacy, current, legacy, current, ...), so
drift of the machine hits both alike. The figures are appends per second: the median of the rounds
with min and max; each target prints MET or MISSED from this run's own figures.
``python bench/bench_store.py [complaints] [rounds]``.

The in-memory store and SQLite ``:memory:`` are measured once for reference, with snapshot loads
and the stream; so are the records of other kinds on a WAL file (appends of one record each, as a
pipeline moves its items, among complaint events), the latest record of every stream, the log of
one kind and one stream's records.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from _figures import figure, target
from ccms.errors import ConcurrencyConflict, IdempotencyConflict
from ccms.model import (
    Channel,
    Classified,
    Closed,
    Complaint,
    DepartmentAssigned,
    DomainEvent,
    Feedback,
    FeedbackRecorded,
    HandlerAssigned,
    HandlingStarted,
    Money,
    RemedyKind,
    Responded,
    Result,
    ResultRegistered,
    SlaApplied,
    StageChanged,
    event_from_json,
)
from ccms.store import AppendResult, ComplaintStore, InMemoryStore, Record, SQLiteStore
from ccms.store.base import check_append
from ccms.store.sqlite import SCHEMA_VERSION
from ccms.testing.conformance.store import advance, received_event

#: One append: the snapshot after the command, its events, and the wake-up a Desk would set.
Command = tuple[Complaint, tuple[DomainEvent, ...], datetime | None]

TARGET = 2.0  # current / legacy appends per second on a WAL file


# -- the legacy store: the version-1 schema and append, verbatim ---------------------------------

_LEGACY_SCHEMA = """
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

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // _MICRO


def _micros_or_none(value: datetime | None) -> int | None:
    return None if value is None else _micros(value)


class LegacySQLiteStore:
    """``SQLiteStore.append`` as of schema version 1 (git fa8bd13), copied statement for
    statement; only what the benchmark calls."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("BEGIN IMMEDIATE")
        for statement in _LEGACY_SCHEMA.split(";"):
            if statement.strip():
                self._conn.execute(statement)
        self._conn.execute("PRAGMA user_version = 1")
        self._conn.execute("COMMIT")

    def _db(self) -> sqlite3.Connection:
        return self._conn

    def append(
        self,
        complaint: Complaint,
        events: Sequence[DomainEvent],
        *,
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> AppendResult:
        batch = check_append(complaint, events, expected_version)
        bodies = [e.model_dump_json() for e in batch]
        snapshot = complaint.model_dump_json()
        codes = sorted(set(complaint.codes))
        with self._lock:
            conn = self._db()
            conn.execute("BEGIN IMMEDIATE")
            try:
                if idempotency_key is not None:
                    earlier = self._earlier(conn, idempotency_key)
                    if earlier is not None:
                        conn.execute("ROLLBACK")
                        if earlier.complaint.id != complaint.id:
                            raise IdempotencyConflict(
                                idempotency_key,
                                f"for complaint {earlier.complaint.id}, not {complaint.id}",
                            )
                        return earlier
                row = conn.execute(
                    "SELECT version FROM complaints WHERE id = ?", (complaint.id,)
                ).fetchone()
                actual = 0 if row is None else int(row[0])
                if actual != expected_version:
                    raise ConcurrencyConflict(
                        complaint.id, expected=expected_version, actual=actual
                    )
                self._write_snapshot(conn, complaint, snapshot, new=row is None)
                conn.execute("DELETE FROM complaint_codes WHERE complaint_id = ?", (complaint.id,))
                conn.executemany(
                    "INSERT INTO complaint_codes (code, complaint_id) VALUES (?, ?)",
                    [(code, complaint.id) for code in codes],
                )
                positions = []
                for event, body in zip(batch, bodies, strict=True):
                    cursor = conn.execute(
                        "INSERT INTO events (complaint_id, version, type, body) "
                        "VALUES (?, ?, ?, ?)",
                        (complaint.id, complaint.version, event.type, body),
                    )
                    positions.append(int(cursor.lastrowid or 0))
                if idempotency_key is not None:
                    conn.execute(
                        "INSERT INTO idempotency (key, complaint_id, version, snapshot) "
                        "VALUES (?, ?, ?, ?)",
                        (idempotency_key, complaint.id, complaint.version, snapshot),
                    )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return AppendResult(complaint, batch, False, tuple(positions))

    @staticmethod
    def _earlier(conn: sqlite3.Connection, key: str) -> AppendResult | None:
        row = conn.execute(
            "SELECT complaint_id, version, snapshot FROM idempotency WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            return None
        complaint_id, version, snapshot = row
        rows = conn.execute(
            "SELECT position, type, body FROM events WHERE complaint_id = ? AND version = ? "
            "ORDER BY position",
            (complaint_id, version),
        ).fetchall()
        return AppendResult(
            Complaint.model_validate_json(snapshot),
            tuple(event_from_json(body, type_) for _, type_, body in rows),
            True,
            tuple(int(p) for p, _, _ in rows),
        )

    @staticmethod
    def _write_snapshot(
        conn: sqlite3.Connection, c: Complaint, snapshot: str, *, new: bool
    ) -> None:
        values = (
            c.version,
            _micros(c.received_at),
            c.stage,
            c.department,
            c.handler,
            _micros_or_none(c.closed_at),
            _micros_or_none(c.due_at),
            c.customer.id,
            c.channel.value,
            snapshot,
            c.id,
        )
        if new:
            conn.execute(
                "INSERT INTO complaints (version, received_us, stage, department, handler, "
                "closed_us, due_us, customer_id, channel, body, id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        else:
            conn.execute(
                "UPDATE complaints SET version = ?, received_us = ?, stage = ?, department = ?, "
                "handler = ?, closed_us = ?, due_us = ?, customer_id = ?, channel = ?, body = ? "
                "WHERE id = ?",
                values,
            )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# -- the workload ----------------------------------------------------------------------------------

_CODES = ("PRD.DEF", "PRD.DEF.HANDLE", "DLV.LATE", "SVC.STAFF", "PAY.REFUND")
_REFUND = Result(remedy=RemedyKind.REFUND, amount=Money(amount=Decimal("35000")))


def _history(i: int, rng: random.Random) -> list[Command]:
    """One complaint's commands along the main path: 8-15 events over 5-9 appends.

    The codes are set once (classification); a Desk would wake it at its SLA deadline, ASAP
    after a handler change, and never once closed.
    """
    at = datetime(2026, 10, 1, tzinfo=UTC) + timedelta(seconds=i)
    first = received_event(f"C{i:07d}", at, customer_id=f"CUST-{i % 997}")
    c = first.apply(None)
    out: list[Command] = [(c, (first,), at + timedelta(minutes=30))]

    def step(kind: type[DomainEvent], same: bool = False, **fields: Any) -> None:
        nonlocal c, at
        at = at + timedelta(minutes=rng.randint(1, 600))
        c, e = advance(c, kind, at, same_command=same, **fields)
        if same:
            _, prev_e, wake = out[-1]
            out[-1] = (c, (*prev_e, e), wake)
        else:
            out.append((c, (e,), c.due_at or at + timedelta(hours=4)))

    concerns = tuple(k.model_copy(update={"code": rng.choice(_CODES)}) for k in c.concerns)
    step(Classified, stage="classified", concerns=concerns)
    step(DepartmentAssigned, True, stage="department_assigned", department=f"d{i % 7}")
    step(HandlerAssigned, stage="handler_assigned", handler=f"h{i % 50}")
    step(SlaApplied, True, table_version="v1", due_at=at + timedelta(hours=72))
    step(HandlingStarted, stage="in_progress")
    step(Responded, True, channel=Channel.PHONE, note="called back")
    for n in range(rng.randint(0, 6)):
        step(StageChanged, rng.random() < 0.4, note=f"note {n}")
    step(ResultRegistered, stage="result_registered", result=_REFUND)
    if rng.random() < 0.5:
        step(FeedbackRecorded, stage="feedback_recorded", feedback=Feedback(satisfied=True))
    step(Closed, stage="closed")
    c_last, e_last, _ = out[-1]
    out[-1] = (c_last, e_last, None)
    return out


def workload(n: int, *, in_flight: int = 200, seed: int = 7) -> list[Command]:
    """``n`` complaints' commands, ``in_flight`` complaints interleaved at a time."""
    rng = random.Random(seed)
    histories = [_history(i, rng) for i in range(n)]
    out: list[Command] = []
    for start in range(0, n, in_flight):
        group = histories[start : start + in_flight]
        longest = max(len(h) for h in group)
        for step in range(longest):
            out.extend(h[step] for h in group if step < len(h))
    return out


# -- measuring -------------------------------------------------------------------------------------


def _append_all(store: Any, commands: list[Command], *, wake: bool) -> float:
    start = time.perf_counter()
    if wake:
        for c, e, w in commands:
            store.append(c, e, expected_version=c.version - 1, wake_at=w)
    else:
        for c, e, _ in commands:
            store.append(c, e, expected_version=c.version - 1)
    return time.perf_counter() - start


def _normal(path: Path) -> SQLiteStore:
    """The current store with the legacy one's setting (``synchronous=NORMAL``): like with like."""
    return SQLiteStore(path, durability="normal")


def _fresh(tmp: Path, name: str, make: Callable[[Path], Any], commands: list[Command]) -> float:
    path = tmp / f"{name}.db"
    with make(path) as store:
        assert store._db().execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert store._db().execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
        seconds = _append_all(store, commands, wake=isinstance(store, SQLiteStore))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return len(commands) / seconds


def _triple(rates: list[float]) -> tuple[float, float, float]:
    return statistics.median(rates), min(rates), max(rates)


def _shown(rates: list[float]) -> str:
    return (
        f"median {statistics.median(rates):>8,.0f} appends/s "
        f"(min {min(rates):>8,.0f}, max {max(rates):>8,.0f}, {len(rates)} rounds)"
    )


def race(commands: list[Command], rounds: int) -> tuple[float, float]:
    """Legacy and current on fresh WAL files, alternating; the median appends/s of each."""
    legacy: list[float] = []
    current: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        _fresh(where, "warm", _normal, commands[: len(commands) // 10])
        for r in range(rounds):
            legacy.append(_fresh(where, f"legacy-{r}", LegacySQLiteStore, commands))
            current.append(_fresh(where, f"current-{r}", _normal, commands))
    print(f"legacy  (schema 1) {_shown(legacy)}")
    print(f"current (schema {SCHEMA_VERSION}) {_shown(current)}")
    how = f"{len(commands):,} appends to a fresh WAL file (synchronous=NORMAL), {rounds} rounds"
    figure("sqlite legacy (schema 1) append", _triple(legacy), "appends/s", compares=how)
    figure(f"sqlite current (schema {SCHEMA_VERSION}) append", _triple(current), "appends/s",
           compares=how)  # fmt: skip
    return statistics.median(legacy), statistics.median(current)


def _reference(name: str, make: Callable[[], ComplaintStore], commands: list[Command]) -> None:
    events = sum(len(e) for _, e, _ in commands)
    with make() as store:
        seconds = _append_all(store, commands, wake=True)
        start = time.perf_counter()
        loaded = store.query()
        query_s = time.perf_counter() - start
        start = time.perf_counter()
        streamed = sum(1 for _ in store.stream())
        stream_s = time.perf_counter() - start
        start = time.perf_counter()
        due = store.due(datetime(2026, 10, 2, tzinfo=UTC), limit=100)
        due_s = time.perf_counter() - start
    assert streamed == events
    how = f"{len(commands):,} appends, then the reads (one pass each)"
    figure(f"{name} append", len(commands) / seconds, "appends/s", compares=how)
    figure(f"{name} load (query)", len(loaded) / query_s, "complaints/s", compares=how)
    figure(f"{name} stream", streamed / stream_s, "events/s", compares=how)
    figure(f"{name} due(limit=100)", due_s * 1e6, "us", compares=how)
    print(
        f"{name:<16} append {len(commands) / seconds:>8,.0f} appends/s"
        f" | load {len(loaded) / query_s:>9,.0f} complaints/s"
        f" | stream {streamed / stream_s:>9,.0f} events/s"
        f" | due(limit=100) {due_s * 1e6:>6,.0f} us ({len(due)} due)",
        flush=True,
    )


def records_reference(commands: list[Command], streams: int = 2_000, moves: int = 5) -> float:
    """Record appends/s on a WAL file, ``streams`` streams of ``moves`` records each appended one
    at a time in rounds, a complaint append between every two; then the reads of them."""
    at = datetime(2026, 10, 1, tzinfo=UTC)
    batches = [
        [
            Record(
                kind="improvement_task" if s % 2 else "activity",
                stream_id=f"S{s:05d}",
                version=v,
                type="move",
                at=at,
                data={"stage": f"stage-{v}", "owner": f"h{s % 50}", "steps": list(range(v))},
            )
        ]
        for v in range(1, moves + 1)
        for s in range(streams)
    ]
    with tempfile.TemporaryDirectory() as tmp, SQLiteStore(Path(tmp) / "records.db") as store:
        complaints = iter(commands)
        seconds = 0.0
        for batch in batches:
            r = batch[0]
            start = time.perf_counter()
            store.append_records(r.kind, r.stream_id, batch, expected_version=r.version - 1)
            seconds += time.perf_counter() - start
            c, e, w = next(complaints, (None, (), None))
            if c is not None:
                store.append(c, e, expected_version=c.version - 1, wake_at=w)
        start = time.perf_counter()
        latest = store.latest_records("improvement_task")
        latest_s = time.perf_counter() - start
        start = time.perf_counter()
        logged = sum(1 for _ in store.log(kinds={"activity"}))
        log_s = time.perf_counter() - start
        start = time.perf_counter()
        for s in range(1, 101, 2):
            store.records("improvement_task", f"S{s:05d}")
        one_s = (time.perf_counter() - start) / 50
    assert len(latest) == streams // 2
    assert logged == streams // 2 * moves
    rate = len(batches) / seconds
    how = f"{streams:,} streams x {moves} records, one record an append, on a WAL file"
    figure("records (WAL) append", rate, "appends/s", compares=how)
    figure("records latest_records", latest_s * 1e3, "ms", compares=f"{len(latest):,} streams")
    figure("records log(kinds=activity)", logged / log_s, "records/s", compares=how)
    figure("records records(one stream)", one_s * 1e6, "us", compares=f"{moves} records")
    print(
        f"{'records (WAL)':<16} append {rate:>8,.0f} appends/s"
        f" | latest_records {len(latest):,} streams in {latest_s * 1e3:,.1f} ms"
        f" | log(kinds=activity) {logged / log_s:>9,.0f} records/s"
        f" | records(one stream) {one_s * 1e6:,.0f} us",
        flush=True,
    )
    return rate


def main(n: int = 2_000, rounds: int = 7) -> None:
    commands = workload(n)
    events = sum(len(e) for _, e, _ in commands)
    print(
        f"{n:,} complaints, {len(commands):,} appends, {events:,} events "
        f"({events / n:.1f} per complaint, {events / len(commands):.2f} per append)"
    )
    legacy, current = race(commands, rounds)
    ratio = current / legacy
    target(
        "sqlite current vs legacy (schema 1) appends/s",
        ratio,
        ">=",
        TARGET,
        unit="x",
        compares="medians of the interleaved rounds, the same workload on fresh WAL files",
    )
    _reference("in-memory", InMemoryStore, commands)
    _reference("sqlite :memory:", SQLiteStore, commands)
    records_reference(commands)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
