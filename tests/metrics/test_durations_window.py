"""Durations keep crowded bins in a dense window of 16-bit counts and the rest in a dict.

The split is an implementation of memory, never of figures: every test here compares against a
plain ``Counter`` of bins (the definition), through windows being chosen, widened, merged,
copied and pickled, and through counts that carry past 65,535.
"""

from __future__ import annotations

import pickle
from collections import Counter
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from ccms.metrics import CaseRecord, Durations, KpiAccumulator, accumulate, to_polars
from ccms.metrics.accumulators import quantile_rank
from ccms.metrics.columnar import kpi_stats

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
QS = (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10), Fraction(1))


def _oracle_quantiles(counter: Counter[int], resolution: int) -> tuple[int | None, ...]:
    values = sorted(counter.elements())
    if not values:
        return tuple(None for _ in QS)
    return tuple(values[quantile_rank(q, len(values)) - 1] * resolution for q in QS)


def _filled(bins: list[tuple[int, int]], resolution: int = 60) -> tuple[Durations, Counter[int]]:
    d = Durations(resolution)
    counter: Counter[int] = Counter()
    for b, c in bins:
        d.add_bin(b, c)
        d.n += c
        counter[b] += c
    return d, counter


# Bins drawn from a crowded core and a sparse tail, so windows are chosen and widened; counts up
# to 70,000 so some slots carry.
_bins = st.lists(
    st.tuples(
        st.one_of(st.integers(0, 300), st.integers(0, 50_000)),
        st.one_of(st.integers(1, 3), st.integers(60_000, 70_000)),
    ),
    max_size=400,
)


@given(_bins)
@example([(b, 1) for b in range(200)] + [(100, 70_000), (100, 70_000)])
def test_counts_and_quantiles_equal_a_plain_counter(bins: list[tuple[int, int]]) -> None:
    d, counter = _filled(bins)
    assert d.counts() == dict(sorted((b, c) for b, c in counter.items() if c))
    assert d.quantiles(QS) == _oracle_quantiles(counter, 60)


def test_a_crowded_histogram_moves_into_the_window_and_a_far_bin_stays_a_dict_entry() -> None:
    d = Durations(60)
    for s in range(0, 60 * 500, 60):  # 500 consecutive bins
        d.add(s)
    d.add(60 * 1_000_000)  # one far outlier
    assert d.size >= 450  # the crowded bins are slots of the window now
    assert 1_000_000 in d.hist
    assert d.lo + d.size <= 1_000_000
    assert len(d.hist) < 64
    assert d.summary().median == 60 * 250


@given(_bins, _bins)
def test_merged_and_absorbed_equal_the_union(
    left: list[tuple[int, int]], right: list[tuple[int, int]]
) -> None:
    a, ca = _filled(left)
    b, cb = _filled(right)
    before = (a.counts(), b.counts())
    merged = a.merged(b)
    assert merged.counts() == dict(sorted((k, v) for k, v in (ca + cb).items()))
    assert merged == b.merged(a)
    assert (a.counts(), b.counts()) == before  # operands unchanged
    into = a.copy()
    into.absorb(b)
    assert into == merged
    assert into.quantiles(QS) == _oracle_quantiles(ca + cb, 60)


def test_windows_far_apart_merge_without_one_huge_window() -> None:
    a, _ = _filled([(b, 1) for b in range(100)])
    b, _ = _filled([(b, 1) for b in range(1_000_000, 1_000_100)])
    merged = a.merged(b)
    assert merged.size < 1_000  # b's bins became dict entries, not a window a million slots wide
    assert merged.counts() == {**a.counts(), **b.counts()}


def test_a_copy_shares_nothing_and_pickling_keeps_the_state() -> None:
    d, counter = _filled([(b, 2) for b in range(300)])
    twin = d.copy()
    twin.add_bin(5, 1)
    assert d.counts()[5] == 2
    assert twin.counts()[5] == 3
    back = pickle.loads(pickle.dumps(d))
    assert back == d
    assert back.counts() == dict(counter)


def test_a_count_written_into_the_dict_directly_still_counts() -> None:
    d, _ = _filled([(b, 1) for b in range(100)])
    assert d.size  # a window exists
    d.hist[d.lo] = d.hist.get(d.lo, 0) + 5  # inside the window: dense + dict add up
    d.n += 5
    assert d.counts()[d.lo] == 6
    assert d.quantile(Fraction(1, 100)) == d.lo * 60


def test_the_kpi_update_carries_a_crowded_bin_past_65535() -> None:
    # 100 distinct resolution times make a window; then 66,000 complaints in one of its bins.
    def rec(i: int, minutes: int) -> CaseRecord:
        return CaseRecord(id=str(i), received_at=T0, channel="web", kind="complaint",
                          severity="low", segment="general", stage="closed",
                          resolved_at=T0 + timedelta(minutes=minutes))  # fmt: skip

    records = [rec(i, 10 + i) for i in range(100)]
    records += [rec(100 + i, 50) for i in range(66_000)]
    acc = accumulate(KpiAccumulator(by=("channel",), figures=("resolution",)), records)
    d = acc.groups["web"].resolution
    assert d.size
    assert d.lo <= 50 < d.lo + d.size  # the bin is a slot of the window
    assert d.counts()[50] == 66_001
    assert d.hist.get(50) == 65_536  # the carry
    summary = acc.result().by_group[("web",)].resolution
    assert summary.n == 66_100
    assert summary.median == summary.p90 == 50 * 60


def test_the_columnar_state_keeps_crowded_bins_in_a_window_too() -> None:
    records = [
        CaseRecord(id=str(i), received_at=T0, channel="web", kind="complaint", severity="low",
                   segment="general", stage="closed",
                   resolved_at=T0 + timedelta(minutes=10 + i % 500))
        for i in range(1_500)
    ]  # fmt: skip
    groups = kpi_stats(to_polars(records), ("channel",), figures=("resolution",))
    d = groups["web"].resolution
    assert d.size >= 450  # not 500 dict entries
    assert len(d.hist) < 64
    streamed = accumulate(KpiAccumulator(("channel",), figures=("resolution",)), records)
    assert groups == dict(streamed.groups)
