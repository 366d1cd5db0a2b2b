"""``ccms.report``: weekly, monthly and quarterly information-sharing reports (정보공유).

:func:`build_report` turns case records (:mod:`ccms.metrics`) into a frozen :class:`Report`:
main issues (top codes, spikes, Pareto), complaint rates, handling and SLA status, fairness flags
and improvement measures. :func:`render_markdown`, :func:`render_html` (one self-contained page,
charts drawn by matplotlib) and :func:`render_json` write it out.

>>> from datetime import datetime, timezone
>>> report = build_report([], period="week", as_of=datetime(2026, 10, 5, tzinfo=timezone.utc))
>>> report.title, report.volume.total
('Weekly VOC report 2026-W40', 0)
"""

from __future__ import annotations

from ccms.report.build import DEFAULT_FAIRNESS, UNCLASSIFIED, ZonedCalendar, build_report
from ccms.report.charts import Chart, render_charts
from ccms.report.export import FORMATS, Format, render_json, write_report
from ccms.report.html import render_html
from ccms.report.markdown import render_markdown
from ccms.report.period import PERIOD_KINDS, Period, PeriodKind, parse_period
from ccms.report.sections import (
    CodeCount,
    ComplaintRate,
    Count,
    Fairness,
    FairnessFlag,
    FairnessGap,
    Handling,
    ImprovementLike,
    ImprovementRow,
    Improvements,
    Issues,
    Report,
    SlaStatus,
    Spike,
    TaskState,
    TrendPoint,
    Volume,
)
from ccms.report.source import ReportSourceNotFound, parse_as_of, report_from_store

__all__ = [
    "DEFAULT_FAIRNESS",
    "FORMATS",
    "PERIOD_KINDS",
    "UNCLASSIFIED",
    "Chart",
    "CodeCount",
    "ComplaintRate",
    "Count",
    "Fairness",
    "FairnessFlag",
    "FairnessGap",
    "Format",
    "Handling",
    "ImprovementLike",
    "ImprovementRow",
    "Improvements",
    "Issues",
    "Period",
    "PeriodKind",
    "Report",
    "ReportSourceNotFound",
    "SlaStatus",
    "Spike",
    "TaskState",
    "TrendPoint",
    "Volume",
    "ZonedCalendar",
    "build_report",
    "parse_as_of",
    "parse_period",
    "render_charts",
    "render_html",
    "render_json",
    "render_markdown",
    "report_from_store",
    "write_report",
]
