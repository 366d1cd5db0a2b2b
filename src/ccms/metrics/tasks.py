"""Improvement-task timeliness: done on time, done late, overdue and pending at a moment.

:class:`TaskOnTimeAccumulator` reads ``(due, done_at)`` pairs of responsibility-improvement tasks
(``done_at`` None while open) and gives a :class:`TaskOnTime` with the on-time :class:`Rate`.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ccms.errors import InvalidInput, require_aware
from ccms.metrics.kpi import Rate

__all__ = ["TaskOnTime", "TaskOnTimeAccumulator"]


@attrs.frozen
class TaskOnTime:
    """Improvement tasks: done on time, done late, overdue and pending at ``as_of``."""

    on_time: int
    late: int
    overdue: int
    pending: int

    @property
    def rate(self) -> Rate:
        """On-time rate over tasks whose outcome is known (done, or overdue at ``as_of``)."""
        return Rate(self.on_time, self.on_time + self.late + self.overdue)


class TaskOnTimeAccumulator:
    """On-time rate of improvement tasks from ``(due, done_at)`` pairs (``done_at`` None = open).

    >>> from datetime import datetime, timezone
    >>> d = lambda day: datetime(2026, 1, day, tzinfo=timezone.utc)
    >>> acc = TaskOnTimeAccumulator(as_of=d(20))
    >>> for pair in [(d(10), d(9)), (d(10), d(12)), (d(15), None), (d(25), None)]:
    ...     acc.update(pair)
    >>> acc.result(), acc.result().rate.value
    (TaskOnTime(on_time=1, late=1, overdue=1, pending=1), 0.3333333333333333)
    """

    def __init__(self, as_of: datetime | None = None) -> None:
        self.as_of = require_aware(as_of, "as_of") if as_of is not None else None
        self._counts = [0, 0, 0, 0]

    def update(self, item: tuple[datetime, datetime | None]) -> None:
        """Count one ``(due, done_at)`` pair."""
        due, done = item
        if done is not None:
            self._counts[0 if done <= due else 1] += 1
        elif self.as_of is not None and self.as_of > due:
            self._counts[2] += 1
        else:
            self._counts[3] += 1

    def merge(self, other: TaskOnTimeAccumulator) -> TaskOnTimeAccumulator:
        """A new accumulator holding both inputs."""
        if other.as_of != self.as_of:
            raise InvalidInput("cannot merge task counts judged at different moments")
        out = TaskOnTimeAccumulator(self.as_of)
        out._counts = [a + b for a, b in zip(self._counts, other._counts, strict=True)]
        return out

    def result(self) -> TaskOnTime:
        """The counts."""
        return TaskOnTime(*self._counts)
