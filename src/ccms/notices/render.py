"""Rendering a customer notice from a complaint: only what the customer may see goes in.

:func:`render_notice` hands the template a fixed set of plain strings (see
:data:`~ccms.notices.templates.PLACEHOLDERS`), never the complaint: the complaint number, the
stage and the next step in plain language, the expected date, the remedy, and the reason and the
handler's display name when the host passes them (a reason has its phone numbers, e-mail addresses
and resident numbers masked). Concern texts, notes, handler ids, tags and attributes never reach
a template.

>>> from datetime import date, datetime, timezone
>>> from ccms.model import Complaint, Concern, CustomerRef
>>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> complaint = Complaint(
...     id="C-1", version=4, received_at=at, updated_at=at, channel="phone",
...     customer=CustomerRef(id="CUST-7"), stage="in_progress", handler="agent-12",
...     concerns=(Concern(kind="complaint", text="My number is 010-1234-5678"),),
... )
>>> notice = render_notice(complaint, "receipt", "en", expected=date(2026, 3, 5))
>>> print(notice.subject)
[C-1] We have received your message
>>> print(notice.body)
We have received your message (reference C-1).
Status: being handled
We expect to finish by 5 March 2026.
We will tell you the result when we are done.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Final

from ccms.model import Complaint
from ccms.model.privacy import mask_text
from ccms.model.types import Frozen, Name
from ccms.notices.templates import NoticeKind, NoticeTemplates
from ccms.policy.remedy_standards import StandardRemedy

__all__ = ["Notice", "format_date", "render_notice"]

_MONTHS: Final = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


#: A result or closing notice tells what follows once the customer has read it.
_TOLD_STAGE: Final = {NoticeKind.RESULT: "customer_notified", NoticeKind.CLOSING: "closed"}


class Notice(Frozen):
    """A rendered notice: what the host's sender delivers (autoescaped, safe to put in HTML)."""

    complaint_id: Name
    kind: NoticeKind
    language: Name
    subject: str
    body: str
    templates_version: Name = "unversioned"


def format_date(day: date, language: str) -> str:
    """A date as a customer reads it: ``2026년 3월 5일``, ``5 March 2026`` (ISO otherwise).

    >>> format_date(date(2026, 3, 5), "ko"), format_date(date(2026, 3, 5), "en")
    ('2026년 3월 5일', '5 March 2026')
    """
    if language == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    if language == "en":
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return day.isoformat()


def _expected_day(expected: date | datetime | None, zone: tzinfo | None) -> date | None:
    if isinstance(expected, datetime):
        if expected.tzinfo is None:
            raise ValueError(f"expected date must be timezone-aware, got {expected!r}")
        return (expected.astimezone(zone) if zone is not None else expected).date()
    return expected


def _standard_text(standard: StandardRemedy, language: str, templates: NoticeTemplates) -> str:
    joiner = templates.joiners.get(language, " / ")
    names = joiner.join(templates.label("remedies", language, r.value) for r in standard.remedies)
    return f"{names} ({standard.rule})"


def render_notice(
    complaint: Complaint,
    kind: NoticeKind | str,
    language: str | None = None,
    *,
    expected: date | datetime | None = None,
    zone: tzinfo | None = None,
    reason: str | None = None,
    handler_name: str | None = None,
    standard: StandardRemedy | None = None,
    templates: NoticeTemplates | None = None,
) -> Notice:
    """Render the ``kind`` notice of ``complaint`` in ``language`` (default: the customer's).

    ``expected`` is the date the customer may expect an answer (a date or an aware datetime, shown
    in ``zone`` if given); by default the complaint's ``due_at`` as the SLA policy last set it.
    ``reason`` is the text the customer is meant to read (why the remedy, what is needed from
    them), written by the host for the customer, never an internal note; its personal data is
    masked. ``handler_name`` is the display name to show, passed only by a host configured to
    show handlers' names (the complaint holds only the handler's id, which is never shown).
    ``standard`` is the remedy standard applied (from
    :func:`~ccms.policy.remedy_standards.check_remedy`), shown in the result notice.
    """
    kind = NoticeKind(kind)
    templates = templates or NoticeTemplates.builtin()
    language = language or complaint.customer.language
    subject_t, body_t = templates.compiled(kind, language)
    day = _expected_day(expected if expected is not None else complaint.due_at, zone)
    result = complaint.result
    context: dict[str, str | None] = {
        "complaint_number": complaint.id,
        "stage": templates.label("stages", language, complaint.stage),
        "next_step": templates.label(
            "next_steps", language, _TOLD_STAGE.get(kind, complaint.stage)
        ),
        "expected_date": format_date(day, language) if day is not None else None,
        "remedy": (templates.label("remedies", language, result.remedy.value) if result else None),
        "amount": str(result.amount) if result and result.amount and result.amount.amount else None,
        "reason": mask_text(reason) if reason else None,
        "handler": handler_name or None,
        "standard": _standard_text(standard, language, templates) if standard else None,
    }
    return Notice(
        complaint_id=complaint.id,
        kind=kind,
        language=language,
        subject=subject_t.render(context).strip(),
        body=body_t.render(context).strip(),
        templates_version=templates.version,
    )
