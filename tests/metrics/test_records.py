"""case_record: a complaint's history projected onto the figures' input row (hand-checked)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from ccms.errors import NaiveDatetimeError
from ccms.metrics import CaseRecord, case_record, from_arrow, to_arrow
from ccms.model import (
    Actor,
    Closed,
    ComplaintReceived,
    Concern,
    CustomerRef,
    Escalated,
    Feedback,
    FeedbackRecorded,
    Flag,
    FlagsChanged,
    Money,
    Responded,
    Result,
    ResultRegistered,
    Resumed,
    SlaStatusChanged,
    WaitingOnCustomer,
    fold,
)
from ccms.policy import BusinessCalendar

SEOUL = ZoneInfo("Asia/Seoul")
DAY = datetime(2026, 3, 2, tzinfo=SEOUL)  # a Monday


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return DAY + timedelta(days=days, hours=hour, minutes=minute)


def history() -> list[object]:
    sys = Actor.system()
    common = {"complaint_id": "c1", "actor": sys}
    events = [
        ComplaintReceived(version=1, at=at(9), stage="received", received_at=at(9),
                          channel="phone", customer=CustomerRef(id="k1", segment="vip"),
                          concerns=(Concern(kind="complaint", code="PRD.DEF", text="broken"),
                                    Concern(kind="complaint", code="SVC.ATT.RUDE", text="rude")),
                          **common),
        FlagsChanged(version=2, at=at(9, 30), added=frozenset({Flag.SUPERVISOR_REQUESTED}),
                     **common),
        Responded(version=3, at=at(10), channel="phone", **common),
        WaitingOnCustomer(version=4, at=at(11), stage="waiting_on_customer", **common),
        Resumed(version=5, at=at(14), stage="in_progress", **common),
        Escalated(version=6, at=at(14, 30), level=1, **common),
        SlaStatusChanged(version=7, at=at(15), target="first_response", status="met", **common),
        SlaStatusChanged(version=8, at=at(16), target="resolution", status="breached",
                         due_at=at(16), **common),
        ResultRegistered(version=9, at=at(17), stage="resolved",
                         result=Result(remedy="refund", amount=Money(amount="10000.5")),
                         outcomes=("upheld", "partly_upheld"), **common),
        FeedbackRecorded(version=10, at=at(9, days=1), feedback=Feedback(satisfied=True, csat=4),
                         **common),
        Closed(version=11, at=at(10, days=1), stage="closed", **common),
    ]  # fmt: skip
    return events


def test_case_record_of_a_full_history() -> None:
    events = history()
    r = case_record(fold(events), events)  # type: ignore[arg-type]
    assert (r.id, r.channel, r.kind, r.segment, r.stage) == ("c1", "phone", "complaint", "vip",
                                                            "closed")  # fmt: skip
    assert r.codes == ("PRD.DEF", "SVC.ATT.RUDE")
    assert (r.response_seconds, r.resolution_seconds) == (3600, 8 * 3600)
    assert r.closed_at == at(10, days=1)
    assert r.waiting_seconds == 3 * 3600  # 11:00 to 14:00
    assert r.business_waiting_seconds is None  # no calendar given
    assert (r.sla_met, r.sla_breached, r.sla_due) == (
        ("first_response",),
        ("resolution",),
        (("resolution", at(16)),),
    )
    assert (r.supervisor_requested, r.supervisor_honoured, r.escalation_level) == (True, True, 1)
    assert (r.courtesy, r.courtesy_upheld) == (True, True)
    assert (r.remedy, r.remedy_amount, r.currency) == ("refund", Decimal("10000.5"), "KRW")
    assert (r.feedback_responded, r.satisfied, r.csat) == (True, True, 4)
    assert (r.withdrawn, r.rejected, r.repeat, r.safety) == (False, False, False, False)


def test_business_time_columns_with_a_calendar() -> None:
    calendar = BusinessCalendar("Asia/Seoul", {"mon-fri": [("09:00", "12:00"), ("13:00", "18:00")]})
    events = history()
    r = case_record(fold(events), events, calendar=calendar)  # type: ignore[arg-type]
    assert r.business_response_seconds == 3600
    assert r.business_resolution_seconds == 7 * 3600  # 09-12 and 13-17, lunch excluded
    assert r.business_waiting_seconds == 2 * 3600  # 11-12 and 13-14
    assert to_arrow([r]).num_rows == 1
    assert list(from_arrow(to_arrow([r]))) == [r]


def test_an_escalation_before_the_request_does_not_honour_it() -> None:
    events = history()
    events[1], events[5] = (
        FlagsChanged(complaint_id="c1", version=2, at=at(15), actor=Actor.system(),
                     added=frozenset({Flag.SUPERVISOR_REQUESTED})),
        Escalated(complaint_id="c1", version=6, at=at(14, 30), actor=Actor.system(), level=1),
    )  # fmt: skip
    r = case_record(fold(events), events)  # type: ignore[arg-type]
    assert (r.supervisor_requested, r.supervisor_honoured) == (True, False)


def test_naive_times_are_rejected() -> None:
    with pytest.raises(NaiveDatetimeError):
        CaseRecord(id="x", received_at=datetime(2026, 3, 2), channel="web", kind="complaint",
                   severity="low", segment="general", stage="received")  # fmt: skip
