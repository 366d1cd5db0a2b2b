"""Private machinery of the SLA clock: the 24x7 clock, duration parsing, and the event walk.

Nothing here is public API; :mod:`ccms.policy.sla` re-exports what users need.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final

import attrs

from ccms.errors import require_aware
from ccms.model import DomainEvent

__all__ = [
    "WALL_CLOCK",
    "ClockRun",
    "Patterns",
    "WallClock",
    "later",
    "matches",
    "parse_duration",
]

_DURATION_RE: Final = re.compile(
    r"^\s*(?:(?P<d>\d+(?:\.\d+)?)\s*d)?\s*(?:(?P<h>\d+(?:\.\d+)?)\s*h)?\s*"
    r"(?:(?P<m>\d+(?:\.\d+)?)\s*m)?\s*(?:(?P<s>\d+(?:\.\d+)?)\s*s)?\s*$"
)


@attrs.frozen(slots=True)
class WallClock:
    """Calendar (24x7) time, in elapsed (UTC) time: correct across DST changes.

    Python's ``+`` and ``-`` on datetimes of one zone work on wall times (a day across the
    spring-forward night would count 24 hours, not 23), so both go through UTC.

    >>> from zoneinfo import ZoneInfo
    >>> ny = ZoneInfo("America/New_York")
    >>> WALL_CLOCK.between(datetime(2026, 3, 8, tzinfo=ny), datetime(2026, 3, 9, tzinfo=ny))
    datetime.timedelta(seconds=82800)
    >>> WALL_CLOCK.add(datetime(2026, 3, 8, tzinfo=ny), timedelta(hours=24)).isoformat()
    '2026-03-09T01:00:00-04:00'
    """

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment ``duration`` of elapsed time after ``start``, in ``start``'s zone."""
        require_aware(start, "start")
        return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Elapsed time from ``start`` to ``end``."""
        require_aware(start, "start")
        require_aware(end, "end")
        return end.astimezone(UTC) - start.astimezone(UTC)

    def __repr__(self) -> str:
        return "WallClock()"


WALL_CLOCK: Final = WallClock()


def parse_duration(value: object) -> object:
    """Turn ``"4h"``, ``"15d"``, ``"1d 4h 30m"`` into a timedelta; numbers are seconds.

    Anything else is passed on for pydantic to parse (``timedelta``, ISO 8601 ``"P15D"``).
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION_RE.match(value)
        if match and any(match.groupdict().values()):
            parts = {k: float(v) for k, v in match.groupdict().items() if v}
            return timedelta(
                days=parts.get("d", 0),
                hours=parts.get("h", 0),
                minutes=parts.get("m", 0),
                seconds=parts.get("s", 0),
            )
    return value


def matches(patterns: Iterable[str], event: DomainEvent) -> bool:
    """Whether ``event`` matches one pattern: ``name`` (its type or the stage it leads to),
    ``event:<type>`` or ``stage:<stage>``."""
    for pattern in patterns:
        kind, colon, name = pattern.partition(":")
        if not colon:
            if event.type == pattern or event.stage == pattern:
                return True
        elif (kind == "event" and event.type == name) or (kind == "stage" and event.stage == name):
            return True
    return False


@attrs.frozen(slots=True)
class Patterns:
    """Compiled ``start``/``stop`` patterns: the event types and stages they name (what
    :func:`matches` decides, with two set lookups instead of parsing every pattern)."""

    types: frozenset[str]
    stages: frozenset[str]

    @classmethod
    def of(cls, patterns: Iterable[str]) -> Patterns:
        types: set[str] = set()
        stages: set[str] = set()
        for pattern in patterns:
            kind, colon, name = pattern.partition(":")
            if not colon:
                types.add(pattern)
                stages.add(pattern)
            elif kind == "event":
                types.add(name)
            elif kind == "stage":
                stages.add(name)
        return cls(frozenset(types), frozenset(stages))

    def __call__(self, event: DomainEvent) -> bool:
        return event.type in self.types or (event.stage is not None and event.stage in self.stages)


def later(a: datetime, b: datetime) -> datetime:
    """The later instant of ``a`` and ``b`` (``max`` and ``>`` on two datetimes of one zone
    compare wall times, fold ignored: wrong in the hour a DST change repeats)."""
    return b if b.astimezone(UTC) > a.astimezone(UTC) else a


@attrs.define(slots=True)
class ClockRun:
    """The walk of one target's clock over a history (mutable while walking, read afterwards).

    ``runs`` are the running intervals of the current cycle (``None`` end: still running), in
    wall time; ``pauses`` likewise for paused intervals; ``cycle`` counts restarts and
    ``cycle_index`` is the index of the event that started the current cycle.
    """

    state: str = "not_started"  # not_started | running | paused | stopped
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    runs: list[tuple[datetime, datetime | None]] = attrs.field(factory=list)
    pauses: list[tuple[datetime, datetime | None]] = attrs.field(factory=list)
    cycle: int = 0
    cycle_index: int = 0
    stop_index: int = -1
    stage: str | None = None  # the stage after the events walked (where a later walk goes on)

    def copy(self) -> ClockRun:
        """A copy to walk on (the interval lists are not shared)."""
        return ClockRun(
            self.state,
            self.started_at,
            self.stopped_at,
            list(self.runs),
            list(self.pauses),
            self.cycle,
            self.cycle_index,
            self.stop_index,
            self.stage,
        )

    def _open(self, at: datetime, paused: bool) -> None:
        if paused:
            self.pauses.append((at, None))
            self.state = "paused"
        else:
            self.runs.append((at, None))
            self.state = "running"

    def _close(self, at: datetime) -> None:
        if self.state == "running":
            self.runs[-1] = (self.runs[-1][0], at)
        elif self.state == "paused":
            self.pauses[-1] = (self.pauses[-1][0], at)

    def walk(
        self,
        events: Sequence[DomainEvent],
        *,
        start: Sequence[str] | Patterns,
        stop: Sequence[str] | Patterns,
        pause: frozenset[str],
        reopen: str,
        reopen_window: timedelta | None,
        first: int = 0,
    ) -> ClockRun:
        """Fold ``events`` into this clock; ``first``: the events before it are already folded
        into this clock (a walk going on over a history that grew)."""
        starts = start if isinstance(start, Patterns) else Patterns.of(start)
        stops = stop if isinstance(stop, Patterns) else Patterns.of(stop)
        stage = self.stage
        for index in range(first, len(events)):
            event = events[index]
            if event.stage is not None:
                stage = event.stage
            in_pause = stage in pause
            if self.state in ("running", "paused"):
                if stops(event):
                    self._close(event.at)
                    self.state = "stopped"
                    self.stopped_at = event.at
                    self.stop_index = index
                elif self.state == "running" and in_pause:
                    self._close(event.at)
                    self._open(event.at, True)
                elif self.state == "paused" and not in_pause:
                    self._close(event.at)
                    self._open(event.at, False)
            elif starts(event):
                if self.state == "not_started":
                    self.started_at = event.at
                    self.cycle_index = index
                elif self.state == "stopped":
                    assert self.stopped_at is not None
                    late = reopen_window is not None and (
                        event.at.astimezone(UTC) - self.stopped_at.astimezone(UTC) > reopen_window
                    )
                    if reopen == "restart" or late:
                        self.runs.clear()
                        self.pauses.clear()
                        self.started_at = event.at
                        self.cycle += 1
                        self.cycle_index = index
                    self.stopped_at = None
                self._open(event.at, in_pause)
        self.stage = stage
        return self
