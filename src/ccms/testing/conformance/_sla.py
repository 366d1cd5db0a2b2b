"""Conformance suites for SLA policies and escalation policies (history in, decision out).

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
from hypothesis import strategies as st

from ccms.model import (
    Agent,
    Department,
    DomainEvent,
    Escalated,
    Organization,
    Role,
)
from ccms.policy.base import PolicyContext
from ccms.policy.sla import SlaState
from ccms.testing.conformance._common import broke, run_property
from ccms.testing.conformance._history import Script, context, play, scripts

__all__ = ["EscalationSuite", "SlaPolicySuite", "sample_organization"]

_ZERO = timedelta(0)
_FINAL = ("met", "breached", "not_started")


def sample_organization() -> Organization:
    """The organization histories are played in: ``cs`` with handlers kim and lee, supervisor
    park (the head)."""
    return Organization(
        departments=(Department(id="cs", name="Customer service", head="park"),),
        agents=(
            Agent(id="kim", name="Kim", department="cs"),
            Agent(id="lee", name="Lee", department="cs"),
            Agent(id="park", name="Park", department="cs", role=Role.SUPERVISOR),
        ),
    )


class _HistoryInputs:
    """Histories (:meth:`scripts`) and later moments (:meth:`waits`) the suites draw."""

    #: Examples per property (``None``: the active Hypothesis profile's ``max_examples``).
    max_examples: ClassVar[int | None] = None
    #: Customer segments the scripts draw from.
    segments: ClassVar[tuple[str, ...]] = ("general", "vip")

    def scripts(self) -> st.SearchStrategy[Script]:
        """Scripted histories: up to ten steps along the VOC stages, swept now and then."""
        return scripts(segments=self.segments)

    def waits(self) -> st.SearchStrategy[list[timedelta]]:
        """Increasing offsets after the last event at which the policy is asked again."""
        minutes = st.one_of(st.integers(0, 600), st.integers(0, 30 * 1440))
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
                ctx = context(events, last + wait, org)
                for name, state in self._evaluate(sla_policy, ctx).items():
                    _check_state(sla_policy, name, state, ctx.now)

        run_property(
            prop, max_examples=self.max_examples, script=self.scripts(), waits=self.waits()
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
                now = last + wait
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
            prop, max_examples=self.max_examples, script=self.scripts(), waits=self.waits()
        )

    def test_decisions_are_pure(self, sla_policy: Any) -> None:
        """``evaluate`` (and ``decide``) give equal results twice and on an equal context."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            ctx = context(events, last + waits[0], org)
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
            prop, max_examples=self.max_examples, script=self.scripts(), waits=self.waits()
        )

    def test_sweep_is_idempotent(self, sla_policy: Any) -> None:
        """Sweeping over a history that holds the events the last sweep proposed adds nothing."""
        if _sweep(sla_policy) is None:
            pytest.skip(f"{sla_policy!r} has no sweep(ctx)")
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(sla_policy), org)
            for wait in waits:
                events = _check_idempotent(sla_policy, context(events, last + wait, org))

        run_property(
            prop, max_examples=self.max_examples, script=self.scripts(), waits=self.waits()
        )

    def _evaluate(self, policy: Any, ctx: PolicyContext) -> Mapping[str, SlaState]:
        states = policy.evaluate(ctx)
        if not isinstance(states, Mapping) or not all(
            isinstance(s, SlaState) for s in states.values()
        ):
            broke(policy, "evaluate returns {target: SlaState}", f"got {states!r}")
        return states


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


# ------------------------------------------------------------------------------------ escalation


def _level(decision: Any) -> int:
    return 0 if decision is None else int(decision.level)


class EscalationSuite(_HistoryInputs):
    """What every escalation policy must do. Subclass it and give an ``escalation_policy``
    fixture (or mark the class ``@pytest.mark.ccms_policy("escalation", name, **params)``).

    The policy has ``decide(ctx)`` (``None`` or a decision with ``level >= 1`` and reasons) and
    ``sweep(ctx)`` (``Escalated`` events). Over scripted histories: with no new events the level
    never decreases as time passes; decisions are deterministic; a sweep only proposes levels
    above every level in the history, stamps them for the next version, and is idempotent.
    """

    def test_levels_never_decrease_with_time(self, escalation_policy: Any) -> None:
        """The decided level (0 for none) never falls as time passes without events."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            previous, at = 0, last
            for wait in waits:
                ctx = context(events, last + wait, org)
                d = escalation_policy.decide(ctx)
                if d is not None and (d.level < 1 or not d.reasons):
                    broke(
                        escalation_policy,
                        "a decision has a level >= 1 and reasons",
                        f"decided {d!r} at {ctx.now.isoformat()}",
                    )
                if _level(d) < previous:
                    broke(
                        escalation_policy,
                        "levels never decrease with time",
                        f"level {previous} at {at.isoformat()}, then {_level(d)} at "
                        f"{ctx.now.isoformat()} with no event between",
                    )
                previous, at = _level(d), ctx.now

        run_property(
            prop, max_examples=self.max_examples, script=self.scripts(), waits=self.waits()
        )

    def test_decisions_are_deterministic(self, escalation_policy: Any) -> None:
        """Equal contexts give equal decisions and equal sweeps."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            ctx = context(events, last + waits[-1], org)
            twin = context([e.model_copy() for e in events], ctx.now, org)
            first = escalation_policy.decide(ctx)
            for label, other in (("a second call", ctx), ("an equal context", twin)):
                if (again := escalation_policy.decide(other)) != first:
                    broke(
                        escalation_policy,
                        "is deterministic",
                        f"{label} decided {again!r}, the first {first!r}",
                    )

        run_property(
            prop, max_examples=self.max_examples, script=self.scripts(), waits=self.waits()
        )

    def test_sweep_only_raises_the_level_and_is_idempotent(self, escalation_policy: Any) -> None:
        """Each swept ``Escalated`` is above every level before it; sweeping twice adds nothing."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            for wait in waits:
                ctx = context(events, last + wait, org)
                top = max(
                    [ctx.complaint.escalation_level]
                    + [e.level for e in events if isinstance(e, Escalated)]
                )
                new = _check_idempotent(escalation_policy, ctx)
                for event in new[len(events) :]:
                    if isinstance(event, Escalated) and event.level <= top:
                        broke(
                            escalation_policy,
                            "a sweep only raises the level",
                            f"proposed level {event.level} at {ctx.now.isoformat()} over a "
                            f"history already at level {top}",
                        )
                events = new

        run_property(
            prop, max_examples=self.max_examples, script=self.scripts(), waits=self.waits()
        )
