"""Clocks: the only place ccms learns what time it is. Hosts inject one into the Desk.

>>> from datetime import datetime, timedelta, timezone
>>> clock = ManualClock(datetime(2026, 10, 1, 9, tzinfo=timezone.utc))
>>> clock.advance(timedelta(hours=2)).isoformat()
'2026-10-01T11:00:00+00:00'
>>> clock.now().hour
11
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from ccms.errors import InvalidInput, require_aware

__all__ = ["Clock", "ManualClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now() -> datetime`` (timezone-aware)."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class ManualClock:
    """A clock that moves only when told: for tests, simulations and replays."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start, "start")

    def now(self) -> datetime:
        """The clock's current time."""
        return self._now

    def set(self, when: datetime) -> datetime:
        """Move to ``when`` (never backwards)."""
        require_aware(when, "when")
        if when < self._now:
            raise InvalidInput(f"a clock does not go back: {when} is before {self._now}")
        self._now = when
        return when

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        if delta < timedelta(0):
            raise InvalidInput(f"a clock does not go back: delta {delta} is negative")
        self._now = self._now + delta
        return self._now

    def __repr__(self) -> str:
        return f"ManualClock({self._now.isoformat()})"
