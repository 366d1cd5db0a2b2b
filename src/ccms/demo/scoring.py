"""The figures of the "CS points and improvement" section of ``ccms demo``.

Everything is computed from the store's event log after the simulated month: the CS-point ledger is
replayed (:meth:`ccms.scoring.Ledger.replay`, which equals a live subscriber), improvement tasks are
opened by the board from the month's code spikes and CC Cards as a subscriber would have, and one
task's effect is measured from the complaints of its codes before and after it was done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from ccms.desk import Desk
from ccms.model import Actor, Complaint
from ccms.scoring import DEFAULT_RULES, ImprovementBoard, ImprovementTask, Ledger

__all__ = ["EFFECT_WINDOW", "ScoringSummary", "scoring_summary"]

#: The window before and after a task over which its effect is measured in the demo.
EFFECT_WINDOW = timedelta(days=7)


@attrs.frozen(slots=True, kw_only=True)
class ScoringSummary:
    """The ledger, the board and the task verified by its effect (if any), as of ``now``."""

    now: datetime
    ledger: Ledger
    board: ImprovementBoard
    verified: ImprovementTask | None


def scoring_summary(desk: Desk, now: datetime | None = None) -> ScoringSummary:
    """Replay the ledger, rebuild the board and try each task's effect (see the module docs).

    Each task gets a report a day after it was opened (or last linked) and is completed a day
    later (the demo's owners are quick); a task
    whose after-window has ended by ``now`` is verified, or sent back, by its measured effect.
    """
    now = now or desk.clock.now()
    ledger = Ledger.replay(DEFAULT_RULES, desk.store.stream())
    board = ImprovementBoard(due_in_days=10, owners={"PRD": ("rnd", "exec-kang")})
    complaints = {c.id: c for c in desk.store.query()}
    as_of: dict[
        str, Complaint
    ] = {}  # each complaint as it was after the event, as a subscriber saw it
    for stored in desk.store.stream():
        event = stored.event
        as_of[event.complaint_id] = event.apply(as_of.get(event.complaint_id))
        board(as_of[event.complaint_id], (event,))
    verified = None
    for task in board.open_tasks():
        reported = max(task.created_at + timedelta(days=1), task.updated_at)
        done_at = reported + timedelta(days=1)
        if done_at + EFFECT_WINDOW > now:
            continue
        board.report(task.id, "cause found", now=reported, by="owner")
        board.complete(task.id, now=done_at, actor=Actor.system())
        checked = board.verify(
            task.id, complaints.values(), now=done_at + EFFECT_WINDOW, window=EFFECT_WINDOW
        )
        if checked.stage == "verified" and verified is None:
            verified = checked
    return ScoringSummary(now=now, ledger=ledger, board=board, verified=verified)
