"""Every planted classic bug of ``ccms.testing.mutants`` is caught by its suite, and the
built-ins it was made from pass: one derandomized run each (the power over fresh random seeds
is measured by ``bench/power_testing_kit.py``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, settings

from ccms.testing.conformance import ConformanceError
from ccms.testing.mutants import MUTANTS, Mutant, builtins

settings.register_profile(
    "kit-power",
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
    phases=(Phase.explicit, Phase.generate),  # no shrinking: only whether it is caught
)
settings.register_profile(
    "kit-power-shrunk",
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture
def profile() -> Iterator[None]:
    before = settings.get_current_profile_name()
    settings.load_profile("kit-power")
    yield
    settings.load_profile(before)


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_every_mutant_is_caught(name: str, profile: None) -> None:
    mutant: Mutant = MUTANTS[name]
    catch = mutant.hunt(only=mutant.expect)
    assert catch is not None, f"{mutant.suite.__name__}.{mutant.expect} passed {name}: {mutant.bug}"
    if isinstance(catch.error, ConformanceError):
        assert re.search(r" breaks ['\"]", catch.message), catch.message


@pytest.mark.parametrize("name", sorted(builtins()))
def test_the_builtins_pass(name: str, profile: None) -> None:
    suite_class, policy = builtins()[name]
    suite = type(f"Quick{suite_class.__name__}", (suite_class,), {"max_examples": 10})()
    for test in sorted(n for n in dir(suite) if n.startswith("test_")):
        try:
            getattr(suite, test)(policy)
        except pytest.skip.Exception:
            continue


def test_a_router_counterexample_shows_only_the_agent_that_matters() -> None:
    before = settings.get_current_profile_name()
    settings.load_profile("kit-power-shrunk")
    try:
        catch = MUTANTS["router_picks_inactive"].hunt()
    finally:
        settings.load_profile(before)
    assert catch is not None
    agents = re.findall(r"^\s+(\w+): \w+, (?:handler|front_line|supervisor)", catch.example, re.M)
    assert len(agents) == 1, catch.example
    assert "INACTIVE" in catch.example, catch.example
    assert "who is inactive" in catch.message, catch.message
