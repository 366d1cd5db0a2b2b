"""``ccms.metrics``: KPI and fairness calculators as exact, mergeable accumulators.

Input is one flat :class:`CaseRecord` per complaint (projected from a complaint and its events by
:func:`case_record`, or supplied as an Arrow/Polars table with the documented schema). Every
calculator is a single-pass accumulator (``update``, ``merge``, ``result``) with O(groups) state,
so partitions can be combined exactly on one machine or a Dask cluster
(:mod:`ccms.metrics.dask`). :mod:`ccms.metrics.columnar` computes the same figures from a Polars
frame at columnar speed.

>>> from datetime import datetime, timedelta, timezone
>>> t = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> r = CaseRecord(id="c1", received_at=t, channel="phone", kind="complaint", severity="low",
...                segment="general", stage="closed", resolved_at=t + timedelta(hours=5))
>>> KpiAccumulator(by=("channel",)).merge(accumulate(KpiAccumulator(by=("channel",)), [r])
...     ).result().by_group[("phone",)].resolution.median
18000
"""

from __future__ import annotations

from ccms.metrics.accumulators import (
    PERIOD_KEYS,
    Accumulator,
    Durations,
    Summary,
    accumulate,
    merge_all,
)
from ccms.metrics.backlog import BacklogAccumulator, BacklogFigures
from ccms.metrics.fairness import (
    METRICS,
    MISSING_GROUP,
    FairnessAccumulator,
    FairnessMetric,
    SurveyBias,
    SurveyBiasAccumulator,
    Workload,
    WorkloadAccumulator,
)
from ccms.metrics.frame import Comparison, FairnessFrame, GroupValue, Method, MetricSpec
from ccms.metrics.kpi import (
    FIGURES,
    TIMELY_WITHIN,
    CaseStats,
    Figure,
    KpiAccumulator,
    Kpis,
    KpiTable,
    Rate,
    complaint_rates,
)
from ccms.metrics.notices import NoticeAccumulator, NoticeFigures, notice_figures, notice_history
from ccms.metrics.records import (
    COURTESY_PREFIX,
    CalendarLike,
    CaseRecord,
    StoreLike,
    arrow_schema,
    case_record,
    case_records,
    from_arrow,
    from_polars,
    to_arrow,
    to_polars,
)
from ccms.metrics.stats import benjamini_hochberg, gini, holm, wilson_interval
from ccms.metrics.tasks import TaskOnTime, TaskOnTimeAccumulator

__all__ = [
    "COURTESY_PREFIX",
    "FIGURES",
    "METRICS",
    "MISSING_GROUP",
    "PERIOD_KEYS",
    "TIMELY_WITHIN",
    "Accumulator",
    "BacklogAccumulator",
    "BacklogFigures",
    "CalendarLike",
    "CaseRecord",
    "CaseStats",
    "Comparison",
    "Durations",
    "FairnessAccumulator",
    "FairnessFrame",
    "FairnessMetric",
    "Figure",
    "GroupValue",
    "KpiAccumulator",
    "KpiTable",
    "Kpis",
    "Method",
    "MetricSpec",
    "NoticeAccumulator",
    "NoticeFigures",
    "Rate",
    "StoreLike",
    "Summary",
    "SurveyBias",
    "SurveyBiasAccumulator",
    "TaskOnTime",
    "TaskOnTimeAccumulator",
    "Workload",
    "WorkloadAccumulator",
    "accumulate",
    "arrow_schema",
    "benjamini_hochberg",
    "case_record",
    "case_records",
    "complaint_rates",
    "from_arrow",
    "from_polars",
    "gini",
    "holm",
    "merge_all",
    "notice_figures",
    "notice_history",
    "to_arrow",
    "to_polars",
    "wilson_interval",
]
