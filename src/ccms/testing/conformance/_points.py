"""Conformance suite for CS-point rules (:class:`~ccms.scoring.PointRules`).

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar

from hypothesis import strategies as st

from ccms.model import Actor, DomainEvent, Withdrawn
from ccms.policy.sla import SlaPolicy, SlaTable
from ccms.scoring import Award, Ledger, Reverse
from ccms.testing.conformance._common import after, broke, run_property
from ccms.testing.conformance._history import Script, context, play, scripts
from ccms.testing.conformance._sla import sample_organization

__all__ = ["PointRulesSuite"]

#: Tight targets, so generated histories breach, meet and reopen: the events point rules read.
_SLA = SlaPolicy(
    SlaTable(version="points", rows=[{"targets": {"first_response": "4h", "resolution": "1d"}}])
)


class PointRulesSuite:
    """What every set of CS-point rules must do. Subclass it and give a ``point_rules`` fixture
    (an object with ``version`` and ``entries(event, history)``, such as a
    :class:`~ccms.scoring.RuleSet`).

    Over scripted histories (handled, reassigned, paused, breached, reopened, closed):
    ``entries`` returns awards and reversals and is pure; replaying the same log gives the same
    ledger, whether fed at once, one event at a time or twice over (an event fed twice earns
    nothing); and a reversal restores the balance: it carries minus the points of the entry it
    reverses, to the same agent and department, and no entry is reversed twice.
    """

    #: Examples per property (``None``: the active Hypothesis profile's ``max_examples``).
    max_examples: ClassVar[int | None] = None

    def scripts(self) -> st.SearchStrategy[Script]:
        """Scripted histories, swept by an SLA policy with tight targets."""
        return scripts()

    def _events(self, script: Script, withdraw: bool) -> list[DomainEvent]:
        """The script's events, a sweep three days later, then maybe a withdrawal (which the
        built-in rules answer by reversing bad points)."""
        events, last = play(script, _SLA.sweep, sample_organization())
        ctx = context(events, after(last, timedelta(days=3)), sample_organization())
        events = [*events, *_SLA.sweep(ctx)]
        if withdraw:
            c = context(events, ctx.now).complaint
            if c.stage not in ("closed", "withdrawn"):
                events.append(
                    Withdrawn(
                        complaint_id=c.id,
                        version=c.version + 1,
                        at=after(ctx.now, timedelta(hours=1)),
                        actor=Actor.system(),
                        stage="withdrawn",
                    )
                )
        return events

    def test_entries_are_awards_or_reversals_and_pure(self, point_rules: Any) -> None:
        """``entries(event, history)`` gives ``Award``/``Reverse`` values, the same twice."""

        def prop(script: Script, withdraw: bool) -> None:
            events = self._events(script, withdraw)
            for i, event in enumerate(events):
                history = events[: i + 1]
                first = list(point_rules.entries(event, history))
                for d in first:
                    if not isinstance(d, Award | Reverse):
                        broke(point_rules, "entries are Award or Reverse", f"got {d!r}")
                again = list(point_rules.entries(event, [e.model_copy() for e in history]))
                if again != first:
                    broke(
                        point_rules,
                        "entries are pure",
                        f"{event.type} v{event.version}: {first!r}, then {again!r}",
                    )

        run_property(
            prop, max_examples=self.max_examples, script=self.scripts(), withdraw=st.booleans()
        )

    def test_replay_is_deterministic(self, point_rules: Any) -> None:
        """The same log gives the same ledger: replayed, fed at once, fed twice over."""

        def prop(script: Script, withdraw: bool) -> None:
            events = self._events(script, withdraw)
            replayed = Ledger.replay(point_rules, events).entries
            batch = Ledger(point_rules)
            batch.feed(events)
            twice = batch.feed(events)
            for label, got in (
                ("a second replay", Ledger.replay(point_rules, events).entries),
                ("feeding all at once", batch.entries),
            ):
                if got != replayed:
                    broke(
                        point_rules,
                        "replay is deterministic",
                        f"{label} wrote {_show(got)}; the replay {_show(replayed)}",
                    )
            if twice:
                broke(
                    point_rules,
                    "an event fed twice earns nothing",
                    f"feeding the log again wrote {_show(twice)}",
                )

        run_property(
            prop, max_examples=self.max_examples, script=self.scripts(), withdraw=st.booleans()
        )

    def test_a_reversal_restores_the_balance(self, point_rules: Any) -> None:
        """Each reversing entry carries minus the reversed entry's points, to the same holder,
        and no entry is reversed twice."""

        def prop(script: Script, withdraw: bool) -> None:
            entries = Ledger.replay(point_rules, self._events(script, withdraw)).entries
            seen: set[int] = set()
            for e in entries:
                if e.reverses is None:
                    continue
                old = entries[e.reverses]
                if e.reverses in seen:
                    broke(
                        point_rules,
                        "no entry is reversed twice",
                        f"#{e.reverses} again by #{e.seq}",
                    )
                seen.add(e.reverses)
                if (e.points, e.agent, e.department) != (-old.points, old.agent, old.department):
                    broke(
                        point_rules,
                        "a reversal restores the balance",
                        f"#{e.seq} ({e.points} to {e.agent}/{e.department}) reverses #{old.seq} "
                        f"({old.points} to {old.agent}/{old.department})",
                    )

        run_property(
            prop, max_examples=self.max_examples, script=self.scripts(), withdraw=st.booleans()
        )


def _show(entries: Sequence[Any]) -> str:
    return "[" + ", ".join(f"{e.agent}:{e.points:+d} {e.rule}" for e in entries) + "]"
