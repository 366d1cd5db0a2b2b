"""PostgreSQL appends: ccms' PostgresStore, one writer and 8 writer processes, against its peers.

Contenders, each on a fresh schema of the same server, in rounds whose order rotates (so drift of
the machine hits every contender alike):

- ``ccms``: :class:`ccms.store.postgres.PostgresStore` ``append`` (events, snapshot, wake-up and
  the global log's positions; acknowledged only once flushed);
- ``ccms, counter held through the flush``: the same store with the appending transaction
  committed synchronously, so the counter's row lock is held while the WAL reaches the disk (the
  straightforward design, measured to show what the early release buys);
- ``bare INSERT``: a psycopg loop of one INSERT per command (a multi-row VALUES) into a table with
  a ``bigserial`` key and ``UNIQUE (stream, version, idx)``, autocommit: the floor, with no
  snapshot and no ordering of the log for readers;
- ``eventsourcing``: the ``eventsourcing`` package's ``PostgresApplicationRecorder.insert_events``
  (its ``LOCK TABLE`` on every insert), given the same events' JSON (skipped, saying so, when the
  package is missing: ``pip install 'eventsourcing[postgres]'``).

Each writer is a process (spawned once, reused for every run) appending to complaints of its own
(about 6 commands each, 4 complaints in flight); the rate is every writer's appends over the span
from the barrier they all leave together to the last one's end. Figures: appends per second, the
median of the rounds with min and max. Targets, printed MET or MISSED from this run's figures:
ccms with 8 writers at least 1.5x ccms with one; ccms with one writer at least equal to
eventsourcing with one.

Needs a server: ``export CCMS_POSTGRES_URL="$(scripts/postgres.sh start)"``, then
``python bench/bench_postgres.py [appends per single writer] [rounds]`` (each of the 8 writers
appends half as many). Not run by CI.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from _figures import figure, target
from ccms.model import (
    Classified,
    Closed,
    Complaint,
    DepartmentAssigned,
    DomainEvent,
    HandlerAssigned,
    HandlingStarted,
    RemedyKind,
    Result,
    ResultRegistered,
)
from ccms.store.postgres import PostgresStore
from ccms.testing.conformance.store import advance, received_event

WRITERS = 8
SCALE_TARGET = 1.5  # ccms with 8 writers / ccms with one
PEER_TARGET = 1.0  # ccms with one writer / eventsourcing with one
T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)
CCMS = "ccms"
HELD = "ccms, counter held through the flush"
BARE = "bare INSERT"
EVENTSOURCING = "eventsourcing"

Command = tuple[Complaint, tuple[DomainEvent, ...]]


# -- the workload ---------------------------------------------------------------------------------


def _complaint(cid: str, at: datetime) -> Iterator[Command]:
    """One complaint's commands along the main path (the second one has two events)."""
    e = received_event(cid, at, code=None, text="손잡이가 부러졌어요 / the handle broke off")
    c = e.apply(None)
    yield c, (e,)
    concerns = tuple(k.model_copy(update={"code": "PRD.DEF.HANDLE"}) for k in c.concerns)
    c, e1 = advance(c, Classified, at + timedelta(minutes=5), stage="classified", concerns=concerns)
    c, e2 = advance(
        c,
        DepartmentAssigned,
        at + timedelta(minutes=5),
        same_command=True,
        stage="department_assigned",
        department="quality",
    )
    yield c, (e1, e2)
    c, e3 = advance(
        c, HandlerAssigned, at + timedelta(minutes=9), stage="handler_assigned", handler="kim"
    )
    yield c, (e3,)
    c, e4 = advance(c, HandlingStarted, at + timedelta(hours=1), stage="in_progress")
    yield c, (e4,)
    c, e5 = advance(
        c,
        ResultRegistered,
        at + timedelta(hours=5),
        stage="result_registered",
        result=Result(remedy=RemedyKind.REFUND, cause="weld", measures="supplier audit"),
    )
    yield c, (e5,)
    c, e6 = advance(c, Closed, at + timedelta(days=1), stage="closed", reason="done")
    yield c, (e6,)


def workload(writer: int, appends: int, in_flight: int = 4) -> list[Command]:
    """``appends`` commands of this writer's own complaints, ``in_flight`` interleaved."""
    out: list[Command] = []
    live: list[Iterator[Command]] = []
    made = 0
    while len(out) < appends:
        while len(live) < in_flight:
            live.append(_complaint(f"W{writer}-{made:05d}", T0 + timedelta(minutes=made)))
            made += 1
        for it in list(live):
            command = next(it, None)
            if command is None:
                live.remove(it)
            elif len(out) < appends:
                out.append(command)
    return out


# -- the contenders: setup in the main process, the appends in a writer process ------------------


