"""The "CS points and improvement" section of ``ccms demo``.

Everything is computed from the store's event log after the simulated month: the CS-point ledger is
replayed (:meth:`ccms.scoring.Ledger.replay`, which equals a live subscriber), improvement tasks are
opened by the board from the month's code spikes and CC Cards as a subscriber would have, and one
task's effect is measured from the complaints of its codes before and after it was done.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
from rich.console import Console
from rich.table import Table

from ccms.desk import Desk
from ccms.model import Actor, Complaint
from ccms.scoring import DEFAULT_RULES, ImprovementBoard, ImprovementTask, Ledger

__all__ = ["ScoringSummary", "print_scoring", "scoring_summary"]

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


def _balances(summary: ScoringSummary, top: int = 3) -> Table:
    balances = summary.ledger.balances(now=summary.now)
    table = Table(title="CS points: top and bottom balances", title_justify="left")
    table.add_column("agent")
    table.add_column("points", justify="right")
    table.add_column("standing")
    table.add_column("why (entries by rule)")
    items = list(balances.items())
    shown = items[:top] + [kv for kv in items[-top:] if kv not in items[:top]]
    for agent, points in shown:
        standing = summary.ledger.standing(agent, now=summary.now)
        why: dict[str, int] = {}
        for line in summary.ledger.explain(agent, now=summary.now).lines:
            if line.counted:
                why[line.entry.rule] = why.get(line.entry.rule, 0) + line.counted
        explanation = summary.ledger.explain(agent, now=summary.now)
        for period, cut in explanation.capped:
            why[f"cap {period}"] = why.get(f"cap {period}", 0) + cut
        label = ", ".join(filter(None, [standing.tier, *standing.consequences])) or "-"
        table.add_row(
            agent, f"{points:+d}", label, ", ".join(f"{r} {p:+d}" for r, p in why.items())
        )
    return table


def _tasks(summary: ScoringSummary) -> Table:
    table = Table(title="Responsibility-improvement tasks", title_justify="left")
    for column in ("task", "source", "codes", "owner", "due", "stage", "effect"):
        table.add_column(column)
    for task in summary.board:
        overdue = " (overdue)" if task.overdue(summary.now) else ""
        table.add_row(
            task.id,
            task.source,
            ", ".join(task.codes),
            f"{task.department}{' / ' + task.executive if task.executive else ''}",
            f"{task.due_at:%m-%d}",
            task.stage + overdue,
            ""
            if task.effect is None
            else f"{task.effect.count_before}->{task.effect.count_after}"
            f" p={task.effect.p_value:.3f}",
        )
    return table


def print_scoring(console: Console, desk: Desk) -> ScoringSummary:
    """Print the section: balances with their explanation, tasks, and one verified task."""
    summary = scoring_summary(desk)
    ledger = summary.ledger
    console.print(
        f"CS points: {len(ledger)} ledger entries under rule set {DEFAULT_RULES.version} "
        "(replayed from the event log)."
    )
    console.print(_balances(summary))
    balances = ledger.balances(now=summary.now)
    if balances:
        bottom = list(balances)[-1]
        explanation = str(ledger.explain(bottom, now=summary.now)).splitlines()
        console.print("Why " + explanation[0])
        for line in explanation[1:6]:
            console.print(line, markup=False)
        if len(explanation) > 6:
            console.print(f"  ... and {len(explanation) - 6} more entries")
    console.print(_tasks(summary))
    open_tasks = summary.board.open_tasks()
    overdue = summary.board.overdue(summary.now)
    console.print(f"{len(open_tasks)} improvement tasks open, {len(overdue)} overdue.")
    if summary.verified is not None and summary.verified.effect is not None:
        console.print(f"{summary.verified.id} verified by its effect: {summary.verified.effect}")
    return summary
