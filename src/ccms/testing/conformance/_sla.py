"""The conformance suite for SLA policies (history in, clock states out), and the scripted
histories it shares with the escalation suite.

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st

from ccms.model import (
    Agent,
    Channel,
    Department,
    DomainEvent,
    HandlerAssigned,
    Organization,
    Role,
    Severity,
    Transferred,
    VocKind,
)
from ccms.policy.base import PolicyContext
from ccms.policy.sla import SlaState
from ccms.testing.conformance._common import T0, ZONES, after, broke, run_property
from ccms.testing.conformance._history import Script, ScriptStep, context, play, scripts
from ccms.testing.conformance._landmarks import closing_after, dst_changes, landmarks
from ccms.testing.conformance._sla_reference import (
    calendar_of,
    elapsed,
    holder,
    reference,
    wall_between,
)

__all__ = ["SlaPolicySuite", "sample_organization"]

_ZERO = timedelta(0)
_FINAL = ("met", "breached", "not_started")


def sample_organization() -> Organization:
    """The organization histories are played in: ``cs`` with handlers kim and lee, supervisor
    park (the head); ``billing``, where choi (its head) takes what is transferred there."""
    return Organization(
        departments=(
            Department(id="cs", name="Customer service", head="park"),
            Department(id="billing", name="Billing", head="choi"),
        ),
        agents=(
            Agent(id="kim", name="Kim", department="cs"),
            Agent(id="lee", name="Lee", department="cs"),
            Agent(id="park", name="Park", department="cs", role=Role.SUPERVISOR),
            Agent(id="choi", name="Choi", department="billing", role=Role.SUPERVISOR),
        ),
    )


class _HistoryInputs:
    """Histories (:meth:`scripts`) and later moments (:meth:`waits`) the suites draw."""

    #: Examples per property (``None``: the active Hypothesis profile's ``max_examples``).
    max_examples: ClassVar[int | None] = None
    #: Customer segments the scripts draw from.
    segments: ClassVar[tuple[str, ...]] = ("general", "vip")

    def scripts(self) -> st.SearchStrategy[Script]:
        """Scripted histories: up to twelve steps along the VOC stages, swept now and then
        (override to draw your own; by default the suites also aim them at the DST changes,
        holidays and short days of the policy's calendars)."""
        return scripts(segments=self.segments)

    def classic_scripts(self) -> list[tuple[Script, list[timedelta]]]:
        """Hand-made histories (and later moments) where clocks classically go wrong, run first
        by every property: a complaint left over the weekend; one waiting on the customer an
        hour after receipt, in business time if its segment has it; a pause and its resume; a
        reopen after a close; a transfer between two assignments; a clock running across each
        DST change of New York."""
        first, last = self.segments[0], self.segments[-1]
        kind, severity, channel = VocKind.COMPLAINT, Severity.MEDIUM, Channel.PHONE

        def script(at: timedelta, segment: str, *steps: tuple[str, int]) -> Script:
            return Script(
                T0 + at, kind, severity, channel, segment, tuple(ScriptStep(a, m) for a, m in steps)
            )

        day, hour = timedelta(days=1), timedelta(hours=1)
        across = [  # received an hour before each DST change of New York, started, then asked
            (
                Script(
                    (change - hour).astimezone(ZONES[2]),
                    kind,
                    severity,
                    channel,
                    first,
                    (ScriptStep("start", 30),),
                ),
                [2 * hour, day],
            )
            for change in dst_changes(ZONES[2])[:2]
        ]
        return [
            *across,
            (script(2 * day, first), [2 * day, 3 * day]),
            (script(day - 8 * hour, last, ("start", 5), ("wait", 55)), [timedelta(0), hour]),
            (script(day - 8 * hour, first, ("start", 5), ("wait", 55)), [timedelta(0), hour]),
            (script(timedelta(0), first, ("start", 5), ("wait", 60), ("resume", 120)), [hour]),
            (
                script(
                    timedelta(0),
                    first,
                    ("start", 5),
                    ("result", 60),
                    ("notify", 30),
                    ("close", 30),
                    ("reopen", 600),
                ),
                [timedelta(0), day],
            ),
            (
                script(timedelta(0), first, ("assign", 5), ("transfer", 60), ("assign", 30)),
                [timedelta(0), 4 * day],
            ),
        ]

    def _classics(self, *, waits: bool = True) -> list[dict[str, Any]]:
        if type(self).scripts is not _HistoryInputs.scripts:
            return []  # the subclass draws its own histories
        if not waits:
            return [{"script": sc} for sc, _ in self.classic_scripts()]
        return [{"script": sc, "waits": w} for sc, w in self.classic_scripts()]

    def _scripts(self, policy: Any) -> st.SearchStrategy[Script]:
        if type(self).scripts is not _HistoryInputs.scripts:
            return self.scripts()
        calendars = getattr(policy, "calendars", None)
        found = calendars.values() if isinstance(calendars, Mapping) else [calendars]
        marks = landmarks([c for c in found if c is not None])
        return scripts(segments=self.segments, landmarks=marks)

    def waits(self) -> st.SearchStrategy[list[timedelta]]:
        """Increasing offsets after the last event at which the policy is asked again: minutes,
        whole hours (where deadlines meet opening and closing edges) or days."""
        minutes = st.one_of(
            st.integers(0, 600), st.integers(0, 96).map(lambda h: 60 * h), st.integers(0, 30 * 1440)
        )
        return st.lists(minutes, min_size=1, max_size=4).map(
            lambda ms: [timedelta(minutes=m) for m in sorted(ms)]
        )

    def organization(self) -> Organization:
        """The organization of every context (override to match your policy's roles)."""
        return sample_organization()


def _sweep(policy: Any) -> Any:
    return getattr(policy, "sweep", None)


def _check_sweep_stamp(policy: Any, ctx: PolicyContext, proposed: Sequence[DomainEvent]) -> None:
    for event in proposed:
        c = ctx.complaint
        if event.complaint_id != c.id or event.version != c.version + 1 or event.at != ctx.now:
            broke(
                policy,
                "stamps swept events for the next version at now",
                f"proposed {event.type} for {event.complaint_id!r} v{event.version} at "
                f"{event.at.isoformat()}; expected {c.id!r} v{c.version + 1} at "
                f"{ctx.now.isoformat()}",
            )


def _check_idempotent(policy: Any, ctx: PolicyContext) -> list[DomainEvent]:
    """Sweep, append what was proposed, sweep again: nothing new. Returns the events."""
    sweep = _sweep(policy)
    first = list(sweep(ctx))
    _check_sweep_stamp(policy, ctx, first)
    events = [*ctx.events, *first]
    again = list(sweep(context(events, ctx.now, ctx.organization)))
    if again:
        broke(
            policy,
            "sweeping is idempotent",
            f"swept {[e.type for e in first]} at {ctx.now.isoformat()}, then proposed "
            f"{[(e.type, getattr(e, 'level', getattr(e, 'status', None))) for e in again]} "
            "over the history holding them",
        )
    return events


class SlaPolicySuite(_HistoryInputs):
    """What every SLA policy must do. Subclass it and give an ``sla_policy`` fixture (or mark
    the class ``@pytest.mark.ccms_policy("sla", name, **params)``).

    The policy has ``evaluate(ctx) -> {target: SlaState}`` (and may have ``decide(ctx)`` and
    ``sweep(ctx)``, as :class:`~ccms.policy.SlaPolicy` does). Over scripted histories:

    * every state is consistent: ``elapsed >= 0``, ``remaining == duration - elapsed``; ``met``
      only once stopped within the duration, ``breached`` only past it, ``at_risk`` from the
      at-risk share of the duration, ``running``/``paused`` before it (``remaining`` goes
      negative only once breached);
    * as time passes without events, ``elapsed`` never decreases, stays put while paused (paused
      time is not counted), and met, breached and not started stay so;
    * ``evaluate`` and ``decide`` are pure: equal on a second call and on an equal context;
    * ``sweep`` stamps its events for the next version at ``now`` and is idempotent.
    """

    def test_states_are_consistent(self, sla_policy: Any) -> None:
        """Status, elapsed and remaining agree for every target, now and later."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            for wait in waits:
                ctx = context(events, after(last, wait), org)
                for name, state in self._evaluate(sla_policy, ctx).items():
                    _check_state(sla_policy, name, state, ctx.now)

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(sla_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_time_only_moves_clocks_forward(self, sla_policy: Any) -> None:
        """With no new events, ``elapsed`` never decreases, stays put while paused, and a met,
        breached or not-started clock stays so."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            before: Mapping[str, SlaState] = {}
            at_before = last
            for wait in waits:
                now = after(last, wait)
                states = self._evaluate(sla_policy, context(events, now, org))
                for name, s in states.items():
                    b = before.get(name)
                    if b is None:
                        continue
                    when = f"at {at_before.isoformat()} then {now.isoformat()}"
                    if s.elapsed < b.elapsed:
                        broke(
                            sla_policy,
                            "elapsed never decreases",
                            f"{name}: elapsed {b.elapsed} then {s.elapsed} ({when})",
                        )
                    if b.status == "paused" and s.elapsed != b.elapsed:
                        broke(
                            sla_policy,
                            "paused time is not counted",
                            f"{name}: paused with elapsed {b.elapsed}, then {s.elapsed} with no "
                            f"event between ({when})",
                        )
                    if b.status in _FINAL and s.status != b.status:
                        broke(
                            sla_policy,
                            "met, breached and not started are final without events",
                            f"{name}: {b.status} then {s.status} ({when})",
                        )
                if before and set(states) != set(before):
                    broke(
                        sla_policy,
                        "the targets do not change with time alone",
                        f"targets {sorted(before)} then {sorted(states)}",
                    )
                before, at_before = states, now

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(sla_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_decisions_are_pure(self, sla_policy: Any) -> None:
        """``evaluate`` (and ``decide``) give equal results twice and on an equal context."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            ctx = context(events, after(last, waits[0]), org)
            twin = context([e.model_copy() for e in events], ctx.now, org)
            for method in ("evaluate", "decide"):
                call = getattr(sla_policy, method, None)
                if call is None:
                    continue
                first, second, third = call(ctx), call(ctx), call(twin)
                if not first == second == third:
                    broke(
                        sla_policy,
                        f"{method} is pure",
                        f"three calls at {ctx.now.isoformat()} gave\n  {first!r}\n  {second!r}\n"
                        f"  {third!r}",
                    )

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(sla_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_sweep_is_idempotent(self, sla_policy: Any) -> None:
        """Sweeping over a history that holds the events the last sweep proposed adds nothing."""
        if _sweep(sla_policy) is None:
            pytest.skip(f"{sla_policy!r} has no sweep(ctx)")
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            for wait in waits:
                events = _check_idempotent(sla_policy, context(events, after(last, wait), org))

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(sla_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_elapsed_is_the_time_the_clock_ran(self, sla_policy: Any) -> None:
        """Each target's status and ``elapsed`` agree with the target itself: the clock runs
        from a ``start`` event to a ``stop`` event, not while the stage is one of its ``pause``
        stages, restarts or resumes on a reopen as ``reopen`` says, and counts elapsed time
        (through UTC, correct across DST) or the policy's calendar's business time (holidays
        and short days included) for a ``business`` target."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            for wait in waits:
                ctx = context(events, after(last, wait), org)
                for name, state in self._evaluate(sla_policy, ctx).items():
                    _check_reference(sla_policy, name, state, events, ctx.now)

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(sla_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_due_at_is_when_the_time_runs_out(self, sla_policy: Any) -> None:
        """For a clock still within its duration, ``due_at`` is the first moment the remaining
        time runs out from ``now`` (``between(now, due_at) == remaining``, and a business
        deadline falls in open time or exactly on a closing edge, never at the next opening);
        paused clocks are also asked at the moment their deadline would fall on closing time."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            for wait in waits:
                ctx = context(events, after(last, wait), org)
                for name, state in self._evaluate(sla_policy, ctx).items():
                    _check_due(sla_policy, name, state, ctx.now)
                    at = _closing_moment(sla_policy, state, ctx.now)
                    if at is not None:
                        again = self._evaluate(sla_policy, context(events, at, org)).get(name)
                        if again is not None:
                            _check_due(sla_policy, name, again, at, closing=True)

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(sla_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_the_owner_is_who_held_it_when_it_mattered(self, sla_policy: Any) -> None:
        """A state's ``owner`` (when given) is who held the complaint (its handler, else its
        department; a transfer releases the handler) at the stop of a met clock, at the deadline
        of a breached one, and now otherwise."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            for wait in waits:
                ctx = context(events, after(last, wait), org)
                for name, s in self._evaluate(sla_policy, ctx).items():
                    if s.owner is None or s.status == "not_started":
                        continue
                    if s.status == "met":
                        moment, when = s.stopped_at, "the stop"
                    elif s.status == "breached":
                        moment, when = s.due_at, "the deadline"
                    else:
                        moment, when = ctx.now, "now"
                    if moment is None:
                        continue
                    expected = holder(events, moment)
                    if s.owner != expected:
                        broke(
                            sla_policy,
                            "the owner is who held it when it mattered",
                            f"{name} {s.status}: owner {s.owner!r}, but {expected!r} held the "
                            f"complaint at {when} ({moment.isoformat()})\n"
                            f"  {_show_history(events)}",
                        )

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(sla_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def _evaluate(self, policy: Any, ctx: PolicyContext) -> Mapping[str, SlaState]:
        states = policy.evaluate(ctx)
        if not isinstance(states, Mapping) or not all(
            isinstance(s, SlaState) for s in states.values()
        ):
            broke(policy, "evaluate returns {target: SlaState}", f"got {states!r}")
        return states


def _show_history(events: Sequence[DomainEvent]) -> str:
    """The history in one line: each event's type (and stage) at its time."""
    parts = []
    for e in events:
        extra = ""
        if isinstance(e, HandlerAssigned):
            extra = f" {e.handler}"
        elif isinstance(e, Transferred):
            extra = f" to {e.to_department}"
        parts.append(f"{e.at.isoformat(timespec='minutes')} {e.type}{extra}")
    return "history: " + "; ".join(parts)


def _show_runs(runs: Sequence[tuple[datetime, datetime | None]]) -> str:
    if not runs:
        return "none"
    return ", ".join(
        f"{a.isoformat(timespec='minutes')}..{b.isoformat(timespec='minutes') if b else 'now'}"
        for a, b in runs
    )


def _check_reference(
    policy: Any, name: str, s: SlaState, events: Sequence[DomainEvent], now: datetime
) -> None:
    target = s.target
    ref = reference(target, events, now)
    where = f"{name} at {now.isoformat()}"
    allowed = {
        "not_started": ("not_started",),
        "running": ("running", "at_risk", "breached"),
        "paused": ("paused", "breached"),
        "stopped": ("met", "breached"),
    }[ref.state]
    if s.status not in allowed:
        broke(
            policy,
            "the status follows the target's start, stop and pause",
            f"{where}: status {s.status}, but the clock is {ref.state} (target starts on "
            f"{list(target.start)}, stops on {list(target.stop)}, pauses in "
            f"{list(target.pause)})\n  {_show_history(events)}",
        )
    if ref.state == "not_started":
        return
    try:
        calendar = calendar_of(policy, target)
    except LookupError:
        return  # a business target on a calendar the policy does not expose: nothing to hold
    expected = elapsed(ref, calendar, now)
    if s.elapsed != expected:
        if s.elapsed > expected and any(p for p in s.paused) and ref.state != "stopped":
            why = "paused time is not counted"
        elif target.business:
            why = "business time is the calendar's"
        else:
            why = "elapsed is real time"
        how = "business time" if target.business else "elapsed (UTC) time"
        broke(
            policy,
            f"elapsed is the time the clock ran ({why})",
            f"{where}: elapsed {s.elapsed}, but the clock ran {expected} of {how} "
            f"(running {_show_runs(ref.runs)}; reopen={target.reopen})\n  {_show_history(events)}",
        )


_US = timedelta(microseconds=1)


def _between(calendar: Any) -> Any:
    return calendar.between if calendar is not None else wall_between


def _check_due(
    policy: Any, name: str, s: SlaState, now: datetime, *, closing: bool = False
) -> None:
    if s.status not in ("running", "at_risk", "paused") or s.due_at is None:
        return
    if s.remaining <= timedelta(0):
        return
    try:
        calendar = calendar_of(policy, s.target)
    except LookupError:
        return
    between = _between(calendar)
    due = s.due_at
    what = "a deadline at closing time" if closing else "due_at"
    if between(now, due) != s.remaining:
        broke(
            policy,
            "due_at is when the remaining time runs out",
            f"{name} {s.status} at {now.isoformat()} with {s.remaining} to go: due_at "
            f"{due.isoformat()} is {between(now, due)} of clock time away ({what})",
        )
    if calendar is not None and between(after(due, -_US), due) != _US:
        broke(
            policy,
            "due_at is when the remaining time runs out",
            f"{name} {s.status} at {now.isoformat()} with {s.remaining} to go: due_at "
            f"{due.isoformat()} is after closed time; the time runs out at the closing edge "
            "before it",
        )


def _closing_moment(policy: Any, s: SlaState, now: datetime) -> datetime | None:
    """For a paused business clock: the moment after ``now`` from which its remaining time
    runs out exactly at a closing edge (``None`` if there is none to find)."""
    if s.status != "paused" or not s.target.business or s.remaining <= timedelta(0):
        return None
    try:
        calendar = calendar_of(policy, s.target)
    except LookupError:
        return None
    natural = calendar.add(now, s.remaining)
    edge = closing_after(calendar, after(natural, -_US))
    if edge is None:
        return None
    lo, hi = now.astimezone(UTC), edge.astimezone(UTC)  # between(x, edge): >= remaining at lo
    if calendar.between(lo, edge) < s.remaining:
        return None
    while hi - lo > _US:
        mid = lo + (hi - lo) // 2
        if calendar.between(mid, edge) >= s.remaining:
            lo = mid
        else:
            hi = mid
    return lo if calendar.between(lo, edge) == s.remaining else None


def _check_state(policy: Any, name: str, s: SlaState, now: datetime) -> None:
    duration, status = s.target.duration, s.status
    where = f"{name} at {now.isoformat()}"

    def fail(prop: str, why: str) -> None:
        broke(
            policy,
            prop,
            f"{where}: {why} (status {status}, elapsed {s.elapsed}, remaining {s.remaining}, "
            f"duration {duration})",
        )

    if s.elapsed < _ZERO or s.paused_total < _ZERO:
        fail("clocks are never negative", "negative elapsed or paused time")
    if s.remaining != duration - s.elapsed:
        fail("remaining is duration minus elapsed", "remaining does not match")
    if s.remaining < _ZERO and status not in ("breached",):
        fail("remaining is negative only once breached", "overdue but not breached")
    if status == "not_started" and (s.elapsed != _ZERO or s.started_at is not None):
        fail("a clock not started has run no time", "time ran before the start")
    if status == "met" and (s.stopped_at is None or s.elapsed > duration):
        fail("met means stopped within the duration", "met without a stop within the duration")
    if status == "breached" and s.elapsed <= duration:
        fail("breached means past the duration", "breached before the duration ran out")
    if status in ("running", "at_risk", "paused") and (
        s.stopped_at is not None or s.elapsed > duration
    ):
        fail("a running clock is within its duration and not stopped", "inconsistent status")
    threshold = duration * s.target.at_risk
    if status == "at_risk" and s.elapsed < threshold:
        fail("at risk from the at-risk share", f"at risk before {threshold}")
    if status == "running" and s.elapsed >= threshold:
        fail("at risk from the at-risk share", f"still running past {threshold}")
