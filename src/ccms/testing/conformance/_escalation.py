"""The conformance suite for escalation policies (history in, level out).

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

import pytest

from ccms.model import (
    Escalated,
)
from ccms.policy.sla import DEFAULT_PAUSE_STAGES
from ccms.testing.conformance._common import after, broke, run_property
from ccms.testing.conformance._history import Script, context, play
from ccms.testing.conformance._sla import (
    _check_idempotent,
    _HistoryInputs,
    _show_history,
    _sweep,
)

__all__ = ["EscalationSuite"]


def _level(decision: Any) -> int:
    return 0 if decision is None else int(decision.level)


class EscalationSuite(_HistoryInputs):
    """What every escalation policy must do. Subclass it and give an ``escalation_policy``
    fixture (or mark the class ``@pytest.mark.ccms_policy("escalation", name, **params)``).

    The policy has ``decide(ctx)`` (``None`` or a decision with ``level >= 1`` and reasons) and
    ``sweep(ctx)`` (``Escalated`` events). Over scripted histories: with no new events the level
    never decreases as time passes; decisions are deterministic; a sweep only proposes levels
    above every level in the history, stamps them for the next version, and is idempotent; a
    sweep records the level decided now; while the complaint waits on the customer, time alone
    raises no level (:attr:`waiting_stages`); and, swept whenever ``next_wake`` says, time
    raises the level one rung at a time (:attr:`one_rung_at_a_time`).
    """

    #: Stages in which the SLA clock is paused, so time alone must not escalate (empty: the
    #: ladder escalates on the complaint's age even then).
    waiting_stages: ClassVar[tuple[str, ...]] = DEFAULT_PAUSE_STAGES
    #: Whether each time threshold is passed on its own (false if two rungs may fall due at
    #: the same moment, e.g. a 3-day rung over a 3-day SLA target's 100%).
    one_rung_at_a_time: ClassVar[bool] = True

    def test_levels_never_decrease_with_time(self, escalation_policy: Any) -> None:
        """The decided level (0 for none) never falls as time passes without events."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            previous, at = 0, last
            for wait in waits:
                ctx = context(events, after(last, wait), org)
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
            prop,
            max_examples=self.max_examples,
            script=self._scripts(escalation_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_decisions_are_deterministic(self, escalation_policy: Any) -> None:
        """Equal contexts give equal decisions and equal sweeps."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            ctx = context(events, after(last, waits[-1]), org)
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
            prop,
            max_examples=self.max_examples,
            script=self._scripts(escalation_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_sweep_only_raises_the_level_and_is_idempotent(self, escalation_policy: Any) -> None:
        """Each swept ``Escalated`` is above every level before it; sweeping twice adds nothing."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            for wait in waits:
                ctx = context(events, after(last, wait), org)
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
            prop,
            max_examples=self.max_examples,
            script=self._scripts(escalation_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_waiting_on_the_customer_raises_no_level(self, escalation_policy: Any) -> None:
        """While the complaint waits on the customer (the SLA clock paused), the decided level
        stays where it is as time passes."""
        if not self.waiting_stages:
            pytest.skip("waiting_stages is empty: the ladder escalates on age while waiting")
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            first = context(events, last, org)
            if first.complaint.stage not in self.waiting_stages:
                return
            before = _level(escalation_policy.decide(first))
            for wait in waits:
                ctx = context(events, after(last, wait), org)
                d = escalation_policy.decide(ctx)
                if _level(d) > before:
                    broke(
                        escalation_policy,
                        "waiting on the customer raises no level",
                        f"level {before} when the wait began ({last.isoformat()}), level "
                        f"{_level(d)} at {ctx.now.isoformat()} while still "
                        f"{first.complaint.stage}: {d.reasons if d else ()}\n"
                        f"  {_show_history(events)}",
                    )

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(escalation_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_a_sweep_records_the_level_decided(self, escalation_policy: Any) -> None:
        """An ``Escalated`` event a sweep proposes carries the level ``decide`` gives now."""
        org = self.organization()

        def prop(script: Script, waits: list[timedelta]) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            for wait in waits:
                ctx = context(events, after(last, wait), org)
                swept = list(escalation_policy.sweep(ctx))
                decided = _level(escalation_policy.decide(ctx))
                for event in swept:
                    if isinstance(event, Escalated) and event.level != decided:
                        broke(
                            escalation_policy,
                            "a sweep records the level decided",
                            f"swept level {event.level} at {ctx.now.isoformat()}, but decide() "
                            f"gives level {decided}",
                        )
                events = [*events, *swept]

        run_property(
            prop,
            max_examples=self.max_examples,
            script=self._scripts(escalation_policy),
            waits=self.waits(),
            examples=self._classics(),
        )

    def test_time_raises_the_level_one_rung_at_a_time(self, escalation_policy: Any) -> None:
        """Swept at the last event and then at every ``next_wake``, each ``Escalated`` that time
        alone brings is one level above the last (no rung is skipped)."""
        wake = getattr(escalation_policy, "next_wake", None)
        if wake is None or not self.one_rung_at_a_time:
            pytest.skip(f"{escalation_policy!r} has no next_wake(ctx), or rungs may coincide")
        org = self.organization()

        def prop(script: Script) -> None:
            events, last = play(script, _sweep(escalation_policy), org)
            ctx = context(events, last, org)
            events = [*events, *escalation_policy.sweep(ctx)]
            for _ in range(6):
                ctx = context(events, last, org)
                top = max(
                    [ctx.complaint.escalation_level]
                    + [e.level for e in events if isinstance(e, Escalated)]
                )
                moment = wake(ctx)
                if moment is None:
                    return
                last = max(moment, last)
                ctx = context(events, last, org)
                swept = list(escalation_policy.sweep(ctx))
                for event in swept:
                    if isinstance(event, Escalated) and event.level > top + 1:
                        broke(
                            escalation_policy,
                            "time raises the level one rung at a time",
                            f"at level {top}, the wake-up at {last.isoformat()} swept level "
                            f"{event.level} ({event.reason}); level {top + 1} was skipped\n"
                            f"  {_show_history(events)}",
                        )
                events = [*events, *swept]

        run_property(prop, max_examples=self.max_examples, script=self._scripts(escalation_policy))