def _setup(contender: str, url: str, schema: str) -> None:
    if contender in (CCMS, HELD):
        PostgresStore(url, schema=schema, max_size=1).close()
        if contender == HELD:
            import ccms.store.postgres as pg

            # The same procedures committed synchronously (the counter held through the flush),
            # which makes the barrier after the commit needless.
            # The procedures the store calls: the last migration that (re)creates them (taking
            # the first one's would add overloads of another signature, never called).
            sql = next(
                m.sql
                for m in reversed(pg.MIGRATIONS)
                if "CREATE PROCEDURE {s}.append_complaint" in m.sql
            )
            procedures = sql[sql.index("CREATE PROCEDURE {s}.append_complaint") :]
            procedures = procedures.replace("CREATE PROCEDURE", "CREATE OR REPLACE PROCEDURE")
            for line in (
                "    PERFORM set_config('synchronous_commit', 'off', true);\n",
                "    PERFORM pg_logical_emit_message(true, 'ccms', '');\n",
            ):
                assert procedures.count(line) == 2
                procedures = procedures.replace(line, "")
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(procedures.replace("{s}", f'"{schema}"').encode())
        return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        if contender == BARE:
            conn.execute(
                f'CREATE TABLE "{schema}".events (position bigserial PRIMARY KEY, '
                "stream text NOT NULL, version bigint NOT NULL, idx integer NOT NULL, "
                "type text NOT NULL, body text NOT NULL, UNIQUE (stream, version, idx))"
            )
            return
    recorder = _eventsourcing(url, schema)
    recorder.create_table()
    recorder.datastore.close()


def _eventsourcing(url: str, schema: str) -> Any:
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    info = psycopg.conninfo.conninfo_to_dict(url)
    datastore = PostgresDatastore(
        dbname=str(info.get("dbname", "")),
        host=str(info.get("host", "127.0.0.1")),
        port=str(info.get("port", "5432")),
        user=str(info.get("user", "")),
        password=str(info.get("password", "")),
        schema=schema,
        originator_id_type="text",
    )
    return PostgresApplicationRecorder(datastore, events_table_name="stored_events")


def _appender(contender: str, url: str, schema: str) -> tuple[Callable[[Command], None], Any]:
    """A function appending one command, and what to close after."""
    if contender in (CCMS, HELD):
        store = PostgresStore(url, schema=schema, max_size=1)

        def append(command: Command) -> None:
            c, events = command
            store.append(c, events, expected_version=c.version - 1)

        return append, store
    if contender == BARE:
        conn = psycopg.connect(url, autocommit=True)
        statements: dict[int, str] = {}

        def insert(command: Command) -> None:
            c, events = command
            n = len(events)
            if n not in statements:
                rows = ", ".join(["(%s, %s, %s, %s, %s)"] * n)
                statements[n] = (
                    f'INSERT INTO "{schema}".events (stream, version, idx, type, body) '
                    f"VALUES {rows}"
                )
            params: list[Any] = []
            for i, e in enumerate(events):
                params.extend((c.id, c.version, i, e.type, e.model_dump_json()))
            conn.execute(statements[n], params)

        return insert, conn
    from eventsourcing.persistence import StoredEvent

    recorder = _eventsourcing(url, schema)
    counters: dict[str, int] = {}

    def record(command: Command) -> None:
        c, events = command
        first = counters.get(c.id, 0)
        recorder.insert_events(
            [
                StoredEvent(
                    originator_id=c.id,
                    originator_version=first + i,
                    topic=f"ccms.model:{type(e).__name__}",
                    state=e.model_dump_json().encode(),
                )
                for i, e in enumerate(events)
            ]
        )
        counters[c.id] = first + len(events)

    return record, recorder.datastore


def writer(
    contender: str, url: str, schema: str, number: int, appends: int, barrier: Any
) -> tuple[float, float, int]:
    """One writer process's run: (start, end, appends), the start when every writer is ready."""
    commands = workload(number, appends)
    append, resource = _appender(contender, url, schema)
    try:
        barrier.wait(120)  # a writer that failed to start breaks it for every writer
        start = time.time()
        for command in commands:
            append(command)
        end = time.time()
    finally:
        resource.close()
    return start, end, len(commands)


def _warm(_: int) -> int:
    return os.getpid()


def _this_module() -> Any:
    """This module as the writer processes import it (``bench/run.py`` loads it by path)."""
    if __name__ == "__main__":
        return sys.modules[__name__]
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    return importlib.import_module("bench_postgres")


# -- the run --------------------------------------------------------------------------------------


def _spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):>7,.0f} appends/s "
        f"(min {min(values):,.0f}, max {max(values):,.0f})"
    )


