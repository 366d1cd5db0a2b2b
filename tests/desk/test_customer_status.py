"""The customer-facing status: what it shows, and everything it hides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.desk.customer_status import customer_status
from ccms.model import Complaint, Concern, CustomerRef, DomainEvent, fold
from ccms.notices import render_notice
from ccms.testing.strategies import event_histories
from ccms.workflow import default_workflow

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
DUE = datetime(2026, 3, 9, 18, tzinfo=UTC)


def _complaint(stage: str = "in_progress", **update: object) -> Complaint:
    base = Complaint(
        id="C-1",
        version=4,
        received_at=AT,
        updated_at=AT,
        channel="phone",
        customer=CustomerRef(id="CUST-7", language="ko"),
        stage=stage,
        department="quality",
        handler="agent-12",
        tags=frozenset({"vip-watch"}),
        concerns=(Concern(kind="complaint", text="internal: 010-1234-5678"),),
        due_at=DUE,
    )
    return base.model_copy(update=update)


def test_the_stage_and_next_step_are_in_plain_korean_by_default() -> None:
    status = customer_status(_complaint(), [])
    assert status.language == "ko"
    assert status.stage == "처리 중입니다"
    assert status.next_step == "처리가 끝나면 결과를 알려 드립니다."
    assert status.expected_date == date(2026, 3, 9)


def test_the_expected_date_follows_the_zone_and_stops_once_handled() -> None:
    seoul = timezone(timedelta(hours=9))
    assert customer_status(_complaint(), [], "en", zone=seoul).expected_date == date(2026, 3, 10)
    assert customer_status(_complaint(), [], "en", expected=date(2026, 4, 1)).expected_date == (
        date(2026, 4, 1)
    )
    for stage in ("customer_notified", "closed", "withdrawn"):
        assert customer_status(_complaint(stage), [], "en").expected_date is None


def test_the_last_notice_is_this_complaints_own() -> None:
    mine = render_notice(_complaint(), "receipt", "en")
    other = render_notice(_complaint(id="C-2"), "receipt", "en")
    status = customer_status(_complaint(), [], "en", notices=[mine, other])
    assert status.last_notice == mine
    alone = customer_status(_complaint(id="C-3"), [], "en", notices=[mine, other])
    assert alone.last_notice is None


def test_it_hides_internal_fields_and_shows_the_handler_only_when_passed() -> None:
    status = customer_status(_complaint(), [], "en")
    dumped = status.model_dump_json()
    for hidden in ("agent-12", "quality", "vip-watch", "CUST-7", "internal", "1234"):
        assert hidden not in dumped
    assert status.handler is None
    assert customer_status(_complaint(), [], "en", handler_name="Kim").handler == "Kim"


def test_a_naive_expected_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        customer_status(_complaint(), [], "en", expected=datetime(2026, 3, 5))


_SECRET = "SECRETNOTE"


@given(
    events=event_histories(default_workflow(), max_commands=10),
    others=event_histories(default_workflow(), max_commands=6),
    language=st.sampled_from(["ko", "en"]),
)
def test_the_status_depends_only_on_what_the_customer_may_see(
    events: list[DomainEvent], others: list[DomainEvent], language: str
) -> None:
    """Another complaint's events are ignored, the last update is the latest visible event, and
    swapping every internal field for another complaint's changes nothing."""
    complaint = fold(events)
    other = fold(others)
    planted = complaint.model_copy(
        update={
            "concerns": tuple(c.model_copy(update={"text": _SECRET}) for c in complaint.concerns),
            "handler": "h-" + _SECRET.lower(),
            "department": "d-" + _SECRET.lower(),
            "customer": complaint.customer.model_copy(update={"id": "c-" + _SECRET.lower()}),
        }
    )
    swapped = planted.model_copy(
        update={
            "concerns": other.concerns,
            "handler": other.handler,
            "department": other.department,
            "customer": other.customer.model_copy(update={"language": "ko"}),
            "tags": other.tags,
            "flags": other.flags,
            "escalation_level": other.escalation_level,
        }
    )
    strangers = [e.model_copy(update={"complaint_id": "OTHER-" + e.complaint_id}) for e in others]
    mixed = [*events, *strangers]
    status = customer_status(planted, mixed, language)
    assert status == customer_status(swapped, events, language)
    assert _SECRET not in status.model_dump_json().upper()
    visible = [
        e.at
        for e in events
        if e.type
        in {
            "received",
            "reopened",
            "closed",
            "responded",
            "handler_assigned",
            "waiting_on_customer",
            "resumed",
            "customer_notified",
            "feedback_recorded",
            "withdrawn",
            "rejected",
        }
    ]
    assert status.last_update_at == (max(visible) if visible else None)
