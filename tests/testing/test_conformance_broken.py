"""Each suite fails on a deliberately broken policy, naming the property and what it saw.

The suites' methods are called directly (as pytest would, with the fixture value as argument);
Hypothesis attaches the failing example to the error as a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import Phase, settings

from ccms.errors import ConcurrencyConflict
from ccms.model import DomainEvent, Escalated, SlaStatusChanged
from ccms.policy import (
    BusinessCalendar,
    DepartmentDecision,
    EscalationDecision,
    EscalationLadder,
    HandlerDecision,
    Level,
    PolicyContext,
    SlaPolicy,
    SlaTable,
    least_loaded,
)
from ccms.scoring import Award
from ccms.store import InMemoryStore
from ccms.testing.conformance import (
    AccumulatorSuite,
    CalendarSuite,
    ConformanceError,
    DepartmentRouterSuite,
    EscalationSuite,
    HandlerRouterSuite,
    PointRulesSuite,
    SlaPolicySuite,
    StoreSuite,
)

# No shrinking here: these tests only need the suite to fail, and shrinking big organizations
# costs more than the rest of the module (the example package's tests show shrunk examples).
settings.register_profile(
    "conformance-broken",
    max_examples=100,
    deadline=None,
    derandomize=True,
    print_blob=False,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)


@pytest.fixture(autouse=True)
def _derandomized() -> Iterator[None]:
    """The same examples every run: whether a broken policy is caught never depends on luck."""
    before = settings.get_current_profile_name()
    settings.load_profile("conformance-broken")
    yield
    settings.load_profile(before)


def caught(check: Callable[[], None], prop: str, detail: str) -> ConformanceError:
    """Run ``check``; it must fail on ``prop`` with ``detail`` and show a falsifying example."""
    with pytest.raises(ConformanceError) as info:
        check()
    message = str(info.value)
    assert f"breaks {prop!r}" in message, message
    assert re.search(detail, message), message
    notes = "\n".join(getattr(info.value, "__notes__", ()))
    assert re.search(r"Falsifying example|Failing (explicit example|test case)", notes), notes
    return info.value


# ----------------------------------------------------------------------------------- routing


class IgnoresLoad:
    """Least loaded, but blind to the open load: hands work to agents at capacity."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        return least_loaded().decide(ctx.evolve(open_load={}))


class FirstMember:
    """The first member of the department, active or not."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        department = ctx.complaint.department
        members = ctx.organization.members(department, active_only=False) if department else ()
        if not members:
            return HandlerDecision.none("first_member", (), ("no members",))
        return HandlerDecision(members[0].id, "first_member")


class Rotating:
    """A rotation kept in the router itself: every call moves on, so equal inputs differ."""

    def __init__(self) -> None:
        self.turn = 0

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        department = ctx.complaint.department
        able = [
            a
            for a in (ctx.organization.members(department) if department else ())
            if ctx.open_load.get(a.id, 0) < a.capacity
        ]
        if not able:
            return HandlerDecision.none("rotating", (), ("nobody able",))
        self.turn += 1
        return HandlerDecision(able[self.turn % len(able)].id, "rotating")


class Silent:
    """Says "no handler" without saying why."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        return HandlerDecision(None, "silent")


def test_a_router_blind_to_load_is_caught() -> None:
    suite = HandlerRouterSuite()
    caught(
        lambda: suite.test_a_chosen_handler_exists_is_active_and_has_capacity(IgnoresLoad()),
        "a chosen handler exists, is active and has capacity",
        r"chose '\w', who is at capacity \(load \d/\d; \w: ",
    )


def test_a_router_choosing_inactive_agents_is_caught() -> None:
    caught(
        lambda: HandlerRouterSuite().test_a_chosen_handler_exists_is_active_and_has_capacity(
            FirstMember()
        ),
        "a chosen handler exists, is active and has capacity",
        r"chose '\w', who is (inactive|at capacity)",
    )


def test_a_router_that_keeps_state_is_caught() -> None:
    caught(
        lambda: HandlerRouterSuite().test_is_deterministic_and_leaves_the_context_alone(Rotating()),
        "is deterministic",
        r"a second call decided differently:\n  first: handler \w",
    )


