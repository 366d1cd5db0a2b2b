"""Responsibility improvement (책임 개선제): root-cause tasks owned by a department and an executive.

An :class:`ImprovementTask` comes from a VOC pattern (a repeated code, an early-warning case, an
analyst's decision) and names the root cause, the owners, a target reduction, a due date and how
often progress must be reported. Its stages (``open``, ``in_progress``, ``done``, ``verified``,
``cancelled``) are the :func:`task_definition` workflow. Only data verifies a task:
:meth:`ImprovementBoard.verify` compares the complaint rate of its VOC codes before the task with
the rate after it was done (:func:`rate_reduction_test`); a task that falls short goes back to
``in_progress``. :meth:`ImprovementBoard.score` rates owners (on time, effect, reports on time), and
the CC Card of an early-warning case is closed only once its task is verified
(:meth:`ImprovementBoard.cc_card_closures`, or the :class:`CcCardCloser` sweeper).

>>> from datetime import datetime, timedelta, timezone
>>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> board = ImprovementBoard()
>>> task = board.open_task(title="Stronger pan handles", source="repeat_code",
...     codes=["PRD.DEF.HANDLE"], root_cause="rivet too short", department="rnd", now=t0)
>>> task.id, task.stage, task.due_at - t0
('IMP-1', 'open', datetime.timedelta(days=30))
>>> board.verify("IMP-1", [], now=t0)
Traceback (most recent call last):
...
ccms.errors.InvalidTransition: improvement task IMP-1 in stage 'open' cannot fire 'verify'; allowed from there: cancel, complete, link, report, start
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Literal

import attrs
from pydantic import Field

from ccms.errors import InvalidInput, require_aware
from ccms.model import (
    Actor,
    CcCardClosed,
    Complaint,
    DomainEvent,
    RepeatDetected,
    Role,
)
from ccms.model.types import AwareDatetime, Frozen, Name, ShortText
from ccms.policy._tails import binomial_cdf
from ccms.policy.base import PolicyContext
from ccms.policy.calendar import BusinessCalendar
from ccms.policy.early_warning import close_cc_card_event
from ccms.scoring._pipeline import Item, ItemRepository, Pipeline
from ccms.workflow import StageSpec, TransitionSpec, Workflow, WorkflowDefinition

__all__ = [
    "CcCardCloser",
    "Effect",
    "ImprovementBoard",
    "ImprovementTask",
    "OwnerScore",
    "ProgressReport",
    "ScoreWeights",
    "rate_reduction_test",
    "task_definition",
]

_ALL = frozenset(Role)
_LEADS = frozenset({Role.SUPERVISOR, Role.EXECUTIVE, Role.SYSTEM})
_DATA = frozenset({Role.SYSTEM})  # verification is computed, never set by a person


def task_definition() -> WorkflowDefinition:
    """The improvement-task workflow.

    >>> sorted(task_definition().terminal_stages)
    ['cancelled', 'verified']
    """
    t = TransitionSpec
    return WorkflowDefinition(
        name="improvement_task",
        initial="open",
        stages=(
            StageSpec(name="open", description="created from a VOC pattern"),
            StageSpec(name="in_progress", description="the owners are working on the root cause"),
            StageSpec(name="done", description="measures taken; the effect is being measured"),
            StageSpec(name="verified", terminal=True, open=False, description="effect shown"),
            StageSpec(name="cancelled", terminal=True, open=False),
        ),
        transitions=(
            t(trigger="start", source=("open",), dest="in_progress", roles=_ALL),
            t(trigger="report", source=("open",), dest="in_progress", roles=_ALL),
            t(trigger="report", source=("in_progress", "done"), dest=None, roles=_ALL),
            t(trigger="link", source=("open", "in_progress", "done"), dest=None, roles=_ALL),
            t(trigger="complete", source=("open", "in_progress"), dest="done", roles=_ALL),
            t(trigger="verify", source=("done",), dest="verified", roles=_DATA),
            t(trigger="not_effective", source=("done",), dest="in_progress", roles=_DATA),
            t(
                trigger="cancel",
                source=("open", "in_progress", "done"),
                dest="cancelled",
                roles=_LEADS,
            ),
        ),
    )


class ProgressReport(Frozen):
    """A periodic progress report on a task (피드백)."""

    at: AwareDatetime
    by: Name
    text: ShortText
    percent: Annotated[int, Field(ge=0, le=100)] | None = None


class Effect(Frozen):
    """The measured effect of a task: complaint counts and rates before and after, the test's
    p-value and whether it shows the target reduction (``verified``)."""

    codes: tuple[Name, ...]
    before: tuple[AwareDatetime, AwareDatetime]
    after: tuple[AwareDatetime, AwareDatetime]
    count_before: int
    count_after: int
    exposure_before: float
    exposure_after: float
    target_reduction: float
    alpha: float
    p_value: float
    verified: bool

    @property
    def rate_before(self) -> float:
        """Complaints per unit of exposure (per day by default) before."""
        return self.count_before / self.exposure_before

    @property
    def rate_after(self) -> float:
        """Complaints per unit of exposure after."""
        return self.count_after / self.exposure_after

    @property
    def reduction(self) -> float:
        """The observed relative reduction of the rate (0.4 = 40% fewer)."""
        return 1 - self.rate_after / self.rate_before if self.count_before else 0.0

    def __str__(self) -> str:
        return (
            f"{self.count_before} -> {self.count_after} complaints "
            f"({self.reduction:.0%} fewer; target {self.target_reduction:.0%}, "
            f"p = {self.p_value:.4f}, alpha {self.alpha}): "
            f"{'verified' if self.verified else 'not shown'}"
        )


class ImprovementTask(Item):
    """A responsibility-improvement task. Moves only through :class:`ImprovementBoard`."""

    title: ShortText
    source: Literal["repeat_code", "early_warning", "analyst"]
    codes: Annotated[tuple[Name, ...], Field(min_length=1)]
    root_cause: ShortText = ""
    department: Name
    executive: Name | None = None
    target: ShortText = ""
    target_reduction: Annotated[float, Field(ge=0, lt=1)] = 0.3
    due_at: AwareDatetime
    report_every: timedelta = timedelta(days=14)
    complaints: tuple[Name, ...] = ()
    reports: tuple[ProgressReport, ...] = ()
    done_at: AwareDatetime | None = None
    effect: Effect | None = None

    def overdue(self, now: datetime) -> bool:
        """Still open or in progress after its due date."""
        return self.stage in ("open", "in_progress") and now > self.due_at


def rate_reduction_test(
    count_before: int,
    exposure_before: float,
    count_after: int,
    exposure_after: float,
    target_reduction: float = 0.0,
) -> float:
    """One-sided exact p-value that the after-rate is below ``(1 - target_reduction)`` times the
    before-rate (Poisson counts; the conditional binomial test).

    Given ``n = count_before + count_after``, under the null hypothesis the after-count is
    ``Binomial(n, p0)`` with ``p0 = (1-r) e_a / (e_b + (1-r) e_a)``; the p-value is
    ``P(X <= count_after)`` (the conditional test of two Poisson rates, Przyborowski & Wilenski
    1940), computed as an exact binomial tail (``ccms.policy._tails``, relative error about
    1e-12). Small p-values show the reduction. With no complaints at all (``n = 0``) there is
    no evidence and the p-value is 1. Counts are integers ``>= 0`` (together at most
    ``10**10``), exposures finite and ``> 0``, ``target_reduction`` in ``[0, 1)``.

    >>> round(rate_reduction_test(20, 30, 6, 30), 6)  # 313912 / 2**26, by hand
    0.004678
    >>> round(rate_reduction_test(20, 30, 6, 30, target_reduction=0.3), 4)
    0.0436
    >>> rate_reduction_test(0, 30, 0, 30)
    1.0
    >>> f"{rate_reduction_test(1, 1e-300, 0, 1):.6g}"  # P(X = 0) = q0 = 1e-300 / (1e-300 + 1)
    '1e-300'
    >>> rate_reduction_test(1, float("nan"), 1, 1)
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: exposure_before must be a finite number > 0 (days, orders, calls ...), got nan
    """
    for name, count in (("count_before", count_before), ("count_after", count_after)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InvalidInput(f"{name} must be an integer count >= 0, got {count!r}")
    for name, e in (("exposure_before", exposure_before), ("exposure_after", exposure_after)):
        if isinstance(e, bool) or not isinstance(e, int | float) or not math.isfinite(e) or e <= 0:
            raise InvalidInput(
                f"{name} must be a finite number > 0 (days, orders, calls ...), got {e!r}"
            )
    if (
        isinstance(target_reduction, bool)
        or not isinstance(target_reduction, int | float)
        or not 0 <= target_reduction < 1
    ):
        raise InvalidInput(f"target_reduction must be in [0, 1), got {target_reduction!r}")
    n = count_before + count_after
    if n == 0:
        return 1.0
    if n > 10**10:
        raise InvalidInput(f"rate_reduction_test takes counts up to 10**10 in all, got {n}")
    # p0 = s/(e_b + s) and q0 = e_b/(e_b + s), s = (1-r)·e_a, each from logarithms so neither
    # is rounded to 0 or 1 (nor overflows) when the exposures are far apart.
    ln_s = math.log1p(-target_reduction) + math.log(exposure_after)
    ln_b = math.log(exposure_before)
    top = max(ln_s, ln_b)
    ln_total = top + math.log1p(math.exp(min(ln_s, ln_b) - top))
    return binomial_cdf(count_after, n, ln_s - ln_total, ln_b - ln_total)


@attrs.frozen(slots=True)
class ScoreWeights:
    """Weights of an owner's score (they need not sum to 1; the score is scaled to 0-100)."""

    on_time: float = 0.4
    effect: float = 0.4
    reports: float = 0.2


