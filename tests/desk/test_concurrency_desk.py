"""Eight client processes issue interleaved Desk commands on shared complaints of one store.

Each client runs the real ``Desk.standard`` in its own process (multiprocessing, forkserver) on
one SQLite file (WAL) or one PostgreSQL schema, on one clock shared by all (50,000 times the
wall's pace, so SLA statuses and escalations come due), and retries each command with the same
idempotency key on :class:`~ccms.errors.ConcurrencyConflict` and ``StoreBusy``. Each client
plays contended rounds (all at one expected version: exactly one wins), sends the same keyed
commands as all the others at once, then interleaves freely: commands that move a shared
complaint on (or flag, reply, escalate), new complaints of its own, resends of what it was
answered, and ``tick()``. Afterwards the store is read back: every stream's versions are
contiguous from 1 and fold to its snapshot, the global log has each position once with no gap,
every accepted command is in the log exactly once at the version it was answered with (its
marker and its key say which), every stored version is some command's or tick's, a refused
command left nothing, each time-driven finding was recorded once, and the indexes of the Desks
agree with the store. ``pytest -s`` shows the figures (tried / accepted / conflicts); the
assertion messages carry them too.

Beside it: the same with a store kept busy (a short lock wait), eight concurrent retries of one
``receive``, a late retry of a routed command, a command racing a later clock, and a busy file
just after an append.

The clients' choices are seeded (``CCMS_CONCURRENCY_SEED``, default fixed); the interleaving is
the operating system's, and every assertion holds whatever it is. ``CCMS_HEAVY=1`` (or the
``heavy`` Hypothesis profile) runs many more steps.

PostgreSQL needs ``CCMS_POSTGRES_URL``; without it those tests are skipped, saying so, unless
``CCMS_REQUIRE_POSTGRES=1`` makes that a failure (as in ``tests/store/test_store_postgres.py``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import queue
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ccms.desk import ManualClock
from ccms.errors import ConcurrencyConflict
from ccms.model import Concern, CustomerRef
from conc_kit import (
    BUSY,
    PRELOAD,
    T0,
    FastClock,
    Plan,
    StoreSpec,
    Tally,
    WallClock,
    accept,
    check_exactly_once,
    check_store,
    check_time_events_once,
    desk_worker,
    intent,
    make_desk,
    send,
)
from postgres_kit import postgres_url

WORKERS = 8
HEAVY = os.environ.get("CCMS_HEAVY") == "1" or os.environ.get("HYPOTHESIS_PROFILE") == "heavy"
SEED = int(os.environ.get("CCMS_CONCURRENCY_SEED", "20261202"))
STEPS = 200 if HEAVY else 12
BUSY_STEPS = 60 if HEAVY else 6
ROUNDS = 6 if HEAVY else 3
SHARED = 3
DEADLINE = 600 if HEAVY else 150  # seconds for a whole run: beyond it the clients are stuck

CTX = multiprocessing.get_context("forkserver")
CTX.set_forkserver_preload(PRELOAD)


@pytest.fixture(params=["sqlite", "postgres"])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpec]:
    if request.param == "sqlite":
        yield StoreSpec("sqlite", str(tmp_path / "shared.db"))
        return
    url = postgres_url()
    schema = f"t_conc_{uuid.uuid4().hex[:16]}"
    yield StoreSpec("postgres", url, schema=schema)
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def run_clients(plan: Plan, workers: int = WORKERS, *, hold: Any = None) -> Tally:
    """Start ``workers`` client processes on ``plan`` and gather what they did.

    ``hold`` (a :class:`Hold`, taken) is released once every client has been answered "busy"
    at least once (or after 30 s).
    """
    barrier = CTX.Barrier(workers)
    out = CTX.Queue()
    busy_seen = CTX.Queue() if hold is not None else None
    procs = [
        CTX.Process(target=desk_worker, args=(plan, w, barrier, out, busy_seen))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    if hold is not None:
        assert busy_seen is not None
        seen: set[int] = set()
        until = time.monotonic() + 30
        while len(seen) < workers and time.monotonic() < until:
            try:
                seen.add(busy_seen.get(timeout=max(0.1, until - time.monotonic())))
            except queue.Empty:
                break
        hold.release()
    total = Tally()
    deadline = time.monotonic() + DEADLINE
    got = 0
    try:
        while got < workers:
            try:
                _, tally = out.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(
                    f"{workers - got} of {workers} clients did not finish within {DEADLINE} s "
                    f"(a deadlock or a livelock?); so far: {total.figures()}"
                )
            total.add(tally)
            got += 1
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join()
    return total


def run_and_check(
    spec: StoreSpec, *, steps: int, rounds: int, hold: Any = None, ticks_unreported: bool = False
) -> Tally:
    """Shared complaints received, the clients run, then every check; returns the tally.

    ``ticks_unreported`` lets a tick's write go unreported (a tick interrupted by a busy store
    cannot say what it had written before).
    """
    started = time.perf_counter()
    clock = FastClock(time.time())
    store = spec.open()
    try:
        desk = make_desk(store, clock)
        parent = Tally()
        shared = []
        for k in range(SHARED):
            it = intent(f"shared-{k}", "receive", "", customer=f"S-{k}")
            stored = send(desk, it, parent)
            assert stored is not None, parent.unexpected
            accept(parent, type(it)(it.key, it.kind, stored.id, it.args, it.at), stored)
            shared.append(stored.id)
        common = tuple(
            intent(f"common-{j}", "escalate", shared[j % SHARED], level=1) for j in range(3)
        )
        plan = Plan(
            spec=spec,
            seed=SEED,
            shared=tuple(shared),
            steps=steps,
            rounds=rounds,
            common=common,
            clock=clock,
        )
        if hold is not None:
            hold.take()
        total = run_clients(plan, hold=hold)
        accepted = parent.accepted_log + total.accepted_log
        distinct = len({entry[0] for entry in accepted})
        timeout = " (short lock wait)" if hold is not None else ""
        figures = (
            f"{spec.kind}{timeout}, "
            f"{WORKERS} processes on {SHARED} shared complaints: {total.figures()}; "
            f"distinct accepted {distinct}, slowest client {total.seconds:.1f} s, "
            f"whole run {time.perf_counter() - started:.1f} s"
        )
        print(f"\n  {figures}\n  refused: {total.refusals()}")
        distinct_problems = sorted({u[:300] for u in total.unexpected})
        assert not total.unexpected, (
            f"{figures}\n{len(total.unexpected)} unexpected answers:\n"
            + "\n".join(distinct_problems[:8])
        )

        assert not total.stored_anyway, (
            f"{figures}\nretryable answers to commands that were stored:\n"
            + "\n".join(total.stored_anyway[:5])
        )
        if spec.kind == "sqlite":
            with contextlib.closing(sqlite3.connect(spec.target)) as raw:
                assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        view = check_store(store)
        unreported = check_exactly_once(
            store,
            view,
            accepted,
            total.refused_log,
            every_version_claimed="but ticks" if ticks_unreported else True,
        )
        if unreported:
            print(
                f"  {len(unreported)} versions written by ticks interrupted by a busy store, "
                f"e.g. {unreported[:3]}"
            )
        check_time_events_once(view)
        timed = Counter(
            e.type
            for events in view.histories.values()
            for e in events
            if e.type in ("sla_status_changed", "escalated", "early_warning_raised")
            and "mk[" not in getattr(e, "reason", "")
        )
        print(f"  time-driven events stored (each once): {dict(timed)}")
        stored_versions = sum(s.version for s in view.snapshots.values())
        assert stored_versions == distinct + len(unreported), (
            f"{figures}: {stored_versions} versions stored, {len(unreported)} of them by "
            "interrupted ticks"
        )
        # the parent's index caught up with what the clients stored is a rebuilt one's
        assert desk.index is not None
        desk.index.catch_up(store)
        fresh = make_desk(store).index
        assert fresh is not None
        for cid, snapshot in view.snapshots.items():
            assert desk.index.version(cid) == fresh.version(cid) == snapshot.version, cid
        assert desk.index.open_load() == fresh.open_load() == store.open_load(), figures
        assert desk.index.department_load() == fresh.department_load(), figures
        bad = [r for r in total.resends if r[1] != r[2]]
        assert not bad, f"{figures}: resent intents answered differently: {bad[:5]}"
        # every contended round (all clients at one expected version) had exactly one winner
        wins = sorted(total.round_wins)
        if total.busy == 0:
            assert wins == list(range(rounds)), f"{figures}: first-attempt winners {wins}"
            assert total.conflicts >= (WORKERS - 1) * rounds, figures
        else:
            assert len(wins) == len(set(wins)), f"{figures}: two winners in a round: {wins}"
        # each common intent (one key, sent by every client at once) was stored once
        for it in common:
            answers = {(k, v) for k, _, _, v, _ in total.accepted_log if k == it.key}
            assert len(answers) == 1, f"{figures}: {it.key} answered {answers}"
        assert total.tried >= WORKERS * (steps * 0.8), figures
        assert total.accepted > WORKERS * rounds, figures
        return total
    finally:
        store.close()


def test_eight_clients_on_shared_complaints_lose_and_duplicate_nothing(spec: StoreSpec) -> None:
    run_and_check(spec, steps=STEPS, rounds=ROUNDS)


class Hold:
    """Another session that blocks every writer: SQLite's write lock (``BEGIN IMMEDIATE``), or
    on PostgreSQL ``LOCK TABLE complaints IN EXCLUSIVE MODE`` (reads go on, appends wait)."""

    def __init__(self, spec: StoreSpec) -> None:
        self.spec = spec
        if spec.kind == "sqlite":
            self.conn: Any = sqlite3.connect(spec.target, isolation_level=None)
        else:
            import psycopg

            self.conn = psycopg.connect(spec.target)

    def take(self) -> None:
        if self.spec.kind == "sqlite":
            self.conn.execute("BEGIN IMMEDIATE")
        else:
            self.conn.execute(f'LOCK TABLE "{self.spec.schema}".complaints IN EXCLUSIVE MODE')

    def release(self) -> None:
        if self.spec.kind == "sqlite":
            self.conn.execute("COMMIT")
        else:
            self.conn.commit()

    def close(self) -> None:
        self.conn.close()


def busy_spec(spec: StoreSpec) -> StoreSpec:
    """``spec`` with a short wait for locks: 2 ms on SQLite; on PostgreSQL a 20 ms
    ``lock_timeout`` in the URL, as a host would configure it."""
    if spec.kind == "sqlite":
        return dataclasses.replace(spec, timeout=0.002)
    joined = "&" if "?" in spec.target else "?"
    return dataclasses.replace(spec, target=f"{spec.target}{joined}options=-c%20lock_timeout%3D20")


def test_a_busy_store_is_a_typed_error_that_a_retry_gets_past(spec: StoreSpec) -> None:
    """With a short lock wait every client meets a blocked store (held by another session
    while they start, and each other's appends after): each time a typed ``StoreBusy`` that
    changed nothing, never a raw driver error, and retrying gets every command through."""
    spec = busy_spec(spec)
    with spec.open():
        pass  # the schema exists before the lock is taken
    hold = Hold(spec)
    try:
        total = run_and_check(spec, steps=BUSY_STEPS, rounds=1, hold=hold, ticks_unreported=True)
    finally:
        hold.close()
    assert total.busy >= WORKERS, total.figures()


def _receive_same_key(plan: Plan, w: int, barrier: Any, out: Any) -> None:
    """Every client sends one ``receive`` with the same key at once (a retried request)."""
    store = plan.spec.open()
    try:
        desk = make_desk(store, WallClock())
        tally = Tally()
        barrier.wait(timeout=60)
        it = intent("one-contact", "receive", "", customer="C-same")
        stored = send(desk, it, tally)
        out.put((w, None if stored is None else (stored.id, stored.version), tally))
    except BaseException as exc:
        out.put((w, f"{type(exc).__name__}: {exc}", Tally()))
    finally:
        store.close()


def test_concurrent_retries_of_one_receive_return_one_complaint(spec: StoreSpec) -> None:
    """Eight clients send one ``receive`` with one key at once: all get the one complaint."""
    plan = Plan(spec=spec, seed=SEED, shared=(), steps=0, rounds=0)
    barrier = CTX.Barrier(WORKERS)
    out = CTX.Queue()
    procs = [
        CTX.Process(target=_receive_same_key, args=(plan, w, barrier, out)) for w in range(WORKERS)
    ]
    for p in procs:
        p.start()
    answers = []
    try:
        for _ in procs:
            answers.append(out.get(timeout=120))
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    with spec.open() as store:
        ids = list(store.ids())
        check_store(store)
    failures = [(w, t.refused_log, t.unexpected) for w, a, t in answers if not isinstance(a, tuple)]
    assert not failures, f"{len(failures)} of {WORKERS} retries failed: {failures[:3]}"
    results = {a for _, a, _ in answers}
    assert len(results) == 1, f"the retries were answered with different complaints: {results}"
    assert len(ids) == 1, f"one contact stored as {len(ids)} complaints"


def test_a_late_retry_of_a_routed_command_returns_the_original(tmp_path: Path) -> None:
    """A routed command (no department or handler given) retried with its key after the
    complaint moved on is answered with the original result, not routed again."""
    store = StoreSpec("sqlite", str(tmp_path / "retry.db")).open()
    try:
        desk = make_desk(store)
        tally = Tally()
        c = send(desk, intent("r-0", "receive", "", customer="C-r"), tally)
        assert c is not None, tally.unexpected
        steps = [
            intent("r-1", "classify", c.id, code="PRD.DEF"),
            intent("r-2", "assign_department", c.id),
            intent("r-3", "assign_handler", c.id),
            intent("r-4", "start", c.id),
            intent("r-5", "register_result", c.id),
        ]
        answers = {}
        for it in steps:
            stored = send(desk, it, tally)
            assert stored is not None, (tally.refused_log, tally.unexpected)
            answers[it.key] = stored.version
        before = check_store(store)
        for it in steps[1:]:
            again = send(desk, it, tally)
            assert again is not None, (
                f"the late retry of {it.kind} ({it.key}) was refused: {tally.refused_log[-1:]}"
                f"{tally.unexpected[-1:]}"
            )
            assert again.version == answers[it.key], f"{it.kind} retried: v{again.version}"
        after = check_store(store)
        assert after.positions == before.positions, "a late retry wrote to the store"
    finally:
        store.close()


class _ClockRead:
    """A clock read at ``at``; on its first read another client's command is stored (at a later
    time) before this client's command goes on: the race of two wall clocks, made exact."""

    def __init__(self, at: datetime, meanwhile: Callable[[], object]) -> None:
        self.at = at
        self.meanwhile: Callable[[], object] | None = meanwhile

    def now(self) -> datetime:
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
        return self.at


