"""Every ccms statistic against its reference implementation (scipy, statsmodels, numpy).

Tolerances (relative unless said otherwise), stated once here and used below:

* normal quantile: 1e-13; two-sided normal p: 4ε(1 + z²) (``erfc(x)`` has condition number
  ``2x²``, and ``x = |z|/√2`` is rounded once);
* Student's t survival function: 1e-11, also in far tails (t up to 1000, df up to 1e10);
* Student's t quantile: 1e-11 (df >= 1, tail probabilities down to 1e-12);
* Wilson, Newcombe and MOVER-Wilson intervals: 1e-12 absolute;
* Welch's t-test and the Cochran-Mantel-Haenszel test: 1e-9 (the references compute variances
  from floats, ccms from exact integer sums). The CMH reference p-value is scipy's
  ``chi2.sf`` of statsmodels' statistic: statsmodels' own p-value loses relative precision in
  the far tail (2.58028430844e-08 for a statistic of exactly 31, whose p is 2.58028430416e-08);
* Holm and Benjamini-Hochberg: 1e-15 absolute; Gini: 1e-12 (the reference sums floats);
* Poisson and binomial tails: 1e-11 (scipy is itself only good to ~1e-5 relative at a Poisson
  mean of 1e6, so large means are pinned to a 40-digit value instead, see the last tests).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import special
from scipy import stats as sps
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import fdrcorrection, multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from ccms.metrics.stats import (
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

confidences = st.floats(1e-300, 1.0, exclude_max=True) | st.sampled_from(
    [0.5, 0.9, 0.95, 0.99, 1 - 1e-12, 1 - 2**-53, 5e-324]
)


# ----------------------------------------------------------------------------- normal


@given(confidences)
@example(1 - 2**-53)
@example(5e-324)
def test_normal_quantile_matches_erfinv(c: float) -> None:
    expected = math.sqrt(2.0) * special.erfinv(c)
    assert normal_quantile(c) == pytest.approx(expected, rel=1e-13, abs=0)


@given(st.floats(-38.0, 38.0) | st.sampled_from([0.0, 8.0, 8.3, 9.0, 37.5]))
def test_two_sided_p_matches_the_normal_survival_function(z: float) -> None:
    expected = 2.0 * sps.norm.sf(abs(z))
    # below 1e-300 the reference underflows to 0 (scipy) where erfc still has subnormals
    assert two_sided_p(z) == pytest.approx(expected, rel=4 * 2.0**-52 * (1 + z * z), abs=1e-300)


# ---------------------------------------------------------------------------------- t


@given(
    st.floats(-1000.0, 1000.0) | st.sampled_from([0.0, 1e-300, 1e-8, 2.449489742783178]),
    st.floats(0.05, 1e10) | st.sampled_from([1.0, 2.0, 4.0, 1e6, 1e10]),
)
@example(5.0, 1e9)  # 1 - x cancels near x = 1 for a large df: the decimal fraction keeps it
@example(100.0, 1e9)
@example(1e-3, 1e9)
@example(1e-8, 1.0)
def test_t_survival_function_matches_scipy(t: float, df: float) -> None:
    # With one degree of freedom t is Cauchy: scipy's stdtr(1, -1e-8) is 0.4999999952568, off
    # from 1/2 - atan(1e-8)/π = 0.4999999968169 in the ninth digit, so the closed form is used.
    expected = sps.cauchy.sf(t) if df == 1.0 else special.stdtr(df, -t)
    assert student_t_sf(t, df) == pytest.approx(expected, rel=1e-11, abs=1e-300)


@given(st.floats(1e-6, 1 - 1e-12), st.floats(1.0, 1e9) | st.sampled_from([1.0, 2.0, 4.0]))
@example(1e-6, 4.0)
def test_t_quantile_matches_scipy(c: float, df: float) -> None:
    # Near the median scipy's t.isf loses digits (1.33347e-6 for c = 1e-6, df = 4, where
    # the answer is 1.33333e-6); there the reference inverts P(|T| < t) = I_y(1/2, df/2),
    # y = t²/(df + t²), with betaincinv, and in the tails it is t.isf.
    if c > 0.5:
        expected = sps.t.isf((1 - c) / 2, df)
    else:
        y = special.betaincinv(0.5, df / 2, c)
        expected = math.sqrt(df * y / (1 - y))
    assert student_t_quantile(c, df) == pytest.approx(expected, rel=1e-11)


def test_t_at_the_ends() -> None:
    assert student_t_sf(math.inf, 3) == 0.0
    assert student_t_sf(-math.inf, 3) == 1.0
    assert student_t_sf(0.0, 3) == 0.5
    assert student_t_sf(1e300, 1) == pytest.approx(1 / (math.pi * 1e300), rel=1e-12)


# ------------------------------------------------------------------------ proportions


counts = st.integers(0, 10**6) | st.sampled_from([0, 1, 2, 10**12, 10**15])


@st.composite
def k_of_n(draw: st.DrawFn, min_n: int = 0) -> tuple[int, int]:
    n = max(min_n, draw(counts))
    k = draw(st.integers(0, n) | st.sampled_from([0, n]))
    return k, n


@given(k_of_n(), st.floats(0.5, 0.9999))
@example((0, 0), 0.95)
@example((0, 1), 0.95)
@example((1, 1), 0.95)
@example((10**15, 10**15), 0.95)
def test_wilson_matches_statsmodels(kn: tuple[int, int], c: float) -> None:
    k, n = kn
    lo, hi = wilson_interval(k, n, c)
    if n == 0:
        assert (lo, hi) == (0.0, 1.0)
        return
    ref = proportion_confint(k, n, alpha=1 - c, method="wilson")
    assert (lo, hi) == pytest.approx(ref, abs=1e-12)
    assert lo <= k / n <= hi


@given(k_of_n(1), k_of_n(1), st.floats(0.5, 0.999))
@example((0, 10), (5, 10), 0.95)  # the example: (-0.763, -0.117)
@example((0, 1), (1, 1), 0.95)
@example((3, 3), (3, 3), 0.95)
def test_newcombe_matches_statsmodels(a: tuple[int, int], b: tuple[int, int], c: float) -> None:
    ref = confint_proportions_2indep(
        a[0], a[1], b[0], b[1], method="newcomb", compare="diff", alpha=1 - c
    )
    assert newcombe_interval(*a, *b, confidence=c) == pytest.approx(ref, abs=1e-12)


cells = st.lists(
    st.tuples(k_of_n(1), k_of_n(1)).filter(lambda t: t[0][1] + t[1][1] < 10**7),
    min_size=1,
    max_size=5,
)


@given(cells)
@example([((8, 10), (6, 10)), ((2, 10), (0, 10))])
@example([((0, 5), (0, 7))])  # no variance at all: one possible table, p = 1
@example([((1, 1), (0, 1))])
@example([((0, 1), (31, 31))])
@example([((0, 1), (1, 71)), ((138755, 138756), (0, 1))])
def test_stratified_proportions_match_cmh_and_mover(strata: list) -> None:  # type: ignore[type-arg]
    a = {i: [n, k] for i, ((k, n), _) in enumerate(strata)}
    b = {i: [n, k] for i, (_, (k, n)) in enumerate(strata)}
    s = stratified_difference(a, b, "proportion")
    tables = np.array([[[k1, n1 - k1], [k2, n2 - k2]] for (k1, n1), (k2, n2) in strata],
                      dtype=float).transpose(1, 2, 0)  # fmt: skip
    degenerate = all((k1 + k2) in (0, n1 + n2) for (k1, n1), (k2, n2) in strata)
    assert s.p_value is not None
    if degenerate:
        assert s.p_value == 1.0
    else:
        statistic = StratifiedTable(tables).test_null_odds(correction=False).statistic
        ref = sps.chi2.sf(statistic, 1)
        # statsmodels sums the statistic in floats (relative error ~1e-12·strata); the p-value
        # amplifies it by χ²/2 (d ln p/dχ² -> -1/2 in the tail)
        assert s.p_value == pytest.approx(ref, rel=1e-10 * (1 + statistic), abs=1e-300)
    # MOVER-Wilson from statsmodels' Wilson limits, the Mantel-Haenszel risk-difference weights
    w = np.array([n1 * n2 / (n1 + n2) for (_, n1), (_, n2) in strata])
    c = w / w.sum()
    d = lo2 = hi2 = 0.0
    for ci, ((k1, n1), (k2, n2)) in zip(c, strata, strict=True):
        (l1, u1), (l2, u2) = (proportion_confint(k1, n1, method="wilson"),
                              proportion_confint(k2, n2, method="wilson"))  # fmt: skip
        p1, p2 = k1 / n1, k2 / n2
        d += ci * (p1 - p2)
        lo2 += ci**2 * ((p1 - l1) ** 2 + (u2 - p2) ** 2)
        hi2 += ci**2 * ((u1 - p1) ** 2 + (p2 - l2) ** 2)
    assert s.difference == pytest.approx(d, abs=1e-12)
    interval = s.interval()
    assert interval is not None
    assert interval == pytest.approx((max(-1, d - lo2**0.5), min(1, d + hi2**0.5)), abs=1e-12)
    if len(strata) == 1:
        ((k1, n1), (k2, n2)) = strata[0]
        ref = confint_proportions_2indep(k1, n1, k2, n2, method="newcomb", compare="diff")
        assert interval == pytest.approx(ref, abs=1e-12)


# ------------------------------------------------------------------------------ means


samples = st.lists(st.integers(-(10**6), 10**6), min_size=2, max_size=30)


@given(samples, samples)
@example([1, 2, 3], [3, 4, 5])  # docs/statistics.md: p = 0.0705
@example([5, 5, 5], [1, 2, 3])  # one group without spread: still defined
@example([0, 10**6], [0, 0, 0, 0, 1])
def test_welch_matches_scipy(a: list[int], b: list[int]) -> None:
    va, vb = np.var(a, ddof=1), np.var(b, ddof=1)
    if va == 0 and vb == 0:
        return  # undefined: see test_stats_edges
    ref = sps.ttest_ind(a, b, equal_var=False)
    cell = lambda xs: [len(xs), sum(xs), sum(x * x for x in xs)]  # noqa: E731
    s = stratified_difference({"X": cell(a)}, {"X": cell(b)}, "mean")
    w = welch_test(len(a), float(Fraction(sum(a), len(a))), _var(a), len(b),
                   float(Fraction(sum(b), len(b))), _var(b))  # fmt: skip
    for got in (s.p_value, w.p_value):
        assert got == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
    assert s.df == pytest.approx(ref.df, rel=1e-9)
    ci = ref.confidence_interval(0.95)
    interval = s.interval()
    assert interval is not None
    assert interval == pytest.approx((ci.low, ci.high), rel=1e-9, abs=1e-9)


def _var(xs: list[int]) -> float:
    n = len(xs)
    return float((Fraction(sum(x * x for x in xs)) - Fraction(sum(xs) ** 2, n)) / (n - 1))


# ---------------------------------------------------------------- multiple comparisons


pvals = st.lists(
    st.floats(0.0, 1.0) | st.sampled_from([0.0, 1.0, 0.05, 0.01]), min_size=0, max_size=30
)


@given(pvals)
@settings(max_examples=12)  # multipletests runs gc.collect() on every call (0.2 s here)
@example([0.01, 0.01, 0.01])  # ties
@example([0.0, 1.0])
def test_holm_matches_statsmodels(ps: list[float]) -> None:
    if not ps:
        assert holm(ps) == []
        return
    assert holm(ps) == pytest.approx(list(multipletests(ps, method="holm")[1]), abs=1e-15)


@given(pvals)
@example([0.01, 0.01, 0.01])
@example([0.0, 1.0])
def test_benjamini_hochberg_matches_statsmodels(ps: list[float]) -> None:
    if not ps:
        assert benjamini_hochberg(ps) == []
        return
    ref = fdrcorrection(ps)[1]
    assert benjamini_hochberg(ps) == pytest.approx(list(ref), abs=1e-15)


# ------------------------------------------------------------------------------- Gini


values = st.lists(
    st.integers(0, 10**9) | st.floats(0.0, 1e6) | st.sampled_from([0, 1, 1e-300]),
    min_size=0,
    max_size=40,
)


@given(values)
@example([0, 0, 0, 4])
@example([5, 5])
@example([1e-300, 0])
def test_gini_matches_the_mean_absolute_difference(xs: list[float]) -> None:
    x = np.array(xs, dtype=float)
    if not len(x) or x.sum() == 0:
        assert gini(xs) == 0.0
        return
    ref = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(xs) == pytest.approx(ref, rel=1e-12, abs=1e-15)


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 8)), min_size=1, max_size=20))
@example([(1, 2), (3, 1)])
def test_weighted_gini_is_the_gini_of_the_expanded_values(pairs: list[tuple[int, int]]) -> None:
    xs, ws = zip(*pairs, strict=True)
    expanded = [x for x, w in pairs for _ in range(w)]
    assert weighted_gini(xs, ws) == gini(expanded)  # both exact: the same rational number
    x, w = np.array(xs, dtype=float), np.array(ws, dtype=float)
    if (x * w).sum() > 0:
        mu = (w * x).sum() / w.sum()
        ref = (w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum() / (
            2 * w.sum() ** 2 * mu
        )
        assert weighted_gini(xs, ws) == pytest.approx(ref, rel=1e-12)


# ----------------------------------------------------------------------- count tails


@st.composite
def poisson_cases(draw: st.DrawFn) -> tuple[int, float]:
    lam = draw(st.floats(1e-3, 1e4) | st.sampled_from([1e-300, 0.5, 2.0, 1000.0]))
    spread = draw(st.sampled_from([0.5, 1.0, 3.0, 8.0, 20.0]))
    k = max(
        0, round(lam + draw(st.floats(-1, 1)) * spread * math.sqrt(lam) + draw(st.integers(0, 3)))
    )
    return k, lam


@given(poisson_cases())
@example((6, 2.0))
@example((1200, 1000.0))
@example((1, 1e-300))
def test_poisson_tail_matches_scipy(case: tuple[int, float]) -> None:
    k, lam = case
    ref = sps.poisson.sf(k - 1, lam)
    assert poisson_tail(k, lam) == pytest.approx(ref, rel=1e-11, abs=1e-300)


def test_poisson_tail_for_a_large_mean_matches_40_digits() -> None:
    # P(X >= 1005000) for a mean of 1e6: the regularized gamma P(1005000, 1e6) to 40 digits is
    # 2.934034048031641098826e-07 (arbitrary-precision arithmetic). scipy 1.17 answers
    # 2.93402055e-07, 5e-6 off; the former term-by-term sum of ccms was 4e-10 off.
    assert poisson_tail(1_005_000, 1e6) == pytest.approx(2.934034048031641e-07, rel=1e-11)


@st.composite
def rate_cases(draw: st.DrawFn) -> tuple[int, float, int, float, float]:
    before = draw(st.integers(0, 5000))
    after = draw(st.integers(0, 5000))
    eb = draw(st.floats(1e-3, 1e4) | st.sampled_from([1.0, 30.0]))
    ea = draw(st.floats(1e-3, 1e4) | st.sampled_from([1.0, 30.0]))
    r = draw(st.floats(0.0, 0.99) | st.just(0.0))
    return before, eb, after, ea, r


@given(rate_cases())
@example((20, 30.0, 6, 30.0, 0.0))
@example((20, 30.0, 6, 30.0, 0.3))
@example((1, 1e-300, 0, 1.0, 0.0))
@example((13, 0.001, 0, 9.0, 0.0))
def test_rate_reduction_test_matches_the_binomial_cdf(
    case: tuple[int, float, int, float, float],
) -> None:
    before, eb, after, ea, r = case
    n = before + after
    got = rate_reduction_test(before, eb, after, ea, r)
    if n == 0:
        assert got == 1.0
        return
    # P(X <= c) = I_q0(n - c, c + 1) with q0 = e_b / (e_b + (1-r) e_a) taken directly:
    # binom.cdf(c, n, p0) rounds 1 - p0 (1e-11 off at p0 = 0.99989, 13 trials)
    q0 = eb / (eb + (1 - r) * ea)
    ref = special.betainc(n - after, after + 1, q0) if after < n else 1.0
    assert got == pytest.approx(ref, rel=1e-11, abs=1e-300)
