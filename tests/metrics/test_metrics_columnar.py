"""The columnar path gives exactly the accumulators' figures."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.metrics import (
    BacklogAccumulator,
    CaseRecord,
    FairnessAccumulator,
    KpiAccumulator,
    accumulate,
    to_polars,
)
from ccms.metrics.columnar import backlog, fairness, fairness_cells, kpi_stats, kpis
from ccms.testing._records_strategies import case_records_lists

BYS = st.sampled_from(
    [(), ("channel",), ("code",), ("channel", "segment"), ("month",), ("week", "handler"), ("day",)]
)
AS_OF = datetime(2026, 2, 15, tzinfo=UTC)


@given(
    case_records_lists(),
    BYS,
    st.sampled_from(["UTC", "Asia/Seoul"]),
    st.sampled_from([1, 60, 3600]),
)
def test_columnar_kpis_equal_accumulator(records: list[CaseRecord], by, zone, resolution) -> None:
    acc = accumulate(KpiAccumulator(by, zone=zone, resolution=resolution, as_of=AS_OF), records)
    frame = to_polars(records)
    stats = kpi_stats(frame, by, zone=zone, resolution=resolution, as_of=AS_OF)
    assert stats == dict(acc.groups)
    assert kpis(frame.lazy(), by, zone=zone, resolution=resolution, as_of=AS_OF) == acc.result()


@given(
    case_records_lists(),
    st.sampled_from(
        ["remedy_rate", "remedy_amount", "resolution_time", "company_time", "transfers",
         "waiting_time", "withdrawal_rate", "supervisor_honoured", "courtesy_upheld",
         "courtesy_csat", "response_rate", "satisfaction", "csat"]
    ),
    st.sampled_from(["channel", "segment", "handler"]),
    st.sampled_from(["code", None]),
)  # fmt: skip
def test_columnar_fairness_cells_equal_accumulator(records, metric, by, control) -> None:
    currency = "KRW" if metric == "remedy_amount" else None
    acc = accumulate(FairnessAccumulator(metric, by, control, currency=currency), records)
    col = fairness_cells(to_polars(records), metric, by, control, currency=currency)
    assert col.cells == acc.cells
    frame_a = acc.result()
    frame_c = fairness(to_polars(records), metric, by, control, currency=currency)
    assert frame_c == frame_a
    assert frame_c.by_group == frame_a.by_group
    assert frame_c.overall == frame_a.overall
    assert frame_c.flags == frame_a.flags


@given(case_records_lists(), st.sampled_from([(), ("channel",), ("month", "segment")]))
def test_columnar_backlog_equal_accumulator(records, by) -> None:
    acc = accumulate(BacklogAccumulator(AS_OF, by), records)
    assert backlog(to_polars(records), AS_OF, by) == acc.result()


def test_columnar_kpis_of_an_empty_frame_are_empty() -> None:
    table = kpis(to_polars([]), ("channel",))
    assert table.by_group == {}
    assert table.overall.count == 0


def test_columnar_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown group key 'colour'"):
        kpis(pl.DataFrame({"a": [1]}), ("colour",))
