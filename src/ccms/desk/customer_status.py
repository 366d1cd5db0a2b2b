"""What a customer may see of their complaint: the stage and next step in plain language.

:func:`customer_status` is the view a host shows on its "where is my complaint?" page or reads out
on the phone: the complaint number, the stage and the next step in words the customer understands,
the date they may expect an answer, when the complaint last moved in a way the customer was
concerned by, and the last notice sent to them. Never the concern texts, internal notes, handlers'
ids or names (unless the host passes the display name to show), the department, tags, flags,
escalation or scores, nor anything of another complaint.

>>> from datetime import datetime, timezone
>>> from ccms.model import Complaint, Concern, CustomerRef
>>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> complaint = Complaint(
...     id="C-1", version=4, received_at=at, updated_at=at, channel="phone",
...     customer=CustomerRef(id="CUST-7"), stage="waiting_on_customer", handler="agent-12",
...     concerns=(Concern(kind="complaint", text="internal: call 010-1234-5678"),),
...     due_at=datetime(2026, 3, 9, 18, tzinfo=timezone.utc),
... )
>>> status = customer_status(complaint, [], "en")
>>> status.stage, status.next_step, status.expected_date
('waiting for your reply', 'Please send us what we asked for, and we will carry on.', datetime.date(2026, 3, 9))
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from typing import Final

from ccms.model import Complaint, DomainEvent
from ccms.model.types import AwareDatetime, Frozen, Name
from ccms.notices import Notice, NoticeTemplates

__all__ = ["CUSTOMER_VISIBLE_EVENTS", "CustomerStatus", "customer_status"]

#: The event types a customer is concerned by (their complaint moved in a way they see).
CUSTOMER_VISIBLE_EVENTS: Final = frozenset(
    {
        "received",
        "handler_assigned",
        "waiting_on_customer",
        "resumed",
        "responded",
        "customer_notified",
        "feedback_recorded",
        "reopened",
        "closed",
        "withdrawn",
        "rejected",
    }
)

#: Stages after which no answer date is promised.
_NO_DATE: Final = frozenset(
    {
        "result_registered",
        "customer_notified",
        "feedback_recorded",
        "closed",
        "withdrawn",
        "rejected",
    }
)


class CustomerStatus(Frozen):
    """A complaint as its customer may see it."""

    complaint_number: Name
    language: Name
    stage: str
    next_step: str
    expected_date: date | None = None
    last_update_at: AwareDatetime | None = None
    last_notice: Notice | None = None
    handler: str | None = None


def customer_status(
    complaint: Complaint,
    events: Iterable[DomainEvent],
    language: str | None = None,
    *,
    notices: Iterable[Notice] = (),
    expected: date | datetime | None = None,
    zone: tzinfo | None = None,
    handler_name: str | None = None,
    templates: NoticeTemplates | None = None,
) -> CustomerStatus:
    """The customer's view of ``complaint`` in ``language`` (default: the customer's).

    ``events`` is the complaint's history: the latest customer-visible one
    (:data:`CUSTOMER_VISIBLE_EVENTS`) gives ``last_update_at``. ``notices`` are those sent so far
    (the last one of this complaint is shown; others are ignored). ``expected`` defaults to the
    SLA's ``due_at`` (shown in ``zone``) while the complaint is being worked on; ``handler_name``
    is shown only if the host passes it (configured to show handlers' names).
    """
    templates = templates or NoticeTemplates.builtin()
    language = language or complaint.customer.language
    last_update: datetime | None = None
    for event in events:
        mine = event.complaint_id == complaint.id and event.type in CUSTOMER_VISIBLE_EVENTS
        if mine and (last_update is None or event.at >= last_update):
            last_update = event.at
    last_notice: Notice | None = None
    for notice in notices:
        if notice.complaint_id == complaint.id:
            last_notice = notice
    day: date | None = None
    if complaint.stage not in _NO_DATE:
        when = expected if expected is not None else complaint.due_at
        if isinstance(when, datetime):
            if when.tzinfo is None:
                raise ValueError(f"expected date must be timezone-aware, got {when!r}")
            when = when.astimezone(zone) if zone is not None else when
            day = when.date()
        else:
            day = when
    return CustomerStatus(
        complaint_number=complaint.id,
        language=language,
        stage=templates.label("stages", language, complaint.stage),
        next_step=templates.label("next_steps", language, complaint.stage),
        expected_date=day,
        last_update_at=last_update,
        last_notice=last_notice,
        handler=handler_name or None,
    )
