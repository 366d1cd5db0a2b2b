"""``ccms.report``: weekly, monthly and quarterly information-sharing reports (정보공유).

:func:`build_report` turns case records (:mod:`ccms.metrics`) into a frozen :class:`Report`:
main issues (top codes, spikes, Pareto), complaint rates, handling and SLA status, fairness flags,
improvement measures, CS points, idea suggestions and institutional improvements. :func:`render_markdown`, :func:`render_html` (one self-contained page,
charts drawn by matplotlib) and :func:`render_json` write it out.

>>> from datetime import datetime, timezone
>>> report = build_report([], period="week", as_of=datetime(2026, 10, 5, tzinfo=timezone.utc))
>>> report.title, report.volume.total
('Weekly VOC report 2026-W40', 0)
"""

from __future__ import annotations

from ccms.report.build import (
    DEFAULT_FAIRNESS,
    UNCLASSIFIED,
    UNKNOWN_GROUP,
    ZonedCalendar,
    build_report,
    code_name,
    taxonomy_names,
)
from ccms.report.charts import Chart, render_charts
from ccms.report.export import FORMATS, Format, render_json, write_report
from ccms.report.html import render_html
from ccms.report.markdown import render_markdown
from ccms.report.period import PERIOD_KINDS, Period, PeriodKind, parse_period
from ccms.report.sections import (
    IDEA_STAGES,
    INSTITUTIONAL_STAGES,
    CodeCount,
    ComplaintRate,
    Count,
    CsPoints,
    EntryLike,
    EntryStatusLike,
    ExplanationLike,
    Fairness,
    FairnessFlag,
    FairnessGap,
    FieldBreakdown,
    FieldValue,
    Handling,
    IdeaRow,
    Ideas,
    ImprovementLike,
    ImprovementRow,
    Improvements,
    Institutional,
    InstitutionalLike,
    InstitutionalRow,
    Issues,
    ItemLike,
    LedgerLike,
    PointsRow,
    Report,
    RulePoints,
    SlaStatus,
    Spike,
    StageCount,
    StandingLike,
    StepLike,
    TaskState,
    TimelyBasis,
    TrendPoint,
    Volume,
)
from ccms.report.source import ALL, ReportSourceNotFound, parse_as_of, report_from_store

__all__ = [
    "ALL",
    "DEFAULT_FAIRNESS",
    "FORMATS",
    "IDEA_STAGES",
    "INSTITUTIONAL_STAGES",
    "PERIOD_KINDS",
    "UNCLASSIFIED",
    "UNKNOWN_GROUP",
    "Chart",
    "CodeCount",
    "ComplaintRate",
    "Count",
    "CsPoints",
    "EntryLike",
    "EntryStatusLike",
    "ExplanationLike",
    "Fairness",
    "FairnessFlag",
    "FairnessGap",
    "FieldBreakdown",
    "FieldValue",
    "Format",
    "Handling",
    "IdeaRow",
    "Ideas",
    "ImprovementLike",
    "ImprovementRow",
    "Improvements",
    "Institutional",
    "InstitutionalLike",
    "InstitutionalRow",
    "Issues",
    "ItemLike",
    "LedgerLike",
    "Period",
    "PeriodKind",
    "PointsRow",
    "Report",
    "ReportSourceNotFound",
    "RulePoints",
    "SlaStatus",
    "Spike",
    "StageCount",
    "StandingLike",
    "StepLike",
    "TaskState",
    "TimelyBasis",
    "TrendPoint",
    "Volume",
    "ZonedCalendar",
    "build_report",
    "code_name",
    "parse_as_of",
    "parse_period",
    "render_charts",
    "render_html",
    "render_json",
    "render_markdown",
    "report_from_store",
    "taxonomy_names",
    "write_report",
]
