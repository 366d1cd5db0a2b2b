"""A reference SLA clock: the suites' own reading of a target over a history.

Written from the documented meaning of a target (``start``, ``stop``, ``pause`` stages,
``reopen`` restart or resume, ``reopen_window``), independently of ccms' clock, so a policy is
held to what its targets say rather than to ccms' code. Elapsed time is measured in UTC for a
24x7 target and with the policy's own calendar for a business target.

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ccms.model import DepartmentAssigned, DomainEvent, HandlerAssigned, Transferred

__all__ = ["Reference", "calendar_of", "holder", "reference", "wall_between"]


def wall_between(start: datetime, end: datetime) -> timedelta:
    """Elapsed time, through UTC (Python's ``-`` on two datetimes of one zone is wall time)."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def _hits(patterns: Sequence[str], event: DomainEvent) -> bool:
    for pattern in patterns:
        kind, colon, name = pattern.partition(":")
        if not colon and pattern in (event.type, event.stage):
            return True
        if colon and (
            (kind == "event" and event.type == name) or (kind == "stage" and event.stage == name)
        ):
            return True
    return False


@attrs.frozen
class Reference:
    """The reference reading: ``state`` is ``not_started``, ``running``, ``paused`` or
    ``stopped``; ``runs`` the running intervals of the current cycle (``None`` end: running)."""

    state: str
    runs: tuple[tuple[datetime, datetime | None], ...]
    stopped_at: datetime | None


def reference(target: Any, events: Sequence[DomainEvent], now: datetime) -> Reference:
    """Walk ``events`` up to ``now`` as ``target`` says."""
    state, stage = "not_started", None
    runs: list[tuple[datetime, datetime | None]] = []
    stopped_at: datetime | None = None
    pause = frozenset(target.pause)
    cutoff = now.astimezone(UTC)  # one zone's datetimes compare by wall time, fold ignored
    for event in events:
        if event.at.astimezone(UTC) > cutoff:
            break
        if event.stage is not None:
            stage = event.stage
        waiting = stage in pause
        if state in ("running", "paused"):
            if _hits(target.stop, event):
                if state == "running":
                    runs[-1] = (runs[-1][0], event.at)
                state, stopped_at = "stopped", event.at
            elif state == "running" and waiting:
                runs[-1] = (runs[-1][0], event.at)
                state = "paused"
            elif state == "paused" and not waiting:
                runs.append((event.at, None))
                state = "running"
        elif _hits(target.start, event):
            if state == "stopped":
                assert stopped_at is not None
                window = target.reopen_window
                late = window is not None and wall_between(stopped_at, event.at) > window
                if target.reopen == "restart" or late:
                    runs = []
            stopped_at = None
            state = "paused" if waiting else "running"
            if state == "running":
                runs.append((event.at, None))
    return Reference(state, tuple(runs), stopped_at)


def calendar_of(policy: object, target: Any) -> Any:
    """The clock ``policy`` should measure ``target`` with: ``None`` for a 24x7 target, the
    calendar named by the target (``"default"`` if unnamed) from the policy's ``calendars`` for
    a business target; raises ``LookupError`` if the policy does not expose it."""
    if not target.business:
        return None
    calendars = getattr(policy, "calendars", None)
    if isinstance(calendars, Mapping):
        found = calendars.get(target.calendar or "default")
        if found is not None:
            return found
    elif calendars is not None and hasattr(calendars, "between"):
        return calendars
    raise LookupError(target.calendar or "default")


def elapsed(ref: Reference, calendar: Any, now: datetime) -> timedelta:
    """The clock time of ``ref``'s running intervals up to ``now``."""
    between = calendar.between if calendar is not None else wall_between
    total = timedelta(0)
    for a, b in ref.runs:
        end = b if b is not None else now
        if end.astimezone(UTC) > a.astimezone(UTC):
            total += between(a, end)
    return total


def holder(events: Sequence[DomainEvent], moment: datetime) -> str | None:
    """Who held the complaint at ``moment``: its handler, else its department (a transfer
    releases the handler)."""
    handler = department = None
    cutoff = moment.astimezone(UTC)
    for event in events:
        if event.at.astimezone(UTC) > cutoff:
            break
        if isinstance(event, HandlerAssigned):
            handler = event.handler
        elif isinstance(event, Transferred):
            handler, department = None, event.to_department
        elif isinstance(event, DepartmentAssigned):
            department = event.department
    return handler or department
