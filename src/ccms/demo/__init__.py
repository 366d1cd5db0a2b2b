"""The demo company: a Korean TV home-shopping retailer, and a month of its complaints.

A *user* of the library, not part of the engine: its organization, VOC code taxonomy, Seoul
business calendar with Korean public holidays, SLA table, escalation ladder, early-warning rules
(:mod:`ccms.demo.company`), the cases every month plays (:mod:`ccms.demo.scenario`), a seeded
simulation of a month of contacts driven through a Desk (:mod:`ccms.demo.simulation`), and the
figures of the month (:mod:`ccms.demo.summary`, :mod:`ccms.demo.scoring`), and a fake message
sender draining the Desk's notice outbox (:mod:`ccms.demo.sender`). ``ccms demo`` prints
them; tests and examples use the company as realistic data.

>>> import tempfile
>>> from pathlib import Path
>>> from ccms.demo import featured_contacts, run
>>> with tempfile.TemporaryDirectory() as folder:
...     month = run(Path(folder) / "demo.db", year=2026, month=10, seed=7, contacts=6)
...     month.desk.store.close()
>>> month.stats.contacts == 6 + featured_contacts() == sum(month.summary.by_stage.values())
True
>>> month.summary.crisis[0].step  # the burn injury: crisis step 3, with a CC Card
3
>>> sent = month.notices.total  # notices through the outbox, reported by the fake sender
>>> sent.requested == sent.delivered + sent.given_up + sent.pending > 0
True
"""

from __future__ import annotations

from ccms.demo.company import (
    CALENDAR_NAME,
    CHANNEL_WEIGHTS,
    CODE_WEIGHTS,
    ESCALATION_LEVELS,
    NOTICE_CHANNELS,
    REMEDY_CASES,
    SLA_TABLE,
    TIMEZONE,
    WARNING_RULES,
    demo_calendar,
    demo_early_warning,
    demo_escalation,
    demo_notices,
    demo_organization,
    demo_remedy_standards,
    demo_repeats,
    demo_sla,
    demo_sla_table,
    demo_taxonomy,
)
from ccms.demo.scenario import FEATURED, Featured
from ccms.demo.scoring import EFFECT_WINDOW, ScoringSummary, demo_records, scoring_summary
from ccms.demo.sender import FakeSender, SenderStats
from ccms.demo.simulation import TICKS, SimulationStats, featured_contacts, simulate
from ccms.demo.summary import (
    CrisisCase,
    DemoRun,
    DemoSummary,
    collect,
    month_notices,
    notice_lines,
    run,
)
from ccms.demo.wiring import build_desk

__all__ = [
    "CALENDAR_NAME",
    "CHANNEL_WEIGHTS",
    "CODE_WEIGHTS",
    "EFFECT_WINDOW",
    "ESCALATION_LEVELS",
    "FEATURED",
    "NOTICE_CHANNELS",
    "REMEDY_CASES",
    "SLA_TABLE",
    "TICKS",
    "TIMEZONE",
    "WARNING_RULES",
    "CrisisCase",
    "DemoRun",
    "DemoSummary",
    "FakeSender",
    "Featured",
    "ScoringSummary",
    "SenderStats",
    "SimulationStats",
    "build_desk",
    "collect",
    "demo_calendar",
    "demo_early_warning",
    "demo_escalation",
    "demo_notices",
    "demo_organization",
    "demo_records",
    "demo_remedy_standards",
    "demo_repeats",
    "demo_sla",
    "demo_sla_table",
    "demo_taxonomy",
    "featured_contacts",
    "month_notices",
    "notice_lines",
    "run",
    "scoring_summary",
    "simulate",
]
