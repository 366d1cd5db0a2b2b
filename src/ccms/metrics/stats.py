"""Small, exact statistics: Wilson intervals, stratified differences, multiple comparisons, Gini.

These are formulas, not a statistics library: a few lines each, written out so every figure a
report shows can be traced. The normal quantile comes from :class:`statistics.NormalDist`.

>>> lo, hi = wilson_interval(8, 10)
>>> round(lo, 3), round(hi, 3)
(0.49, 0.943)
>>> holm([0.01, 0.04, 0.03])
[0.03, 0.06, 0.06]
>>> gini([1, 1, 1, 1]), gini([0, 0, 0, 4])
(0.0, 0.75)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from statistics import NormalDist
from typing import Final, Literal, get_args

import attrs

from ccms.errors import InvalidInput

__all__ = [
    "Correction",
    "Stratified",
    "adjust",
    "benjamini_hochberg",
    "gini",
    "holm",
    "normal_quantile",
    "stratified_difference",
    "two_sided_p",
    "wilson_interval",
]

Correction = Literal["holm", "bh", "none"]
_CORRECTIONS: Final = get_args(Correction)
BAD_CORRECTION: Final = "unknown correction {value!r}; allowed: {allowed}"
BAD_CONFIDENCE: Final = "confidence must lie strictly between 0 and 1, got {value!r}"
BAD_COUNTS: Final = "need 0 <= successes <= n, got successes={k!r}, n={n!r}"

_STD: Final = NormalDist()


def normal_quantile(confidence: float) -> float:
    """The two-sided critical value ``z`` for ``confidence`` (1.959964 for 0.95).

    >>> round(normal_quantile(0.95), 6)
    1.959964
    """
    if not 0.0 < confidence < 1.0:
        raise InvalidInput(BAD_CONFIDENCE.format(value=confidence))
    return _STD.inv_cdf(0.5 + confidence / 2.0)


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard normal statistic.

    >>> round(two_sided_p(1.959964), 4)
    0.05
    """
    return 2.0 * (1.0 - _STD.cdf(abs(z)))


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion; ``(0.0, 1.0)`` when ``n == 0``.

    Always inside [0, 1] and always contains ``successes / n``.

    >>> wilson_interval(0, 0)
    (0.0, 1.0)
    >>> lo, hi = wilson_interval(0, 20)
    >>> lo, round(hi, 4)
    (0.0, 0.1611)
    """
    if not 0 <= successes <= n:
        raise InvalidInput(BAD_COUNTS.format(k=successes, n=n))
    if n == 0:
        return (0.0, 1.0)
    z = normal_quantile(confidence)
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # Clamp rounding noise so the documented invariants hold exactly.
    lo = 0.0 if successes == 0 else max(0.0, min(centre - half, p))
    hi = 1.0 if successes == n else min(1.0, max(centre + half, p))
    return (lo, hi)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (controls the family-wise error rate), in input order.

    >>> holm([0.01, 0.02, 0.5])
    [0.03, 0.04, 0.5]
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        out[i] = running
    return out


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (controls the false discovery rate), in input order.

    >>> benjamini_hochberg([0.01, 0.02, 0.5])
    [0.03, 0.03, 0.5]
    """
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i], reverse=True)
    out = [0.0] * m
    running = 1.0
    for pos, i in enumerate(order):
        rank = m - pos
        running = min(running, pvalues[i] * m / rank)
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
    return list(pvalues)


def gini(values: Iterable[float | int | Fraction]) -> float:
    """Gini coefficient of non-negative values: 0 for perfect equality, (n-1)/n at most.

    Computed exactly with fractions from the sorted values: ``G = 2·Σ i·x(i) / (n·Σx) - (n+1)/n``.
    An empty or all-zero input gives 0.

    >>> gini([1, 2, 3, 4])
    0.25
    """
    xs = sorted(Fraction(v) for v in values)
    n = len(xs)
    total = sum(xs, Fraction(0))
    if n == 0 or total == 0:
        return 0.0
    if xs[0] < 0:
        raise InvalidInput(f"Gini needs non-negative values, got {float(xs[0])}")
    weighted = sum((i * x for i, x in enumerate(xs, start=1)), Fraction(0))
    return float(2 * weighted / (n * total) - Fraction(n + 1, n))


