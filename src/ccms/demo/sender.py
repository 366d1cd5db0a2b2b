"""The demo company's message sender: a fake host adapter draining the Desk's notice outbox.

Every hour of :data:`SENDING_HOURS` (no messages at night) the sender asks the Desk for the notices due
(:meth:`~ccms.desk.Desk.pending_notices`) and hands each to a pretend message provider, which
mostly delivers it, sometimes fails for the moment (a busy line, a full mailbox: reported as a
retryable failure, so the outbox offers the notice again after its backoff) and now and then
refuses the address for good (the notice is given up at once). Every outcome is reported back
(:meth:`~ccms.desk.Desk.notice_delivered`, :meth:`~ccms.desk.Desk.notice_failed`), so the store
holds what happened to each notice. Seeded: the same seed sends the same way.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

import attrs

from ccms.desk import Desk

__all__ = ["PERMANENT", "SENDING_HOURS", "TRANSIENT", "FakeSender", "SenderStats", "poll_times"]

#: The wall-clock hours (Seoul) at which the sender asks the outbox for due notices: on the hour
#: from 08:00 to 21:00; what is requested at night goes out in the morning.
SENDING_HOURS: Final = tuple(range(8, 22))
#: The chance that one attempt fails for the moment, per channel (others: ``"*"``).
TRANSIENT: Final[Mapping[str, float]] = {"sms": 0.08, "email": 0.15, "*": 0.1}
#: The chance that a notice's first attempt finds the address refused for good.
PERMANENT: Final = 0.02
_TRANSIENT_REASONS: Final = ("provider timeout", "handset unreachable", "mailbox full")


@attrs.define
class SenderStats:
    """What the sender did: polls, attempts and their outcomes per channel."""

    polls: int = 0
    attempts: int = 0
    delivered: Counter[str] = attrs.field(factory=Counter)
    failed: Counter[str] = attrs.field(factory=Counter)
    refused: Counter[str] = attrs.field(factory=Counter)


def poll_times(start: datetime, end: datetime) -> list[datetime]:
    """The moments in ``[start, end)`` at which the sender polls (``start``'s zone's wall time).

    >>> from zoneinfo import ZoneInfo
    >>> day = datetime(2026, 10, 1, tzinfo=ZoneInfo("Asia/Seoul"))
    >>> times = poll_times(day, day + timedelta(days=1))
    >>> len(times), times[0].hour, times[-1].hour
    (14, 8, 21)
    """
    out: list[datetime] = []
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        for hour in SENDING_HOURS:
            moment = day.replace(hour=hour)
            if start <= moment < end:
                out.append(moment)
        day = (day + timedelta(days=1)).replace(hour=0)
    return out


class FakeSender:
    """A pretend host adapter (see the module docstring); ``seed`` makes it repeatable."""

    def __init__(self, desk: Desk, seed: int | str) -> None:
        self.desk = desk
        self.rng = random.Random(f"sender-{seed}")
        self.stats = SenderStats()

    def poll(self, now: datetime) -> int:
        """Send every notice due at ``now`` and report each outcome; returns how many."""
        desk, rng, stats = self.desk, self.rng, self.stats
        stats.polls += 1
        due = desk.pending_notices(now)
        for notice in due:
            stats.attempts += 1
            channel = notice.channel.value
            draw = rng.random()
            if notice.attempt == 1 and draw < PERMANENT:
                desk.notice_failed(notice, "the provider refused the address", retryable=False,
                                   at=now)  # fmt: skip
                stats.refused[channel] += 1
            elif draw < PERMANENT + TRANSIENT.get(channel, TRANSIENT["*"]):
                desk.notice_failed(notice, rng.choice(_TRANSIENT_REASONS), at=now)
                stats.failed[channel] += 1
            else:
                ref = f"MSG-{stats.attempts:06d}"
                desk.notice_delivered(notice, at=now, provider_ref=ref)
                stats.delivered[channel] += 1
        return len(due)
