"""The notice outbox through the Desk: what is requested, in which append, and the reports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ccms.desk import Desk, ManualClock, NoticeOutbox
from ccms.desk.notifications import OUTBOX_CHECKPOINT, notice_id
from ccms.errors import ConfigError, InvalidInput, InvalidTransition, PolicyError
from ccms.model import (
    Actor,
    Agent,
    Authority,
    Concern,
    Customer,
    CustomerRef,
    Department,
    NotificationFailed,
    NotificationRequested,
    Organization,
)
from ccms.policy import BusinessCalendar
from ccms.policy.notify import NoticePolicy
from ccms.store import InMemoryStore, SQLiteStore

pytest.importorskip("jinja2", reason="the notices extra is not installed")

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
ORG = Organization(
    departments=[Department(id="cs", name="CS")],
    agents=[
        Agent(
            id="kim", name="Kim Minji", department="cs", authority=Authority(remedies=["repair"])
        ),
    ],
)
KIM = Actor(id="kim", role="handler")


def make_desk(store: Any = None, **options: Any) -> Desk:
    options.setdefault("notices", NoticePolicy())
    return Desk(
        store if store is not None else InMemoryStore(),
        organization=ORG,
        clock=options.pop("clock", ManualClock(T0)),
        **options,
    )


def receive(desk: Desk, **options: Any) -> str:
    customer = options.pop("customer", CustomerRef(id="CUST-1", language="en"))
    return desk.receive(
        channel=options.pop("channel", "phone"),
        customer=customer,
        concerns=[Concern(kind="complaint", text="The kettle leaks; call 010-1234-5678")],
        **options,
    ).id


def to_result(desk: Desk, cid: str, **options: Any) -> None:
    desk.classify(cid, ["PRD.DEF"])
    desk.assign_department(cid, "cs")
    desk.assign_handler(cid, "kim")
    desk.start(cid)
    desk.register_result(cid, {"remedy": "repair"}, actor=KIM, **options)


def requested(desk: Desk, cid: str) -> list[NotificationRequested]:
    return [e for e in desk.history(cid) if isinstance(e, NotificationRequested)]


def test_a_notice_is_requested_in_the_same_append_as_its_command() -> None:
    store = InMemoryStore()
    desk = make_desk(store)
    cid = receive(desk)
    [received, notice] = [s.event for s in store.stream()]
    assert received.type == "received"
    assert notice.type == "notification_requested"
    assert notice.version == received.version == 1
    assert isinstance(notice, NotificationRequested)
    assert notice.notification_id == notice_id(cid, 1, "receipt") == f"{cid}.1.receipt"
    assert (notice.template, notice.cause, notice.language) == ("receipt", "received", "en")
    assert notice.recipient == "CUST-1"
    assert notice.subject == f"[{cid}] We have received your message"


def test_a_refused_command_requests_no_notice() -> None:
    store = InMemoryStore()
    desk = make_desk(store)
    cid = receive(desk)
    before = list(store.stream())
    with pytest.raises(InvalidTransition):
        desk.register_result(cid, {"remedy": "apology"})
    assert list(store.stream()) == before


def test_the_default_policy_tells_receipt_assignment_waiting_result_reopen_and_closing() -> None:
    desk = make_desk()
    cid = receive(desk)
    desk.classify(cid, ["PRD.DEF"])
    desk.assign_department(cid, "cs")
    desk.assign_handler(cid, "kim")
    desk.start(cid)
    desk.wait_on_customer(cid, "receipt needed", notice_reason="Please send the receipt")
    desk.resume(cid)
    desk.register_result(cid, {"remedy": "repair"}, actor=KIM)
    result = next(n for n in desk.pending_notices() if n.template == "result")
    desk.notice_delivered(result)
    desk.close(cid)
    desk.reopen(cid, "still leaks")
    templates = [n.template for n in requested(desk, cid)]
    assert templates == ["receipt", "assignment", "waiting", "result", "closing", "reopen"]
    waiting = next(n for n in requested(desk, cid) if n.template == "waiting")
    assert "Please send the receipt" in waiting.body
    assert "receipt needed" not in waiting.body  # the internal reason is not the customer's


def test_without_a_notice_policy_nothing_is_requested() -> None:
    desk = make_desk(notices=None)
    cid = receive(desk)
    assert requested(desk, cid) == []
    assert desk.pending_notices() == []


def test_the_channel_mapping_and_the_recipient_never_hold_contact_data() -> None:
    store = InMemoryStore()
    desk = make_desk(store, notices=NoticePolicy(channels={"phone": "sms"}))
    customer = Customer(id="CUST-9", name="홍길동", phone="010-9876-5432", language="ko")
    cid = receive(desk, customer=customer)
    [notice] = desk.pending_notices()
    assert notice.channel.value == "sms"
    assert notice.recipient == "CUST-9"
    assert notice.language == "ko"
    shown = repr(notice) + notice.subject + notice.body + str(requested(desk, cid))
    for secret in ("9876", "홍길동", "1234-5678"):
        assert secret not in shown


def test_a_policy_naming_an_unknown_template_or_language_is_refused() -> None:
    with pytest.raises(PolicyError, match="template 'thanks'"):
        make_desk(notices=NoticePolicy(on={"closed": "thanks"}))
    with pytest.raises(PolicyError, match="language 'fr'"):
        make_desk(notices=NoticePolicy(language="fr"))


def test_a_customer_language_without_templates_falls_back_to_the_policys() -> None:
    desk = make_desk(notices=NoticePolicy(language="en"))
    receive(desk, customer=CustomerRef(id="CUST-1", language="fr"))
    [notice] = desk.pending_notices()
    assert notice.language == "en"


def test_a_failure_is_retried_with_backoff_then_given_up() -> None:
    clock = ManualClock(T0)
    policy = NoticePolicy(max_attempts=3, backoff=timedelta(minutes=2), backoff_factor=3)
    desk = make_desk(clock=clock, notices=policy)
    receive(desk)
    [notice] = desk.pending_notices()
    assert notice.attempt == 1
    desk.notice_failed(notice, "timeout")
    assert desk.pending_notices() == []
    assert desk.pending_notices(T0 + timedelta(minutes=2) - timedelta(microseconds=1)) == []
    [again] = desk.pending_notices(T0 + timedelta(minutes=2))
    assert (again.attempt, again.due_at) == (2, T0 + timedelta(minutes=2))
    clock.set(T0 + timedelta(minutes=2))
    desk.notice_failed(again, "timeout")
    state = desk.notice(notice.notification_id)
    assert state.retry_at == T0 + timedelta(minutes=2 + 6)
    clock.set(T0 + timedelta(minutes=8))
    [third] = desk.pending_notices()
    desk.notice_failed(third, "timeout")
    state = desk.notice(notice.notification_id)
    assert (state.status, state.failures) == ("given_up", 3)
    assert desk.pending_notices(T0 + timedelta(days=1)) == []
    failures = [e for e in desk.history(notice.complaint_id) if isinstance(e, NotificationFailed)]
    assert [(f.attempt, f.gave_up) for f in failures] == [(1, False), (2, False), (3, True)]


def test_a_permanent_failure_gives_up_at_once_and_the_reason_is_masked() -> None:
    desk = make_desk()
    receive(desk)
    [notice] = desk.pending_notices()
    desk.notice_failed(notice, "no such number 010-1234-5678", retryable=False)
    state = desk.notice(notice.notification_id)
    assert (state.status, state.failures) == ("given_up", 1)
    [failed] = [e for e in desk.history(notice.complaint_id) if isinstance(e, NotificationFailed)]
    assert "1234-5678" not in failed.reason
    assert not failed.retryable


def test_reports_after_the_end_write_nothing() -> None:
    desk = make_desk()
    cid = receive(desk)
    [notice] = desk.pending_notices()
    delivered = desk.notice_delivered(notice)
    assert desk.notice_delivered(notice.notification_id).version == delivered.version
    assert desk.notice_failed(notice, "late report").version == delivered.version
    assert desk.notice(notice.notification_id).status == "delivered"
    assert len(desk.history(cid)) == 3  # received, requested, delivered


def test_an_unknown_notice_is_refused() -> None:
    desk = make_desk()
    cid = receive(desk)
    for bad in ("nope", f"{cid}.9.result", "x.1.receipt"):
        with pytest.raises(InvalidInput, match="no notice"):
            desk.notice_delivered(bad)


def test_a_delivered_result_notice_tells_the_customer_the_result() -> None:
    desk = make_desk()
    cid = receive(desk)
    to_result(desk, cid, notice_reason="We will repair it free of charge")
    [result] = [n for n in desk.pending_notices() if n.template == "result"]
    assert "We are offering a repair." in result.body
    assert "free of charge" in result.body
    assert desk.get(cid).stage == "result_registered"
    c = desk.notice_delivered(result)
    assert c.stage == "customer_notified"
    last = desk.history(cid)[-2:]
    assert [e.type for e in last] == ["customer_notified", "notification_delivered"]
    assert last[0].version == last[1].version == c.version


def test_a_result_notified_by_hand_only_records_the_delivery() -> None:
    desk = make_desk()
    cid = receive(desk)
    to_result(desk, cid)
    desk.notify(cid, "phone")
    [result] = [n for n in desk.pending_notices() if n.template == "result"]
    c = desk.notice_delivered(result)
    assert c.stage == "customer_notified"
    assert [e.type for e in desk.history(cid)].count("customer_notified") == 1


def test_a_stale_result_notice_does_not_notify_a_later_result() -> None:
    desk = make_desk()
    cid = receive(desk)
    to_result(desk, cid)
    [old] = [n for n in desk.pending_notices() if n.template == "result"]
    desk.notify(cid, "phone")
    desk.record_feedback(cid, {"satisfied": False, "csat": 1})
    desk.reopen(cid, "still leaks")
    desk.start(cid)
    desk.register_result(cid, {"remedy": "repair"}, actor=KIM)
    assert desk.notice_delivered(old).stage == "result_registered"


def test_an_sla_at_risk_sends_a_progress_notice_once() -> None:
    seoul = BusinessCalendar(ZoneInfo("Asia/Seoul"), {"mon-fri": [("09:00", "18:00")]})
    clock = ManualClock(T0)
    desk = Desk.standard(
        InMemoryStore(),
        organization=ORG,
        taxonomy=None,
        calendar=seoul,
        clock=clock,
        notices=NoticePolicy(),
    )
    cid = receive(desk)
    desk.classify(cid, ["PRD.DEF"])
    desk.assign_department(cid, "cs")
    desk.assign_handler(cid, "kim")
    desk.start(cid)
    for _ in range(40):
        clock.advance(timedelta(hours=2))
        desk.tick()
    progress = [n for n in requested(desk, cid) if n.template == "progress"]
    assert len(progress) == 1
    assert progress[0].cause == "sla_status_changed"
    assert "We are still working on your case" in progress[0].body


def test_the_outbox_resumes_from_its_checkpoint_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with SQLiteStore(path) as store:
        desk = make_desk(store)
        first = receive(desk)
        second = receive(desk, customer=CustomerRef(id="CUST-2"))
        assert [n.complaint_id for n in desk.pending_notices()] == [first, second]
        position, state = store.checkpoint(OUTBOX_CHECKPOINT)
        assert position == store.last_position()
        assert state is not None
        assert sorted(state["pending"]) == sorted(
            [notice_id(first, 1, "receipt"), notice_id(second, 1, "receipt")]
        )
        desk.notice_delivered(notice_id(first, 1, "receipt"))
    with SQLiteStore(path) as store:
        outbox = NoticeOutbox(store)
        outbox.catch_up()
        assert len(outbox) == 1
        again = make_desk(store)
        assert [n.complaint_id for n in again.pending_notices()] == [second]


def test_templates_of_the_host_are_used_and_checked() -> None:
    from ccms.notices import NoticeTemplates

    builtin = NoticeTemplates.builtin()
    data = builtin.model_dump(mode="json")
    data["templates"]["receipt"]["en"]["subject"] = "Got it: {{ complaint_number }}"
    mine = NoticeTemplates.from_mapping(data, "mine.toml")
    desk = make_desk(notice_templates=mine)
    cid = receive(desk)
    [notice] = desk.pending_notices()
    assert notice.subject == f"Got it: {cid}"
    del data["templates"]["closing"]["en"]
    with pytest.raises(ConfigError, match="closing"):
        make_desk(notice_templates=NoticeTemplates.from_mapping(data, "mine.toml"))


def test_erasure_gives_up_the_notices_still_pending() -> None:
    from ccms.desk import erase_customer
    from ccms.model import REDACTED

    desk = make_desk()
    customer = Customer(id="CUST-5", name="홍길동", phone="010-1234-5678")
    cid = receive(desk, customer=customer)
    desk.classify(cid, ["PRD.DEF"])
    desk.assign_department(cid, "cs")
    desk.assign_handler(cid, "kim")
    [receipt, assignment] = desk.pending_notices()
    desk.notice_delivered(receipt)
    erase_customer(desk.store, "CUST-5", at=T0)
    assert desk.pending_notices(T0 + timedelta(days=1)) == []
    assert desk.notice(receipt.notification_id).status == "delivered"
    state = desk.notice(assignment.notification_id)
    assert (state.status, state.requested.body) == ("given_up", REDACTED)
    [failed] = [e for e in desk.history(cid) if isinstance(e, NotificationFailed)]
    assert (failed.trigger, failed.retryable, failed.version) == ("erasure", False, 6)
    assert erase_customer(desk.store, "CUST-5", at=T0).changed is False


def test_a_report_racing_another_writer_is_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from ccms.errors import ConcurrencyConflict

    store = InMemoryStore()
    desk = make_desk(store)
    cid = receive(desk)
    [notice] = desk.pending_notices()
    append = store.append
    calls = {"n": 0}

    def racing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:  # another sender's report lands first
            other = make_desk(store)
            monkeypatch.setattr(store, "append", append)
            other.notice_delivered(notice.notification_id)
            monkeypatch.setattr(store, "append", racing)
            raise ConcurrencyConflict(cid, expected=1, actual=2)
        return append(*args, **kwargs)

    monkeypatch.setattr(store, "append", racing)
    c = desk.notice_delivered(notice)
    assert desk.notice(notice.notification_id).status == "delivered"
    assert [e.type for e in desk.history(cid)].count("notification_delivered") == 1
    assert c.version == 2  # the other report's write, nothing more


def test_a_long_notice_reason_is_cut_not_refused() -> None:
    desk = make_desk()
    cid = receive(desk)
    desk.classify(cid, ["PRD.DEF"])
    desk.assign_department(cid, "cs")
    desk.assign_handler(cid, "kim")
    desk.start(cid)
    desk.wait_on_customer(cid, notice_reason="x" * 50_000)
    [waiting] = [n for n in requested(desk, cid) if n.template == "waiting"]
    assert "x" * 2_000 in waiting.body
    assert "x" * 2_001 not in waiting.body