def test_a_router_that_does_not_say_why_is_caught() -> None:
    caught(
        lambda: HandlerRouterSuite().test_no_handler_says_why(Silent()),
        "no handler says why",
        "returned no handler and no reasons",
    )


def test_a_router_still_choosing_an_unavailable_agent_is_caught() -> None:
    caught(
        lambda: HandlerRouterSuite().test_unavailable_agents_are_never_chosen(IgnoresLoad()),
        "unavailable agents are never chosen",
        r"still chose '\w' after they became at capacity",
    )


class Legal:
    """Sends everything to a department that few organizations have, without checking."""

    def decide(self, ctx: PolicyContext) -> DepartmentDecision | None:
        return DepartmentDecision("legal", "everything to legal")


def test_a_department_router_naming_a_missing_department_is_caught() -> None:
    caught(
        lambda: DepartmentRouterSuite().test_routes_to_a_known_department_abstains_or_says_why(
            Legal()
        ),
        "routes to a known department",
        r"routed to 'legal', which the organization does not have \(it has \w+",
    )


# ----------------------------------------------------------------------------------- calendars

SEOUL = BusinessCalendar.standard("Asia/Seoul", country="KR")


@attrs.frozen
class MinuteCalendar:
    """Rounds business time down to whole minutes: add and between no longer invert."""

    inner: BusinessCalendar = SEOUL

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return self.inner.add(start, duration)

    def between(self, start: datetime, end: datetime) -> timedelta:
        d = self.inner.between(start, end)
        return d - d % timedelta(minutes=1)


@attrs.frozen
class NaiveTolerant:
    """Plain wall-clock time: accepts naive datetimes."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def between(self, start: datetime, end: datetime) -> timedelta:
        return end - start


def test_a_calendar_rounding_business_time_is_caught() -> None:
    caught(
        lambda: CalendarSuite().test_between_inverts_add(MinuteCalendar()),
        "between inverts add",
        r"add\(.*\) = .*, but between of those is",
    )


def test_a_calendar_accepting_naive_datetimes_is_caught() -> None:
    with pytest.raises(ConformanceError, match=r"add\(naive, 1h\) returned .*NaiveDatetimeError"):
        CalendarSuite().test_naive_datetimes_are_refused(NaiveTolerant())


# ----------------------------------------------------------------------------------------- SLA

TABLE = SlaTable(version="v1", rows=[{"targets": {"resolution": "2d", "first_response": "4h"}}])


class CountsPauses(SlaPolicy):
    """Counts the time spent waiting on the customer as elapsed."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, Any]:
        return {
            name: attrs.evolve(
                s,
                elapsed=s.elapsed + s.paused_total,
                remaining=s.remaining - s.paused_total,
            )
            for name, s in super().evaluate(ctx).items()
        }


