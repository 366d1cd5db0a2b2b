"""The demo Desk's wiring: SQLite, the demo company's policies, and what they read.

:func:`build_desk` wires the Desk: routing, and the sweepers that run after every command and on
every ``desk.tick``: SLA clocks on the Seoul business calendar (Korean public holidays), the
escalation ladder, the serious-complaint early warning (crisis steps, CC Cards) and repeat and
code-spike detection. :class:`DemoIndex` feeds the repeat and early-warning policies;
:class:`Throttled` skips the complaints on which nothing can be due yet.

Interim: ``Desk.standard`` (in :mod:`ccms.desk`) is to replace all of this; until then it is
moved here unchanged from the CLI.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ccms.demo.company import (
    TIMEZONE,
    demo_calendar,
    demo_early_warning,
    demo_escalation,
    demo_organization,
    demo_repeats,
    demo_sla,
    demo_taxonomy,
)
from ccms.desk import Desk, ManualClock, Sweeper
from ccms.model import Complaint, DomainEvent, SlaApplied
from ccms.policy import BusinessClock, EscalationLadder, PolicyContext, SlaPolicy
from ccms.policy.routing import by_taxonomy_defaults, fixed, language_match, least_loaded, sticky
from ccms.policy.sla import SlaState
from ccms.store import SQLiteStore

__all__ = ["DemoIndex", "OneClock", "Throttled", "build_desk", "ladder_wake", "sla_wake"]


class DemoIndex:
    """What the repeat and early-warning policies read beside a complaint's own history.

    A Desk subscriber (:meth:`record`) keeps the latest version of every complaint; the Desk's
    ``context_extra`` hook (:meth:`extra`) hands the policies, for a complaint received at ``t``:

    * ``customer_history``: the customer's other complaints;
    * ``recent_code_counts``: per code of the complaint, the complaints received with it in
      ``(t - window, t]`` (this one included);
    * ``code_baseline``: per code, the counts in the ``baseline_windows`` windows of the same
      length before that, counting only windows after ``start`` (when the data begin); a code
      with fewer than ``min_baseline`` such windows gets no baseline (no spike test yet).

    Everything depends on received times and codes only, not on ``now``, so a sweep repeated at
    the same moment reads the same inputs.

    >>> from datetime import datetime, timezone
    >>> from ccms.model import Actor, Classified, ComplaintReceived, Concern, CustomerRef, fold
    >>> start = datetime(2026, 10, 1, tzinfo=timezone.utc)
    >>> def complaint(cid, day, code):
    ...     at = start.replace(day=day, hour=10)
    ...     return fold([ComplaintReceived(complaint_id=cid, version=1, at=at, actor=Actor.system(),
    ...         stage="received", received_at=at, channel="web", customer=CustomerRef(id="u1"),
    ...         concerns=(Concern(kind="complaint", text="late", code=code),))])
    >>> index = DemoIndex(start, min_baseline=3)
    >>> for i, day in enumerate([2, 3, 5, 6, 6]):
    ...     index.record(complaint(f"c{i}", day, "DLV.LATE"))
    >>> extra = index.extra(complaint("c9", 6, "DLV.LATE"), ())
    >>> extra["recent_code_counts"], extra["code_baseline"]
    ({'DLV.LATE': 3}, {'DLV.LATE': [1, 0, 1, 1]})
    >>> [c.id for c in extra["customer_history"]]
    ['c0', 'c1', 'c2', 'c3', 'c4']
    """

    def __init__(
        self,
        start: datetime,
        *,
        window: timedelta = timedelta(hours=24),
        baseline_windows: int = 14,
        min_baseline: int = 7,
    ) -> None:
        self.start = start
        self.window = window
        self.baseline_windows = baseline_windows
        self.min_baseline = min_baseline
        self._by_id: dict[str, Complaint] = {}
        self._by_customer: dict[str, dict[str, Complaint]] = {}
        self._times: dict[str, list[float]] = {}  # code -> sorted received timestamps
        self._generation = 0  # counts records; a cached answer is good while it stands
        self._cache: tuple[tuple[str, int, tuple[str, ...], int], dict[str, Any]] | None = None

    def __repr__(self) -> str:
        return f"DemoIndex({len(self._by_id)} complaints, window={self.window})"

    def record(self, complaint: Complaint, events: Sequence[DomainEvent] = ()) -> None:
        """Subscriber: remember the latest version of ``complaint``."""
        old = self._by_id.get(complaint.id)
        before = set(old.codes) if old is not None else set()
        after = set(complaint.codes)
        moment = complaint.received_at.timestamp()
        self._generation += 1
        for code in before - after:
            self._times[code].remove(moment)
        for code in sorted(after - before):
            insort(self._times.setdefault(code, []), moment)
        self._by_id[complaint.id] = complaint
        self._by_customer.setdefault(complaint.customer.id, {})[complaint.id] = complaint

    def extra(self, complaint: Complaint, events: Sequence[DomainEvent]) -> dict[str, Any]:
        """The Desk's ``context_extra``: the inputs described in the class docs."""
        key = (complaint.id, complaint.version, complaint.codes, self._generation)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]  # the Desk asks once per sweeper; the answer is the same
        t = complaint.received_at.timestamp()
        width = self.window.total_seconds()
        first = self.start.timestamp()
        stored = self._by_id.get(complaint.id)
        indexed = set(stored.codes) if stored is not None else set()
        counts: dict[str, int] = {}
        baseline: dict[str, list[int]] = {}
        for code in dict.fromkeys(complaint.codes):
            times = self._times.get(code, [])

            def count(a: float, b: float, times: list[float] = times) -> int:
                return bisect_right(times, b) - bisect_right(times, a)

            counts[code] = count(t - width, t) + (code not in indexed)
            windows = [
                count(t - (i + 1) * width, t - i * width)
                for i in range(1, self.baseline_windows + 1)
                if t - (i + 1) * width >= first
            ]
            if len(windows) >= self.min_baseline:
                baseline[code] = windows
        history = [
            c
            for cid, c in self._by_customer.get(complaint.customer.id, {}).items()
            if cid != complaint.id
        ]
        extra: dict[str, Any] = {
            "customer_history": history,
            "recent_code_counts": counts,
            "code_baseline": baseline,
        }
        self._cache = (key, extra)
        return extra


