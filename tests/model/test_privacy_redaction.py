"""``redact``: free text gone, contact details in tags and attributes masked, everything a figure
reads kept, the redacted events folding to the redacted complaint, and idempotent."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ccms.metrics import case_record
from ccms.model import (
    REDACTED,
    Actor,
    Classified,
    Concern,
    DomainEvent,
    FeedbackRecorded,
    Rejected,
    ResultRegistered,
    fold,
    redact,
)
from ccms.model.redaction import anonymous_id, scrub_text
from ccms.testing.strategies import event_histories

_TEXT_FIELDS = ("text", "comment", "cause", "measures", "note", "detail")


def _texts(value: object) -> list[str]:
    """Every free-text value inside ``value`` (by field name), recursively."""
    from pydantic import BaseModel

    found: list[str] = []
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            if (name in _TEXT_FIELDS and isinstance(item, str)) or (
                name == "reason" and isinstance(item, str) and not isinstance(value, Rejected)
            ):
                found.append(item)
            else:
                found.extend(_texts(item))
    elif isinstance(value, tuple):
        for item in value:
            found.extend(_texts(item))
    return found


@settings(max_examples=60, deadline=None)
@given(history=event_histories(max_commands=12), anonymise=st.booleans())
def test_redacted_history_folds_to_the_redacted_complaint_and_keeps_the_figures(
    history: list[DomainEvent], anonymise: bool
) -> None:
    complaint = fold(history)
    customer = anonymous_id(complaint.id) if anonymise else None
    events = [redact(e, customer_id=customer) for e in history]
    snapshot = redact(complaint, customer_id=customer)
    assert fold(events) == snapshot
    assert [redact(e, customer_id=customer) for e in events] == events  # idempotent
    assert redact(snapshot, customer_id=customer) == snapshot
    assert case_record(snapshot, events) == case_record(complaint, history)
    assert all(t in ("", REDACTED) for e in events for t in _texts(e))
    assert all(t in ("", REDACTED) for t in _texts(snapshot))
    assert [(e.type, e.version, e.at, e.stage, e.actor) for e in events] == [
        (e.type, e.version, e.at, e.stage, e.actor) for e in history
    ]
    if anonymise:
        assert snapshot.customer.id == customer
        assert snapshot.customer.segment == complaint.customer.segment
    else:
        assert snapshot.customer == complaint.customer


def test_what_is_wiped_what_is_masked_and_what_is_kept() -> None:
    from datetime import UTC, datetime

    from ccms.model import Feedback, Result

    t = datetime(2026, 10, 5, tzinfo=UTC)
    header = {"complaint_id": "c1", "version": 3, "at": t, "actor": Actor.system()}
    result = ResultRegistered(
        **header, result=Result(remedy="refund", cause="기사 김철수 실수", measures="교육")
    )
    assert redact(result).result.model_dump(include={"cause", "measures", "remedy"}) == {
        "cause": REDACTED,
        "measures": REDACTED,
        "remedy": "refund",
    }
    feedback = FeedbackRecorded(
        **header, feedback=Feedback(satisfied=False, csat=2, comment="hong@example.com")
    )
    assert (redact(feedback).feedback.comment, redact(feedback).feedback.csat) == (REDACTED, 2)
    rejected = Rejected(**header, reason="duplicate", note="010-1234-5678")
    assert (redact(rejected).reason, redact(rejected).note) == ("duplicate", REDACTED)
    classified = Classified(
        **header, concerns=(Concern(kind="complaint", code="DLV.LATE", text="늦어요"),)
    )
    assert redact(classified).concerns[0].code == "DLV.LATE"
    assert scrub_text("tag-9001011234567") == "tag-******-*******"
    assert scrub_text("Kim Minji VIP", ["kim minji"]) == REDACTED
    assert scrub_text("Kim", ["K"]) == "Kim"  # one-letter values are not looked for
    assert anonymous_id("c1") == anonymous_id("c1") != anonymous_id("c2")
