"""``register_result`` against the remedy standards, through the Desk, on both sides of each
boundary of the example table (10 days, one month, the warranty, the two-repairs rule)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ccms.desk import Desk, ManualClock, RemedyCase
from ccms.errors import GuardRejected, InvalidInput
from ccms.model import (
    Actor,
    Agent,
    Authority,
    Concern,
    CustomerRef,
    Department,
    Organization,
    ResultRegistered,
)
from ccms.policy.notify import NoticePolicy
from ccms.policy.remedy_standards import RemedyStandards
from ccms.store import InMemoryStore
from ccms.workflow import TransitionSpec, Workflow, voc_definition

SEOUL = ZoneInfo("Asia/Seoul")
PURCHASED = date(2026, 3, 1)
EVERYTHING = Authority(remedies=["refund", "exchange", "repair", "compensation", "apology"])
ORG = Organization(
    departments=[Department(id="cs", name="CS")],
    agents=[
        Agent(id="kim", name="Kim", department="cs", authority=EVERYTHING),
        Agent(id="lee", name="Lee", department="cs", role="supervisor", authority=EVERYTHING),
    ],
)
KIM = Actor(id="kim", role="handler")
LEE = Actor(id="lee", role="supervisor")
TABLE = RemedyStandards.example_table()


def make_desk(**options: Any) -> Desk:
    options.setdefault("remedy_standards", TABLE)
    return Desk(InMemoryStore(), organization=ORG, clock=ManualClock(_at(PURCHASED)), **options)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=SEOUL)


def in_progress(desk: Desk, reported: date, **attributes: Any) -> str:
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.set(max(clock.now(), _at(reported)))  # a receipt is never after the Desk's clock
    cid = desk.receive(
        channel="phone",
        customer=CustomerRef(id="CUST-1", language="en"),
        concerns=[Concern(kind="complaint", text="The kettle stopped heating")],
        received_at=_at(reported),
        attributes=attributes,
    ).id
    desk.classify(cid, ["PRD.DEF"], at=_at(reported))
    desk.assign_department(cid, "cs", at=_at(reported))
    desk.assign_handler(cid, "kim", at=_at(reported))
    desk.start(cid, at=_at(reported))
    return cid


def case(repairs: int = 0) -> RemedyCase:
    return RemedyCase(
        category="kettle", defect="performance", purchased_on=PURCHASED, repairs=repairs
    )


def register(desk: Desk, cid: str, remedy: str, **options: Any) -> ResultRegistered:
    options.setdefault("case", case())
    options.setdefault("actor", KIM)
    desk.register_result(cid, {"remedy": remedy}, **options)
    [event] = [e for e in desk.history(cid) if isinstance(e, ResultRegistered)]
    return event


def verdict(reported: date, remedy: str, repairs: int = 0) -> str:
    desk = make_desk()
    cid = in_progress(desk, reported)
    event = register(desk, cid, remedy, case=case(repairs), actor=LEE, reason="checked")
    assert event.standard is not None
    return event.standard.verdict


@pytest.mark.parametrize(
    ("reported", "remedy", "expected"),
    [
        # within 10 days of purchase (day 10 is the last): exchange or refund
        (date(2026, 3, 11), "exchange", "at"),
        (date(2026, 3, 11), "repair", "below"),
        # day 11, within one month: exchange or repair
        (date(2026, 3, 12), "repair", "at"),
        (date(2026, 3, 12), "refund", "above"),
        # day 30 is the month's last; day 31 falls under the warranty: repair
        (date(2026, 3, 31), "exchange", "at"),
        (date(2026, 4, 1), "exchange", "above"),
        (date(2026, 4, 1), "repair", "at"),
        (date(2026, 4, 1), "compensation", "below"),
        # the warranty (a year here) ends on day 365
        (date(2027, 3, 1), "repair", "at"),
        (date(2027, 3, 2), "repair", "no_standard"),
    ],
)
def test_the_standard_on_both_sides_of_each_boundary(
    reported: date, remedy: str, expected: str
) -> None:
    assert verdict(reported, remedy) == expected


def test_the_two_repairs_rule_on_both_sides() -> None:
    day = date(2026, 6, 9)  # day 100: within the warranty
    assert verdict(day, "repair", repairs=1) == "at"
    assert verdict(day, "repair", repairs=2) == "below"
    assert verdict(day, "exchange", repairs=2) == "at"
    assert verdict(date(2027, 3, 2), "repair", repairs=2) == "no_standard"


def test_below_the_standard_a_handler_is_refused_and_nothing_is_written() -> None:
    desk = make_desk()
    cid = in_progress(desk, date(2026, 3, 5))
    before = list(desk.store.stream())
    with pytest.raises(GuardRejected) as refused:
        register(desk, cid, "repair")
    message = str(refused.value)
    assert cid in message
    assert "stage 'in_progress'" in message
    assert "'register_result'" in message
    assert "exchange or refund" in message
    assert "supervisor" in message
    assert refused.value.guard == "remedy_standard"
    assert list(desk.store.stream()) == before


def test_below_the_standard_a_supervisor_needs_a_reason_which_is_recorded() -> None:
    desk = make_desk()
    cid = in_progress(desk, date(2026, 3, 5))
    with pytest.raises(GuardRejected, match="must give the reason"):
        register(desk, cid, "repair", actor=LEE)
    event = register(desk, cid, "repair", actor=LEE, reason="the customer asked for a repair")
    standard = event.standard
    assert standard is not None
    assert (standard.table, standard.version) == ("kr-general-goods-example", "example-2026")
    assert standard.rule == "performance defect within 10 days of purchase"
    assert [r.value for r in standard.remedies] == ["exchange", "refund"]
    assert (standard.verdict, standard.days_since_purchase, standard.repairs) == ("below", 4, 0)
    assert (standard.supervisor, standard.reason) == ("lee", "the customer asked for a repair")


def test_at_the_standard_no_supervisor_is_recorded() -> None:
    desk = make_desk()
    cid = in_progress(desk, date(2026, 3, 5))
    standard = register(desk, cid, "refund", reason="ignored").standard
    assert standard is not None
    assert (standard.verdict, standard.supervisor, standard.reason) == ("at", None, "")


def test_the_case_can_come_from_the_complaints_attributes() -> None:
    desk = make_desk()
    cid = in_progress(
        desk,
        date(2026, 3, 20),
        product_category="kettle",
        defect="performance",
        purchased_on="2026-03-01",
        repairs=0,
    )
    desk.register_result(cid, {"remedy": "repair"}, actor=KIM)
    [event] = [e for e in desk.history(cid) if isinstance(e, ResultRegistered)]
    assert event.standard is not None
    assert (event.standard.verdict, event.standard.days_since_purchase) == ("at", 19)


def test_without_a_case_nothing_is_checked_and_without_a_table_a_case_is_refused() -> None:
    desk = make_desk()
    cid = in_progress(desk, date(2026, 3, 5))
    desk.register_result(cid, {"remedy": "apology"}, actor=KIM)
    [event] = [e for e in desk.history(cid) if isinstance(e, ResultRegistered)]
    assert event.standard is None
    plain = make_desk(remedy_standards=None)
    cid = in_progress(plain, date(2026, 3, 5))
    with pytest.raises(InvalidInput, match="no remedy standards"):
        register(plain, cid, "repair")


def test_an_explicit_reported_date_wins_over_the_receipt() -> None:
    desk = make_desk()
    cid = in_progress(desk, date(2026, 3, 20))
    early = RemedyCase(
        category="kettle",
        defect="performance",
        purchased_on=PURCHASED,
        reported_on=date(2026, 3, 4),
    )
    event = register(desk, cid, "repair", case=early, actor=LEE, reason="reported by phone")
    assert event.standard is not None
    assert (event.standard.verdict, event.standard.days_since_purchase) == ("below", 3)
    late = in_progress(desk, date(2026, 3, 20))
    future = RemedyCase(category="kettle", defect="performance", purchased_on="2026-04-01")
    with pytest.raises(InvalidInput, match="cannot precede the purchase"):
        register(desk, late, "repair", case=future)


def test_a_workflow_without_the_guard_is_still_checked_by_the_desk() -> None:
    definition = voc_definition()
    transitions = tuple(
        TransitionSpec(**{**t.model_dump(), "guards": ("authority",)})
        if t.trigger == "register_result"
        else t
        for t in definition.transitions
    )
    workflow = Workflow(definition.model_copy(update={"transitions": transitions}))
    desk = make_desk(workflow=workflow)
    cid = in_progress(desk, date(2026, 3, 5))
    with pytest.raises(GuardRejected, match="below the remedy standard"):
        register(desk, cid, "repair")
    assert register(desk, cid, "repair", actor=LEE, reason="asked").standard is not None


def test_the_result_notice_shows_the_standard_applied() -> None:
    pytest.importorskip("jinja2", reason="the notices extra is not installed")
    desk = make_desk(notices=NoticePolicy())
    cid = in_progress(desk, date(2026, 3, 20))
    register(desk, cid, "repair", notice_reason="We will repair it free of charge")
    [notice] = [n for n in desk.pending_notices(_at(date(2026, 3, 21))) if n.template == "result"]
    assert "We are offering a repair." in notice.body
    assert (
        "The standard for your case: an exchange or a repair "
        "(performance defect within one month of purchase)." in notice.body
    )