def test_a_command_racing_a_later_clock_is_retryable(tmp_path: Path) -> None:
    """A client reads the time, another stores a change at a later time, then the first
    command goes on: it is made (at the later time) or is a retryable conflict, never refused
    as going back in time (it was, before: 10 to 15 % of the commands of 8 processes with
    wall clocks on PostgreSQL); a client whose clock is behind makes it at the last change's
    time."""
    path = tmp_path / "race.db"
    first = StoreSpec("sqlite", str(path)).open()
    second = StoreSpec("sqlite", str(path)).open()
    try:
        other = make_desk(second, ManualClock(T0 + timedelta(minutes=1)))
        c = other.receive(
            channel="phone",
            customer=CustomerRef(id="C-race"),
            concerns=[Concern(kind="complaint", text="late")],
            received_at=T0,
        )
        read_at = T0 + timedelta(minutes=2)
        clock = _ClockRead(
            read_at,
            lambda: other.set_flags(c.id, add=["vip"], at=read_at + timedelta(milliseconds=1)),
        )
        desk = make_desk(first, clock)
        try:
            stored = desk.escalate(c.id, 1, "racing", idempotency_key="race-1")
        except ConcurrencyConflict:
            stored = desk.escalate(c.id, 1, "racing", idempotency_key="race-1")
        assert stored.version == 3
        assert check_store(first).snapshots[c.id].version == 3
        # a client whose clock is simply behind the last change: made at that change's time
        behind = make_desk(first, ManualClock(read_at))
        changed = T0 + timedelta(minutes=5)
        other.set_flags(c.id, add=["supervisor_requested"], at=changed)
        late = behind.escalate(c.id, 2, "behind", idempotency_key="race-2")
        assert (late.version, late.updated_at) == (5, changed)
        assert check_store(first).snapshots[c.id] == late
    finally:
        first.close()
        second.close()


