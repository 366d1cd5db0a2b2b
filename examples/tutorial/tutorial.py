"""The tutorial (docs/tutorial.md) as a typed module: the same calls, written as a host writes
them, checked with ``mypy --strict`` by ccms' tests (tests/examples/test_examples_typing.py).

Run it: ``python examples/tutorial/tutorial.py`` prints the closed complaint's history and the
first line of the monthly report.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ccms.desk import Desk, ManualClock
from ccms.model import (
    Agent,
    Authority,
    Complaint,
    Concern,
    CustomerRef,
    Department,
    Organization,
    Role,
    Taxonomy,
)
from ccms.policy import (
    BusinessCalendar,
    DepartmentDecision,
    Policy,
    PolicyContext,
    by_taxonomy_defaults,
    fixed,
)
from ccms.report import Report, render_markdown, report_from_store
from ccms.store import SQLiteStore
from ccms.workflow import (
    GuardContext,
    RegisterResult,
    TransitionSpec,
    Workflow,
    WorkflowDefinition,
    voc_definition,
)

__all__ = [
    "SEOUL",
    "PublicChannels",
    "build_desk",
    "calendar",
    "cause_named",
    "handle_one",
    "monthly_report",
    "organization",
    "routed_desk",
    "strict_workflow",
    "taxonomy",
]

SEOUL = ZoneInfo("Asia/Seoul")
SINCE = date(2025, 1, 1)


def organization() -> Organization:
    return Organization(
        departments=[
            Department(id="cs", name="Customer service", head="park"),
            Department(id="qa", name="Quality", head="han"),
        ],
        agents=[
            Agent(id="kim", name="Kim", department="cs"),
            Agent(id="park", name="Park", department="cs", role=Role.SUPERVISOR),
            Agent(
                id="han",
                name="Han",
                department="qa",
                authority=Authority(remedies={"apology", "exchange"}),
            ),
            Agent(id="seo", name="Seo", department="qa"),
        ],
    )


def taxonomy() -> Taxonomy:
    return (
        Taxonomy()
        .add("DLV", "Delivery", effective=SINCE)
        .add("DLV.LATE", "Late delivery", effective=SINCE)
        .add("PRD", "Product", effective=SINCE, defaults={"department": "qa"})
        .add("PRD.DEF", "Defect", effective=SINCE)
    )


def calendar() -> BusinessCalendar:
    return BusinessCalendar(SEOUL, {"mon-fri": [("09:00", "18:00")]}, holidays="KR")


def build_desk(clock: ManualClock, *, workflow: Workflow | None = None) -> Desk:
    """Section 1: one Desk with every built-in policy."""
    return Desk.standard(
        SQLiteStore(":memory:"),
        organization=organization(),
        taxonomy=taxonomy(),
        calendar=calendar(),
        clock=clock,
        fallback_department="cs",
        workflow=workflow,
    )


def handle_one(desk: Desk, clock: ManualClock) -> Complaint:
    """Section 1: a complaint from the call to the happy call and closing."""
    c = desk.receive(
        channel="phone",
        customer=CustomerRef(id="C-1"),
        concerns=[Concern(kind="complaint", text="the pan handle broke off")],
    )
    c = desk.classify(c.id, ["PRD.DEF"])
    c = desk.assign_department(c.id)
    c = desk.assign_handler(c.id)
    c = desk.start(c.id, at=clock.advance(timedelta(hours=1)))
    c = desk.respond(c.id, "phone", note="exchange offered")
    c = desk.register_result(c.id, {"remedy": "exchange", "cause": "weak rivet"})
    c = desk.notify(c.id, "sms")
    c = desk.record_feedback(
        c.id, {"satisfied": True, "csat": 5}, at=clock.advance(timedelta(days=1))
    )
    return desk.close(c.id)


def cause_named(ctx: GuardContext) -> str | None:
    """Section 2: a result may only be registered once its cause is named."""
    command = ctx.command
    if isinstance(command, RegisterResult) and not command.result.cause:
        return "name the cause of the complaint"
    return None


def strict_workflow() -> Workflow:
    """Section 2: the default process with the ``cause_named`` guard on ``register_result``."""
    base = voc_definition()
    transitions = tuple(
        TransitionSpec(**{**t.model_dump(), "guards": (*t.guards, "cause_named")})
        if t.trigger == "register_result"
        else t
        for t in base.transitions
    )
    definition = WorkflowDefinition(
        name="voc-with-cause", initial=base.initial, stages=base.stages, transitions=transitions
    )
    return Workflow(definition, guards={"cause_named": cause_named})


class PublicChannels(Policy[DepartmentDecision]):
    """Section 3: complaints through the press or a public agency go to one department."""

    kind = "department_router"

    def __init__(self, department: str) -> None:
        self.department = department

    def decide(self, ctx: PolicyContext) -> DepartmentDecision | None:
        if ctx.complaint.channel.value in {"press", "public_agency"}:
            return DepartmentDecision(self.department, f"public channel -> {self.department}")
        return None


def routed_desk(clock: ManualClock) -> Desk:
    """Section 3: the custom router first, then the taxonomy's defaults, then customer service."""
    router = PublicChannels("cs") | by_taxonomy_defaults() | fixed("cs")
    return Desk.standard(
        SQLiteStore(":memory:"),
        organization=organization(),
        taxonomy=taxonomy(),
        calendar=calendar(),
        clock=clock,
        department_router=router,
    )


def monthly_report(desk: Desk, period: str = "2026-10") -> Report:
    """Section 4: the information-sharing report of a month."""
    return report_from_store(desk.store, period=period, zone=SEOUL, calendar=calendar())


def main() -> None:
    clock = ManualClock(datetime(2026, 10, 12, 9, 30, tzinfo=SEOUL))
    desk = build_desk(clock)
    closed = handle_one(desk, clock)
    print(closed.stage, [e.type for e in desk.history(closed.id)])
    print(render_markdown(monthly_report(desk)).splitlines()[0])


if __name__ == "__main__":
    main()
