"""ccms' own policies, accumulators and stores pass the conformance suites they ship."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings

from ccms.metrics import KpiAccumulator
from ccms.metrics.fairness import SurveyBiasAccumulator, WorkloadAccumulator
from ccms.policy import (
    BusinessCalendar,
    EscalationLadder,
    Level,
    SlaPolicy,
    SlaTable,
    authority_fit,
    by_channel,
    by_code_table,
    by_segment,
    fallthrough,
    fixed,
    language_match,
    least_loaded,
    round_robin,
    skills_match,
    sticky,
)
from ccms.policy.sla import cfpb_timely
from ccms.scoring import DEFAULT_RULES
from ccms.testing.conformance import (
    AccumulatorSuite,
    CalendarSuite,
    DepartmentRouterSuite,
    EscalationSuite,
    HandlerRouterSuite,
    PointRulesSuite,
    SlaPolicySuite,
)

HANDLER_ROUTERS = {
    "least_loaded": least_loaded(),
    "round_robin": round_robin(),
    "filtered": least_loaded(
        filters=[language_match(), authority_fit(), skills_match({"PRD": ["billing"]})]
    ),
    "sticky_then_least_loaded": sticky() | least_loaded(),
    "fallthrough": fallthrough(round_robin(filters=[skills_match(required=["vip"])]))
    | least_loaded(),
}


class TestBuiltinHandlerRouters(HandlerRouterSuite):
    max_examples = 20

    @pytest.fixture(params=sorted(HANDLER_ROUTERS))
    def handler_router(self, request: pytest.FixtureRequest) -> Any:
        return HANDLER_ROUTERS[request.param]


DEPARTMENT_ROUTERS = {
    "by_code_table": by_code_table({"PRD": "production", "PAY": "finance"}),
    "by_channel": by_channel({"web": "cs", "phone": "cs", "press": "production"}),
    "by_segment": by_segment({"vip": "cs"}),
    "chain": by_code_table({"PRD.DEF": "production"}) | fixed("cs"),
}


class TestBuiltinDepartmentRouters(DepartmentRouterSuite):
    max_examples = 20

    @pytest.fixture(params=sorted(DEPARTMENT_ROUTERS))
    def department_router(self, request: pytest.FixtureRequest) -> Any:
        return DEPARTMENT_ROUTERS[request.param]


CALENDARS = {
    "seoul": BusinessCalendar(
        "Asia/Seoul", {"mon-fri": [("09:00", "12:00"), ("13:00", "18:00")]}, holidays="KR"
    ),
    "new_york_overnight": BusinessCalendar(
        "America/New_York", {"mon-fri": [("22:00", "06:00")], "sat": [("02:30", "04:00")]}
    ),
    "always_open": BusinessCalendar.always_open("Europe/Berlin"),
}


class TestBuiltinCalendars(CalendarSuite):
    @pytest.fixture(params=sorted(CALENDARS))
    def business_calendar(self, request: pytest.FixtureRequest) -> Any:
        return CALENDARS[request.param]


SEOUL = {"default": CALENDARS["seoul"]}
TABLE = SlaTable.from_mapping(
    {
        "version": "2026-03",
        "rows": [
            {"targets": {"first_response": "8h", "resolution": {"duration": "3d", "at_risk": 0.5}}},
            {
                "severity": "critical",
                "targets": {
                    "first_response": "1h",
                    "resolution": {"duration": "1d", "reopen": "resume"},
                },
            },
            {"segment": "vip", "targets": {"resolution": {"duration": "6h", "business": True}}},
        ],
    }
)
SLA_POLICIES = {"table": SlaPolicy(TABLE, SEOUL), "cfpb_timely": SlaPolicy(cfpb_timely())}


#: Under the CI profile the history suites draw fewer examples (ten properties each; the power
#: over fresh seeds is bench/power_testing_kit.py's).
HISTORY_EXAMPLES = 15 if settings.get_current_profile_name() == "ci" else None


class TestBuiltinSlaPolicies(SlaPolicySuite):
    max_examples = HISTORY_EXAMPLES

    @pytest.fixture(params=sorted(SLA_POLICIES))
    def sla_policy(self, request: pytest.FixtureRequest) -> Any:
        return SLA_POLICIES[request.param]


LADDER = EscalationLadder(
    [
        Level(threshold=0.5, notify=("handler",)),
        Level(threshold=1.0, supervisor_requested=True, notify=("supervisor",)),
        Level(threshold="5d", reopen_count=2, notify=("department_head",)),
    ],
    sla=SlaPolicy(TABLE, SEOUL),
)


class TestBuiltinEscalationLadder(EscalationSuite):
    max_examples = HISTORY_EXAMPLES

    @pytest.fixture
    def escalation_policy(self) -> Any:
        return LADDER


ACCUMULATORS = {
    "kpi_by_month": lambda: KpiAccumulator(by=("month", "kind")),
    "workload": lambda: WorkloadAccumulator(),
    "survey_bias": lambda: SurveyBiasAccumulator(by="channel"),
}


class TestBuiltinAccumulators(AccumulatorSuite):
    max_examples = 15

    @pytest.fixture(params=sorted(ACCUMULATORS))
    def make_accumulator(self, request: pytest.FixtureRequest) -> Any:
        return ACCUMULATORS[request.param]


class TestDefaultPointRules(PointRulesSuite):
    max_examples = 20

    @pytest.fixture
    def point_rules(self) -> Any:
        return DEFAULT_RULES