# --------------------------------------------------------------------------- sweeping cheaply

#: ``wake(ctx)``: the earliest moment a time threshold can pass for the complaint as it is in
#: ``ctx``, or ``None`` when only a change to the complaint can make the sweeper speak again.
Wake = Callable[[PolicyContext], datetime | None]


#: ``inert(swept, new)``: whether the events ``new``, appended to the history of the context
#: ``swept``, leave what the sweeper says unchanged (until its wake-up).
Inert = Callable[[PolicyContext, Sequence[DomainEvent]], bool]


class Throttled:
    """A time-driven sweeper asked again only when something can be due.

    ``Desk.tick`` asks every sweeper about every open complaint, and most have nothing due.
    When the wrapped sweeper returns nothing, the wrapper remembers the complaint's version and
    history length; a later call for that same complaint (a tick) first asks ``wake`` (once) when
    the next threshold can pass, and answers ``[]`` at once before that moment. A call whose
    history only grew by events that ``inert`` clears (a command the policy does not read) is
    answered the same way. Any other change asks the sweeper again, so the events are exactly
    the wrapped sweeper's.
    """

    __slots__ = ("_memo", "inert", "sweeper", "wake")

    def __init__(self, sweeper: Sweeper, wake: Wake, inert: Inert | None = None) -> None:
        self.sweeper = sweeper
        self.wake = wake
        self.inert = inert
        # complaint id -> ((version, history length), the context swept, whether the wake-up
        # is known yet, the wake-up)
        self._memo: dict[str, tuple[tuple[int, int], PolicyContext, bool, datetime | None]] = {}

    def __repr__(self) -> str:
        return f"Throttled({self.sweeper!r})"

    def sweep(self, ctx: PolicyContext) -> Sequence[DomainEvent]:
        """The wrapped sweeper's events, or ``[]`` without asking it when nothing can be due."""
        cid = ctx.complaint.id
        seen = (ctx.complaint.version, len(ctx.events))
        memo = self._memo.get(cid)
        if memo is not None:
            (version, length), swept, known, wake = memo
            same = (version, length) == seen
            grown = (
                not same
                and self.inert is not None
                and 0 < length < len(ctx.events)
                and ctx.events[length - 1] == swept.events[length - 1]  # the same history
                and self.inert(swept, ctx.events[length:])
            )
            if same or grown:
                if not known:  # asked once, lazily: most complaints change before the next tick
                    wake, known = self.wake(swept), True
                self._memo[cid] = (seen, ctx if grown else swept, True, wake)
                if wake is None or ctx.now < wake:
                    return []
        out = self.sweeper.sweep(ctx)
        if out:
            self._memo.pop(cid, None)
        else:
            self._memo[cid] = (seen, ctx, False, None)
        return out


