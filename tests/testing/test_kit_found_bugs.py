"""Bugs the conformance suites found in the built-in SLA clock, kept as explicit examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import strategies as st

from ccms.model import Channel, Severity, VocKind
from ccms.policy import SlaPolicy, SlaTable
from ccms.testing.conformance import Script, ScriptStep, SlaPolicySuite, play
from ccms.testing.conformance._common import after
from ccms.testing.conformance._history import context

NY = ZoneInfo("America/New_York")
TABLE = SlaTable(version="v1", rows=[{"targets": {"resolution": "3d"}}])


def test_time_in_the_repeated_hour_of_a_dst_change_counts() -> None:
    """Received at 01:50 EDT on the night New York falls back, waiting from 01:05 EST (15 real
    minutes later): ``max`` on two datetimes of one zone compared wall times, so the clock had
    run no time at all."""
    script = Script(
        datetime(2026, 11, 1, 1, 50, tzinfo=NY),
        VocKind.COMPLAINT,
        Severity.LOW,
        Channel.WEB,
        "general",
        (ScriptStep("start", 5), ScriptStep("wait", 10), ScriptStep("resume", 20)),
    )
    events, last = play(script)
    assert last.fold == 1  # 01:25 EST, the second 01:25 of the night
    policy = SlaPolicy(TABLE)
    state = policy.evaluate(context(events, last))["resolution"]
    assert state.elapsed == timedelta(minutes=15)
    later = policy.evaluate(context(events, after(last, timedelta(minutes=30))))["resolution"]
    assert later.elapsed == timedelta(minutes=45)
    assert later.paused_total == timedelta(minutes=20)


def test_two_histories_of_one_complaint_id_are_measured_apart() -> None:
    """The cache of stopped clocks was keyed by complaint id, start and stop only: a second
    history of ``c1`` with the same start and stop but a pause between got the first one's
    state."""
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    policy = SlaPolicy(TABLE)

    def resolution(steps: tuple[ScriptStep, ...]) -> timedelta:
        script = Script(t0, VocKind.COMPLAINT, Severity.LOW, Channel.WEB, "general", steps)
        events, last = play(script)
        return policy.evaluate(context(events, last))["resolution"].elapsed

    straight = resolution((ScriptStep("start", 60), ScriptStep("result", 120)))
    paused = resolution((ScriptStep("start", 60), ScriptStep("wait", 60), ScriptStep("result", 60)))
    assert (straight, paused) == (timedelta(hours=3), timedelta(hours=2))


class TestTheBuiltinSlaOverTheNightOfTheChange(SlaPolicySuite):
    """Every property of the suite over that history."""

    max_examples = 10

    def scripts(self) -> st.SearchStrategy[Script]:
        return st.just(
            Script(
                datetime(2026, 11, 1, 1, 50, tzinfo=NY),
                VocKind.COMPLAINT,
                Severity.LOW,
                Channel.WEB,
                "general",
                (ScriptStep("start", 5), ScriptStep("wait", 10), ScriptStep("resume", 20)),
            )
        )

    @pytest.fixture
    def sla_policy(self) -> SlaPolicy:
        return SlaPolicy(TABLE)