def _run(
    pool: ProcessPoolExecutor, manager: Any, contender: str, url: str, writers: int, appends: int
) -> float:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    _setup(contender, url, schema)
    try:
        barrier = manager.Barrier(writers)
        run = _this_module().writer
        futures = [
            pool.submit(run, contender, url, schema, n, appends, barrier) for n in range(writers)
        ]
        results = [f.result() for f in futures]
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    return sum(r[2] for r in results) / (end - start)


def main(argv: list[str] | None = None) -> None:
    args = [] if argv is None else argv  # bench/run.py calls main() with its own argv
    url = os.environ.get("CCMS_POSTGRES_URL")
    if not url:
        print(
            'skipped: no PostgreSQL server; export CCMS_POSTGRES_URL="$(scripts/postgres.sh '
            'start)" and run again'
        )
        return
    single = int(args[0]) if args else 300
    rounds = int(args[1]) if len(args) > 1 else 5
    contenders = [CCMS, HELD, BARE]
    try:
        import eventsourcing.postgres  # noqa: F401

        contenders.append(EVENTSOURCING)
    except ImportError:
        print(
            "eventsourcing is not installed (pip install 'eventsourcing[postgres]'): not measured"
        )
    with psycopg.connect(url, autocommit=True) as conn:
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('server_version', 'synchronous_commit', 'fsync', 'wal_sync_method', "
                "'commit_delay')"
            ).fetchall()
        )
    print(
        f"PostgreSQL {settings['server_version']} (synchronous_commit={settings['synchronous_commit']}, "
        f"fsync={settings['fsync']}, wal_sync_method={settings['wal_sync_method']}), "
        f"{os.cpu_count()} cores; {single} appends by one writer, {single // 2} by each of "
        f"{WRITERS}; {rounds} rounds"
    )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rates: dict[tuple[str, int], list[float]] = {}
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(WRITERS, mp_context=context) as pool:
        list(pool.map(_this_module()._warm, range(WRITERS)))
        for r in range(rounds):
            order = contenders[r % len(contenders) :] + contenders[: r % len(contenders)]
            for contender in order:
                for writers, appends in ((1, single), (WRITERS, single // 2)):
                    rate = _run(pool, manager, contender, url, writers, appends)
                    rates.setdefault((contender, writers), []).append(rate)
            print(f"  round {r + 1}/{rounds} done", flush=True)
    median = {key: statistics.median(values) for key, values in rates.items()}
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    how = (
        f"appends/s over the writers' common span, {rounds} rounds, contenders rotated; "
        f"{single} appends by one writer, {single // 2} by each of {WRITERS}"
    )
    for contender in contenders:
        one, eight = median[(contender, 1)], median[(contender, WRITERS)]
        print(f"{contender}")
        print(f"   1 writer    {_spread(rates[(contender, 1)])}")
        print(f"   {WRITERS} writers   {_spread(rates[(contender, WRITERS)])}")
        print(f"   {WRITERS} writers / 1 writer: {eight / one:.2f}x")
        for writers in (1, WRITERS):
            values = rates[(contender, writers)]
            figure(
                f"postgres {contender}, {writers} writer{'s' if writers > 1 else ''}",
                (statistics.median(values), min(values), max(values)),
                "appends/s",
                compares=how,
            )
    print()
    scale = median[(CCMS, WRITERS)] / median[(CCMS, 1)]
    target(
        f"postgres ccms, {WRITERS} writers / 1 writer",
        scale,
        ">=",
        SCALE_TARGET,
        compares="medians of appends/s, the same server and run",
    )
    if EVENTSOURCING in contenders:
        peer = median[(CCMS, 1)] / median[(EVENTSOURCING, 1)]
        target(
            "postgres ccms / eventsourcing, 1 writer",
            peer,
            ">=",
            PEER_TARGET,
            compares="medians of appends/s, the same events' JSON, the same server and run",
        )
        ratio = median[(CCMS, WRITERS)] / median[(EVENTSOURCING, WRITERS)]
        print(f"ccms / eventsourcing, {WRITERS} writers: {ratio:.2f}x")
        figure(f"postgres ccms / eventsourcing, {WRITERS} writers", ratio, "x", compares=how)
    else:
        print("ccms / eventsourcing: not measured (eventsourcing is not installed)")
    for writers in (1, WRITERS):
        ratio = median[(CCMS, writers)] / median[(BARE, writers)]
        label = f"{writers} writer{'s' if writers > 1 else ''}"
        print(f"ccms / bare INSERT, {label}: {ratio:.2f}x")
        figure(f"postgres ccms / bare INSERT, {label}", ratio, "x", compares=how)
    ratio = median[(CCMS, WRITERS)] / median[(HELD, WRITERS)]
    print(f"ccms / counter held through the flush, {WRITERS} writers: {ratio:.2f}x")
    figure(
        f"postgres ccms / counter held through the flush, {WRITERS} writers",
        ratio,
        "x",
        compares=how,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