def test_a_busy_file_after_the_append_does_not_turn_a_stored_command_into_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a command's append has committed the Desk wakes the complaints the change
    concerns (an UPDATE of their wake-up); the file locked by another writer just then does
    not make the stored command a StoreBusy ("nothing was changed: retry"), which a client
    without a key would retry into a second command."""
    path = tmp_path / "wake.db"
    blocker = sqlite3.connect(path, isolation_level=None)
    phase = {"armed": False, "committed": False, "locked": False}
    connect = sqlite3.connect

    def connecting(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)

        def trace(statement: str) -> None:
            # the other writer takes the file just after this command's append committed
            if phase["armed"] and statement == "COMMIT":
                phase["committed"] = True
            elif (
                phase["committed"]
                and not phase["locked"]
                and statement.startswith("UPDATE complaints SET wake_us")
            ):
                phase["locked"] = True
                blocker.execute("BEGIN IMMEDIATE")

        conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(sqlite3, "connect", connecting)
    store = StoreSpec("sqlite", str(path), timeout=0.01).open()
    monkeypatch.undo()
    try:
        desk = make_desk(store)
        tally = Tally()
        first = send(desk, intent("b-0", "receive", "", customer="C-b"), tally)
        assert first is not None, tally.unexpected
        assert send(desk, intent("b-1", "classify", first.id, code="PRD.DEF"), tally)
        second = send(desk, intent("b-2", "receive", "", customer="C-b"), tally)
        assert second is not None, tally.unexpected
        phase["armed"] = True
        try:
            stored = desk.classify(second.id, ["PRD.DEF"], idempotency_key="b-3")
        except BUSY:
            assert store.version(second.id) == 2, "StoreBusy, and the command was not stored"
            raise  # "nothing was changed", yet the command was stored
        finally:
            if blocker.in_transaction:
                blocker.execute("ROLLBACK")
            phase["armed"] = False
        assert phase["locked"], f"no wake-up was written after the append: {phase}"
        assert stored.version == 2
        assert store.version(second.id) == 2
    finally:
        store.close()
        blocker.close()