class ClampsRemaining(SlaPolicy):
    """Never reports a negative remaining time (hides how overdue a complaint is)."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, Any]:
        return {
            name: attrs.evolve(s, remaining=max(s.remaining, timedelta(0)))
            for name, s in super().evaluate(ctx).items()
        }


class Nags(SlaPolicy):
    """Reports every breach again on every sweep."""

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        out = super().sweep(ctx)
        for name, state in self.evaluate(ctx).items():
            if state.status == "breached" and not any(
                isinstance(e, SlaStatusChanged) and e.target == name for e in out
            ):
                out.append(
                    SlaStatusChanged(
                        complaint_id=ctx.complaint.id,
                        version=ctx.complaint.version + 1,
                        at=ctx.now,
                        actor=ctx.events[0].actor,
                        target=name,
                        status="breached",
                    )
                )
        return out


def test_an_sla_counting_paused_time_is_caught() -> None:
    caught(
        lambda: SlaPolicySuite().test_time_only_moves_clocks_forward(CountsPauses(TABLE)),
        "paused time is not counted",
        r"paused with elapsed .*, then .* with no event between",
    )


def test_an_sla_clamping_remaining_time_is_caught() -> None:
    caught(
        lambda: SlaPolicySuite().test_states_are_consistent(ClampsRemaining(TABLE)),
        "remaining is duration minus elapsed",
        r"remaining does not match \(status breached, elapsed",
    )


def test_an_sla_sweep_that_repeats_itself_is_caught() -> None:
    caught(
        lambda: SlaPolicySuite().test_sweep_is_idempotent(Nags(TABLE)),
        "sweeping is idempotent",
        r"then proposed \[\('sla_status_changed', 'breached'\)",
    )


# ---------------------------------------------------------------------------------- escalation

LADDER_LEVELS = [Level(threshold=0.5), Level(threshold=1.0, notify=("supervisor",))]


class WeekdaysOnly(EscalationLadder):
    """Forgets escalations over the weekend: the level falls with time."""

    def decide(self, ctx: PolicyContext) -> EscalationDecision | None:
        return None if ctx.now.weekday() >= 5 else super().decide(ctx)


class Forgetful(EscalationLadder):
    """Proposes the level it decides without looking at the history."""

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        d = self.decide(ctx)
        if d is None:
            return []
        return [
            Escalated(
                complaint_id=ctx.complaint.id,
                version=ctx.complaint.version + 1,
                at=ctx.now,
                actor=ctx.events[0].actor,
                level=d.level,
            )
        ]


def test_an_escalation_that_falls_back_is_caught() -> None:
    caught(
        lambda: EscalationSuite().test_levels_never_decrease_with_time(
            WeekdaysOnly(LADDER_LEVELS, sla=TABLE)
        ),
        "levels never decrease with time",
        r"level [12] at .*, then 0 at .* with no event between",
    )


def test_an_escalation_sweep_that_forgets_the_history_is_caught() -> None:
    caught(
        lambda: EscalationSuite().test_sweep_only_raises_the_level_and_is_idempotent(
            Forgetful(LADDER_LEVELS, sla=TABLE)
        ),
        "sweeping is idempotent",
        r"then proposed \[\('escalated', [12]\)\]",
    )


# -------------------------------------------------------------------------------- accumulators


@attrs.define
class MeanOfMeans:
    """Mean days to resolution, merged by averaging the two means: not exact."""

    n: int = 0
    mean: float = 0.0

    def update(self, record: Any) -> None:
        self.n += 1
        self.mean += (record.received_at.day - self.mean) / self.n

    def merge(self, other: MeanOfMeans) -> MeanOfMeans:
        if not self.n or not other.n:
            return MeanOfMeans(self.n + other.n, self.mean if self.n else other.mean)
        return MeanOfMeans(self.n + other.n, (self.mean + other.mean) / 2)

    def result(self) -> tuple[int, float]:
        return self.n, round(self.mean, 9)


def test_an_accumulator_averaging_means_is_caught() -> None:
    caught(
        lambda: AccumulatorSuite().test_merge_is_exact(MeanOfMeans),
        "merge is exact",
        r"merging parts of \d+ and \d+ items gave\n  \(\d+, [\d.]+\)\nfeeding all",
    )


# ---------------------------------------------------------------------------------------- store


class SwallowsConflicts(InMemoryStore):
    """Reports a stale write as done instead of raising ConcurrencyConflict."""

    def append(
        self, complaint: Any, events: Sequence[DomainEvent], *, expected_version: int, **kw: Any
    ) -> Any:
        try:
            return super().append(complaint, events, expected_version=expected_version, **kw)
        except ConcurrencyConflict:
            return None


def test_a_store_swallowing_conflicts_is_caught() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"DID NOT RAISE .*ConcurrencyConflict"):
        StoreSuite().test_a_stale_version_conflicts_and_writes_nothing(SwallowsConflicts())


# -------------------------------------------------------------------------------- point rules


class Escalating:
    """Each breach costs more than the last: the rules count calls, so a replay differs."""

    version = "escalating-1"

    def __init__(self) -> None:
        self.breaches = 0

    def entries(self, event: Any, history: Sequence[DomainEvent]) -> list[Award]:
        if getattr(event, "status", None) != "breached":
            return []
        self.breaches += 1
        return [Award("kim", None, -self.breaches, "breach")]


def test_point_rules_that_keep_state_are_caught() -> None:
    caught(
        lambda: PointRulesSuite().test_entries_are_awards_or_reversals_and_pure(Escalating()),
        "entries are pure",
        r"sla_status_changed v\d+: \[Award\(agent='kim', department=None, points=-\d",
    )
