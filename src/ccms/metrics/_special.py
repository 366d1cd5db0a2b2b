"""Special functions behind :mod:`ccms.metrics.stats`: the normal quantile and Student's t.

Only :mod:`math` is used, so the core carries no numerical library. Each function names its
method and reference; ``tests/metrics/test_stats_oracle.py`` checks them against scipy.

* Normal quantile: :meth:`statistics.NormalDist.inv_cdf` (Wichura's AS 241) called on the
  *smaller* tail, then one Newton step on ``erf`` or ``erfc`` (Press et al., *Numerical
  Recipes*, 3rd ed., §6.2), so confidence levels near 0 and near 1 keep full precision.
* Student's t survival function: ``sf(t) = I_x(ν/2, 1/2) / 2`` with ``x = ν/(ν + t²)``
  (Abramowitz & Stegun 26.5.27, 26.7.1), the regularized incomplete beta ``I_x(a, b)`` by its
  continued fraction evaluated with the modified Lentz method (Numerical Recipes §6.4; DLMF
  8.17.22). The prefactor ``x^a (1-x)^b / B(a, b)`` is taken in log space with ``log1p`` and,
  for ``a ≥ 10``, with ``ln B(a, b)`` from Stirling's series so large ν do not cancel.
* Student's t quantile: Newton's method on the survival function from the normal quantile,
  which lies below it (the t tail is heavier), so the iterates rise monotonically to the root
  (the survival function is convex for ``t > 0``).
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from statistics import NormalDist
from typing import Final, TypeVar

# The Stirling-series remainder of ln n! (= that of ln Γ(n)) has one home, the exact tails.
from ccms.policy._tails import _stirling

__all__ = ["normal_isf", "t_isf", "t_sf"]

_STD: Final = NormalDist()
_SQRT2: Final = math.sqrt(2.0)
_SQRT_2_OVER_PI: Final = math.sqrt(2.0 / math.pi)
_LN_SQRT_PI: Final = 0.5 * math.log(math.pi)
N = TypeVar("N", float, Decimal)
_EPS: Final = 1e-16
_TINY: Final = 1e-300
_MAX_TERMS: Final = 1_000_000
_DECIMAL_DF: Final = 1000.0  # above this, the continued fraction runs in decimal (see below)


def normal_isf(q: float) -> float:
    """``z`` with ``P(Z > z) = q`` for ``0 < q < 1`` (the upper-tail quantile)."""
    if q > 0.5:
        return -normal_isf(1.0 - q) if q < 1.0 else -math.inf
    z = -_STD.inv_cdf(q)  # the lower tail q is exact: no 1 - q rounding
    if z == 0.0:
        return 0.0
    # One Newton step on the tail function itself: erfc(z/√2)/2 = q, derivative -φ(z).
    phi = _SQRT_2_OVER_PI / 2.0 * math.exp(-0.5 * z * z)
    if phi > 0.0:
        z += (0.5 * math.erfc(z / _SQRT2) - q) / phi
    return z


def two_sided_normal_quantile(confidence: float) -> float:
    """``z`` with ``P(|Z| < z) = confidence``, accurate at both ends of ``(0, 1)``."""
    if confidence >= 0.5:
        return normal_isf((1.0 - confidence) / 2.0)  # 1 - c is exact here (Sterbenz)
    # Small confidence: solve erf(z/√2) = c from the series start, in relative precision.
    z = _STD.inv_cdf(0.5 + confidence / 2.0)
    if z == 0.0 or confidence < 1e-8:
        z = confidence * math.sqrt(math.pi / 2.0)
    for _ in range(3):
        z += (confidence - math.erf(z / _SQRT2)) / (_SQRT_2_OVER_PI * math.exp(-0.5 * z * z))
    return z


def _ln_beta(a: float, b: float) -> float:
    """``ln B(a, b)``; with the larger argument ``≥ 10`` the ``ln Γ`` terms that would cancel
    are combined analytically (Stirling's series for both, ``log1p`` for the rest)."""
    small, big = (a, b) if a <= b else (b, a)
    if big < 10.0:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    # ln Γ(big) - ln Γ(big + small) = -small ln(big + small) - (big - 1/2) log1p(small/big)
    #                                  + small + S(big) - S(big + small)
    diff = (
        -small * math.log(big + small)
        - (big - 0.5) * math.log1p(small / big)
        + small
        + _stirling(big)
        - _stirling(big + small)
    )
    if small >= 10.0:
        # ln Γ(small) from Stirling as well, keeping the whole sum accurate.
        ln_small = (small - 0.5) * math.log(small) - small + _LN_SQRT_PI + 0.5 * math.log(2.0)
        return ln_small + _stirling(small) + diff
    return math.lgamma(small) + diff


def _lentz(a: N, b: N, x: N, tiny: N, eps: N) -> N:
    """The continued fraction of ``I_x(a, b)`` by the modified Lentz method (Numerical Recipes
    §6.4), in the arithmetic of its arguments (binary floats or decimals)."""
    one = type(x)(1)
    qab, qap, qam = a + b, a + one, a - one
    c = one
    d = one - qab * x / qap
    d = one / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, _MAX_TERMS):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = one + aa * d
        d = one / (d if abs(d) > tiny else tiny)
        c = one + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = one + aa * d
        d = one / (d if abs(d) > tiny else tiny)
        c = one + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - one) < eps:
            return h
    raise ArithmeticError(f"incomplete beta I_x({a}, {b}) at x={x} did not converge")


