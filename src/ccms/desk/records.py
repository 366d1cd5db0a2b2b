"""The records of the six execution elements, kept in the store, and projections that resume.

Complaints are not the only thing a CCMS must remember: improvement tasks, institutional items,
ideas and CS-point activities are streams in the store too (one stream per task, item, idea or
activity, each with its own versions, in the same global log as complaint events), and derived
state (the CS-point ledger, metric accumulators) is a *projection* of that log that records how
far it has read in the same transaction as its state (a checkpoint), so it resumes after a crash
and applies every event exactly once.

* :class:`StoreRecords` is the :class:`~ccms.scoring.ItemRepository` of the pipelines over a
  store: ``ImprovementBoard(repository=StoreRecords(store))`` writes every task and every move
  through the store and reads them back in a new process.
* :class:`Projector` runs a :class:`Projection` against the store's log.
* :class:`LedgerProjection` is the CS-point ledger as a projection (complaint events and the
  ``activity`` stream); :class:`BoardProjection` is the improvement board's subscriber (tasks
  from code spikes and CC Cards) as one.
* :class:`ExecutionRecords` puts them together for a host: the board, the register, the idea box
  (adopted ideas earn points), activities, and the ledger, all in the store.

>>> from datetime import datetime, timezone
>>> from ccms.model import Actor
>>> from ccms.scoring import Activity
>>> from ccms.store import InMemoryStore
>>> store = InMemoryStore()
>>> t0 = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
>>> records = ExecutionRecords(store)
>>> idea = records.ideas.propose(title="Photo upload for damage claims", proposer="kim", now=t0)
>>> lead = Actor(id="choi", role="supervisor")
>>> _ = records.ideas.review(idea.id, now=t0, actor=lead)
>>> _ = records.ideas.adopt(idea.id, now=t0, actor=lead)
>>> records.activity(Activity(type="training_taken", id="TR-1", agent="kim", at=t0))
>>> again = ExecutionRecords(store)  # a new process on the same store
>>> again.ideas.get(idea.id).stage, again.ledger().balance("kim", now=t0)
('adopted', 22)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Protocol, runtime_checkable

from ccms.errors import ConcurrencyConflict, InvalidInput
from ccms.model import Complaint, DomainEvent, fold
from ccms.scoring import (
    DEFAULT_RULES,
    Activity,
    IdeaBox,
    ImprovementBoard,
    InstitutionalRegister,
    Ledger,
    PointRules,
)
from ccms.store import ComplaintStore, Record, StoredEvent, StoredRecord

__all__ = [
    "ACTIVITY",
    "BoardProjection",
    "ExecutionRecords",
    "LedgerProjection",
    "Projection",
    "Projector",
    "StoreRecords",
]

log = logging.getLogger("ccms.desk.records")

#: The stream kind of CS-point activities (training, prevention, adopted ideas).
ACTIVITY: Final = "activity"


class StoreRecords:
    """A pipeline's :class:`~ccms.scoring.ItemRepository` in a store: one record stream per
    item, each record the item's JSON at that version (``type`` is the move's trigger)."""

    def __init__(self, store: ComplaintStore) -> None:
        self.store = store

    def __repr__(self) -> str:
        return f"StoreRecords({self.store!r})"

    def save(
        self,
        kind: str,
        item_id: str,
        data: Mapping[str, Any],
        *,
        expected_version: int,
        trigger: str,
        at: datetime,
    ) -> None:
        """Append the item's next version (version-checked; see the port)."""
        record = Record(
            kind=kind,
            stream_id=item_id,
            version=expected_version + 1,
            type=trigger,
            at=at,
            data=dict(data),
        )
        self.store.append_records(kind, item_id, [record], expected_version=expected_version)

    def load(self, kind: str) -> list[tuple[int, Mapping[str, Any]]]:
        """``(stored version, latest JSON)`` of every item of ``kind``, in first-saved order."""
        return [(r.version, r.data) for r in self.store.latest_records(kind)]

    def version(self, kind: str, item_id: str) -> int:
        """The item's stored version (0 if none)."""
        return self.store.stream_version(kind, item_id)

    def latest(self, kind: str, item_id: str) -> tuple[int, Mapping[str, Any]] | None:
        """``(stored version, latest JSON)`` of one item, or ``None``."""
        found = self.store.records(kind, item_id)
        return (found[-1].version, found[-1].data) if found else None