@attrs.frozen(slots=True)
class OwnerScore:
    """An owner's record: ``(achieved, assessed)`` pairs and the weighted score out of 100.

    A part with nothing assessed yet does not count (its weight is left out).
    """

    owner: str
    tasks: int
    on_time: tuple[int, int]
    effect: tuple[int, int]
    reports: tuple[int, int]
    score: float | None


def _covers(reports: Sequence[ProgressReport], start: datetime, end: datetime) -> bool:
    return any(start <= r.at < end for r in reports)


class ImprovementBoard(Pipeline[ImprovementTask]):
    """The responsibility-improvement tasks of a company, and a Desk subscriber that opens them.

    As a subscriber (``desk.subscribe(board)``) it opens a task when a code spike is broadcast
    (``RepeatDetected`` with ``pattern="code_spike"``) and when a CC Card is opened (linking the
    complaint to the active task of its code, or opening one; a card opened before the complaint
    is classified waits for its code). Owners come from ``owners``
    (``{code prefix: (department, executive)}``; the longest prefix wins), else the complaint's
    department, else ``default_department``. Due dates are ``due_in_days`` after creation,
    counted in working days of ``calendar`` when one is given.
    """

    noun = "improvement task"
    prefix = "IMP"
    item_type = ImprovementTask
    kind = "improvement_task"

    def __init__(
        self,
        *,
        calendar: BusinessCalendar | None = None,
        due_in_days: int = 30,
        report_every: timedelta = timedelta(days=14),
        target_reduction: float = 0.3,
        owners: Mapping[str, tuple[str, str | None]] | None = None,
        default_department: str = "cs",
        workflow: Workflow | None = None,
        repository: ItemRepository | None = None,
    ) -> None:
        super().__init__(workflow or Workflow(task_definition()), repository)
        self.calendar = calendar
        self.due_in_days = due_in_days
        self.report_every = report_every
        self.target_reduction = target_reduction
        self.owners = dict(owners or {})
        self.default_department = default_department

    # -- creating --------------------------------------------------------------------------------

    def due_from(self, start: datetime) -> datetime:
        """``due_in_days`` after ``start`` (working days of the calendar, if any)."""
        require_aware(start, "now")
        if self.calendar is None:
            return start + timedelta(days=self.due_in_days)
        local = start.astimezone(self.calendar.zone)
        day: date = local.date()
        left = self.due_in_days
        while left > 0:
            day += timedelta(days=1)
            if self.calendar.hours_on(day):
                left -= 1
        return local + (day - local.date())

    def open_task(
        self,
        *,
        title: str,
        source: Literal["repeat_code", "early_warning", "analyst"],
        codes: Sequence[str],
        department: str,
        now: datetime,
        root_cause: str = "",
        executive: str | None = None,
        target: str = "",
        target_reduction: float | None = None,
        due_at: datetime | None = None,
        complaints: Sequence[str] = (),
        actor: Actor | None = None,
    ) -> ImprovementTask:
        """Open a task (stage ``open``); the due date defaults to :meth:`due_from` ``now``."""
        require_aware(now, "now")
        task = ImprovementTask(
            id=self._next_id(),
            stage="open",
            created_at=now,
            updated_at=now,
            title=title,
            source=source,
            codes=tuple(codes),
            root_cause=root_cause,
            department=department,
            executive=executive,
            target=target,
            target_reduction=self.target_reduction
            if target_reduction is None
            else target_reduction,
            due_at=self.due_from(now) if due_at is None else due_at,
            report_every=self.report_every,
            complaints=tuple(complaints),
        )
        return self._add(task)

    def owner_of(self, code: str, complaint: Complaint | None = None) -> tuple[str, str | None]:
        """``(department, executive)`` owning improvements of ``code``."""
        best = max(
            (p for p in self.owners if code == p or code.startswith(p + ".")),
            key=len,
            default=None,
        )
        if best is not None:
            return self.owners[best]
        if complaint is not None and complaint.department is not None:
            return complaint.department, None
        return self.default_department, None

    def active_for(self, code: str) -> ImprovementTask | None:
        """The open, in-progress or done task that covers ``code``, if any."""
        for task in self:
            if task.stage in ("open", "in_progress", "done") and code in task.codes:
                return task
        return None

    def linked(self, complaint_id: str) -> ImprovementTask | None:
        """The task a complaint is linked to, if any."""
        return next((t for t in self if complaint_id in t.complaints), None)

    def __call__(self, complaint: Complaint, events: Sequence[DomainEvent]) -> None:
        """The Desk subscriber: open or link tasks from code spikes and CC Cards.

        Idempotent (it reads the complaint and the tasks, nothing of its own), so feeding the
        same events again, or a later version of the complaint, opens and links nothing twice:
        a durable projection can replay from its last checkpoint.
        """
        for event in events:
            if isinstance(event, RepeatDetected) and event.pattern == "code_spike" and event.code:
                spiked = event.code
                seen = any(complaint.id in t.complaints and spiked in t.codes for t in self)
                if not seen and self.active_for(spiked) is None:
                    department, executive = self.owner_of(spiked, complaint)
                    self.open_task(
                        title=f"Repeated complaints: {spiked}",
                        source="repeat_code",
                        codes=[spiked],
                        department=department,
                        executive=executive,
                        now=event.at,
                        root_cause=event.detail,
                        complaints=[complaint.id],
                    )
        # A CC Card follows its complaint into a task once the code is known (a card opened
        # before classification waits for it).
        code = complaint.primary_code
        if complaint.cc_card is None or code is None or not events:
            return
        if self.linked(complaint.id) is not None:
            return
        at = events[-1].at
        task = self.active_for(code)
        if task is None:
            department, executive = self.owner_of(code, complaint)
            self.open_task(
                title=f"Early warning step {complaint.crisis_step}: {code}",
                source="early_warning",
                codes=[code],
                department=department,
                executive=executive,
                now=at,
                complaints=[complaint.id],
            )
        else:
            self.link(task.id, complaint.id, now=max(at, task.updated_at))

    # -- moving ----------------------------------------------------------------------------------

    def start(self, task_id: str, *, now: datetime, actor: Actor | None = None) -> ImprovementTask:
        """The owners start work."""
        return self._fire(task_id, "start", actor=actor or Actor.system(), at=now)

    def report(
        self,
        task_id: str,
        text: str,
        *,
        now: datetime,
        by: str,
        percent: int | None = None,
        actor: Actor | None = None,
    ) -> ImprovementTask:
        """A progress report (the first one also starts an open task)."""
        task = self.get(task_id)
        report = ProgressReport(at=now, by=by, text=text, percent=percent)
        return self._fire(
            task_id,
            "report",
            actor=actor or Actor.system(),
            at=now,
            note=text,
            update={"reports": (*task.reports, report)},
        )

    def link(self, task_id: str, complaint_id: str, *, now: datetime) -> ImprovementTask:
        """Link another complaint (its CC Card closes when the task is verified)."""
        task = self.get(task_id)
        return self._fire(
            task_id,
            "link",
            actor=Actor.system(),
            at=now,
            note=complaint_id,
            update={"complaints": tuple(dict.fromkeys((*task.complaints, complaint_id)))},
        )

    def complete(
        self, task_id: str, *, now: datetime, actor: Actor | None = None, note: str = ""
    ) -> ImprovementTask:
        """Measures are in place; the effect is measured from now on."""
        return self._fire(
            task_id,
            "complete",
            actor=actor or Actor.system(),
            at=now,
            note=note,
            update={"done_at": now},
        )

    def cancel(self, task_id: str, reason: str, *, now: datetime, actor: Actor) -> ImprovementTask:
        """Cancel (supervisors and executives)."""
        return self._fire(task_id, "cancel", actor=actor, at=now, note=reason)

    def measure(
        self,
        task_id: str,
        complaints: Iterable[Complaint],
        *,
        window: timedelta = timedelta(days=30),
        exposure: tuple[float, float] | None = None,
        alpha: float = 0.05,
        now: datetime,
    ) -> Effect:
        """The effect of a done task: complaints of its codes received in ``window`` before the
        task was opened against ``window`` after it was done (rejected ones not counted).

        ``exposure`` is ``(before, after)`` in the unit the rate is per (orders shipped, calls);
        by default the window length in days. The after-window must have ended by ``now``.
        """
        task = self.get(task_id)
        require_aware(now, "now")
        if task.done_at is None:
            raise InvalidInput(f"{self.noun} {task_id} is not done; measure after complete()")
        if window <= timedelta(0):
            raise InvalidInput(f"window must be positive, got {window}")
        before = (task.created_at - window, task.created_at)
        after = (task.done_at, task.done_at + window)
        if now < after[1]:
            raise InvalidInput(
                f"{self.noun} {task_id}: the after-window ends at {after[1].isoformat()}, "
                f"after now ({now.isoformat()}); measure then"
            )
        counts = [0, 0]
        for c in complaints:
            if c.stage == "rejected" or not any(_covered(code, task.codes) for code in c.codes):
                continue
            for i, (start, end) in enumerate((before, after)):
                if start <= c.received_at < end:
                    counts[i] += 1
        days = window / timedelta(days=1)
        e_before, e_after = exposure if exposure is not None else (days, days)
        p = rate_reduction_test(counts[0], e_before, counts[1], e_after, task.target_reduction)
        return Effect(
            codes=task.codes,
            before=before,
            after=after,
            count_before=counts[0],
            count_after=counts[1],
            exposure_before=e_before,
            exposure_after=e_after,
            target_reduction=task.target_reduction,
            alpha=alpha,
            p_value=p,
            verified=counts[0] > 0 and p <= alpha,
        )

    def verify(
        self,
        task_id: str,
        complaints: Iterable[Complaint],
        *,
        now: datetime,
        window: timedelta = timedelta(days=30),
        exposure: tuple[float, float] | None = None,
        alpha: float = 0.05,
    ) -> ImprovementTask:
        """Measure the effect (:meth:`measure`) and record it: ``verified`` when the data show the
        target reduction, else back to ``in_progress`` (``not_effective``)."""
        if "verify" not in self.workflow.allowed_triggers(self.get(task_id).stage):
            self._fire(task_id, "verify", actor=Actor.system(), at=now)  # raises the typed error
        effect = self.measure(
            task_id, complaints, window=window, exposure=exposure, alpha=alpha, now=now
        )
        return self._fire(
            task_id,
            "verify" if effect.verified else "not_effective",
            actor=Actor.system(),
            at=now,
            note=str(effect),
            update={"effect": effect},
        )

    # -- reading ---------------------------------------------------------------------------------

    def open_tasks(self) -> list[ImprovementTask]:
        """Tasks not verified nor cancelled, oldest first."""
        return [t for t in self if t.stage in ("open", "in_progress", "done")]

    def overdue(self, now: datetime) -> list[ImprovementTask]:
        """Open or in-progress tasks past their due date."""
        return [t for t in self if t.overdue(now)]

    def score(
        self, owner: str, *, now: datetime, weights: ScoreWeights = ScoreWeights()
    ) -> OwnerScore:
        """The owner's (department's or executive's) record over their non-cancelled tasks.

        - on time: done by the due date (a task not done and past due counts as late; one not
          yet due is not assessed);
        - effect: verified (a measured task that fell short counts as not achieved);
        - reports: each ``report_every`` period from creation until done (or ``now``) that ends
          by ``now`` holds at least one report.
        """
        require_aware(now, "now")
        tasks = [t for t in self if owner in (t.department, t.executive) and t.stage != "cancelled"]
        on_time = [0, 0]
        effect = [0, 0]
        reports = [0, 0]
        for t in tasks:
            if t.done_at is not None:
                on_time[1] += 1
                on_time[0] += t.done_at <= t.due_at
            elif now > t.due_at:
                on_time[1] += 1
            if t.effect is not None:
                effect[1] += 1
                effect[0] += t.stage == "verified"
            start = t.created_at
            until = min(t.done_at or now, now)
            while start + t.report_every <= until:
                reports[1] += 1
                reports[0] += _covers(t.reports, start, start + t.report_every)
                start += t.report_every
        parts = [(on_time, weights.on_time), (effect, weights.effect), (reports, weights.reports)]
        assessed = [(k / n, w) for (k, n), w in parts if n]
        total_weight = sum(w for _, w in assessed)
        score = (
            round(100 * sum(r * w for r, w in assessed) / total_weight, 1)
            if assessed and total_weight
            else None
        )
        return OwnerScore(
            owner,
            len(tasks),
            (on_time[0], on_time[1]),
            (effect[0], effect[1]),
            (reports[0], reports[1]),
            score,
        )

    def cc_card_closures(
        self,
        task_id: str,
        complaints: Iterable[Complaint],
        *,
        now: datetime,
        actor: Actor | None = None,
    ) -> list[CcCardClosed]:
        """The events closing the open CC Cards of the task's complaints: only once verified.

        The host appends each to its complaint's history (or lets :class:`CcCardCloser` propose
        them in the Desk's sweep).
        """
        task = self.get(task_id)
        if task.stage != "verified":
            raise InvalidInput(
                f"{self.noun} {task_id} is {task.stage!r}; a CC Card closes only when its task is "
                "verified by its effect"
            )
        linked = set(task.complaints)
        return [
            close_cc_card_event(
                c, f"root cause removed: {task.id} verified", now, actor or Actor.system()
            )
            for c in complaints
            if c.id in linked and c.cc_card is not None
        ]


def _covered(code: str, codes: Sequence[str]) -> bool:
    return any(code == c or code.startswith(c + ".") for c in codes)


class CcCardCloser:
    """A Desk sweeper: proposes closing a complaint's CC Card once a task linked to it is verified.

    ``sweep`` is pure and idempotent (a closed card is not closed again).
    """

    def __init__(self, board: ImprovementBoard) -> None:
        self.board = board

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        """The close event for this complaint's open card, if a linked task is verified."""
        complaint = ctx.complaint
        if complaint.cc_card is None:
            return []
        for task in self.board:
            if task.stage == "verified" and complaint.id in task.complaints:
                return [
                    close_cc_card_event(
                        complaint,
                        f"root cause removed: {task.id} verified",
                        ctx.now,
                        Actor.system(),
                    )
                ]
        return []

    def __repr__(self) -> str:
        return f"CcCardCloser({self.board!r})"
