"""Small, exact statistics with named methods: every figure a report shows can be traced.

Each function validates its inputs and raises :class:`~ccms.errors.InvalidInput` naming the value
and the rule (counts are non-negative integers, successes ≤ trials, confidence levels and
p-values in range, values finite); none answers silently on nonsense. The methods and their
references are listed in ``docs/statistics.md``:

* :func:`wilson_interval`: Wilson (1927) score interval for a proportion;
* :func:`newcombe_interval`: Newcombe (1998) hybrid score interval for ``p_a - p_b``;
* :func:`welch_test`: Welch (1947) t-test of two means with the Welch-Satterthwaite degrees of
  freedom, the t distribution from ``ccms.metrics._special`` (math only, checked against scipy);
* :func:`stratified_difference`: the Mantel-Haenszel weighted difference over strata, tested by
  the Cochran-Mantel-Haenszel test (proportions) or a stratified Welch t-test (means), with a
  MOVER-Wilson interval (Zou & Donner 2008; Newcombe's for one stratum) or a t interval;
* :func:`holm`, :func:`benjamini_hochberg`: Holm (1979) and Benjamini & Hochberg (1995);
* :func:`gini`, :func:`weighted_gini`: the Gini coefficient, unweighted or weighted;
* :func:`two_sided_p`: ``erfc(|z|/√2)``, accurate for tiny p-values.

>>> lo, hi = wilson_interval(8, 10)
>>> round(lo, 3), round(hi, 3)
(0.49, 0.943)
>>> holm([0.01, 0.04, 0.03])
[0.03, 0.06, 0.06]
>>> gini([1, 1, 1, 1]), gini([0, 0, 0, 4])
(0.0, 0.75)
>>> round(welch_test(3, 2.0, 1.0, 3, 4.0, 1.0).p_value, 4)
0.0705
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final, Literal, get_args

import attrs

from ccms.errors import InvalidInput
from ccms.metrics._special import t_isf, t_sf, two_sided_normal_quantile

__all__ = [
    "Correction",
    "Kind",
    "Stratified",
    "TTest",
    "adjust",
    "benjamini_hochberg",
    "gini",
    "holm",
    "newcombe_interval",
    "normal_quantile",
    "stratified_difference",
    "student_t_quantile",
    "student_t_sf",
    "two_sided_p",
    "weighted_gini",
    "welch_test",
    "wilson_interval",
]

Correction = Literal["holm", "bh", "none"]
Kind = Literal["proportion", "mean"]
_CORRECTIONS: Final = get_args(Correction)
_KINDS: Final = get_args(Kind)
BAD_CORRECTION: Final = "unknown correction {value!r}; allowed: {allowed}"
BAD_KIND: Final = "unknown kind {value!r}; allowed: {allowed}"
BAD_CONFIDENCE: Final = "confidence must lie strictly between 0 and 1, got {value!r}"
BAD_COUNTS: Final = "need 0 <= successes <= n, got successes={k!r}, n={n!r}"
BAD_COUNT: Final = "{name} must be a non-negative integer, got {value!r}"
BAD_REAL: Final = "{name} must be a finite number, got {value!r}"
BAD_POSITIVE: Final = "{name} must be a finite number > 0, got {value!r}"
BAD_P: Final = "p-values must lie in [0, 1], got {value!r} at position {i}"
BAD_VALUE: Final = "{what} needs finite, non-negative values, got {value!r}"
BAD_WEIGHT: Final = "weighted_gini needs finite weights > 0, got {value!r}"
BAD_LENGTHS: Final = "weighted_gini needs one weight per value, got {n} values and {m} weights"
BAD_CELL: Final = (
    "stratum {stratum!r}: a {kind} cell is [{fields}] of non-negative integers, got {cell!r}"
)
BAD_SUMSQ: Final = (
    "stratum {stratum!r}: the sum of squares {sumsq} is below sum²/n = {low} (n={n}, sum={total}); "
    "no real values have these sums"
)
NOT_ENOUGH: Final = "not enough data: {why}"


# ------------------------------------------------------------------------------ validation


def _count(name: str, value: Any) -> int:
    """``value`` as an int if it is a non-negative integer (bool and floats refused)."""
    if isinstance(value, bool):
        raise InvalidInput(BAD_COUNT.format(name=name, value=value))
    try:
        n = operator.index(value)
    except TypeError:
        raise InvalidInput(BAD_COUNT.format(name=name, value=value)) from None
    if n < 0:
        raise InvalidInput(BAD_COUNT.format(name=name, value=value))
    return int(n)


def _real(name: str, value: Any) -> float:
    if not isinstance(value, numbers.Real):
        raise InvalidInput(BAD_REAL.format(name=name, value=value))
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(BAD_REAL.format(name=name, value=value)) from None
    if isinstance(value, bool) or not math.isfinite(x):
        raise InvalidInput(BAD_REAL.format(name=name, value=value))
    return x


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInput(BAD_CONFIDENCE.format(value=value))
    c = float(value)
    if not 0.0 < c < 1.0:
        raise InvalidInput(BAD_CONFIDENCE.format(value=value))
    return c


def _pvalues(pvalues: Sequence[float]) -> list[float]:
    out: list[float] = []
    for i, p in enumerate(pvalues):
        if isinstance(p, bool) or not isinstance(p, numbers.Real):
            raise InvalidInput(BAD_P.format(value=p, i=i))
        x = float(p)
        if not 0.0 <= x <= 1.0:  # NaN fails too
            raise InvalidInput(BAD_P.format(value=p, i=i))
        out.append(x)
    return out


# ------------------------------------------------------------------------ distributions


@lru_cache(maxsize=64)
def _z(confidence: float) -> float:
    return two_sided_normal_quantile(confidence)


def normal_quantile(confidence: float) -> float:
    """The two-sided critical value ``z`` with ``P(|Z| < z) = confidence`` (1.959964 for 0.95).

    Accurate to a few units in the last place at both ends: for a confidence next to 1 it is
    computed from ``1 - confidence`` (exact there), then refined with ``erfc``.

    >>> round(normal_quantile(0.95), 6)
    1.959964
    >>> round(normal_quantile(1 - 2**-53), 4)
    8.2924
    """
    return _z(_confidence(confidence))


def two_sided_p(z: float) -> float:
    """Two-sided p-value ``P(|Z| ≥ |z|) = erfc(|z|/√2)`` of a standard normal statistic.

    From the survival function, so tiny p-values keep their relative precision.

    >>> round(two_sided_p(1.959964), 4)
    0.05
    >>> f"{two_sided_p(10):.4e}"
    '1.5240e-23'
    """
    x = float(z)
    if math.isnan(x):
        raise InvalidInput(BAD_REAL.format(name="z", value=z))
    return math.erfc(abs(x) / math.sqrt(2.0))


def student_t_sf(t: float, df: float) -> float:
    """``P(T > t)`` for Student's t distribution with ``df`` degrees of freedom.

    ``t`` may be ±inf; ``df`` must be finite and positive (fractional ``df`` is allowed, as
    Welch's test needs).

    >>> round(student_t_sf(2.776445, 4), 6)
    0.025
    """
    x = float(t)
    if math.isnan(x):
        raise InvalidInput(BAD_REAL.format(name="t", value=t))
    return t_sf(x, _positive("df", df))


def student_t_quantile(confidence: float, df: float) -> float:
    """The two-sided critical value ``t`` with ``P(|T| < t) = confidence`` for ``df`` > 0.

    >>> round(student_t_quantile(0.95, 4), 6)
    2.776445
    """
    return _t_crit(_confidence(confidence), _positive("df", df))


@lru_cache(maxsize=256)
def _t_crit(confidence: float, df: float) -> float:
    return t_isf((1.0 - confidence) / 2.0, df)


def _positive(name: str, value: object) -> float:
    x = _real(name, value)
    if x <= 0.0:
        raise InvalidInput(BAD_POSITIVE.format(name=name, value=value))
    return x


# ------------------------------------------------------------------------ proportions


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # Clamp rounding noise so the documented invariants hold exactly.
    lo = 0.0 if k == 0 else max(0.0, min(centre - half, p))
    hi = 1.0 if k == n else min(1.0, max(centre + half, p))
    return (lo, hi)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (Wilson 1927); ``(0.0, 1.0)`` when ``n == 0``.

    Always inside [0, 1] and always contains ``successes / n``.

    >>> wilson_interval(0, 0)
    (0.0, 1.0)
    >>> lo, hi = wilson_interval(0, 20)
    >>> lo, round(hi, 4)
    (0.0, 0.1611)
    >>> wilson_interval(1, 1.5)
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: n must be a non-negative integer, got 1.5
    """
    k, m = _count("successes", successes), _count("n", n)
    if k > m:
        raise InvalidInput(BAD_COUNTS.format(k=successes, n=n))
    z = normal_quantile(confidence)
    return _wilson(k, m, z)


def _mover(parts: Sequence[tuple[float, int, int, int, int]], z: float) -> tuple[float, float]:
    """MOVER-Wilson limits of ``Σ c·(p_a - p_b)`` (Zou & Donner 2008; Zou et al. 2009)."""
    d = lo2 = hi2 = 0.0
    for c, ka, na, kb, nb in parts:
        pa, pb = ka / na, kb / nb
        la, ua = _wilson(ka, na, z)
        lb, ub = _wilson(kb, nb, z)
        d += c * (pa - pb)
        lo2 += c * c * ((pa - la) ** 2 + (ub - pb) ** 2)
        hi2 += c * c * ((ua - pa) ** 2 + (pb - lb) ** 2)
    return (max(-1.0, d - math.sqrt(lo2)), min(1.0, d + math.sqrt(hi2)))


def newcombe_interval(
    successes_a: int, n_a: int, successes_b: int, n_b: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``p_a - p_b`` (Newcombe 1998, method 10).

    Built from the two Wilson intervals ``(l_a, u_a)`` and ``(l_b, u_b)``:
    ``d - √((p_a-l_a)² + (u_b-p_b)²)`` to ``d + √((u_a-p_a)² + (p_b-l_b)²)``. Both groups need
    at least one case.

    >>> [round(x, 3) for x in newcombe_interval(0, 10, 5, 10)]
    [-0.763, -0.117]
    """
    ka, na = _count("successes_a", successes_a), _count("n_a", n_a)
    kb, nb = _count("successes_b", successes_b), _count("n_b", n_b)
    if ka > na or kb > nb:
        bad = (successes_a, n_a) if ka > na else (successes_b, n_b)
        raise InvalidInput(BAD_COUNTS.format(k=bad[0], n=bad[1]))
    if na == 0 or nb == 0:
        raise InvalidInput(f"newcombe_interval needs n_a and n_b >= 1, got n_a={na}, n_b={nb}")
    return _mover([(1.0, ka, na, kb, nb)], normal_quantile(confidence))


# ------------------------------------------------------------------------------- means


@attrs.frozen
class TTest:
    """A t statistic, its degrees of freedom and its two-sided p-value."""

    difference: float
    se: float
    t: float
    df: float
    p_value: float

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """``difference ± t(df)·se`` with the two-sided t critical value."""
        q = student_t_quantile(confidence, self.df)
        return (self.difference - q * self.se, self.difference + q * self.se)


def welch_test(
    n_a: int, mean_a: float, var_a: float, n_b: int, mean_b: float, var_b: float
) -> TTest:
    """Welch's t-test of ``mean_a - mean_b`` from each group's size, mean and sample variance.

    ``t = d / √(v_a/n_a + v_b/n_b)`` with the Welch-Satterthwaite degrees of freedom
    ``(v_a/n_a + v_b/n_b)² / ((v_a/n_a)²/(n_a-1) + (v_b/n_b)²/(n_b-1))`` (Welch 1947;
    Satterthwaite 1946). Each group needs two cases and the two together some spread;
    otherwise the test is not defined and :class:`~ccms.errors.InvalidInput` says so.

    >>> w = welch_test(3, 2.0, 1.0, 3, 4.0, 1.0)      # [1, 2, 3] against [3, 4, 5]
    >>> round(w.t, 4), w.df, round(w.p_value, 4)
    (-2.4495, 4.0, 0.0705)
    """
    na, nb = _count("n_a", n_a), _count("n_b", n_b)
    ma, mb = _real("mean_a", mean_a), _real("mean_b", mean_b)
    va, vb = _real("var_a", var_a), _real("var_b", var_b)
    if na < 2 or nb < 2:
        raise InvalidInput(
            NOT_ENOUGH.format(why=f"Welch's test needs 2 cases a group, got {na} and {nb}")
        )
    if va < 0 or vb < 0:
        raise InvalidInput(f"variances must be >= 0, got var_a={va!r}, var_b={vb!r}")
    out = _welch(ma - mb, [(va / na, na - 1.0), (vb / nb, nb - 1.0)])
    if out is None:
        raise InvalidInput(NOT_ENOUGH.format(why="no spread within either group (variance 0)"))
    return out


def _welch(d: float, parts: Sequence[tuple[float, float]]) -> TTest | None:
    """t-test of ``d`` whose variance is ``Σ v`` over ``(v, df)`` parts (Satterthwaite)."""
    var = math.fsum(v for v, _ in parts)
    if not var > 0.0 or not math.isfinite(var):
        return None
    den = math.fsum(v * v / df for v, df in parts if v > 0.0)
    df = var * var / den
    se = math.sqrt(var)
    t = d / se
    return TTest(d, se, t, df, min(1.0, 2.0 * t_sf(abs(t), df)))


# ---------------------------------------------------------------- multiple comparisons


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (Holm 1979; controls the family-wise error rate).

    In input order; NaN or a value outside [0, 1] is refused.

    >>> holm([0.01, 0.02, 0.5])
    [0.03, 0.04, 0.5]
    """
    ps = _pvalues(pvalues)
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        out[i] = running
    return out


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (1995; controls the false discovery rate).

    In input order; NaN or a value outside [0, 1] is refused.

    >>> benjamini_hochberg([0.01, 0.02, 0.5])
    [0.03, 0.03, 0.5]
    """
    ps = _pvalues(pvalues)
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i], reverse=True)
    out = [0.0] * m
    running = 1.0
    for pos, i in enumerate(order):
        rank = m - pos
        running = min(running, ps[i] * m / rank)
        out[i] = min(1.0, running)
    return out


def adjust(pvalues: Sequence[float], method: Correction) -> list[float]:
    """Adjust ``pvalues`` with ``"holm"``, ``"bh"`` (Benjamini-Hochberg) or ``"none"``."""
    if method not in _CORRECTIONS:
        raise InvalidInput(BAD_CORRECTION.format(value=method, allowed=", ".join(_CORRECTIONS)))
    if method == "holm":
        return holm(pvalues)
    if method == "bh":
        return benjamini_hochberg(pvalues)
    return _pvalues(pvalues)


# --------------------------------------------------------------------------------- Gini


def _exact(what: str, value: Any) -> Fraction:
    if not isinstance(value, numbers.Real | Decimal):
        raise InvalidInput(BAD_VALUE.format(what=what, value=value))
    try:
        x = Fraction(value)  # type: ignore[arg-type]  # numbers.Real: int, float, Fraction, numpy
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(BAD_VALUE.format(what=what, value=value)) from None
    if isinstance(value, bool) or x < 0:
        raise InvalidInput(BAD_VALUE.format(what=what, value=value))
    return x


def gini(values: Iterable[float | int | Fraction | Decimal]) -> float:
    """Gini coefficient of non-negative values: 0 for perfect equality, (n-1)/n at most.

    Computed exactly with fractions from the sorted values: ``G = 2·Σ i·x(i) / (n·Σx) - (n+1)/n``
    (the mean absolute difference over all ordered pairs divided by twice the mean). An empty
    or all-zero input gives 0; a negative, NaN or infinite value is refused.

    >>> gini([1, 2, 3, 4])
    0.25
    >>> gini([-1, 1])
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: Gini needs finite, non-negative values, got -1
    """
    xs = sorted(_exact("Gini", v) for v in values)
    n = len(xs)
    total = sum(xs, Fraction(0))
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i * x for i, x in enumerate(xs, start=1)), Fraction(0))
    return float(2 * weighted / (n * total) - Fraction(n + 1, n))


def weighted_gini(
    values: Iterable[float | int | Fraction], weights: Iterable[float | int | Fraction]
) -> float:
    """Gini coefficient of ``values`` where value ``i`` stands for ``weights[i]`` units.

    ``G = Σᵢ Σⱼ wᵢ wⱼ |xᵢ - xⱼ| / (2 W² μ)`` with ``W = Σw`` and ``μ = Σwx / W``: the
    population-weighted Gini (e.g. Lerman & Yitzhaki 1989). With integer weights it equals
    :func:`gini` of each value repeated ``weight`` times; with equal weights, :func:`gini`.
    For the workload, the values are assignments per unit of capacity and the weights the
    capacities, so every unit of capacity counts once. Computed exactly with fractions.

    >>> weighted_gini([1, 3], [2, 1]), gini([1, 1, 3])
    (0.26666666666666666, 0.26666666666666666)
    """
    xs = [_exact("weighted_gini", v) for v in values]
    ws = [_exact("weighted_gini", w) for w in weights]
    if len(xs) != len(ws):
        raise InvalidInput(BAD_LENGTHS.format(n=len(xs), m=len(ws)))
    for w in ws:
        if w == 0:
            raise InvalidInput(BAD_WEIGHT.format(value=float(w)))
    pairs = sorted(zip(xs, ws, strict=True))
    big_w = sum(ws, Fraction(0))
    total = sum((x * w for x, w in pairs), Fraction(0))
    if not pairs or total == 0:
        return 0.0
    below = Fraction(0)
    acc = Fraction(0)
    for x, w in pairs:
        above = big_w - below - w
        acc += w * x * (below - above)
        below += w
    return float(acc / (big_w * total))


# ------------------------------------------------------------------ stratified differences


def _check_cells(cells: Mapping[Any, Sequence[int]], kind: Kind) -> dict[Any, tuple[int, ...]]:
    out: dict[Any, tuple[int, ...]] = {}
    fields = "n, successes" if kind == "proportion" else "n, sum, sum of squares"
    width = 2 if kind == "proportion" else 3
    for s, cell in cells.items():
        bad = InvalidInput(BAD_CELL.format(stratum=s, kind=kind, fields=fields, cell=cell))
        try:
            items = tuple(cell)
        except TypeError:
            raise bad from None
        if len(items) != width:
            raise bad
        try:
            vals = [_count("cell", x) for x in items[:1]]
            if kind == "proportion":
                vals.append(_count("cell", items[1]))
            else:
                if isinstance(items[1], bool) or isinstance(items[2], bool):
                    raise bad
                vals += [operator.index(items[1]), _count("cell", items[2])]
        except (InvalidInput, TypeError):
            raise bad from None
        n = vals[0]
        if kind == "proportion":
            if vals[1] > n:
                raise InvalidInput(BAD_COUNTS.format(k=vals[1], n=n) + f" (stratum {s!r})")
        else:
            total, sumsq = vals[1], vals[2]
            if n == 0 and (total or sumsq):
                raise bad
            if n and Fraction(sumsq) < Fraction(total * total, n):
                raise InvalidInput(
                    BAD_SUMSQ.format(stratum=s, sumsq=sumsq, low=float(Fraction(total * total, n)),
                                     n=n, total=total)
                )  # fmt: skip
        out[s] = tuple(vals)
    return out


def _sample_var(n: int, total: int, sumsq: int) -> Fraction | None:
    """Exact sample variance from ``n``, the sum and the sum of squares (None when ``n < 2``)."""
    if n < 2:
        return None
    return (Fraction(sumsq) - Fraction(total * total, n)) / (n - 1)


def _side_var(cells: Mapping[Any, tuple[int, ...]]) -> tuple[Fraction | None, int]:
    """The sample variance of all of one group's values (for one-case cells) and its df."""
    n = sum(c[0] for c in cells.values())
    total = sum(c[1] for c in cells.values())
    sumsq = sum(c[2] for c in cells.values())
    return _sample_var(n, total, sumsq), n - 1


@attrs.frozen
class Stratified:
    """A difference ``a - b`` of two groups averaged over shared strata, and its test.

    ``n_a`` and ``n_b`` count the cases in the strata both groups share (the ones compared).
    ``ratio`` is the Mantel-Haenszel ratio ``Σw·m_a / Σw·m_b`` (None when undefined).
    ``p_value`` is two-sided: the Cochran-Mantel-Haenszel test for proportions, the stratified
    Welch t-test (``df`` its Welch-Satterthwaite degrees of freedom) for means. When the data
    cannot support the test, ``p_value`` is None and ``reason`` says why ("not enough data:
    ..."); such a comparison is never a difference. ``se`` is the standard error of the
    difference (for proportions the unadjusted binomial one; the interval does not use it).
    """

    difference: float
    se: float | None
    ratio: float | None
    n_a: int
    n_b: int
    strata: int
    kind: Kind
    p_value: float | None
    df: float | None = None
    reason: str | None = None
    parts: tuple[tuple[float, int, int, int, int], ...] = ()

    @property
    def method(self) -> str:
        """The test's name."""
        return "Cochran-Mantel-Haenszel" if self.kind == "proportion" else "Welch t"

    def interval(self, confidence: float = 0.95) -> tuple[float, float] | None:
        """The confidence interval of the difference, or None when there is not enough data.

        Proportions: MOVER-Wilson (Zou & Donner 2008), which is Newcombe's hybrid score
        interval for one stratum. Means: ``difference ± t(df)·se``.
        """
        z = normal_quantile(confidence)
        if self.strata == 0:
            return None
        if self.kind == "proportion":
            return _mover(self.parts, z)
        if self.se is None or self.df is None:
            return None
        q = student_t_quantile(confidence, self.df)
        return (self.difference - q * self.se, self.difference + q * self.se)


def stratified_difference(
    a: Mapping[Any, Sequence[int]],
    b: Mapping[Any, Sequence[int]],
    kind: Kind,
) -> Stratified:
    """Compare groups ``a`` and ``b`` stratum by stratum (like with like), weights ``nₐnᵦ/(nₐ+nᵦ)``.

    Each mapping goes from stratum (e.g. VOC code) to the exact cell counts: ``[n, successes]``
    for a proportion, ``[n, sum, sum of squares]`` (integers) for a mean. Strata only one group
    has are left out (nothing like to compare with). The difference is ``Σw(mₐ-mᵦ)/Σw`` with the
    Mantel-Haenszel weights ``w = nₐnᵦ/(nₐ+nᵦ)`` (Mantel & Haenszel 1959; Greenland & Robins
    1985 for the risk difference).

    * proportions: the Cochran-Mantel-Haenszel test without continuity correction (``p = 1``
      when every shared stratum is all successes or all failures: only one table is then
      possible), the MOVER-Wilson interval;
    * means: a stratified Welch t-test, ``se² = Σw²(vₐ+vᵦ)/(Σw)²`` with each cell's sample
      variance of the mean and Welch-Satterthwaite degrees of freedom; a one-case cell borrows
      the sample variance of all of its group's values (with that variance's degrees of
      freedom). A group with fewer than two cases, or no spread in either group, is "not
      enough data" (``p_value`` None).

    >>> s = stratified_difference({"X": [10, 8], "Y": [10, 2]}, {"X": [10, 6], "Y": [10, 0]},
    ...                           "proportion")
    >>> round(s.difference, 3), s.n_a, s.n_b, round(s.ratio, 3), round(s.p_value, 4)
    (0.2, 20, 20, 1.667, 0.1115)
    >>> stratified_difference({"X": [3, 15, 75]}, {"X": [3, 3, 3]}, "mean").reason
    'not enough data: no spread within either group (variance 0)'
    """
    if kind not in _KINDS:
        raise InvalidInput(BAD_KIND.format(value=kind, allowed=", ".join(_KINDS)))
    ca_all, cb_all = _check_cells(a, kind), _check_cells(b, kind)
    shared = [s for s in ca_all if s in cb_all and ca_all[s][0] > 0 and cb_all[s][0] > 0]
    weights = [ca_all[s][0] * cb_all[s][0] / (ca_all[s][0] + cb_all[s][0]) for s in shared]
    sw = math.fsum(weights)
    if not shared:
        return Stratified(0.0, None, None, 0, 0, 0, kind, None,
                          reason=NOT_ENOUGH.format(why="no stratum has cases of both groups"))  # fmt: skip
    n_a = sum(ca_all[s][0] for s in shared)
    n_b = sum(cb_all[s][0] for s in shared)
    means_a = [_mean(ca_all[s], kind) for s in shared]
    means_b = [_mean(cb_all[s], kind) for s in shared]
    shares = [w / sw for w in weights]
    diff = math.fsum(c * (ma - mb) for c, ma, mb in zip(shares, means_a, means_b, strict=True))
    num = math.fsum(w * m for w, m in zip(weights, means_a, strict=True))
    den = math.fsum(w * m for w, m in zip(weights, means_b, strict=True))
    ratio = num / den if den != 0.0 else None
    if kind == "proportion":
        return _proportions(shared, ca_all, cb_all, shares, diff, ratio, n_a, n_b)
    return _means(shared, ca_all, cb_all, shares, diff, ratio, n_a, n_b)


def _mean(cell: tuple[int, ...], kind: Kind) -> float:
    return cell[1] / cell[0] if kind == "proportion" else float(Fraction(cell[1], cell[0]))


def _proportions(
    shared: list[Any],
    ca: dict[Any, tuple[int, ...]],
    cb: dict[Any, tuple[int, ...]],
    shares: list[float],
    diff: float,
    ratio: float | None,
    n_a: int,
    n_b: int,
) -> Stratified:
    # Cochran-Mantel-Haenszel: Σ(a - E[a]) over strata against its hypergeometric variance.
    dev = Fraction(0)
    var = Fraction(0)
    wald = 0.0
    parts = []
    for s, c in zip(shared, shares, strict=True):
        (na, ka), (nb, kb) = ca[s], cb[s]
        big_n, m1 = na + nb, ka + kb
        dev += Fraction(ka) - Fraction(na * m1, big_n)
        var += Fraction(na * nb * m1 * (big_n - m1), big_n * big_n * (big_n - 1))
        pa, pb = ka / na, kb / nb
        wald += c * c * (pa * (1 - pa) / na + pb * (1 - pb) / nb)
        parts.append((c, ka, na, kb, nb))
    # var == 0: every stratum all successes or all failures, the only possible table: p = 1
    p = 1.0 if var == 0 else math.erfc(math.sqrt(float(dev * dev / var) / 2.0))
    return Stratified(diff, math.sqrt(wald), ratio, n_a, n_b, len(shared), "proportion", p,
                      parts=tuple(parts))  # fmt: skip


def _means(
    shared: list[Any],
    ca: dict[Any, tuple[int, ...]],
    cb: dict[Any, tuple[int, ...]],
    shares: list[float],
    diff: float,
    ratio: float | None,
    n_a: int,
    n_b: int,
) -> Stratified:
    fa, dfa = _side_var(ca)
    fb, dfb = _side_var(cb)
    parts: list[tuple[float, float]] = []
    for s, c in zip(shared, shares, strict=True):
        for cell, fallback, fdf in ((ca[s], fa, dfa), (cb[s], fb, dfb)):
            n = cell[0]
            own = _sample_var(n, cell[1], cell[2])
            if own is not None:
                parts.append((c * c * float(own / n), n - 1.0))
            elif fallback is not None:
                parts.append((c * c * float(fallback / n), float(fdf)))
            else:
                why = "a group has a single case, so no variance to compare with"
                return Stratified(diff, None, ratio, n_a, n_b, len(shared), "mean", None,
                                  reason=NOT_ENOUGH.format(why=why))  # fmt: skip
    test = _welch(diff, parts)
    if test is None:
        why = "no spread within either group (variance 0)"
        return Stratified(diff, None, ratio, n_a, n_b, len(shared), "mean", None,
                          reason=NOT_ENOUGH.format(why=why))  # fmt: skip
    return Stratified(diff, test.se, ratio, n_a, n_b, len(shared), "mean", test.p_value,
                      df=test.df)  # fmt: skip