def _beta_cf(a: float, b: float, x: float) -> float:
    """:func:`_lentz` in binary floating point."""
    return _lentz(a, b, x, _TINY, _EPS)


def _beta_cf_decimal(a: float, b: float, x: Decimal) -> float:
    """:func:`_lentz` in 40-digit decimal arithmetic.

    Near ``x = 1`` with a large ``a`` the fraction's terms ``1 - (a+b)x/(a+1)`` cancel to
    about ``a(1-x)``, losing ``log10(a)`` digits in binary floating point; 40 digits keep
    more than 16 of them for any ``a`` up to 1e20.
    """
    with localcontext() as ctx:
        ctx.prec = 40
        return float(_lentz(Decimal(a), Decimal(b), x, Decimal("1e-300"), Decimal("1e-30")))


def _ibeta(
    a: float, b: float, ln_x: float, ln_1mx: float, x: float, exact_x: Decimal | None = None
) -> float:
    """``I_x(a, b)`` by the continued fraction, for ``x < (a + 1)/(a + b + 2)``."""
    front = a * ln_x + b * ln_1mx - _ln_beta(a, b) - math.log(a)
    if front < -745.2:
        return 0.0
    cf = _beta_cf(a, b, x) if exact_x is None else _beta_cf_decimal(a, b, exact_x)
    return math.exp(front) * cf


def t_sf(t: float, df: float) -> float:
    """``P(T > t)`` for Student's t with ``df > 0`` degrees of freedom (``t`` may be ±inf)."""
    if t < 0.0:
        return 1.0 - t_sf(-t, df) if t > -math.inf else 1.0
    if t == 0.0:
        return 0.5
    if t == math.inf:
        return 0.0
    a, b = df / 2.0, 0.5
    ln_u = 2.0 * (math.log(t) - 0.5 * math.log(df))  # u = t²/ν, in logs: t² may overflow
    if ln_u > 0.0:
        inv_u = math.exp(-ln_u)
        ln_x = -(ln_u + math.log1p(inv_u))  # x = ν/(ν+t²) = 1/(1+u)
        ln_1mx = -math.log1p(inv_u)  # 1 - x = u/(1+u)
        x, y = math.exp(ln_x), 1.0 / (1.0 + inv_u)
    else:
        u = math.exp(ln_u)
        ln_x = -math.log1p(u)
        ln_1mx = ln_u - math.log1p(u)
        x, y = 1.0 / (1.0 + u), math.exp(ln_1mx)
    if x < (a + 1.0) / (a + b + 2.0):
        exact_x = None
        if df > _DECIMAL_DF:
            with localcontext() as ctx:
                ctx.prec = 40
                exact_x = Decimal(df) / (Decimal(df) + Decimal(t) * Decimal(t))
        return 0.5 * _ibeta(a, b, ln_x, ln_1mx, x, exact_x)
    # The symmetric side: I_x(a, b) = 1 - I_{1-x}(b, a).
    return 0.5 * (1.0 - _ibeta(b, a, ln_1mx, ln_x, y))


def _t_pdf(t: float, df: float) -> float:
    ln_u = 2.0 * (math.log(t) - 0.5 * math.log(df))  # t > 0 here
    ln_1pu = ln_u + math.log1p(math.exp(-ln_u)) if ln_u > 0.0 else math.log1p(math.exp(ln_u))
    ln_f = -(df + 1.0) / 2.0 * ln_1pu - _ln_beta(df / 2.0, 0.5) - 0.5 * math.log(df)
    return math.exp(ln_f)


def t_isf(q: float, df: float) -> float:
    """``t`` with ``P(T > t) = q`` for ``0 < q ≤ 1/2`` (the upper-tail quantile)."""
    t = normal_isf(q)
    if t == 0.0:
        return 0.0
    for _ in range(10_000):
        f = _t_pdf(t, df)
        if f == 0.0 or not math.isfinite(f):
            break
        step = (t_sf(t, df) - q) / f
        if step <= 0.0:  # at the root up to rounding (iterates only rise)
            break
        t += step
        if step <= 4e-16 * t:
            break
    return t
