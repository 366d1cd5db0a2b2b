"""``Desk.status_for_customer``: what the customer may see, and everything it hides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ccms.desk import CustomerStatus, Desk, ManualClock
from ccms.errors import InvalidInput
from ccms.model import Actor, Agent, Authority, Concern, CustomerRef, Department, Organization
from ccms.policy import BusinessCalendar
from ccms.policy.notify import NoticePolicy
from ccms.store import InMemoryStore

pytest.importorskip("jinja2", reason="the notices extra is not installed")

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 10, 5, 9, 30, tzinfo=SEOUL)
ORG = Organization(
    departments=[Department(id="quality", name="Quality assurance")],
    agents=[
        Agent(
            id="agent-12",
            name="Park Jisoo",
            department="quality",
            authority=Authority(remedies=["repair", "exchange"]),
        )
    ],
)
SECRETS = (
    "010-1234-5678",
    "internal: supplier batch 7",
    "seal batch faulty",
    "replace gasket line",
    "customer sounded drunk",
    "agent-12",
    "Park Jisoo",
    "quality",
    "vip-watch",
    "OTHER COMPLAINT TEXT",
)


def make_desk(**policy: Any) -> Desk:
    return Desk.standard(
        InMemoryStore(),
        organization=ORG,
        taxonomy=None,
        calendar=BusinessCalendar(SEOUL, {"mon-fri": [("09:00", "18:00")]}),
        clock=ManualClock(T0),
        notices=NoticePolicy(**policy),
    )


def lifecycle(desk: Desk) -> tuple[str, str]:
    mine = desk.receive(
        channel="phone",
        customer=CustomerRef(id="CUST-7", language="en"),
        concerns=[Concern(kind="complaint", text="Kettle leaks, call 010-1234-5678")],
        tags=["vip-watch"],
    ).id
    other = desk.receive(
        channel="web",
        customer=CustomerRef(id="CUST-7", language="en"),
        concerns=[Concern(kind="complaint", text="OTHER COMPLAINT TEXT")],
    ).id
    handler = Actor(id="agent-12", role="handler")
    desk.classify(mine, ["PRD.DEF"])
    desk.assign_department(mine, "quality")
    desk.assign_handler(mine, "agent-12")
    desk.start(mine, actor=handler)
    desk.wait_on_customer(mine, "customer sounded drunk", actor=handler)
    desk.resume(mine, actor=handler)
    desk.set_flags(mine, add=["safety"], reason="internal: supplier batch 7")
    desk.escalate(mine, 1, "internal: supplier batch 7")
    return mine, other


def shown(status: CustomerStatus) -> str:
    return status.model_dump_json() + repr(status)


def test_the_status_shows_the_stage_next_step_and_expected_date() -> None:
    desk = make_desk()
    mine, _ = lifecycle(desk)
    status = desk.status_for_customer(mine)
    assert status.language == "en"
    assert (status.stage, status.next_step) == (
        "being handled",
        "We will tell you the result when we are done.",
    )
    due = desk.get(mine).due_at
    assert due is not None
    assert status.expected_date == due.date()
    assert status.complaint_number == mine
    korean = desk.status_for_customer(mine, "ko")
    assert korean.stage == "처리 중입니다"


def test_the_status_hides_notes_handlers_departments_tags_and_other_complaints() -> None:
    desk = make_desk()
    mine, other = lifecycle(desk)
    desk.register_result(
        mine,
        {"remedy": "repair", "cause": "seal batch faulty", "measures": "replace gasket line"},
        actor=Actor(id="agent-12", role="handler"),
    )
    for notice in desk.pending_notices():
        desk.notice_delivered(notice)
    status = desk.status_for_customer(mine)
    text = shown(status)
    for secret in SECRETS:
        assert secret not in text, secret
    assert status.handler is None
    assert status.last_notice is not None
    assert status.last_notice.complaint_id == mine
    assert other not in text
    assert desk.status_for_customer(other).complaint_number == other


def test_the_handlers_name_is_shown_only_when_configured_and_never_their_id() -> None:
    desk = make_desk(show_handler_names=True)
    mine, _ = lifecycle(desk)
    status = desk.status_for_customer(mine)
    assert status.handler == "Park Jisoo"
    assert "agent-12" not in shown(status)
    [assignment] = [n for n in desk.pending_notices() if n.template == "assignment"]
    assert "Park Jisoo" in assignment.body
    assert "agent-12" not in assignment.body


def test_the_last_notice_is_the_last_delivered_one() -> None:
    clock_desk = make_desk()
    mine, _ = lifecycle(clock_desk)
    assert clock_desk.status_for_customer(mine).last_notice is None  # requested, not delivered
    pending = [n for n in clock_desk.pending_notices() if n.complaint_id == mine]
    assert [n.template for n in pending] == ["receipt", "assignment", "waiting"]
    clock_desk.notice_delivered(pending[0])
    last = clock_desk.status_for_customer(mine).last_notice
    assert last is not None
    assert last.kind.value == "receipt"
    clock_desk.notice_failed(pending[1], "bounced", retryable=False)
    clock_desk.notice_delivered(pending[2])
    last = clock_desk.status_for_customer(mine).last_notice
    assert last is not None
    assert last.kind.value == "waiting"


def test_no_date_is_promised_once_the_result_is_told() -> None:
    desk = make_desk()
    mine, _ = lifecycle(desk)
    desk.register_result(mine, {"remedy": "repair"}, actor=Actor(id="agent-12", role="handler"))
    for notice in desk.pending_notices():
        desk.notice_delivered(notice)
    status = desk.status_for_customer(mine)
    assert desk.get(mine).stage == "customer_notified"
    assert status.expected_date is None
    assert status.stage == "handled; we have told you the result"


def test_an_unknown_language_is_refused_and_a_missing_one_falls_back() -> None:
    desk = make_desk(language="en")
    cid = desk.receive(
        channel="web",
        customer=CustomerRef(id="CUST-1", language="fr"),
        concerns=[Concern(kind="inquiry", text="Opening hours?")],
    ).id
    assert desk.status_for_customer(cid).language == "en"
    with pytest.raises(InvalidInput, match="no notices in language 'fr'"):
        desk.status_for_customer(cid, "fr")


def test_the_status_works_without_a_notice_policy() -> None:
    desk = Desk(InMemoryStore(), clock=ManualClock(datetime(2026, 3, 2, tzinfo=UTC)))
    cid = desk.receive(
        channel="web",
        customer=CustomerRef(id="CUST-1"),
        concerns=[Concern(kind="inquiry", text="Opening hours?")],
    ).id
    status = desk.status_for_customer(cid)
    assert (status.language, status.stage, status.last_notice) == ("ko", "접수되었습니다", None)
    assert status.expected_date is None
    assert status.last_update_at == datetime(2026, 3, 2, tzinfo=UTC)