@runtime_checkable
class Projection(Protocol):
    """Derived state kept from the store's log: a name (its checkpoint), what it reads, how it
    applies one entry, and its state as JSON-ready data (and back)."""

    name: str
    kinds: frozenset[str] | None  # the stream kinds it reads (None: all)

    def apply(self, entry: StoredEvent | StoredRecord, store: ComplaintStore) -> None:
        """Apply one log entry (called once per entry, in log order)."""
        ...

    def state(self) -> Mapping[str, Any]:
        """The state to checkpoint."""
        ...

    def restore(self, state: Mapping[str, Any] | None) -> None:
        """Start from a checkpointed state (``None``: from nothing)."""
        ...


def _before(history: Sequence[DomainEvent], event: DomainEvent) -> list[DomainEvent]:
    """The events of a history that precede ``event`` (all of them if it is not there)."""
    for index, stored in enumerate(history):
        if stored == event:
            return list(history[:index])
    return list(history)


class Projector:
    """Runs a :class:`Projection` over the store's log, checkpointing every ``every`` entries.

    :meth:`catch_up` restores the projection from its checkpoint (position and state, written
    together), applies every entry after that position, and writes a checkpoint at least every
    ``every`` entries and at the end. A process killed at any point resumes from its last
    checkpoint: each entry's effect is in the state exactly once.
    """

    def __init__(
        self,
        store: ComplaintStore,
        projection: Projection,
        *,
        every: int = 1000,
        read_only: bool = False,
    ) -> None:
        if every < 1:
            raise InvalidInput(f"every must be at least 1, got {every}")
        self.store = store
        self.projection = projection
        self.every = every
        self.read_only = read_only  # catch up in memory, write no checkpoint (a report)
        self.position = -1  # not restored yet

    def __repr__(self) -> str:
        return f"Projector({self.projection.name!r}, position={self.position})"

    def restore(self) -> None:
        """Read the checkpoint into the projection."""
        position, state = self.store.checkpoint(self.projection.name)
        self.projection.restore(state)
        self.position = position

    def catch_up(self) -> int:
        """Apply everything after the checkpoint; returns how many entries were applied."""
        if self.position < 0:
            self.restore()
        applied = 0
        saved = self.position
        kinds = self.projection.kinds
        for entry in self.store.log(after=self.position, kinds=kinds):
            self.projection.apply(entry, self.store)
            self.position = entry.position
            applied += 1
            if applied % self.every == 0:
                saved = self._save(saved)
        if self.position != saved:
            self._save(saved)
        return applied

    def _save(self, saved: int) -> int:
        if self.read_only:
            return self.position
        try:
            self.store.save_checkpoint(
                self.projection.name,
                position=self.position,
                state=self.projection.state(),
                expected_position=saved,
            )
        except ConcurrencyConflict:
            # another process checkpointed first: start again from its checkpoint
            log.info("projection %s: checkpoint moved on; restoring", self.projection.name)
            self.restore()
            return self.position
        return self.position


class LedgerProjection:
    """The CS-point :class:`~ccms.scoring.Ledger` as a projection of complaint events and the
    ``activity`` stream. A restored ledger is primed with a complaint's earlier events (from the
    store) before its next event, so the rules judge each event against its whole history."""

    kinds: frozenset[str] | None = frozenset({"complaint", ACTIVITY})

    def __init__(self, rules: PointRules = DEFAULT_RULES, *, name: str = "cs_points") -> None:
        self.rules = rules
        self.name = name
        self.ledger = Ledger(rules)

    def __repr__(self) -> str:
        return f"LedgerProjection({self.name!r}, {len(self.ledger)} entries)"

    def apply(self, entry: StoredEvent | StoredRecord, store: ComplaintStore) -> None:
        """Feed a complaint event (priming its history first if needed) or an activity."""
        if isinstance(entry, StoredRecord):
            if entry.record.kind == ACTIVITY:
                self.ledger.record(Activity.model_validate(entry.record.data))
            return
        event = entry.event
        cid = event.complaint_id
        if not self.ledger.knows(cid) and not event.opens:
            # every event before this one, those of its own command included (a checkpoint
            # can fall between two events of one command)
            self.ledger.prime(cid, _before(store.events(cid), event))
        self.ledger.feed((event,))

    def state(self) -> Mapping[str, Any]:
        """The ledger's entries, reversals and activities."""
        return self.ledger.state()

    def restore(self, state: Mapping[str, Any] | None) -> None:
        """Start from a checkpoint (or an empty ledger)."""
        self.ledger = Ledger(self.rules) if state is None else Ledger.from_state(self.rules, state)