#: Events that change no clock and nothing else the SLA policy reads, unless their stage is
#: named by a target (checked too).
_SLA_INERT = frozenset(
    {
        "department_assigned",
        "handler_assigned",
        "handling_started",
        "feedback_recorded",
        "flags_changed",
        "escalated",
        "early_warning_raised",
        "cc_card_opened",
        "cc_card_closed",
        "repeat_detected",
        "transferred",
        "closed",
    }
)
#: Events the escalation ladder does not read (its clock is checked too): no handler, result,
#: flags, reopens, closing or escalation among them.
_LADDER_INERT = frozenset(
    {
        "department_assigned",
        "handling_started",
        "responded",
        "customer_notified",
        "feedback_recorded",
        "sla_status_changed",
        "early_warning_raised",
        "cc_card_opened",
        "repeat_detected",
    }
)


def _patterns(
    events: Sequence[DomainEvent], only: str | None = None
) -> tuple[frozenset[str], frozenset[str]] | None:
    """The event or stage names that start or stop, and the stages that pause, any clock
    recorded in the history (or only the clock ``only``); ``None`` if none is recorded."""
    names: set[str] = set()
    pause: set[str] = set()
    found = False
    for event in events:
        if not isinstance(event, SlaApplied):
            continue
        for name, record in event.targets.items():
            if only is not None and name != only:
                continue
            if not isinstance(record, Mapping):
                return None
            for key in ("start", "stop", "pause"):
                values = record.get(key)
                if not isinstance(values, list):
                    return None
                into = pause if key == "pause" else names
                into.update(str(v).partition(":")[2] or str(v) for v in values)
            found = True
    return (frozenset(names), frozenset(pause)) if found else None


def _inert(types: frozenset[str], only: str | None = None) -> Inert:
    """Events of ``types`` that neither start, stop nor pause a recorded clock (nor leave a
    pause) are inert."""

    def inert(swept: PolicyContext, new: Sequence[DomainEvent]) -> bool:
        patterns = _patterns(swept.events, only)
        if patterns is None:
            return False
        names, pause = patterns
        stage = swept.complaint.stage
        for event in new:
            after = event.stage or stage
            if (
                event.type not in types
                or event.type in names
                or after in names
                or stage in pause
                or after in pause
            ):
                return False
            stage = after
        return True

    return inert


def _clock(sla: SlaPolicy, state: SlaState) -> BusinessClock | None:
    """The calendar a target runs on, or ``None`` for calendar (wall-clock) time."""
    target = state.target
    if not target.business:
        return None
    calendars = sla.calendars
    if isinstance(calendars, Mapping):
        return calendars[target.calendar or "default"]
    return calendars


def _runs(state: SlaState) -> bool:
    """Whether the clock is running (started, not stopped, not in a pause)."""
    paused = bool(state.paused) and state.paused[-1][1] is None
    return state.started_at is not None and state.stopped_at is None and not paused


def _when(sla: SlaPolicy, state: SlaState, now: datetime, amount: timedelta) -> datetime | None:
    """When the running clock reaches ``amount`` (``None`` if it already has)."""
    left = amount - state.elapsed
    if left < timedelta(0):
        return None
    clock = _clock(sla, state)
    return now + left if clock is None else clock.add(now, left)


def _earliest(moments: Sequence[datetime | None]) -> datetime | None:
    found = [m for m in moments if m is not None]
    return min(found) if found else None


class _Clocks:
    """``sla.evaluate(ctx)``, remembered for the last context: both wake-ups read the clocks of
    the same complaint at the same moment, one after the other."""

    __slots__ = ("_last", "sla")

    def __init__(self, sla: SlaPolicy) -> None:
        self.sla = sla
        self._last: tuple[tuple[str, int, int, datetime], dict[str, SlaState]] | None = None

    def __call__(self, ctx: PolicyContext) -> dict[str, SlaState]:
        key = (ctx.complaint.id, ctx.complaint.version, len(ctx.events), ctx.now)
        if self._last is None or self._last[0] != key:
            self._last = (key, self.sla.evaluate(ctx))
        return self._last[1]


