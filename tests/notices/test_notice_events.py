"""The outbox's events and the remedy standard on a registered result: round trips, refusals,
redaction and masking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ccms.errors import InvalidInput
from ccms.model import (
    REDACTED,
    Actor,
    AppliedStandard,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    Result,
    ResultRegistered,
    event_from_dict,
    event_from_json,
    redact,
)

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
HEAD = {"complaint_id": "C-1", "version": 3, "at": AT, "actor": Actor.system()}


def requested(**over: object) -> NotificationRequested:
    fields: dict[str, object] = {
        **HEAD,
        "notification_id": "C-1.n3.receipt",
        "template": "receipt",
        "cause": "received",
        "language": "ko",
        "channel": "sms",
        "recipient": "CUST-7",
        "subject": "[C-1] 접수되었습니다",
        "body": "연락처 010-****-**** 로 안내드립니다.",
    }
    fields.update(over)
    return NotificationRequested.model_validate(fields)


def test_every_outbox_event_reads_back_as_itself() -> None:
    events = [
        requested(),
        NotificationDelivered(**HEAD, notification_id="C-1.n3.receipt", attempt=2),
        NotificationFailed(
            **HEAD,
            notification_id="C-1.n3.receipt",
            attempt=1,
            reason="timeout",
            retry_at=AT + timedelta(minutes=1),
        ),
        NotificationFailed(
            **HEAD, notification_id="x", attempt=5, reason="bounced", retryable=False, gave_up=True
        ),
    ]
    for event in events:
        assert event_from_dict(event.model_dump(mode="json")) == event
        assert event_from_json(event.model_dump_json(), event.type) == event


def test_a_failure_either_gives_up_or_says_when_to_retry() -> None:
    with pytest.raises(InvalidInput, match="either gives up"):
        NotificationFailed(**HEAD, notification_id="n", attempt=1)
    with pytest.raises(InvalidInput, match="either gives up"):
        NotificationFailed(
            **HEAD, notification_id="n", attempt=1, gave_up=True, retry_at=AT + timedelta(hours=1)
        )


def test_the_remedy_standard_applied_reads_back_with_the_result() -> None:
    applied = AppliedStandard(
        table="t",
        version="v1",
        rule="r",
        remedies=("refund",),
        verdict="below",
        supervisor="lee",
        reason="used item",
    )
    event = ResultRegistered(
        **HEAD, stage="result_registered", result=Result(remedy="repair"), standard=applied
    )
    assert event_from_dict(event.model_dump(mode="json")) == event
    assert ResultRegistered(**HEAD, result=Result(remedy="repair")).standard is None


def test_redaction_wipes_the_content_and_the_reason_but_keeps_what_figures_read() -> None:
    notice = redact(requested(body="홍길동님, 010-1234-5678"))
    assert notice.subject == REDACTED
    assert notice.body == REDACTED
    assert (notice.notification_id, notice.template, notice.channel.value, notice.recipient) == (
        "C-1.n3.receipt",
        "receipt",
        "sms",
        "CUST-7",
    )
    standard = AppliedStandard(
        table="t", version="v1", rule="r", verdict="below", supervisor="lee", reason="홍길동 요청"
    )
    result = redact(
        ResultRegistered(**HEAD, result=Result(remedy="repair"), standard=standard)
    ).standard
    assert result is not None
    assert result.reason == REDACTED
    assert (result.verdict, result.rule) == ("below", "r")


def test_the_repr_masks_contact_details_in_the_content() -> None:
    shown = repr(requested(body="call 010-1234-5678 or kim@example.com"))
    assert "1234-5678" not in shown
    assert "kim@example.com" not in shown
