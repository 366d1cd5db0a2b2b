"""The two policies pass ccms' conformance suites, through the ccms pytest plugin."""

from __future__ import annotations

import pytest

from ccms.policy import PolicyRegistry, default_registry
from ccms.testing.conformance import HandlerRouterSuite, SlaPolicySuite
from ccms_custom_policies import SeniorFirst, VipBusinessHours, senior_first, vip_business_hours


class TestSeniorFirst(HandlerRouterSuite):
    """A fixture returning the policy, and the suite runs."""

    @pytest.fixture
    def handler_router(self) -> SeniorFirst:
        return senior_first()


@pytest.mark.ccms_policy("sla", "vip_business_hours", vip_hours=4)
class TestVipBusinessHours(SlaPolicySuite):
    """Or name the registered policy (entry point ``sla.vip_business_hours``) with a marker."""


def test_both_policies_are_registered_by_entry_point() -> None:
    registry = PolicyRegistry()
    assert registry.load_entry_points() >= 2
    assert registry.factory("handler_router", "senior_first") is senior_first
    assert registry.factory("sla", "vip_business_hours") is vip_business_hours
    default_registry.load_entry_points()
    policy = default_registry.create("sla", "vip_business_hours", vip_hours=4)
    assert isinstance(policy, VipBusinessHours)
    assert repr(policy) == "vip_business_hours(vip=4:00:00, standard=3 days, 0:00:00)"
