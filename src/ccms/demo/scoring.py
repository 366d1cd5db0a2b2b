"""The figures of the "CS points and improvement" section of ``ccms demo``.

Everything is kept in the store (:class:`ccms.desk.ExecutionRecords`): the improvement board opens
tasks from the month's code spikes and CC Cards as a projection of the event log, the CS-point
ledger is a projection with a checkpoint, and the demo's owners move their tasks (report,
complete, verify by the measured effect) through the store. ``ccms report --db`` in a new process
reads the same tasks and points back.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from ccms.desk import Desk, ExecutionRecords
from ccms.model import Actor
from ccms.scoring import ImprovementBoard, ImprovementTask, Ledger

__all__ = ["EFFECT_WINDOW", "OWNERS", "ScoringSummary", "demo_records", "scoring_summary"]

#: The window before and after a task over which its effect is measured in the demo.
EFFECT_WINDOW = timedelta(days=7)
#: Who owns improvements of a code prefix (department, executive).
OWNERS = {"PRD": ("rnd", "exec-kang")}


@attrs.frozen(slots=True, kw_only=True)
class ScoringSummary:
    """The ledger, the board and the task verified by its effect (if any), as of ``now``."""

    now: datetime
    ledger: Ledger
    board: ImprovementBoard
    verified: ImprovementTask | None


def demo_records(desk: Desk, *, read_only: bool = False) -> ExecutionRecords:
    """The demo company's execution records in the Desk's store (its board settings)."""
    return ExecutionRecords(desk.store, due_in_days=10, owners=OWNERS, read_only=read_only)


def scoring_summary(desk: Desk, now: datetime | None = None) -> ScoringSummary:
    """Catch the board and the ledger up with the log, then play the owners' moves.

    Each task gets a report a day after it was opened (or last linked) and is completed a day
    later (the demo's owners are quick); a task whose after-window has ended by ``now`` is
    verified, or sent back, by its measured effect. Every move is stored.
    """
    now = now or desk.clock.now()
    records = demo_records(desk)
    records.catch_up()
    board = records.board
    complaints = desk.store.query()
    verified = None
    for task in board.open_tasks():
        if task.stage != "open":
            continue  # moved already (a second run on the same store moves nothing again)
        reported = max(task.created_at + timedelta(days=1), task.updated_at)
        done_at = reported + timedelta(days=1)
        if done_at + EFFECT_WINDOW > now:
            continue
        board.report(task.id, "cause found", now=reported, by="owner")
        board.complete(task.id, now=done_at, actor=Actor.system())
        checked = board.verify(
            task.id, complaints, now=done_at + EFFECT_WINDOW, window=EFFECT_WINDOW
        )
        if checked.stage == "verified" and verified is None:
            verified = checked
    return ScoringSummary(now=now, ledger=records.ledger(), board=board, verified=verified)