class BoardProjection:
    """The improvement board's subscriber (tasks from code spikes and CC Cards) as a projection.

    The board sees each event with the complaint as it was right after it (as a live Desk
    subscriber would), folded here and kept for the complaints seen last; after a restart, a
    complaint is folded again from its stored events. The board writes its tasks through its
    repository and its subscriber is idempotent, so the checkpoint holds only the position:
    entries replayed after a crash open nothing twice.
    """

    kinds: frozenset[str] | None = frozenset({"complaint"})

    def __init__(
        self, board: ImprovementBoard, *, name: str = "improvement_board", keep: int = 4096
    ) -> None:
        self.board = board
        self.name = name
        self.keep = keep
        self._as_of: dict[str, Complaint] = {}

    def apply(self, entry: StoredEvent | StoredRecord, store: ComplaintStore) -> None:
        """Show the board the event with the complaint as of that event."""
        if isinstance(entry, StoredRecord):
            return
        event = entry.event
        cid = event.complaint_id
        before = self._as_of.pop(cid, None)
        if before is None or before.version not in (event.version - 1, event.version):
            before = None
            if not event.opens:  # fold the stored events that precede this one
                history = _before(store.events(cid), event)
                before = fold(history) if history else None
        complaint = event.apply(before)
        if len(self._as_of) >= self.keep:
            self._as_of.clear()
        self._as_of[cid] = complaint
        self.board(complaint, (event,))

    def state(self) -> Mapping[str, Any]:
        """Nothing beyond the position (the tasks are records of their own)."""
        return {}

    def restore(self, state: Mapping[str, Any] | None) -> None:
        """Re-read the tasks (another process may have moved them)."""
        self._as_of.clear()
        self.board.reload()


class ExecutionRecords:
    """The execution elements of one store: improvement tasks, institutional items, ideas,
    CS-point activities and the ledger, all kept in the store (see the module docs).

    ``board_options`` go to :class:`~ccms.scoring.ImprovementBoard` (owners, due dates, ...).
    Adopting an idea records its ``idea_adopted`` activity, so the proposer's points follow.
    ``read_only=True`` (a report) reads everything and writes nothing: the projections catch up
    in memory from their last checkpoint, and the board opens no task (call no moves).
    """

    def __init__(
        self,
        store: ComplaintStore,
        *,
        rules: PointRules = DEFAULT_RULES,
        checkpoint_every: int = 1000,
        read_only: bool = False,
        **board_options: Any,
    ) -> None:
        self.store = store
        repository = StoreRecords(store)
        self.board = ImprovementBoard(repository=repository, **board_options)
        self.register = InstitutionalRegister(repository=repository)
        self.ideas = IdeaBox(on_adopt=self.activity, repository=repository)
        self._ledger = LedgerProjection(rules)
        self.points = Projector(store, self._ledger, every=checkpoint_every, read_only=read_only)
        self.tasks = Projector(
            store, BoardProjection(self.board), every=checkpoint_every, read_only=read_only
        )
        self.read_only = read_only

    def __repr__(self) -> str:
        return f"ExecutionRecords({self.store!r})"

    def activity(self, activity: Activity) -> None:
        """Store a CS-point activity (training taken, prevention done, idea adopted) once."""
        record = Record(
            kind=ACTIVITY,
            stream_id=activity.id,
            version=1,
            type=activity.type,
            at=activity.at,
            data=activity.model_dump(mode="json"),
        )
        if self.store.stream_version(ACTIVITY, activity.id) == 0:
            self.store.append_records(ACTIVITY, activity.id, [record], expected_version=0)

    def activities(self) -> list[Activity]:
        """Every stored activity, in the order stored."""
        return [Activity.model_validate(r.data) for r in self.store.latest_records(ACTIVITY)]

    def catch_up(self) -> None:
        """Bring the task board and the ledger up to the store's log."""
        if not self.read_only:
            self.tasks.catch_up()
        self.points.catch_up()

    def ledger(self) -> Ledger:
        """The CS-point ledger, caught up with the log."""
        self.points.catch_up()
        return self._ledger.ledger

    def report_inputs(self) -> dict[str, Any]:
        """What a report shows of the execution elements, read from the store:
        ``improvements``, ``points`` (the ledger), ``ideas`` and ``institutional``, as
        :func:`ccms.report.report_from_store` takes them."""
        self.board.reload()
        self.register.reload()
        self.ideas.reload()
        return {
            "improvements": list(self.board),
            "points": self.ledger(),
            "ideas": list(self.ideas),
            "institutional": list(self.register),
        }

    def subscriber(self, complaint: Complaint, events: Sequence[DomainEvent]) -> None:
        """A Desk subscriber that keeps the board and the ledger current after each command."""
        self.catch_up()
