"""Retention: how long a closed complaint keeps its personal data (보유기간).

A :class:`RetentionPolicy` says when a closed complaint's personal data has been kept long
enough: ``days`` calendar days after it was closed (a day is 24 hours, counted from the closing
instant, so time zones and daylight saving play no part; a complaint reopened and closed again
counts from its last closing). Open complaints never expire. The policy is pure: it reads a
complaint and the ``now`` it is given, never the clock. ``ccms.desk.apply_retention`` applies it
to a store (anonymising what expired, as events, idempotently).

>>> from datetime import datetime, timedelta, timezone
>>> policy = RetentionPolicy(days=365)
>>> now = datetime(2027, 10, 6, tzinfo=timezone.utc)
>>> policy.cutoff(now)
datetime.datetime(2026, 10, 6, 0, 0, tzinfo=datetime.timezone.utc)
>>> policy.expired(datetime(2026, 10, 5, tzinfo=timezone.utc), now)
True
>>> policy.expired(None, now)  # still open
False
>>> RetentionPolicy(days=0)
Traceback (most recent call last):
...
ccms.errors.InvalidInput: RetentionPolicy.days must be an int from 1 to 36500, got 0
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from ccms.errors import InvalidInput, require_aware

__all__ = ["MAX_RETENTION_DAYS", "RetentionPolicy"]

#: The longest retention period a policy takes (a hundred years).
MAX_RETENTION_DAYS: Final = 36_500


def _days(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= MAX_RETENTION_DAYS
    ):
        raise InvalidInput(
            f"RetentionPolicy.days must be an int from 1 to {MAX_RETENTION_DAYS}, got {value!r:.40}"
        )


@attrs.frozen(slots=True)
class RetentionPolicy:
    """Closed complaints keep their personal data for ``days`` calendar days after closing."""

    days: int = attrs.field(validator=_days)

    def cutoff(self, now: datetime) -> datetime:
        """The latest closing instant that has expired at ``now``."""
        if not isinstance(now, datetime):
            raise InvalidInput(f"RetentionPolicy needs an aware datetime now, got {now!r:.40}")
        return require_aware(now, "now") - timedelta(days=self.days)

    def expired(self, closed_at: datetime | None, now: datetime) -> bool:
        """Whether a complaint closed at ``closed_at`` (``None``: open) has expired at ``now``."""
        if closed_at is None:
            return False
        return require_aware(closed_at, "closed_at") <= self.cutoff(now)
