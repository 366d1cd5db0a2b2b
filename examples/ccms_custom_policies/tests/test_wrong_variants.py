"""The wrong variants fail the suites, with a readable counterexample (run with pytester)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HERE = Path(__file__).parent

SUITES = """
import pytest
from hypothesis import settings
from ccms.testing.conformance import HandlerRouterSuite, SlaPolicySuite
from wrong_variants import SeniorFirstIgnoringCapacity, VipBusinessHoursNeverNegative

settings.register_profile("wrong", max_examples=25, deadline=None, derandomize=True)
settings.load_profile("wrong")


class TestSeniorFirstIgnoringCapacity(HandlerRouterSuite):
    @pytest.fixture
    def handler_router(self):
        return SeniorFirstIgnoringCapacity()


class TestVipBusinessHoursNeverNegative(SlaPolicySuite):
    @pytest.fixture
    def sla_policy(self):
        return VipBusinessHoursNeverNegative()
"""


def test_the_wrong_variants_fail_with_readable_counterexamples(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(wrong_variants=(HERE / "wrong_variants.py").read_text(encoding="utf-8"))
    pytester.makepyfile(test_wrong=SUITES)
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-k",
        "chosen_handler_exists or states_are_consistent",
    )
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*senior_first() breaks 'a chosen handler exists, is active and has capacity': "
            "chose '?', who is at capacity (load *)",
            "*vip_business_hours(*) breaks 'remaining is duration minus elapsed': resolution at "
            "* remaining does not match (status breached, *",
        ]
    )
    # the smallest input Hypothesis found (its heading changed wording across versions)
    assert re.search(
        r"(Falsifying example|Failing (explicit example|test case)): prop\(", result.stdout.str()
    )
