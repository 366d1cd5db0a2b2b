"""The notice outbox's events: a notice requested with a command, delivered or failed.

The Desk records :class:`NotificationRequested` in the same append as the command that causes it;
the host's sender reports :class:`NotificationDelivered` or :class:`NotificationFailed` (see
``docs/notices.md``). They are complaint events like the others (registered by their ``type``,
folded by :func:`~ccms.model.fold`; they change nothing on the complaint but its version).

>>> from datetime import datetime, timezone
>>> from ccms.model import Actor, event_from_dict
>>> e = NotificationDelivered(complaint_id="c1", version=5, actor=Actor.system(),
...                           at=datetime(2026, 10, 5, tzinfo=timezone.utc),
...                           notification_id="c1.4.result")
>>> event_from_dict(e.model_dump(mode="json")) == e
True
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from ccms.errors import InvalidInput
from ccms.model.events import DomainEvent
from ccms.model.types import AwareDatetime, Name, ShortText, Text
from ccms.model.values import Channel

__all__ = ["NotificationDelivered", "NotificationFailed", "NotificationRequested"]


class NotificationRequested(DomainEvent):
    """A notice to the customer waits in the outbox (안내 발송 요청): the host's sender delivers it.

    Recorded in the same append as the command (or the sweep) that causes it, so a notice is
    never lost and never invented. ``notification_id`` is unique and is the idempotency key the
    host passes to its message provider (a resend after a crash is then one message).
    ``template`` is the notice kind (``receipt``, ``result``, ``progress``, ...), ``cause`` what
    caused it (an event type, e.g. ``received`` or ``sla_status_changed``). ``recipient`` is a
    reference the host resolves to an address (the customer id), never contact data; ``subject``
    and ``body`` are the rendered content, which shows only what the customer may see, personal
    data masked. ``max_attempts`` is how many failed attempts give the notice up.
    """

    type: Literal["notification_requested"] = "notification_requested"
    notification_id: Name
    template: Name
    cause: Name
    language: Annotated[str, Field(min_length=2, max_length=8)]
    channel: Channel
    recipient: Name
    subject: ShortText
    body: Text
    templates_version: Name = "unversioned"
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 5


class NotificationDelivered(DomainEvent):
    """The host's sender delivered a notice (안내 발송 완료). ``attempt`` counts from 1;
    ``provider_ref`` is the provider's message id, if it gave one."""

    type: Literal["notification_delivered"] = "notification_delivered"
    notification_id: Name
    attempt: Annotated[int, Field(ge=1)] = 1
    provider_ref: Name | None = None


class NotificationFailed(DomainEvent):
    """An attempt to deliver a notice failed (안내 발송 실패).

    ``retryable`` says whether the host's sender thinks a retry may succeed; ``gave_up`` that
    no retry follows (not retryable, or ``attempt`` reached the notice's ``max_attempts``);
    otherwise ``retry_at`` is when the outbox offers the notice again (backoff).
    """

    type: Literal["notification_failed"] = "notification_failed"
    notification_id: Name
    attempt: Annotated[int, Field(ge=1)]
    reason: ShortText = ""
    retryable: bool = True
    gave_up: bool = False
    retry_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _retry_or_give_up(self) -> NotificationFailed:
        if self.gave_up == (self.retry_at is not None):
            raise InvalidInput(
                f"notice {self.notification_id} of {self.complaint_id}: a failure either gives "
                "up (gave_up=True, no retry_at) or says when to retry (retry_at)"
            )
        return self
