"""Backlog: complaints open at a moment, and how long they have been open.

:class:`BacklogAccumulator` counts the complaints received by ``as_of`` and not closed by then,
per group, with the exact distribution of their ages (a :class:`~ccms.metrics.Durations`
histogram: mean, median, p90) and the oldest. Mergeable like every accumulator; the columnar
path (:func:`ccms.metrics.columnar.backlog`) computes the same figures from a frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs

from ccms.errors import InvalidInput, require_aware
from ccms.metrics.accumulators import (
    Durations,
    Summary,
    check_resolution,
    group_key,
    sort_key,
    zone_of,
)
from ccms.metrics.records import CaseRecord

__all__ = ["BacklogAccumulator", "BacklogFigures"]

_SEC: Final = timedelta(seconds=1)


@attrs.frozen
class BacklogFigures:
    """Open complaints at a moment and how old they are (calendar seconds)."""

    as_of: datetime
    open: int
    age: Summary
    oldest: int | None


class BacklogAccumulator:
    """Backlog and backlog age at ``as_of``: complaints received by then and not closed by then.

    >>> from datetime import datetime, timezone
    >>> from ccms.metrics import CaseRecord
    >>> t = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> acc = BacklogAccumulator(datetime(2026, 1, 6, tzinfo=timezone.utc), by=("channel",))
    >>> acc.update(CaseRecord(id="1", received_at=t, channel="web", kind="complaint",
    ...                       severity="low", segment="general", stage="in_progress"))
    >>> acc.result()[("web",)].open, acc.result()[("web",)].age.mean / 3600
    (1, 24.0)
    """

    def __init__(
        self,
        as_of: datetime,
        by: Sequence[str] = (),
        *,
        zone: str | ZoneInfo = "UTC",
        resolution: timedelta | int = timedelta(minutes=1),
    ) -> None:
        self.as_of = require_aware(as_of, "as_of")
        self.by = tuple(by)
        self.zone = zone_of(zone)
        self.resolution = check_resolution(resolution)
        self._key = group_key(self.by, (a.name for a in attrs.fields(CaseRecord)), self.zone)
        self._groups: dict[Any, list[Any]] = {}  # key -> [Durations, oldest]

    def update(self, r: CaseRecord) -> None:
        """Count ``r`` if it was open at ``as_of``."""
        if r.received_at > self.as_of or (r.closed_at is not None and r.closed_at <= self.as_of):
            return
        age = (self.as_of - r.received_at) // _SEC
        k = self._key(r)
        g = self._groups.get(k)
        if g is None:
            g = self._groups[k] = [Durations(self.resolution), age]
        g[0].add(age)
        if age > g[1]:
            g[1] = age

    def merge(self, other: BacklogAccumulator) -> BacklogAccumulator:
        """A new accumulator holding both inputs."""
        settings = (self.as_of, self.by, str(self.zone), self.resolution)
        if (other.as_of, other.by, str(other.zone), other.resolution) != settings:
            raise InvalidInput("cannot merge backlogs taken at different moments or groupings")
        out = BacklogAccumulator(self.as_of, self.by, zone=self.zone, resolution=self.resolution)
        for src in (self._groups, other._groups):
            for k, (d, oldest) in src.items():
                mine = out._groups.get(k)
                if mine is None:
                    out._groups[k] = [d.merged(Durations(self.resolution)), oldest]
                else:
                    out._groups[k] = [mine[0].merged(d), max(mine[1], oldest)]
        return out

    def result(self) -> dict[tuple[Any, ...], BacklogFigures]:
        """Backlog per group (tuple keys); ``()`` holds the total when ``by`` is empty."""
        single = len(self.by) == 1
        return {
            ((k,) if single else k): BacklogFigures(self.as_of, d.n, d.summary(), oldest)
            for k, (d, oldest) in sorted(self._groups.items(), key=lambda kv: sort_key(kv[0]))
        }

    def __getstate__(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "by": self.by,
            "zone": str(self.zone),
            "resolution": self.resolution,
            "groups": self._groups,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["as_of"], state["by"], zone=state["zone"], resolution=state["resolution"]
        )
        self._groups.update(state["groups"])
