"""The columnar path's quantiles are the accumulator's nearest ranks, for every group size.

``columnar.kpis`` computes the median and p90 in Polars (the "equiprobable" method, Hyndman and
Fan's definition 1: the ``ceil(q·n)``-th smallest value) instead of building histograms; these
tests pin that it is exactly :func:`~ccms.metrics.accumulators.quantile_rank`, grouped and
ungrouped, for every size up to 600 and for values on both sides of zero.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ccms.metrics import CaseRecord, KpiAccumulator, accumulate, to_polars
from ccms.metrics.accumulators import quantile_rank
from ccms.metrics.columnar import kpis

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def test_equiprobable_is_the_nearest_rank_for_every_group_size() -> None:
    rng = random.Random(14)
    sizes = range(1, 601)
    group, value = [], []
    for n in sizes:
        xs = [rng.randrange(-50_000, 50_000) for _ in range(n)]
        group += [n] * n
        value += xs
    frame = pl.DataFrame({"g": group, "v": value})
    got = frame.group_by("g").agg(
        pl.col("v").quantile(0.5, "equiprobable").alias("m"),
        pl.col("v").quantile(0.9, "equiprobable").alias("p"),
        pl.col("v").sort().alias("s"),
    )
    checked = 0
    for n, m, p, s in got.iter_rows():
        assert m == s[quantile_rank(Fraction(1, 2), n) - 1], n
        assert p == s[quantile_rank(Fraction(9, 10), n) - 1], n
        checked += 1
    assert checked == len(sizes)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(-3 * 86_400, 40 * 86_400), min_size=1, max_size=200),
    st.sampled_from([1, 60, 3600]),
    st.integers(1, 9),
)
@example([59, -1, 60, -61], 60, 2)  # negative company times bin downwards, as the accumulator
def test_columnar_medians_equal_the_accumulator(
    seconds: list[int], resolution: int, groups: int
) -> None:
    records = [
        CaseRecord(
            id=str(i), received_at=T0, channel=f"c{i % groups}", kind="complaint",
            severity="low", segment="general", stage="closed",
            resolved_at=T0 + timedelta(seconds=max(s, 0)), waiting_seconds=max(-s, 0),
            first_response_at=T0 + timedelta(seconds=abs(s)),
        )
        for i, s in enumerate(seconds)
    ]  # fmt: skip
    acc = accumulate(KpiAccumulator(("channel",), resolution=resolution), records).result()
    col = kpis(to_polars(records), ("channel",), resolution=resolution)
    assert col == acc
    for summary in (col.overall.company, col.overall.resolution, col.overall.response):
        assert summary.median is not None
        assert summary.median % resolution == 0
