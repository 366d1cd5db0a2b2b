"""The edges of the statistics: impossible inputs are typed errors, thin data is "not enough data".

Each input below was once a bare Python error or a silent answer; each is now an
:class:`~ccms.errors.InvalidInput` naming the value and the rule, or a documented answer.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import InvalidInput
from ccms.metrics import CaseRecord, FairnessAccumulator, accumulate
from ccms.metrics.stats import (
    adjust,
    benjamini_hochberg,
    gini,
    holm,
    newcombe_interval,
    normal_quantile,
    stratified_difference,
    student_t_quantile,
    student_t_sf,
    two_sided_p,
    weighted_gini,
    welch_test,
    wilson_interval,
)
from ccms.policy import poisson_tail
from ccms.scoring.improvement import rate_reduction_test

NAN, INF = math.nan, math.inf


def test_normal_quantile_next_to_one_and_next_to_zero() -> None:
    assert normal_quantile(1 - 2**-53) == pytest.approx(8.292361075813595, rel=1e-14)
    assert normal_quantile(1e-300) == pytest.approx(1e-300 * math.sqrt(math.pi / 2), rel=1e-14)
    for bad in (0.0, 1.0, -0.5, 1.5, NAN, INF, "0.95", True):
        with pytest.raises(InvalidInput, match=r"confidence must lie strictly between 0 and 1"):
            normal_quantile(bad)  # type: ignore[arg-type]


def test_two_sided_p_keeps_tiny_values() -> None:
    # 1 - Φ(z) was 7% off at z = 8 and exactly 0 beyond 8.3
    assert two_sided_p(8) == pytest.approx(1.244192114854348e-15, rel=1e-12)  # scipy
    assert two_sided_p(9) == pytest.approx(2.2571768119076647e-19, rel=1e-12)
    assert two_sided_p(-9) == two_sided_p(9)
    assert two_sided_p(INF) == 0.0
    with pytest.raises(InvalidInput, match=r"z must be a finite number, got nan"):
        two_sided_p(NAN)


def test_rate_reduction_test_edges() -> None:
    assert rate_reduction_test(1, 1e-300, 0, 1) == pytest.approx(1e-300, rel=1e-12)
    with pytest.raises(InvalidInput, match=r"exposure_before must be a finite number > 0.*nan"):
        rate_reduction_test(1, NAN, 1, 1)
    with pytest.raises(InvalidInput, match=r"exposure_after must be a finite number > 0.*inf"):
        rate_reduction_test(1, 1, 1, INF)
    with pytest.raises(InvalidInput, match=r"count_before must be an integer count >= 0, got 1.5"):
        rate_reduction_test(1.5, 1, 1, 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"count_after must be an integer count >= 0, got -1"):
        rate_reduction_test(1, 1, -1, 1)
    with pytest.raises(InvalidInput, match=r"target_reduction must be in \[0, 1\), got nan"):
        rate_reduction_test(1, 1, 1, 1, NAN)
    # exposures whose sum overflows a float still give the answer
    assert rate_reduction_test(1, 1e308, 0, 1e308) == pytest.approx(0.5)


def test_poisson_tail_edges() -> None:
    with pytest.raises(InvalidInput, match=r"k ≥ 0, got 2.0"):
        poisson_tail(2.0, 1.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"finite lam ≥ 0.*got nan"):
        poisson_tail(2, NAN)
    with pytest.raises(InvalidInput, match=r"up to 1e"):
        poisson_tail(2, 1e11)
    assert poisson_tail(10**6, 1.0) == 0.0  # e^-1/10^6! underflows: the float answer


def test_gini_refuses_negative_nan_and_infinite_values() -> None:
    for bad in ([-1, 1], [NAN, 1], [INF, 1], [True, 1], ["1"]):
        with pytest.raises(InvalidInput, match=r"Gini needs finite, non-negative values"):
            gini(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"one weight per value, got 2 values and 1 weights"):
        weighted_gini([1, 2], [1])
    with pytest.raises(InvalidInput, match=r"weights > 0"):
        weighted_gini([1, 2], [1, 0])
    assert weighted_gini([], []) == 0.0
    assert weighted_gini([0, 0], [1, 3]) == 0.0


def test_wilson_and_newcombe_take_integer_counts_only() -> None:
    with pytest.raises(InvalidInput, match=r"n must be a non-negative integer, got 1.5"):
        wilson_interval(1, 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"successes must be a non-negative integer, got True"):
        wilson_interval(True, 2)
    with pytest.raises(InvalidInput, match=r"need 0 <= successes <= n, got successes=4, n=3"):
        wilson_interval(4, 3)
    with pytest.raises(InvalidInput, match=r"n_a and n_b >= 1"):
        newcombe_interval(0, 0, 1, 2)
    assert newcombe_interval(0, 10, 5, 10) == pytest.approx((-0.763407, -0.117367), abs=1e-6)


def test_stratified_difference_refuses_impossible_cells() -> None:
    with pytest.raises(InvalidInput, match=r"need 0 <= successes <= n, got successes=4, n=3"):
        stratified_difference({"X": [3, 4]}, {"X": [3, 1]}, "proportion")
    with pytest.raises(InvalidInput, match=r"unknown kind 'median'; allowed: proportion, mean"):
        stratified_difference({"X": [3, 1]}, {"X": [3, 1]}, "median")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidInput, match=r"stratum 'X': a mean cell is \[n, sum, sum of squares\]"
    ):
        stratified_difference({"X": [3, 1]}, {"X": [3, 1, 1]}, "mean")
    with pytest.raises(InvalidInput, match=r"stratum 'X': a proportion cell"):
        stratified_difference({"X": [3, 1.5]}, {"X": [3, 1]}, "proportion")
    with pytest.raises(InvalidInput, match=r"the sum of squares 1 is below sum²/n"):
        stratified_difference({"X": [2, 4, 1]}, {"X": [2, 1, 1]}, "mean")


def test_adjustments_refuse_nan_and_out_of_range_p_values() -> None:
    for fn in (holm, benjamini_hochberg, lambda ps: adjust(ps, "none")):
        with pytest.raises(
            InvalidInput, match=r"p-values must lie in \[0, 1\], got nan at position 0"
        ):
            fn([NAN, 0.01, 0.02])
        with pytest.raises(InvalidInput, match=r"got 1.5 at position 1"):
            fn([0.5, 1.5])


def test_t_distribution_refuses_bad_degrees_of_freedom() -> None:
    for bad in (0, -1, NAN, INF):
        with pytest.raises(InvalidInput, match=r"df must be a finite number"):
            student_t_sf(1.0, bad)
        with pytest.raises(InvalidInput, match=r"df must be a finite number"):
            student_t_quantile(0.95, bad)


# ------------------------------------------------------------------- not enough data


def test_welch_needs_two_cases_a_group_and_some_spread() -> None:
    with pytest.raises(InvalidInput, match=r"not enough data: Welch's test needs 2 cases a group"):
        welch_test(1, 2.0, 0.0, 3, 4.0, 1.0)
    with pytest.raises(InvalidInput, match=r"not enough data: no spread within either group"):
        welch_test(3, 5.0, 0.0, 3, 1.0, 0.0)
    w = welch_test(3, 5.0, 0.0, 3, 2.0, 1.0)  # one group without spread: df from the other
    assert w.df == pytest.approx(2.0)


def cell(values: list[int]) -> list[int]:
    return [len(values), sum(values), sum(v * v for v in values)]


def test_no_spread_or_one_case_is_not_enough_data_never_a_difference() -> None:
    flat = stratified_difference({"X": cell([5, 5, 5])}, {"X": cell([1, 1, 1])}, "mean")
    assert (flat.p_value, flat.se, flat.interval()) == (None, None, None)
    assert flat.reason == "not enough data: no spread within either group (variance 0)"
    single = stratified_difference({"X": cell([5])}, {"X": cell([1, 2, 3])}, "mean")
    assert single.p_value is None
    assert single.reason is not None
    assert single.reason.startswith("not enough data: a group has a single case")
    empty = stratified_difference({"X": [0, 0]}, {"X": [4, 1]}, "proportion")
    assert (empty.strata, empty.p_value, empty.interval()) == (0, None, None)


T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _records(groups: dict[str, list[int]]) -> list[CaseRecord]:
    return [
        CaseRecord(id=f"{g}{i}", received_at=T0, channel=g, kind="complaint", severity="low",
                   segment="general", stage="closed", code="PRD.DEF",
                   resolved_at=T0 + timedelta(hours=h))
        for g, hs in groups.items()
        for i, h in enumerate(hs)
    ]  # fmt: skip


def test_a_frame_reports_flat_groups_as_insufficient() -> None:
    acc = FairnessAccumulator("resolution_time", by="channel", min_n=3)
    frame = accumulate(acc, _records({"email": [5, 5, 5], "phone": [1, 1, 1]})).result()
    (c,) = frame.comparisons()
    assert c.verdict == "insufficient"
    assert c.reason == "not enough data: no spread within either group (variance 0)"
    assert (c.low, c.high, c.p_value, c.p_adjusted) == (-INF, INF, 1.0, 1.0)
    assert frame.flags == []
    assert frame.difference() is None


def test_the_documented_three_against_three_is_welch() -> None:
    acc = FairnessAccumulator("resolution_time", by="channel", min_n=3)
    frame = accumulate(acc, _records({"email": [1, 2, 3], "phone": [3, 4, 5]})).result()
    (c,) = frame.comparisons()
    assert round(c.p_value, 4) == 0.0705  # scipy.stats.ttest_ind(equal_var=False): 0.070484
    assert c.verdict == "no_difference"
    assert frame.by_group["email"].low == pytest.approx(2 * 3600 - 4.302653 * 3600 / 3**0.5)


def test_groups_of_one_case_have_no_interval() -> None:
    acc = FairnessAccumulator("resolution_time", by="channel", min_n=1)
    frame = accumulate(acc, _records({"email": [1], "phone": [3, 4, 5]})).result()
    assert (frame.by_group["email"].low, frame.by_group["email"].high) == (None, None)
    (c,) = frame.comparisons()
    assert c.verdict == "insufficient"


def test_proportions_all_zero_give_p_one() -> None:
    s = stratified_difference({"X": [50, 0]}, {"X": [40, 0]}, "proportion")
    assert (s.difference, s.p_value) == (0.0, 1.0)
    interval = s.interval()
    assert interval is not None
    assert interval[0] < 0 < interval[1]


@given(st.integers(2, 50), st.integers(0, 10**6))
def test_a_constant_difference_without_spread_is_never_flagged(n: int, shift: int) -> None:
    a = {"X": cell([shift + 7] * n)}
    b = {"X": cell([shift] * n)}
    s = stratified_difference(a, b, "mean")
    assert s.difference == 7.0
    assert s.p_value is None


def test_frame_refuses_bad_alpha_and_min_n() -> None:
    with pytest.raises(InvalidInput, match=r"alpha must lie strictly between 0 and 1, got 1.5"):
        FairnessAccumulator("resolution_time", alpha=1.5).result()
    with pytest.raises(InvalidInput, match=r"min_n must be an integer >= 1, got 0"):
        FairnessAccumulator("resolution_time", min_n=0).result()
