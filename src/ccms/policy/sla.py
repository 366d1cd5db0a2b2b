"""SLA clocks: targets, tables, and clocks computed from the event history (never from counters).

An :class:`SlaTarget` says when a clock starts and stops (event types or stages), how long it may
run, whether it runs in calendar or business time (a named :class:`~ccms.policy.Calendar`, e.g. a
:class:`~ccms.policy.BusinessCalendar`), when it is at risk, and in which stages it pauses. An
:class:`SlaTable` picks the targets for a complaint by VOC kind, severity, channel and customer
segment. :func:`evaluate_sla` folds a complaint's history into one :class:`SlaState` per target;
:class:`SlaPolicy` (kind ``"sla"``) adds the Desk's sweep, which returns the new ``SlaApplied`` and
``SlaStatusChanged`` events to append.

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.model import Actor, ComplaintReceived, CustomerRef, Concern, WaitingOnCustomer, Resumed, fold
>>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> def at(hours): return t0 + timedelta(hours=hours)
>>> events = [
...     ComplaintReceived(complaint_id="c1", version=1, at=t0, actor=Actor.system(), stage="received",
...         received_at=t0, channel="phone", customer=CustomerRef(id="u1"),
...         concerns=(Concern(kind="complaint", text="broken"),)),
...     WaitingOnCustomer(complaint_id="c1", version=2, at=at(10), actor=Actor.system(),
...         stage="waiting_on_customer"),
...     Resumed(complaint_id="c1", version=3, at=at(30), actor=Actor.system(), stage="in_progress"),
... ]
>>> table = SlaTable(version="v1", rows=[{"targets": {"resolution": "48h"}}])
>>> state = evaluate_sla(fold(events), events, at(40), table)["resolution"]
>>> state.status, state.elapsed, state.paused_total, state.due_at - t0
('running', datetime.timedelta(seconds=72000), datetime.timedelta(seconds=72000), datetime.timedelta(days=2, seconds=72000))

Rules worth knowing (``docs/sla.md`` explains them with examples):

* **Pauses.** A running clock pauses while the complaint is in one of the target's ``pause``
  stages (default ``{"waiting_on_customer"}``) and resumes when it leaves them. A stop event ends
  a pause too (waiting on customer straight to result registered): paused time is never counted
  and never lost.
* **Stops.** The first stop event after a start stops the clock for good, unless a start event
  comes again (``resolution`` starts at ``received`` and at ``reopened``). First response stops at
  the first ``responded`` or ``customer_notified`` and is never overridden.
* **Reopen.** A start event on a stopped clock re-opens it: ``reopen="restart"`` (default) starts
  a new cycle from zero (the sweep records a new ``SlaApplied``); ``"resume"`` continues the old
  elapsed time (the stopped interval is not counted). A re-open later than ``reopen_window``
  after the stop always restarts.
* **The past is not rewritten.** Once the history holds an ``SlaApplied``, its recorded targets
  (durations in seconds, business flag, calendar name, ...) govern, whatever the table says now.
  A reclassification that changes kind or severity makes the sweep apply the current table
  again; the elapsed time is kept and only the target (its duration) changes.
* **Owners.** A breach's owner is the handler (else the department) holding the complaint at the
  moment the deadline passed, from ``HandlerAssigned`` / ``Transferred`` / ``DepartmentAssigned``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal, TypeAlias

import attrs
from pydantic import (
    Field,
)

from ccms._files import validate_mapping
from ccms.errors import PolicyError, require_aware
from ccms.model import (
    Classified,
    Complaint,
    ComplaintReceived,
    Concern,
    DomainEvent,
    SlaApplied,
    SlaStatusChanged,
    owner_at,
)
from ccms.policy._sla_clock import (
    WALL_CLOCK,
    ClockRun,
    WallClock,
    later,
)
from ccms.policy._sla_table import (
    DEFAULT_PAUSE_STAGES,
    DEFAULT_SLA_TABLE,
    TARGET_PRESETS,
    SlaRow,
    SlaTable,
    SlaTarget,
    _Model,
    _Pattern,
    cfpb_timely,
    cfpb_timely_target,
    default_sla_table,
)
from ccms.policy.base import Policy, PolicyContext
from ccms.policy.calendar import BusinessCalendar, Calendar
from ccms.policy.registry import default_registry

__all__ = [
    "DEFAULT_PAUSE_STAGES",
    "DEFAULT_SLA_TABLE",
    "TARGET_PRESETS",
    "BusinessClock",
    "Calendars",
    "SlaAssessment",
    "SlaClock",
    "SlaDecision",
    "SlaPolicy",
    "SlaRow",
    "SlaState",
    "SlaStatusName",
    "SlaTable",
    "SlaTarget",
    "WallClock",
    "cfpb_timely",
    "cfpb_timely_target",
    "default_sla_table",
    "evaluate_sla",
]

#: The states an SLA clock can be in (:attr:`SlaState.status`).
SlaStatusName: TypeAlias = Literal["not_started", "running", "at_risk", "paused", "met", "breached"]
#: The old name of :data:`SlaStatusName`, left out of ``__all__``: ``ccms.report.SlaStatus`` is
#: the report's row of SLA figures.
SlaStatus: TypeAlias = SlaStatusName


#: The old name of :class:`~ccms.policy.Calendar`, what an SLA clock needs from a calendar.
BusinessClock: TypeAlias = Calendar

#: Calendars by name (the name ``"default"`` serves targets that name none), or one calendar.
Calendars: TypeAlias = Mapping[str, Calendar] | Calendar | None


@attrs.frozen(slots=True, kw_only=True)
class SlaState:
    """One target's clock at ``now``.

    ``elapsed`` is clock time run (business time for business targets), ``remaining`` is
    ``duration - elapsed`` (negative once overdue); ``due_at`` is when elapsed reaches the
    duration (the actual moment once breached; projected from ``now`` while paused, from the
    stop for a clock stopped before it was due). ``paused`` lists the paused intervals of the
    current cycle in wall time (``None`` end: still paused). ``met_at`` is the stop if on time.
    ``cycle`` counts restarts; ``cycle_index`` is the index in the history of the event that
    started the current cycle.
    """

    target: SlaTarget
    status: SlaStatusName
    started_at: datetime | None
    elapsed: timedelta
    remaining: timedelta
    due_at: datetime | None
    paused: tuple[tuple[datetime, datetime | None], ...] = ()
    paused_total: timedelta = timedelta(0)
    stopped_at: datetime | None = None
    met_at: datetime | None = None
    owner: str | None = None
    cycle: int = 0
    cycle_index: int = 0

    @property
    def runs(self) -> bool:
        """Whether the clock is running now (started, not stopped, not in a pause)."""
        paused = bool(self.paused) and self.paused[-1][1] is None
        return self.started_at is not None and self.stopped_at is None and not paused

    @property
    def milestone(self) -> Literal["at_risk", "breached", "met"] | None:
        """The status worth an ``SlaStatusChanged`` event, if any (at risk even while paused)."""
        if self.status in ("met", "breached"):
            return self.status
        if self.status == "not_started":
            return None
        if self.elapsed >= self.target.duration * self.target.at_risk:
            return "at_risk"
        return None


def _clock_for(target: SlaTarget, calendars: Calendars) -> Calendar:
    if not target.business:
        return WALL_CLOCK
    name = target.calendar or "default"
    if calendars is None:
        raise PolicyError(
            f"SLA target {target.name!r} runs in business time on calendar {name!r}, but no "
            "calendars were given; pass calendars={name: BusinessCalendar(...)}"
        )
    if isinstance(calendars, Mapping):
        try:
            return calendars[name]
        except KeyError:
            raise PolicyError(
                f"SLA target {target.name!r} runs on calendar {name!r}, which is not given; "
                f"calendars given: {', '.join(sorted(calendars)) or 'none'}"
            ) from None
    return calendars


def _crossing(
    clock: Calendar,
    runs: Sequence[tuple[datetime, datetime | None]],
    now: datetime,
    amount: timedelta,
    lengths: Sequence[timedelta] | None = None,
) -> datetime | None:
    """The moment the running time reached ``amount``, or ``None`` if it has not yet
    (``lengths``: each run's clock time, when already measured)."""
    done = timedelta(0)
    for i, (a, b) in enumerate(runs):
        if lengths is not None:
            length = lengths[i]
        else:
            end = later(a, b if b is not None else now)
            length = clock.between(a, end)
        if done + length >= amount:
            return clock.add(a, amount - done)
        done += length
    return None


#: States of stopped clocks by (complaint, target, calendar, start, stop, cycle, stop event);
#: an entry keeps its calendar and stop event, so their ids are not reused while it stands and
#: two histories of one complaint id (what-if or test histories) never share it; emptied when
#: full (plain dict operations, safe across threads).
_STOPPED: dict[tuple[Any, ...], tuple[Calendar, DomainEvent, SlaState]] = {}
_STOPPED_SIZE: Final = 16384


#: The latest walk of a clock over each complaint's history, by (complaint, what the walk reads
#: of the target), beside the events walked: a history holding those same events first (the
#: same objects, or equal ones) and then more (the next command's) goes on from it instead of
#: walking them all again.
#: Emptied when full (plain dict operations; a stored walk is never changed).
_WALKS: dict[tuple[Any, ...], tuple[tuple[DomainEvent, ...], ClockRun]] = {}
_WALKS_SIZE: Final = 16384


def _walk(target: SlaTarget, seen: Sequence[DomainEvent]) -> ClockRun:
    """``ClockRun().walk(seen, ...)`` for ``target`` (read-only: it may be the kept walk)."""
    starts, stops, pauses = target.compiled
    if not seen:
        return ClockRun()
    key = (seen[0].complaint_id, starts, stops, pauses, target.reopen, target.reopen_window)
    hit = _WALKS.get(key)
    first = 0
    run = None
    if hit is not None:
        walked, done = hit
        first = len(walked)
        # (the same objects, compared in C; an equal event would walk the same anyway)
        if first <= len(seen) and tuple(seen[:first]) == walked:
            if first == len(seen):
                return done
            run = done.copy()
    if run is None:
        run, first = ClockRun(), 0
    run.walk(
        seen,
        start=starts,
        stop=stops,
        pause=pauses,
        reopen=target.reopen,
        reopen_window=target.reopen_window,
        first=first,
    )
    if len(_WALKS) >= _WALKS_SIZE:
        _WALKS.clear()
    _WALKS[key] = (tuple(seen), run)
    return run


class SlaClock:
    """One target's clock on one calendar: :meth:`evaluate` folds a history into an
    :class:`SlaState`.

    >>> from datetime import datetime, timezone
    >>> SlaClock(SlaTarget(name="resolution", duration="1h"))
    SlaClock(resolution, 1:00:00, WallClock())
    """

    __slots__ = ("clock", "target")

    def __init__(self, target: SlaTarget, clock: Calendar = WALL_CLOCK) -> None:
        self.target = target
        self.clock = clock

    def __repr__(self) -> str:
        return f"SlaClock({self.target.name}, {self.target.duration}, {self.clock!r})"

    def evaluate(self, events: Sequence[DomainEvent], now: datetime) -> SlaState:
        """The clock at ``now`` over ``events`` (oldest first; later events are ignored)."""
        require_aware(now, "now")
        t, clock = self.target, self.clock
        cut = now.astimezone(UTC)  # in UTC: one zone's datetimes compare by wall time
        late = events and events[-1].at.astimezone(UTC) > cut
        seen = [e for e in events if e.at.astimezone(UTC) <= cut] if late else events
        run = _walk(t, seen)
        if run.state == "not_started":
            return SlaState(
                target=t,
                status="not_started",
                started_at=None,
                elapsed=timedelta(0),
                remaining=t.duration,
                due_at=None,
            )
        key: tuple[Any, ...] | None = None
        if run.state == "stopped":
            # A stopped clock's state depends only on the events up to its stop: kept, so every
            # later command of the complaint does not measure it again.
            stop = seen[run.stop_index]
            key = (seen[0].complaint_id, t, id(clock), run.started_at, run.stopped_at, run.cycle)
            key = (*key, id(stop))
            hit = _STOPPED.get(key)
            if hit is not None and hit[0] is clock and hit[1] is stop:
                return hit[2]
        state = self._measure(run, seen, now)
        if key is not None:
            if len(_STOPPED) >= _STOPPED_SIZE:
                _STOPPED.clear()
            _STOPPED[key] = (clock, seen[run.stop_index], state)
        return state

    def _measure(self, run: ClockRun, seen: Sequence[DomainEvent], now: datetime) -> SlaState:
        t, clock = self.target, self.clock
        end = now if run.stopped_at is None else run.stopped_at
        # each run measured once: the elapsed time, the crossing and the projection read it
        lengths = [clock.between(a, later(a, b if b is not None else now)) for a, b in run.runs]
        elapsed = sum(lengths, timedelta(0))
        paused_total = sum(
            (WALL_CLOCK.between(a, later(a, b if b is not None else now)) for a, b in run.pauses),
            timedelta(0),
        )
        due = _crossing(clock, run.runs, now, t.duration, lengths)
        owner: str | None
        if due is None:
            if run.state == "running":
                # the last run is the open one: its length is the clock time from a to now
                a = run.runs[-1][0]
                before = elapsed - lengths[-1]
                due = clock.add(a, t.duration - before)
            else:
                due = clock.add(end, t.duration - elapsed)
        status: SlaStatusName
        if run.state == "stopped":
            on_time = elapsed <= t.duration
            status = "met" if on_time else "breached"
            owner = owner_at(seen, end if on_time else due)
        elif elapsed > t.duration:
            status, owner = "breached", owner_at(seen, due)
        else:
            if run.state == "paused":
                status = "paused"
            elif elapsed >= t.duration * t.at_risk:
                status = "at_risk"
            else:
                status = "running"
            owner = owner_at(seen, now)
        return SlaState(
            target=t,
            status=status,
            started_at=run.started_at,
            elapsed=elapsed,
            remaining=t.duration - elapsed,
            due_at=due,
            paused=tuple(run.pauses),
            paused_total=paused_total,
            stopped_at=run.stopped_at,
            met_at=run.stopped_at if status == "met" else None,
            owner=owner,
            cycle=run.cycle,
            cycle_index=run.cycle_index,
        )


def _last_applied(events: Sequence[DomainEvent]) -> tuple[int, SlaApplied] | None:
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if isinstance(event, SlaApplied):
            return i, event
    return None


#: Targets read back from recent ``SlaApplied`` events, by the event's identity. The event is
#: kept beside its targets, so an id is never reused while its entry stands; the cache is
#: emptied when full (plain dict operations, safe across threads).
_RECORDED: dict[int, tuple[SlaApplied, tuple[SlaTarget, ...]]] = {}
_RECORDED_SIZE: Final = 4096


def _recorded(applied: SlaApplied) -> tuple[SlaTarget, ...]:
    """The targets an ``SlaApplied`` recorded (validated once per event object, then cached:
    every command and tick reads the same event back)."""
    hit = _RECORDED.get(id(applied))
    if hit is not None and hit[0] is applied:
        return hit[1]
    targets = tuple(SlaTarget.from_record(name, rec) for name, rec in applied.targets.items())
    if len(_RECORDED) >= _RECORDED_SIZE:
        _RECORDED.clear()
    _RECORDED[id(applied)] = (applied, targets)
    return targets


def evaluate_sla(
    complaint: Complaint,
    events: Sequence[DomainEvent],
    now: datetime,
    table: SlaTable | None = None,
    calendars: Calendars = None,
) -> dict[str, SlaState]:
    """Every target's clock at ``now``, by target name.

    The targets are those recorded by the latest ``SlaApplied`` in ``events``; without one,
    ``table``'s targets for ``complaint`` (none when there is no table or no row matches).
    """
    require_aware(now, "now")
    last = _last_applied(events)
    if last is not None:
        targets = _recorded(last[1])
    elif table is not None:
        targets = table.targets_for(complaint)
    else:
        targets = ()
    return {t.name: SlaClock(t, _clock_for(t, calendars)).evaluate(events, now) for t in targets}


@attrs.frozen(slots=True, kw_only=True)
class SlaDecision:
    """The SLA that governs a complaint: the table version and targets; ``recorded`` says
    whether they come from the history's ``SlaApplied`` (else from the table, not yet applied)."""

    table_version: str
    targets: tuple[SlaTarget, ...]
    recorded: bool = False


def _classification(complaint: Complaint, concerns: tuple[Concern, ...]) -> tuple[str, str]:
    return Complaint.kind_of(concerns).value, Complaint.severity_of(concerns).value


def _concerns_before(events: Sequence[DomainEvent], index: int) -> tuple[Concern, ...] | None:
    for i in range(index, -1, -1):
        event = events[i]
        if isinstance(event, ComplaintReceived | Classified):
            return event.concerns
    return None


class SlaPolicy(Policy[SlaDecision]):
    """The SLA policy (kind ``"sla"``): decides which targets govern and sweeps the clocks.

    ``sweep(ctx)`` returns the new events to append, stamped ``version=complaint.version + 1``,
    ``actor=system``, ``at=ctx.now``, ``trigger="sla"``, ``stage=None``:

    * ``SlaApplied`` when the history has none, when a reopen restarted a clock after the last
      one, or when kind or severity changed since it and the table now gives other targets;
    * ``SlaStatusChanged`` the first time, per target and cycle, a clock is ``at_risk`` (not
      after a breach), ``breached`` or ``met``, with the owner (see the module docs).

    Sweeping again over a history that holds those events returns nothing.

    >>> policy = SlaPolicy(cfpb_timely())
    >>> policy
    SlaPolicy(table='cfpb-timely-15d')
    """

    kind = "sla"

    __slots__ = ("_rows_memo", "calendars", "table")

    def __init__(self, table: SlaTable, calendars: Calendars = None) -> None:
        if not isinstance(table, SlaTable):
            raise PolicyError(f"SlaPolicy needs an SlaTable, got {table!r}")
        self.table = table
        self.calendars = calendars
        # The table's targets by what its rows match on, for the table they were read from
        # (None: a table or row of a subclass, asked every time).
        self._rows_memo: tuple[SlaTable | None, dict[tuple[Any, ...], Any] | None] = (None, None)
        for row in table.rows:
            for target in row.targets:
                if target.business:
                    _clock_for(target, calendars)  # fail at construction, not at 3 a.m.

    def __repr__(self) -> str:
        return f"SlaPolicy(table={self.table.version!r})"

    def decide(self, ctx: PolicyContext) -> SlaDecision | None:
        """The recorded SLA if the history has one, else the table's row for the complaint."""
        last = _last_applied(ctx.events)
        if last is not None:
            return SlaDecision(
                table_version=last[1].table_version, targets=_recorded(last[1]), recorded=True
            )
        return self._from_table(ctx.complaint)

    def _targets_for(self, complaint: Complaint) -> tuple[SlaTarget, ...]:
        """``self.table.targets_for(complaint)``: a plain table's answer depends only on the
        complaint's kind, severity, channel and customer segment (what rows match on), so it
        is kept by those (the table is frozen; a replaced table starts afresh)."""
        table = self.table
        held, memo = self._rows_memo
        if held is not table:
            plain = type(table) is SlaTable and all(type(r) is SlaRow for r in table.rows)
            memo = {} if plain else None
            self._rows_memo = (table, memo)
        if memo is None:
            return table.targets_for(complaint)
        key = (complaint.kind, complaint.severity, complaint.channel, complaint.customer.segment)
        found = memo.get(key)
        if found is None:
            found = table.targets_for(complaint)
            if len(memo) < 1024:
                memo[key] = found
        return found

    def _from_table(self, complaint: Complaint) -> SlaDecision | None:
        targets = self._targets_for(complaint)
        if not targets:
            return None
        return SlaDecision(table_version=self.table.version, targets=targets)

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        """:func:`evaluate_sla` over the context."""
        return evaluate_sla(ctx.complaint, ctx.events, ctx.now, self.table, self.calendars)

    def _apply_due(
        self,
        ctx: PolicyContext,
        states: Mapping[str, SlaState],
        fresh: SlaDecision | Literal[False] | None = False,
    ) -> bool:
        """Whether an ``SlaApplied`` is due (``fresh``: the table's decision for the complaint,
        when already read)."""
        last = _last_applied(ctx.events)
        if last is None:
            return True
        index, applied = last
        if any(s.cycle > 0 and s.cycle_index > index for s in states.values()):
            return True
        before = _concerns_before(ctx.events, index)
        if before is None or _classification(ctx.complaint, before) == _classification(
            ctx.complaint, ctx.complaint.concerns
        ):
            return False
        if fresh is False:
            fresh = self._from_table(ctx.complaint)
        return fresh is not None and (
            {t.name: t.record() for t in fresh.targets} != applied.targets
        )

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        """The new events to append (see the class docs); idempotent."""
        return list(self.assess(ctx).events)

    def next_wake(self, ctx: PolicyContext) -> datetime | None:
        """When the sweep can next have something to say without a command (see
        :meth:`assess`)."""
        return self.assess(ctx).wake

    def assess(self, ctx: PolicyContext) -> SlaAssessment:
        """The sweep's events, the clocks after them and the next wake-up, from one evaluation.

        The wake-up is the earliest moment a running clock reaches its at-risk share or its
        duration (so a tick then records the milestone); ``None`` when every clock is stopped,
        paused or not started, which only a command can change.
        """
        complaint, now = ctx.complaint, ctx.now
        stamp = ctx.system_stamp("sla")
        events: Sequence[DomainEvent] = ctx.events
        states = self.evaluate(ctx)
        out: list[DomainEvent] = []
        fresh = self._from_table(complaint)
        if fresh is not None and self._apply_due(ctx, states, fresh):
            # A clock whose target is unchanged keeps its evaluation (one evaluation a sweep).
            states = {
                t.name: (
                    states[t.name]
                    if t.name in states and states[t.name].target == t
                    else SlaClock(t, _clock_for(t, self.calendars)).evaluate(ctx.events, now)
                )
                for t in fresh.targets
            }
            main = states.get("resolution") or max(states.values(), key=lambda s: s.due_at or now)
            applied = SlaApplied(
                table_version=fresh.table_version,
                targets={t.name: t.record() for t in fresh.targets},
                due_at=main.due_at,
                **stamp,
            )
            events = [*ctx.events, applied]
            out.append(applied)
        for name, state in states.items():
            milestone = state.milestone
            if milestone is None:
                continue
            seen = {
                e.status
                for e in events[state.cycle_index :]
                if isinstance(e, SlaStatusChanged) and e.target == name
            }
            if milestone in seen or (milestone == "at_risk" and "breached" in seen):
                continue
            out.append(
                SlaStatusChanged(
                    target=name, status=milestone, due_at=state.due_at, owner=state.owner, **stamp
                )
            )
        return SlaAssessment(events=tuple(out), states=states, wake=self._wake(states, now))

    def _wake(self, states: Mapping[str, SlaState], now: datetime) -> datetime | None:
        moments = [
            moment
            for state in states.values()
            if state.runs
            for amount in (state.target.duration * state.target.at_risk, state.target.duration)
            if (moment := self.when(state, now, amount)) is not None
        ]
        return min(moments) if moments else None

    def when(self, state: SlaState, now: datetime, amount: timedelta) -> datetime | None:
        """The moment the running clock ``state`` (as at ``now``) reaches ``amount`` of clock
        time; ``None`` if it is past it already."""
        left = amount - state.elapsed
        if left < timedelta(0):
            return None
        return _clock_for(state.target, self.calendars).add(now, left)


@attrs.frozen(slots=True, kw_only=True)
class SlaAssessment:
    """One evaluation of a complaint's clocks: the events the sweep records, the clocks (with
    those events), and when to look again (``None``: only a command can change anything)."""

    events: tuple[DomainEvent, ...]
    states: Mapping[str, SlaState]
    wake: datetime | None


# ----------------------------------------------------------------------- registry factories


class _CalendarSpec(_Model):
    timezone: _Pattern = "UTC"
    hours: dict[str, list[tuple[str, str]]] | None = None
    holidays: _Pattern | None = None
    always_open: bool = False


class _TableParams(_Model):
    version: _Pattern
    rows: list[dict[str, Any]]
    defaults: dict[str, Any] = {}
    calendars: dict[str, Any] = {}


def _build_calendars(raw: Mapping[str, Any], source: str) -> dict[str, Calendar]:
    out: dict[str, Calendar] = {}
    for name, spec in raw.items():
        if isinstance(spec, Calendar):
            out[name] = spec
            continue
        if not isinstance(spec, Mapping):
            raise PolicyError(
                f"{source}: calendars.{name}: expected a mapping with timezone, hours, holidays "
                f"or a calendar object, got {spec!r}"
            )
        cal = validate_mapping(_CalendarSpec, spec, f"{source} calendars.{name}")
        if cal.always_open:
            out[name] = BusinessCalendar.always_open(cal.timezone)
        else:
            hours: Mapping[str, Any] = cal.hours or {"mon-fri": [("09:00", "18:00")]}
            out[name] = BusinessCalendar(cal.timezone, hours, holidays=cal.holidays)
    return out


def table_policy(**params: Any) -> SlaPolicy:
    """Registry factory ``sla``/``table``: ``version``, ``rows``, optional ``defaults`` and
    ``calendars`` (name -> ``{timezone, hours, holidays}`` or ``{always_open = true}``).

    >>> p = default_registry.create("sla", "table", version="v1",
    ...     rows=[{"targets": {"resolution": "3d"}}])
    >>> p.table.rows[0].targets[0].duration.days
    3
    """
    source = "sla policy 'table'"
    checked = validate_mapping(_TableParams, params, source)
    table = SlaTable.from_mapping(
        {"version": checked.version, "rows": checked.rows, "defaults": checked.defaults}, source
    )
    return SlaPolicy(table, _build_calendars(checked.calendars, source))


class _CfpbParams(_Model):
    days: Annotated[int, Field(ge=1, le=365)] = 15


def cfpb_timely_policy(**params: Any) -> SlaPolicy:
    """Registry factory ``sla``/``cfpb_timely``: ``days`` (default 15)."""
    checked = validate_mapping(_CfpbParams, params, "sla policy 'cfpb_timely'")
    return SlaPolicy(cfpb_timely(checked.days))


default_registry.register("sla", "table", table_policy)
default_registry.register("sla", "cfpb_timely", cfpb_timely_policy)
