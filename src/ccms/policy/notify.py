"""The notice policy: which changes of a complaint tell the customer, how, and how often to retry.

A :class:`NoticePolicy` is data. ``on`` maps the type of an event a command (or a sweep) records
to the notice template it sends (``received`` sends ``receipt``, ``result_registered`` sends
``result``, ...); ``progress_on`` names the SLA targets whose turning *at risk* sends a
``progress`` notice. The channel is the complaint's own unless ``channels`` maps it to another
(a phone call is answered by SMS). A failed delivery is retried after ``retry_delay(attempt)``
(exponential backoff from ``backoff``, at most ``max_backoff``) until ``max_attempts`` attempts
have failed; then the notice is given up.

>>> from datetime import timedelta
>>> policy = NoticePolicy(channels={"phone": "sms"})
>>> policy.template_for("result_registered"), policy.template_for("classified")
('result', None)
>>> policy.channel_for("phone").value, policy.channel_for("email").value
('sms', 'email')
>>> [str(policy.retry_delay(n)) for n in (1, 2, 3)]
['0:01:00', '0:02:00', '0:04:00']
>>> NoticePolicy(on={"received": "Receipt!"})
Traceback (most recent call last):
...
ccms.errors.PolicyError: NoticePolicy.on['received']: template 'Receipt!' must be a lower-case name (a-z, 0-9, _)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta, tzinfo
from typing import Any, ClassVar, Final

import attrs

from ccms.errors import PolicyError
from ccms.model import Channel

__all__ = ["DEFAULT_NOTICES", "NoticePolicy"]

#: The built-in notices: the event type a command records, and the template it sends.
DEFAULT_NOTICES: Final[Mapping[str, str]] = {
    "received": "receipt",
    "handler_assigned": "assignment",
    "waiting_on_customer": "waiting",
    "result_registered": "result",
    "reopened": "reopen",
    "closed": "closing",
}

_TEMPLATE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def _templates(value: Mapping[str, str]) -> Mapping[str, str]:
    out: dict[str, str] = {}
    for event_type, template in dict(value).items():
        if not isinstance(template, str) or not _TEMPLATE.match(template):
            raise PolicyError(
                f"NoticePolicy.on[{event_type!r}]: template {template!r} must be a lower-case "
                "name (a-z, 0-9, _)"
            )
        out[str(event_type)] = template
    return out


def _channels(value: Mapping[Any, Any]) -> Mapping[Channel, Channel]:
    try:
        return {Channel(k): Channel(v) for k, v in dict(value).items()}
    except ValueError as exc:
        allowed = ", ".join(c.value for c in Channel)
        raise PolicyError(f"NoticePolicy.channels: {exc}; allowed: {allowed}") from None


def _targets(value: Any) -> frozenset[str]:
    return frozenset({value}) if isinstance(value, str) else frozenset(value)


def _positive(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, timedelta):
        if value <= timedelta(0):
            raise PolicyError(f"NoticePolicy.{attribute.name} must be positive, got {value}")
    elif isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
        raise PolicyError(f"NoticePolicy.{attribute.name} must be 1 or more, got {value!r}")


def _attempts(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise PolicyError(f"NoticePolicy.max_attempts must be an int of 1 to 100, got {value!r}")


@attrs.frozen(slots=True, kw_only=True)
class NoticePolicy:
    """Which events send which notice, on which channel, and the retries (module docs).

    ``language`` is the notice language for a customer whose own language has no templates;
    ``zone`` the time zone the expected date is shown in (default: the SLA due time's own);
    ``show_handler_names`` puts the handler's display name (the organization's ``Agent.name``) in
    the notice and in the customer's status, never their id.
    """

    on: Mapping[str, str] = attrs.field(factory=lambda: dict(DEFAULT_NOTICES), converter=_templates)
    progress_on: frozenset[str] = attrs.field(
        factory=lambda: frozenset({"resolution"}), converter=_targets
    )
    channels: Mapping[Channel, Channel] = attrs.field(factory=dict, converter=_channels)
    language: str = "ko"
    zone: tzinfo | None = None
    show_handler_names: bool = False
    max_attempts: int = attrs.field(default=5, validator=_attempts)
    backoff: timedelta = attrs.field(default=timedelta(minutes=1), validator=_positive)
    backoff_factor: float = attrs.field(default=2.0, validator=_positive)
    max_backoff: timedelta = attrs.field(default=timedelta(hours=1), validator=_positive)

    #: The template an SLA target turning at risk sends.
    PROGRESS: ClassVar[str] = "progress"

    def template_for(self, event_type: str) -> str | None:
        """The template an event of ``event_type`` sends, or ``None``."""
        return self.on.get(event_type)

    def channel_for(self, channel: Channel | str) -> Channel:
        """The channel a complaint that came in through ``channel`` is told on."""
        incoming = Channel(channel)
        return self.channels.get(incoming, incoming)

    def retry_delay(self, attempt: int) -> timedelta:
        """How long after failed ``attempt`` (1 for the first) the notice is offered again."""
        cap = self.max_backoff.total_seconds()
        try:
            seconds = self.backoff.total_seconds() * self.backoff_factor ** max(0, attempt - 1)
        except OverflowError:  # a factor to a high power: far past the cap
            return self.max_backoff
        return self.max_backoff if seconds >= cap else timedelta(seconds=seconds)
