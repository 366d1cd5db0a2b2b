"""The demo Desk: ``Desk.standard`` on SQLite with the demo company's data and policy tables.

Everything the policies need (the context index, the schedule of time-driven policies) comes
with :meth:`ccms.desk.Desk.standard`; the demo only says which company and which tables.

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as tmp:
...     desk, clock = build_desk(Path(tmp) / "demo.db", year=2026, month=10)
...     [type(s).__name__ for s in desk.sweepers], clock.now().isoformat()
...     desk.store.close()
(['SlaPolicy', 'EarlyWarning', 'EscalationLadder', 'RepeatDetector'], '2026-10-01T00:00:00+09:00')
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ccms.demo.company import (
    TIMEZONE,
    demo_calendar,
    demo_early_warning,
    demo_escalation,
    demo_notices,
    demo_organization,
    demo_remedy_standards,
    demo_repeats,
    demo_sla,
    demo_taxonomy,
)
from ccms.desk import ContextIndex, Desk, ManualClock
from ccms.store import SQLiteStore

__all__ = ["build_desk"]


def build_desk(
    db: Path, *, year: int, month: int, notices: bool = True
) -> tuple[Desk, ManualClock]:
    """The demo Desk: SQLite at ``db``, the demo organization, taxonomy and policy tables.

    Department routing falls back to customer service (``cs``); the code counts of the early
    warning and the spike test start at the month's first day (no baseline before the data).
    With ``notices`` (the default) the Desk requests customer notices (:func:`demo_notices`)
    and checks results against the example remedy standards (:func:`demo_remedy_standards`).
    """
    start = datetime(year, month, 1, tzinfo=ZoneInfo(TIMEZONE))
    clock = ManualClock(start)
    calendar = demo_calendar()
    sla = demo_sla(calendar)
    repeats = demo_repeats()
    desk = Desk.standard(
        SQLiteStore(db),
        organization=demo_organization(),
        taxonomy=demo_taxonomy(),
        calendar=calendar,
        clock=clock,
        sla=sla,
        escalation=demo_escalation(sla),
        early_warning=demo_early_warning(),
        repeats=repeats,
        fallback_department="cs",
        index=ContextIndex(start=start, repeat_window=repeats.window),
        notices=demo_notices() if notices else None,
        remedy_standards=demo_remedy_standards() if notices else None,
    )
    return desk, clock