def sla_wake(sla: SlaPolicy, clocks: Callable[[PolicyContext], Mapping[str, SlaState]]) -> Wake:
    """For :class:`SlaPolicy`: the next at-risk share or deadline of a running clock
    (``clocks(ctx)`` evaluates the SLA clocks)."""

    def wake(ctx: PolicyContext) -> datetime | None:
        return _earliest(
            [
                _when(sla, state, ctx.now, amount)
                for state in clocks(ctx).values()
                if _runs(state)
                for amount in (state.target.duration * state.target.at_risk, state.target.duration)
            ]
        )

    return wake


def ladder_wake(
    ladder: EscalationLadder,
    sla: SlaPolicy,
    clocks: Callable[[PolicyContext], Mapping[str, SlaState]],
) -> Wake:
    """For :class:`EscalationLadder`: the next time threshold on its target's clock."""

    def wake(ctx: PolicyContext) -> datetime | None:
        state = clocks(ctx).get(ladder.target)
        moments: list[datetime | None] = []
        for level in ladder.levels:
            threshold = level.threshold
            if threshold is None:
                continue
            if state is None:  # no SLA: duration thresholds measure the complaint's age
                if isinstance(threshold, timedelta):
                    moments.append(max(ctx.now, ctx.complaint.received_at + threshold))
                continue
            if not _runs(state):
                continue
            amount = (
                threshold if isinstance(threshold, timedelta) else state.target.duration * threshold
            )
            moments.append(_when(sla, state, ctx.now, amount))
        return _earliest(moments)

    return wake


class OneClock:
    """Hands an escalation ladder only the SLA clock it reads (its ``target``).

    The ladder evaluates the clocks recorded in the history's ``SlaApplied`` once per level with
    a time threshold; it reads only its target's. Trimming the other targets from the
    ``SlaApplied`` it sees leaves its decisions unchanged and saves the evaluation of clocks it
    ignores.
    """

    __slots__ = ("ladder",)

    def __init__(self, ladder: EscalationLadder) -> None:
        self.ladder = ladder

    def __repr__(self) -> str:
        return f"OneClock({self.ladder!r})"

    def sweep(self, ctx: PolicyContext) -> Sequence[DomainEvent]:
        """The ladder's sweep over the trimmed history."""
        target = self.ladder.target
        events = tuple(
            e.model_copy(update={"targets": {target: e.targets[target]}})
            if isinstance(e, SlaApplied) and target in e.targets and len(e.targets) > 1
            else e
            for e in ctx.events
        )
        return self.ladder.sweep(ctx.evolve(events=events))


def build_desk(db: Path, *, year: int, month: int) -> tuple[Desk, ManualClock]:
    """The demo Desk: SQLite at ``db``, the demo organization, taxonomy and policies.

    Sweepers, in order: SLA (so the clocks are applied first), early warning, escalation,
    repeats. A :class:`DemoIndex` subscribes to every write and feeds the repeat and
    early-warning policies. The time-driven sweepers are :class:`Throttled`: a tick skips the
    complaints on which nothing can be due yet (the events are those of the bare policies).
    """
    start = datetime(year, month, 1, tzinfo=ZoneInfo(TIMEZONE))
    clock = ManualClock(start)
    store = SQLiteStore(db)
    sla = demo_sla(demo_calendar())
    ladder = demo_escalation(sla)
    clocks = _Clocks(sla)
    warning = demo_early_warning()
    index = DemoIndex(start)
    for complaint in store.query():  # an existing database: index what it holds
        index.record(complaint)
    desk = Desk(
        store,
        organization=demo_organization(),
        taxonomy=demo_taxonomy(),
        clock=clock,
        department_router=by_taxonomy_defaults() | fixed("cs"),
        handler_router=sticky() | least_loaded(filters=[language_match()]) | least_loaded(),
        sweepers=[
            Throttled(sla, sla_wake(sla, clocks), _inert(_SLA_INERT)),
            # Without a cluster rule, the early warning reads nothing but the complaint: a
            # complaint that has not changed has nothing new to say, whatever the time.
            warning
            if any(rule.cluster is not None for rule in warning.rules)
            else Throttled(warning, lambda ctx: None),
            Throttled(
                OneClock(ladder),
                ladder_wake(ladder, sla, clocks),
                _inert(_LADDER_INERT, ladder.target),
            ),
            demo_repeats(),
        ],
        subscribers=[index.record],
        context_extra=index.extra,
    )
    return desk, clock
