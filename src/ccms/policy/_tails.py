"""Exact Poisson and binomial tails in floating point (math only).

Each tail is a sum of probability masses started at its first term and continued by the
ratio of consecutive terms until the rest cannot change the sum. The first term comes from
Loader's saddle-point form, ``ln p(x) = -S(x) - bd0(x, λ) - ½ ln(2πx)`` for the Poisson and
``S(n) - S(x) - S(n-x) - bd0(x, np) - bd0(n-x, nq) + ½ ln(n / (2πx(n-x)))`` for the binomial,
with ``S`` the Stirling-series remainder of ``ln x!`` and ``bd0(x, m) = x ln(x/m) + m - x``
summed as a series near ``x = m`` (C. Loader, "Fast and accurate computation of binomial
probabilities", 2000; the method of R's ``dpois``/``dbinom``). Unlike ``exp(k ln λ - λ -
lgamma(k+1))``, whose exponent loses ``ε·λ`` to cancellation, this keeps full relative
precision for large counts. The sum runs on the side of the mode where the terms fall, and
the other tail is ``1 - sum`` only when that tail is at least about one half, so no
cancellation is involved. Cost grows with the standard deviation (``√λ``, ``√(npq)``).
"""

from __future__ import annotations

import math
from typing import Final

__all__ = ["binomial_cdf", "poisson_sf"]

_LN_2PI: Final = math.log(2.0 * math.pi)
_STOP: Final = 1e-17


def _stirling(n: float) -> float:
    """``ln n! - ((n + ½) ln n - n + ½ ln 2π)`` (exact ``lgamma`` below 16, else the series)."""
    if n < 16.0:
        return math.lgamma(n + 1.0) - (n + 0.5) * math.log(n) + n - 0.5 * _LN_2PI
    n2 = n * n
    return (
        1.0 / 12.0
        - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * n2)) / n2) / n2) / n2
    ) / n


def _bd0(x: float, m: float) -> float:
    """``x ln(x/m) + m - x`` without cancellation (Loader 2000)."""
    if abs(x - m) < 0.1 * (x + m):
        v = (x - m) / (x + m)
        s = (x - m) * v
        ej = 2.0 * x * v
        v2 = v * v
        j = 1
        while True:
            ej *= v2
            s1 = s + ej / (2 * j + 1)
            if s1 == s:
                return s1
            s = s1
            j += 1
    return x * math.log(x / m) + m - x


def _ln_dpois(x: int, lam: float) -> float:
    if x == 0:
        return -lam
    return -_stirling(x) - _bd0(x, lam) - 0.5 * (_LN_2PI + math.log(x))


def poisson_sf(k: int, lam: float) -> float:
    """``P(X ≥ k)`` for ``X ~ Poisson(lam)``, ``k ≥ 1``, ``lam > 0`` finite."""
    if k > lam:
        t = math.exp(_ln_dpois(k, lam))
        terms = [t]
        total = t
        i = k
        while t > _STOP * total:
            i += 1
            t *= lam / i
            terms.append(t)
            total += t
        return min(1.0, math.fsum(terms))
    # k <= lam: the lower tail P(X <= k-1) is at most about one half
    i = k - 1
    t = math.exp(_ln_dpois(i, lam))
    terms = [t]
    total = t
    while i > 0 and t > _STOP * total:
        t *= i / lam
        i -= 1
        terms.append(t)
        total += t
    return max(0.0, 1.0 - math.fsum(terms))


def _ln_dbinom(x: int, n: int, ln_p: float, ln_q: float, np_: float, nq: float) -> float:
    if x == 0:
        return n * ln_q
    if x == n:
        return n * ln_p
    return (
        _stirling(n)
        - _stirling(x)
        - _stirling(n - x)
        - _bd0(x, np_)
        - _bd0(n - x, nq)
        + 0.5 * (math.log(n) - _LN_2PI - math.log(x) - math.log(n - x))
    )


def binomial_cdf(c: int, n: int, ln_p: float, ln_q: float) -> float:
    """``P(X ≤ c)`` for ``X ~ Binomial(n, p)`` from ``ln p`` and ``ln q`` (``q = 1 - p``).

    Taking both logarithms lets a caller give ``p`` and ``q`` each to full precision (a ``p``
    within rounding of 1 still has an exact, tiny ``q``).
    """
    if c >= n:
        return 1.0
    if ln_q == -math.inf:  # p == 1: X == n surely
        return 0.0
    if ln_p == -math.inf:  # p == 0: X == 0 surely
        return 1.0
    p, q = math.exp(ln_p), math.exp(ln_q)
    np_, nq = n * p, n * q
    if c < np_:  # p > 0 here, as c >= 0
        i = c
        t = math.exp(_ln_dbinom(i, n, ln_p, ln_q, np_, nq))
        terms = [t]
        total = t
        down = q / p
        while i > 0 and t > _STOP * total:
            t *= i / (n - i + 1) * down
            i -= 1
            terms.append(t)
            total += t
        return min(1.0, math.fsum(terms))
    if q == 0.0:  # q underflows: P(X <= c) <= q for c < n, below the smallest float
        return 0.0
    # c >= np: the upper tail P(X >= c+1) is at most about one half
    i = c + 1
    t = math.exp(_ln_dbinom(i, n, ln_p, ln_q, np_, nq))
    terms = [t]
    total = t
    up = p / q
    while i < n and t > _STOP * total:
        t *= (n - i) / (i + 1) * up
        i += 1
        terms.append(t)
        total += t
    return max(0.0, 1.0 - math.fsum(terms))
