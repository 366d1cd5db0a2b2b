"""Each suite fails on a deliberately broken policy, naming the property and what it saw.

The broken policies are the catalogue's (:data:`ccms.testing.mutants.MUTANTS`; ``test_kit_power``
checks each is caught by the property meant to); here each failure's message is pinned. The
suites' methods are called directly (as pytest would, with the fixture value as argument);
Hypothesis attaches the failing example to the error as a note.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from hypothesis import Phase, settings

from ccms.errors import ConcurrencyConflict, ConformanceError
from ccms.model import DomainEvent
from ccms.store import InMemoryStore
from ccms.testing.conformance import StoreSuite
from ccms.testing.mutants import MUTANTS

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


# ------------------------------------------------------------------------------- the catalogue

#: (mutant, suite property called, the property's name in the message, what the message says)
CASES: list[tuple[str, str, str, str]] = [
    ("router_ignores_capacity", "test_a_chosen_handler_exists_is_active_and_has_capacity",
     "a chosen handler exists, is active and has capacity",
     r"chose '\w', who is at capacity \(load \d/\d; \w: "),
    ("router_picks_inactive", "test_a_chosen_handler_exists_is_active_and_has_capacity",
     "a chosen handler exists, is active and has capacity", r"chose '\w', who is inactive"),
    ("router_keeps_state", "test_is_deterministic_and_leaves_the_context_alone",
     "is deterministic", r"a second call decided differently:\n  first: handler \w"),
    ("router_silent", "test_no_handler_says_why", "no handler says why",
     "returned no handler and no reasons"),
    ("router_ignores_capacity", "test_unavailable_agents_are_never_chosen",
     "unavailable agents are never chosen", r"still chose '\w' after they became at capacity"),
    ("department_router_unknown", "test_routes_to_a_known_department_abstains_or_says_why",
     "routes to a known department",
     r"routed to 'legal', which the organization does not have \(it has \w+"),
    ("calendar_rounds_to_minutes", "test_between_inverts_add", "between inverts add",
     r"add\(.*\) = .*, but between of those is"),
    ("sla_counts_waiting_time", "test_time_only_moves_clocks_forward",
     "paused time is not counted", r"paused with elapsed .*, then .* with no event between"),
    ("sla_clamps_remaining", "test_states_are_consistent", "remaining is duration minus elapsed",
     r"remaining does not match \(status breached, elapsed"),
    ("sla_repeats_breaches", "test_sweep_is_idempotent", "sweeping is idempotent",
     r"then proposed \[\('sla_status_changed', 'breached'\)"),
    ("escalation_falls_back", "test_levels_never_decrease_with_time",
     "levels never decrease with time", r"level [12] at .*, then 0 at .* with no event between"),
    ("escalation_forgets_history", "test_sweep_only_raises_the_level_and_is_idempotent",
     "sweeping is idempotent", r"then proposed \[\('escalated', [12]\)\]"),
    ("accumulator_mean_of_means", "test_merge_is_exact", "merge is exact",
     r"merging parts of \d+ and \d+ items gave\n  \(\d+, [\d.]+\)\nfeeding all"),
    ("point_rules_keep_state", "test_entries_are_awards_or_reversals_and_pure", "entries are pure",
     r"sla_status_changed v\d+: \[Award\(agent='kim', department=None, points=-\d"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mutant", "method", "prop", "detail"), CASES, ids=[f"{m}-{t}" for m, t, _, _ in CASES]
)
def test_the_suite_names_what_the_broken_policy_did(
    mutant: str, method: str, prop: str, detail: str
) -> None:
    m = MUTANTS[mutant]
    suite = m.suite()
    caught(lambda: getattr(suite, method)(m.build()), prop, detail)


def test_a_calendar_accepting_naive_datetimes_is_caught() -> None:
    m = MUTANTS["calendar_accepts_naive"]
    with pytest.raises(ConformanceError, match=r"add\(naive, 1h\) returned .*NaiveDatetimeError"):
        m.suite().test_naive_datetimes_are_refused(m.build())


def test_every_case_names_a_mutant_of_the_catalogue() -> None:
    assert {m for m, *_ in CASES} <= set(MUTANTS)


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
