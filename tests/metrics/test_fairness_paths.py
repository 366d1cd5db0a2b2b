"""One definition per fairness metric on every path: streaming, columnar and Dask.

A metric is a :class:`~ccms.metrics.MetricSpec` whose ``eligible`` and ``value`` build Polars
expressions; the accumulator evaluates them on batches of records, the columnar path on a frame,
Dask on each partition. These tests pin that a metric of one's own gives the same exact cells on
all paths (and the hand-counted ones), that a missing group value is a group of its own counted in
``overall``, and that results compare equal, so the accumulator conformance suite covers fairness.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccms.errors import InvalidInput
from ccms.metrics import (
    CaseRecord,
    FairnessAccumulator,
    MetricSpec,
    accumulate,
    merge_all,
    to_arrow,
    to_polars,
)
from ccms.metrics.columnar import fairness, fairness_cells, feed
from ccms.testing._records_strategies import case_records_lists
from ccms.testing.conformance import AccumulatorSuite

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _escalated_eligible(pl: Any) -> Any:
    return pl.col("resolved_at").is_not_null()


def _escalated_value(pl: Any) -> Any:
    return pl.col("escalation_level") > 0


#: A metric of one's own: how often a resolved complaint had been escalated.
ESCALATED = MetricSpec(
    "escalated", "proportion", "procedural", _escalated_eligible, _escalated_value,
    "were escalated {x} points {dir} often than", ("more", "less"), Fraction(100), " points",
)  # fmt: skip
#: And a mean: reopen count among complaints with a code.
REOPENS = MetricSpec(
    "reopens", "mean", "procedural",
    lambda pl: pl.col("code").is_not_null(), lambda pl: pl.col("reopens"),
    "were reopened {x} times {dir} than", ("more", "fewer"),
)  # fmt: skip


def rec(i: int, channel: str | None, *, resolved: bool = True, level: int = 0,
        reopens: int = 0, code: str | None = "PRD.DEF") -> CaseRecord:  # fmt: skip
    return CaseRecord(
        id=str(i), received_at=T0, channel=channel or "web", kind="complaint", severity="low",
        segment="general", stage="closed", code=code, region=channel,
        resolved_at=T0 + timedelta(hours=3) if resolved else None, escalation_level=level,
        reopens=reopens,
    )  # fmt: skip


# region is the group here: None is a missing group value.
RECORDS = [
    rec(0, "seoul", level=1), rec(1, "seoul"), rec(2, "seoul", level=2), rec(3, "busan"),
    rec(4, "busan", level=1, reopens=2), rec(5, None, level=1), rec(6, None, reopens=1),
    rec(7, "busan", resolved=False, level=1), rec(8, None, code=None, reopens=5),
]  # fmt: skip
# Hand-counted: resolved records per region, escalated among them.
ESCALATED_CELLS = {
    "seoul": {"PRD.DEF": (3, 2)},
    "busan": {"PRD.DEF": (2, 1)},
    "unknown": {"PRD.DEF": (2, 1), None: (1, 0)},
}
# Records with a code: n, sum of reopens, sum of squares.
REOPENS_CELLS = {"seoul": {None: (3, 0, 0)}, "busan": {None: (3, 2, 4)},
                 "unknown": {None: (2, 1, 1)}}  # fmt: skip


def _paths(spec: MetricSpec, control: str | None) -> dict[str, FairnessAccumulator]:
    def make() -> FairnessAccumulator:
        return FairnessAccumulator(spec, by="region", control=control, min_n=1)

    return {
        "streaming": accumulate(make(), RECORDS),
        "streaming, batches of 2": accumulate(
            FairnessAccumulator(spec, by="region", control=control, min_n=1, batch=2), RECORDS
        ),
        "merged": merge_all([accumulate(make(), RECORDS[i::3]) for i in range(3)]),
        "columnar": feed(make(), to_polars(RECORDS)),
        "columnar, lazy from arrow": feed(make(), to_polars(RECORDS).lazy()),
        "arrow table": feed(make(), to_arrow(RECORDS)),
    }


@pytest.mark.parametrize(
    ("spec", "control", "cells"),
    [(ESCALATED, "code", ESCALATED_CELLS), (REOPENS, None, REOPENS_CELLS)],
    ids=["proportion", "mean"],
)
def test_a_custom_metric_gives_the_hand_counted_cells_on_every_path(
    spec: MetricSpec, control: str | None, cells: dict[str, Any]
) -> None:
    for path, acc in _paths(spec, control).items():
        assert acc.cells == cells, path
    assert fairness_cells(to_polars(RECORDS), spec, "region", control).cells == cells
    frames = [acc.result() for acc in _paths(spec, control).values()]
    assert all(f == frames[0] for f in frames)
    assert frames[0].overall.n == sum(c[0] for strata in cells.values() for c in strata.values())


def test_a_custom_metric_on_dask_bag_and_frame() -> None:
    db = pytest.importorskip("dask.bag")
    from ccms.metrics.dask import accumulate_bag, accumulate_frame, to_dask

    def make() -> FairnessAccumulator:
        return FairnessAccumulator(ESCALATED, by="region", min_n=1)

    one = accumulate(make(), RECORDS).result()
    bag = accumulate_bag(db.from_sequence(RECORDS, npartitions=3), make, scheduler="sync")
    frame = accumulate_frame(to_dask(to_polars(RECORDS), 3), make, scheduler="sync")
    polars_direct = accumulate_frame(to_polars(RECORDS), make, npartitions=4, scheduler="sync")
    for got in (bag, frame, polars_direct):
        assert got.cells == ESCALATED_CELLS
        assert got.result() == one


def test_the_missing_group_counts_in_overall_for_builtin_metrics() -> None:
    acc = accumulate(FairnessAccumulator("resolution_time", by="region", control=None), RECORDS)
    frame = acc.result()
    assert set(frame.by_group) == {"busan", "seoul", "unknown"}
    assert frame.overall.n == 8 == sum(g.n for g in frame.by_group.values())
    col = fairness(to_polars(RECORDS), "resolution_time", "region", None)
    assert col == frame
    assert col.overall.n == 8


def test_results_compare_equal_only_with_the_same_cells_and_settings() -> None:
    a = accumulate(FairnessAccumulator("remedy_rate"), RECORDS).result()
    assert a == accumulate(FairnessAccumulator("remedy_rate"), list(reversed(RECORDS))).result()
    assert a != accumulate(FairnessAccumulator("remedy_rate", min_n=5), RECORDS).result()
    assert a != accumulate(FairnessAccumulator("remedy_rate"), RECORDS[:-1]).result()
    assert a != accumulate(FairnessAccumulator("transfers"), RECORDS).result()
    krw = accumulate(FairnessAccumulator("remedy_amount", currency="KRW"), RECORDS).result()
    assert krw == accumulate(FairnessAccumulator("remedy_amount", currency="KRW"), RECORDS).result()
    assert krw != accumulate(FairnessAccumulator("remedy_amount", currency="USD"), RECORDS).result()


def test_a_definition_that_is_not_an_expression_is_refused() -> None:
    per_record = MetricSpec(
        "old_style", "proportion", "procedural", lambda r: r.resolved_at is not None,
        lambda r: r.escalation_level > 0, "x {x} {dir}", ("more", "less"),
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="eligible must be a function that takes the polars"):
        FairnessAccumulator(per_record)
    floats = MetricSpec(
        "hours", "mean", "procedural", lambda pl: pl.lit(True),
        lambda pl: pl.col("waiting_seconds") / 3600, "x {x} {dir}", ("more", "less"),
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="value must be an integer or boolean expression"):
        accumulate(FairnessAccumulator(floats), RECORDS).result()
    unknown = MetricSpec(
        "colour", "proportion", "procedural", lambda pl: pl.lit(True),
        lambda pl: pl.col("colour") == "red", "x {x} {dir}", ("more", "less"),
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="unknown record attribute 'colour' for metric"):
        FairnessAccumulator(unknown)


def test_custom_metric_accumulators_pickle_with_module_level_definitions() -> None:
    acc = accumulate(FairnessAccumulator(ESCALATED, by="region"), RECORDS[:4])
    copy = pickle.loads(pickle.dumps(acc))
    assert copy.cells == acc.cells
    assert (
        accumulate(copy, RECORDS[4:]).result()
        == accumulate(FairnessAccumulator(ESCALATED, by="region"), RECORDS).result()
    )


@settings(max_examples=20, deadline=None)
@given(case_records_lists(max_size=25), st.integers(1, 7), st.sampled_from(["region", "handler"]))
def test_batching_never_changes_the_cells(records: list[CaseRecord], batch: int, by: str) -> None:
    whole = accumulate(FairnessAccumulator("company_time", by=by, batch=10_000), records)
    small = accumulate(FairnessAccumulator("company_time", by=by, batch=batch), records)
    assert small.cells == whole.cells
    assert small.result() == whole.result()
    assert fairness_cells(to_polars(records), "company_time", by).cells == whole.cells


FACTORIES: dict[str, Callable[[], FairnessAccumulator]] = {
    "builtin_by_region": lambda: FairnessAccumulator("resolution_time", by="region"),
    "remedy_amount": lambda: FairnessAccumulator("remedy_amount", by="handler", currency="KRW"),
    "custom_small_batches": lambda: FairnessAccumulator(ESCALATED, by="segment", batch=3),
}


class TestFairnessAccumulatorsConform(AccumulatorSuite):
    max_examples = 10

    @pytest.fixture(params=sorted(FACTORIES))
    def make_accumulator(self, request: pytest.FixtureRequest) -> Any:
        return FACTORIES[request.param]
