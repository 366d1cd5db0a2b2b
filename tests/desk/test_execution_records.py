"""Execution records in the store: tasks, items, ideas, activities and CS points survive a restart,
and projections resume after a crash applying every log entry exactly once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ccms.desk import ManualClock
from ccms.desk.records import (
    BoardProjection,
    ExecutionRecords,
    LedgerProjection,
    Projector,
    StoreRecords,
)
from ccms.errors import ConcurrencyConflict
from ccms.model import Actor, Concern, CustomerRef
from ccms.scoring import DEFAULT_RULES, Activity, IdeaBox, ImprovementBoard, Ledger
from ccms.store import InMemoryStore, SQLiteStore, StoredEvent, StoredRecord

T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)
LEAD = Actor(id="choi", role="supervisor")


def _desk(store: Any) -> tuple[Any, ManualClock]:
    from test_standard import CALENDAR, ORG, TAXONOMY  # the same company as Desk.standard's tests

    from ccms.desk import Desk

    clock = ManualClock(T0)
    desk = Desk.standard(
        store,
        organization=ORG,
        taxonomy=TAXONOMY,
        calendar=CALENDAR,
        clock=clock,
        fallback_department="cs",
    )
    return desk, clock


def _month(desk: Any, clock: ManualClock, n: int = 12) -> None:
    """A few complaints through their lives, with ticks between (points, breaches, repeats)."""
    for i in range(n):
        clock.advance(timedelta(hours=3))
        c = desk.receive(
            channel="phone",
            customer=CustomerRef(id=f"u{i % 4}"),
            concerns=[Concern(kind="complaint", text="the parcel is late again")],
        )
        desk.classify(c.id, ["DLV.LATE" if i % 3 else "PRD.DEF"])
        desk.assign_department(c.id)
        desk.assign_handler(c.id)
        desk.start(c.id)
        if i % 4 == 0:
            clock.advance(timedelta(days=4))
            desk.tick()
        desk.register_result(c.id, {"remedy": "refund"})
        desk.notify(c.id, "phone")
        desk.record_feedback(c.id, {"satisfied": i % 5 != 0, "csat": 5 if i % 5 else 2})
        desk.close(c.id)


def test_tasks_items_and_ideas_come_back_in_a_new_process(tmp_path: Path) -> None:
    db = tmp_path / "records.db"
    with SQLiteStore(db) as store:
        records = ExecutionRecords(store, due_in_days=10)
        task = records.board.open_task(
            title="Stronger handles",
            source="analyst",
            codes=["PRD.DEF"],
            department="qa",
            now=T0,
        )
        records.board.report(task.id, "cause found", now=T0 + timedelta(days=1), by="qa")
        item = records.register.discover(
            title="Refund rule unclear", rule="refund within 7 days", horizon="short", now=T0
        )
        idea = records.ideas.propose(title="Photo upload", proposer="kim", now=T0)
        records.ideas.review(idea.id, now=T0, actor=LEAD)
        records.ideas.adopt(idea.id, now=T0, actor=LEAD)
        records.activity(Activity(type="training_taken", id="TR-1", agent="lee", at=T0))
        before = (
            list(records.board),
            list(records.register),
            list(records.ideas),
            records.ledger().state(),
        )
    with SQLiteStore(db) as store:
        again = ExecutionRecords(store, due_in_days=10)
        after = (list(again.board), list(again.register), list(again.ideas), again.ledger().state())
        assert after == before
        assert again.board.get(task.id).reports[0].text == "cause found"
        assert again.register.get(item.id).stage == "discovered"
        assert again.ledger().balance("kim", now=T0) == 20
        assert [a.id for a in again.activities()] == ["idea:IDEA-1", "TR-1"]


def test_a_stale_move_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "stale.db"
    with SQLiteStore(db) as one, SQLiteStore(db) as two:
        a = IdeaBox(repository=StoreRecords(one))
        idea = a.propose(title="Chat bot", proposer="kim", now=T0)
        b = IdeaBox(repository=StoreRecords(two))
        b.review(idea.id, now=T0, actor=LEAD)  # b moves it first
        # a's copy is refreshed before the move, so it sees b's review and can adopt
        assert a.adopt(idea.id, now=T0, actor=LEAD).stage == "adopted"
        records = StoreRecords(one)
        with pytest.raises(ConcurrencyConflict):
            records.save("idea", idea.id, {}, expected_version=1, trigger="x", at=T0)
        assert [r.type for r in one.records("idea", idea.id)] == ["create", "review", "adopt"]


def test_the_ledger_projection_equals_a_replay_of_the_log() -> None:
    store = InMemoryStore()
    desk, clock = _desk(store)
    _month(desk, clock)
    records = ExecutionRecords(store, checkpoint_every=5)
    records.activity(Activity(type="training_taken", id="TR-1", agent="kim", at=clock.now()))
    live = records.ledger()
    replayed = Ledger.replay(DEFAULT_RULES, store.stream())
    replayed.record(Activity(type="training_taken", id="TR-1", agent="kim", at=clock.now()))
    assert len(live) > 10
    assert live.state() == replayed.state()
    # resuming from the checkpoint gives the same ledger, with no entry written twice
    resumed = ExecutionRecords(store, checkpoint_every=5).ledger()
    assert resumed.state() == live.state()


def test_a_restored_ledger_judges_new_events_against_the_whole_history() -> None:
    store = InMemoryStore()
    desk, clock = _desk(store)
    _month(desk, clock, n=4)
    first = ExecutionRecords(store)
    first.ledger()  # checkpointed here
    _month(desk, clock, n=4)  # more commands on the same complaints' successors
    resumed = ExecutionRecords(store).ledger()
    assert resumed.state() == Ledger.replay(DEFAULT_RULES, store.stream()).state()


def test_the_board_projection_opens_tasks_once() -> None:
    store = InMemoryStore()
    desk, _ = _desk(store)
    c = desk.receive(
        channel="phone",
        customer=CustomerRef(id="u1"),
        concerns=[Concern(kind="complaint", text="충전 중 화재가 발생했습니다")],
    )
    desk.classify(c.id, ["PRD.DEF"])
    board = ImprovementBoard(repository=StoreRecords(store))
    projector = Projector(store, BoardProjection(board), every=1)
    projector.catch_up()
    assert [t.source for t in board] == ["early_warning"]
    # replaying everything again (a lost checkpoint) opens nothing more
    again = ImprovementBoard(repository=StoreRecords(store))
    for entry in store.log():
        BoardProjection(again).apply(entry, store)
    assert len(list(ImprovementBoard(repository=StoreRecords(store)))) == 1


# --------------------------------------------------------------------------- crash and resume

CHILD = textwrap.dedent(
    """
    import sys, time
    from ccms.store import SQLiteStore
    from ccms.desk.records import LedgerProjection, Projector

    class Counting(LedgerProjection):
        \"\"\"The ledger plus the positions it applied (to prove exactly once), slowly.\"\"\"

        def __init__(self):
            super().__init__(name="crash")
            self.applied = []

        def apply(self, entry, store):
            time.sleep(0.01)  # about 4 s of work in all: long enough to be killed often
            self.applied.append(entry.position)
            super().apply(entry, store)

        def state(self):
            return {"ledger": self.ledger.state(), "applied": self.applied}

        def restore(self, state):
            super().restore(None if state is None else state["ledger"])
            self.applied = [] if state is None else list(state["applied"])

    with SQLiteStore(sys.argv[1]) as store:
        Projector(store, Counting(), every=int(sys.argv[2])).catch_up()
    """
)


def test_a_projection_killed_at_random_resumes_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    with SQLiteStore(db) as store:
        desk, clock = _desk(store)
        _month(desk, clock, n=16)
        ExecutionRecords(store).activity(
            Activity(type="training_taken", id="TR-9", agent="kim", at=clock.now())
        )
        positions = [e.position for e in store.log(kinds={"complaint", "activity"})]
        expected = Ledger.replay(DEFAULT_RULES, store.stream())
        expected.record(Activity(type="training_taken", id="TR-9", agent="kim", at=clock.now()))
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    rng = random.Random(20261201)
    kills = 0
    for _ in range(30):
        child = subprocess.Popen([sys.executable, str(script), str(db), "7"], env=env)
        time.sleep(rng.uniform(0.4, 1.2))
        if child.poll() is not None:
            break
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
    subprocess.run([sys.executable, str(script), str(db), "7"], env=env, check=True)
    with SQLiteStore(db) as store:
        position, state = store.checkpoint("crash")
    assert kills >= 3  # the run was really interrupted
    assert state is not None
    assert state["applied"] == positions  # none skipped, none twice, in log order
    assert position == positions[-1]
    assert state["ledger"] == expected.state()


def test_log_entries_are_events_or_records() -> None:
    store = InMemoryStore()
    desk, clock = _desk(store)
    _month(desk, clock, n=1)
    ExecutionRecords(store).activity(Activity(type="training_taken", id="T", agent="k", at=T0))
    counts: dict[type, int] = {}
    for entry in store.log():
        counts[type(entry)] = counts.get(type(entry), 0) + 1
    assert counts[StoredRecord] == 1
    assert counts[StoredEvent] > 5


class _Crash(Exception):
    pass


class _OneAtATime(LedgerProjection):
    """Applies one entry per run, then 'crashes' (the checkpoint of every entry was written)."""

    def __init__(self) -> None:
        super().__init__(name="one-at-a-time")
        self.applied = 0

    def apply(self, entry: StoredEvent | StoredRecord, store: Any) -> None:
        if self.applied == 1:
            raise _Crash
        super().apply(entry, store)
        self.applied += 1


def test_a_ledger_resumed_after_every_single_entry_equals_the_replay() -> None:
    """Checkpoints fall between the events of one command too; a ledger restored there is
    primed with every event before the next one, its own command's included."""
    store = InMemoryStore()
    desk, clock = _desk(store)
    _month(desk, clock, n=6)
    runs = 0
    while True:
        runs += 1
        try:
            Projector(store, _OneAtATime(), every=1).catch_up()
        except _Crash:
            continue
        break
    _, state = store.checkpoint("one-at-a-time")
    assert runs > 50
    assert state == Ledger.replay(DEFAULT_RULES, store.stream()).state()