@attrs.frozen
class Stratified:
    """A difference ``a - b`` of two groups averaged over shared strata, with its standard error.

    ``n_a`` and ``n_b`` count the cases in the strata both groups share (the ones compared).
    ``ratio`` is the Mantel-Haenszel-weighted ratio ``Σw·m_a / Σw·m_b`` (None when undefined).
    """

    difference: float
    se: float
    ratio: float | None
    n_a: int
    n_b: int
    strata: int

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """Normal-approximation interval ``difference ± z·se``."""
        z = normal_quantile(confidence)
        return (self.difference - z * self.se, self.difference + z * self.se)

    @property
    def p_value(self) -> float:
        """Two-sided p-value of ``difference == 0``; 1.0 when nothing was compared."""
        if self.strata == 0:
            return 1.0
        if self.se == 0.0:
            return 1.0 if self.difference == 0.0 else 0.0
        return two_sided_p(self.difference / self.se)


def _sample_var(n: int, total: int, sumsq: int) -> Fraction | None:
    """Exact sample variance from ``n``, the sum and the sum of squares (None when ``n < 2``)."""
    if n < 2:
        return None
    return (Fraction(sumsq) - Fraction(total * total, n)) / (n - 1)


def _side_var(cells: Mapping[object, Sequence[int]]) -> Fraction:
    """The sample variance of all of one group's values, for cells too small to have their own."""
    n = sum(c[0] for c in cells.values())
    total = sum(c[1] for c in cells.values())
    sumsq = sum(c[2] for c in cells.values())
    return _sample_var(n, total, sumsq) or Fraction(0)


def _cell_mean_var(
    cell: Sequence[int], kind: Literal["proportion", "mean"], fallback: Fraction = Fraction(0)
) -> tuple[float, float]:
    """Mean and variance of the mean for one cell (``[n, k]`` or ``[n, sum, sumsq]``).

    A mean cell of one case has no variance of its own; it borrows ``fallback`` (the variance of
    all of its group's values) rather than claiming no uncertainty.
    """
    n = cell[0]
    if kind == "proportion":
        k = cell[1]
        # Agresti-Caffo: one success and one failure added, for the variance only, so a cell at
        # 0% or 100% does not claim zero uncertainty.
        pt = (k + 1) / (n + 2)
        return k / n, pt * (1 - pt) / (n + 2)
    total, sumsq = cell[1], cell[2]
    var = _sample_var(n, total, sumsq)
    return float(Fraction(total, n)), float((fallback if var is None else var) / n)


def stratified_difference(
    a: Mapping[object, Sequence[int]],
    b: Mapping[object, Sequence[int]],
    kind: Literal["proportion", "mean"],
) -> Stratified:
    """Compare groups ``a`` and ``b`` stratum by stratum (like with like), weights ``nₐnᵦ/(nₐ+nᵦ)``.

    Each mapping goes from stratum (e.g. VOC code) to the exact cell counts: ``[n, successes]``
    for a proportion, ``[n, sum, sum of squares]`` for a mean. Strata only one group has are
    left out (nothing like to compare with). The difference is ``Σw(mₐ-mᵦ)/Σw`` with the
    Mantel-Haenszel weights ``w = nₐnᵦ/(nₐ+nᵦ)``; its variance ``Σw²(vₐ+vᵦ)/(Σw)²`` uses each
    cell's variance of the mean (Agresti-Caffo adjusted for proportions, the exact sample
    variance from sums of squares for means; a one-case cell borrows the sample variance of all
    of its group's values).

    >>> s = stratified_difference({"X": [10, 8], "Y": [10, 2]}, {"X": [10, 6], "Y": [10, 0]},
    ...                           "proportion")
    >>> round(s.difference, 3), s.n_a, s.n_b, round(s.ratio, 3)
    (0.2, 20, 20, 1.667)
    """
    shared = [s for s in a if s in b and a[s][0] > 0 and b[s][0] > 0]
    sw = 0.0
    diff = 0.0
    var = 0.0
    num = 0.0
    den = 0.0
    n_a = n_b = 0
    fa = _side_var(a) if kind == "mean" else Fraction(0)
    fb = _side_var(b) if kind == "mean" else Fraction(0)
    for s in shared:
        ca, cb = a[s], b[s]
        ma, va = _cell_mean_var(ca, kind, fa)
        mb, vb = _cell_mean_var(cb, kind, fb)
        w = ca[0] * cb[0] / (ca[0] + cb[0])
        sw += w
        diff += w * (ma - mb)
        var += w * w * (va + vb)
        num += w * ma
        den += w * mb
        n_a += ca[0]
        n_b += cb[0]
    if sw == 0.0:
        return Stratified(0.0, 0.0, None, 0, 0, 0)
    ratio = num / den if den != 0.0 else None
    return Stratified(diff / sw, math.sqrt(var) / sw, ratio, n_a, n_b, len(shared))
