"""Custody: who held a complaint at a moment, read from its event history.

The SLA clock (who owned a breached target) and the CS-point rules (whose stint a late response
was) both ask this question; this is its one answer.

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.model import Actor, HandlerAssigned, Transferred
>>> t = datetime(2026, 10, 5, tzinfo=timezone.utc)
>>> h = [HandlerAssigned(complaint_id="c", version=4, at=t, actor=Actor.system(), handler="kim"),
...      Transferred(complaint_id="c", version=5, at=t + timedelta(days=2), actor=Actor.system(),
...                  from_department="cs", to_department="logistics")]
>>> holder_at(h, t + timedelta(days=1)), holder_at(h, t + timedelta(days=3))
(('kim', None), (None, 'logistics'))
>>> owner_at(h, t + timedelta(days=1)), owner_at(h, t + timedelta(days=3)), owner_at(h, t)
('kim', 'logistics', 'kim')
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from ccms.model.events import DepartmentAssigned, DomainEvent, HandlerAssigned, Transferred

__all__ = ["holder_at", "owner_at"]


def holder_at(history: Sequence[DomainEvent], moment: datetime) -> tuple[str | None, str | None]:
    """``(handler, department)`` holding the complaint at ``moment`` (events up to and at it
    count; ``history`` oldest first). A transfer clears the handler."""
    handler: str | None = None
    department: str | None = None
    instant = moment.astimezone(UTC)
    for event in history:
        if event.at.astimezone(UTC) > instant:
            break
        if isinstance(event, HandlerAssigned):
            handler = event.handler
        elif isinstance(event, Transferred):
            handler, department = None, event.to_department
        elif isinstance(event, DepartmentAssigned):
            department = event.department
    return handler, department


def owner_at(history: Sequence[DomainEvent], moment: datetime) -> str | None:
    """The handler, else the department, holding the complaint at ``moment`` (``None``: nobody)."""
    handler, department = holder_at(history, moment)
    return handler or department
