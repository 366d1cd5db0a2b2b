"""The fairness result: a :class:`FairnessFrame`, in the manner of fairlearn's ``MetricFrame``.

A frame holds the exact cell counts of one metric per group (``by``, e.g. channel) and per stratum
(``control``, the VOC code by default, so like cases are compared with like) and derives:

* ``overall`` and ``by_group``: crude values with confidence intervals (Wilson for proportions,
  Student's t ``mean ± t(n-1)·sd/√n`` for means; no interval for a mean of one case);
* ``comparisons(method)``: stratified differences (see
  :func:`ccms.metrics.stats.stratified_difference`: Cochran-Mantel-Haenszel test and MOVER-Wilson
  interval for proportions, stratified Welch t-test and t interval for means) between every pair
  of groups (``"between_groups"``) or between each group and all other groups pooled
  (``"to_overall"``), with p-values adjusted for the number of comparisons (Holm by default, or
  Benjamini-Hochberg), and a verdict. The verdict is ``"insufficient"`` (not enough data: never
  a difference) when either side has fewer than ``min_n`` cases in the shared strata, or when the
  test is not defined for the data (a group of one case, no spread within either group);
  ``Comparison.reason`` then says which; an undefined interval is ``(-inf, inf)`` and an
  undefined p-value 1.0 (no evidence either way), so comparisons still compare equal;
* ``difference(method)``: the largest absolute difference; ``ratio(method)``: the smallest
  Mantel-Haenszel ratio folded to ``<= 1`` (1.0 means equal);
* ``flags``: one plain-language sentence for each difference that survives the correction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import cached_property
from typing import Any, Final, Literal, get_args

import attrs

from ccms.errors import InvalidInput
from ccms.metrics.stats import (
    Correction,
    adjust,
    normal_quantile,
    stratified_difference,
    student_t_quantile,
    wilson_interval,
)

__all__ = [
    "Comparison",
    "FairnessFrame",
    "GroupValue",
    "Method",
    "MetricSpec",
    "Verdict",
]

Method = Literal["between_groups", "to_overall"]
Verdict = Literal["differs", "no_difference", "insufficient"]
_METHODS: Final = get_args(Method)
BAD_METHOD: Final = "unknown method {value!r}; allowed: {allowed}"
BAD_ALPHA: Final = "alpha must lie strictly between 0 and 1, got {value!r}"
BAD_MIN_N: Final = "min_n must be an integer >= 1, got {value!r}"
FEWER_THAN_MIN_N: Final = (
    "not enough data: fewer than min_n={min_n} cases on a side (n={n_a} vs {n_b})"
)
_REST: Final = "all others"


@attrs.frozen
class MetricSpec:
    """What a fairness metric measures and how a flag words it.

    ``scale`` turns the internal value into the unit shown (x100 for percentage points,
    1/3600 for hours); ``phrase`` is ``"{more_less} ..."`` text completed with the difference.
    """

    name: str
    kind: Literal["proportion", "mean"]
    dimension: str  # "procedural", "outcome", "interactional", "survey"
    eligible: Callable[[Any], bool]
    value: Callable[[Any], int]
    phrase: str  # e.g. "got a material remedy {x} points {dir} often than"
    words: tuple[str, str]  # (word when a > b, word when a < b)
    scale: Fraction = Fraction(1)
    unit: str = ""


@attrs.frozen
class GroupValue:
    """A group's crude value with its interval and size."""

    group: Any
    n: int
    value: float | None
    low: float | None
    high: float | None


@attrs.frozen
class Comparison:
    """A stratified comparison ``a - b`` (``b`` is ``"all others"`` for ``to_overall``)."""

    a: Any
    b: Any
    n_a: int
    n_b: int
    strata: int
    difference: float
    low: float
    high: float
    ratio: float | None
    p_value: float
    p_adjusted: float
    verdict: Verdict
    reason: str | None = None


def _check_method(method: str) -> None:
    if method not in _METHODS:
        raise InvalidInput(BAD_METHOD.format(value=method, allowed=", ".join(_METHODS)))


Cells = Mapping[Any, Mapping[Any, tuple[int, ...]]]


def _pool(cells: Sequence[Mapping[Any, tuple[int, ...]]]) -> dict[Any, tuple[int, ...]]:
    out: dict[Any, list[int]] = {}
    for strata in cells:
        for s, c in strata.items():
            acc = out.setdefault(s, [0] * len(c))
            for i, x in enumerate(c):
                acc[i] += x
    return {s: tuple(c) for s, c in out.items()}


def _crude(
    kind: str, cells: Mapping[Any, tuple[int, ...]], confidence: float, z: float
) -> tuple[int, float | None, float | None, float | None]:
    tot = [0, 0, 0]
    for c in cells.values():
        for i, x in enumerate(c):
            tot[i] += x
    n = tot[0]
    if n == 0:
        return 0, None, None, None
    if kind == "proportion":
        lo, hi = wilson_interval(tot[1], n, confidence)
        return n, tot[1] / n, lo, hi
    mean = Fraction(tot[1], n)
    if n < 2:
        return n, float(mean), None, None  # one case: no spread to make an interval from
    var = (Fraction(tot[2]) - Fraction(tot[1] * tot[1], n)) / (n - 1)
    half = student_t_quantile(confidence, n - 1) * math.sqrt(float(var) / n)
    return n, float(mean), float(mean) - half, float(mean) + half


class FairnessFrame:
    """Group values, stratified comparisons and flags for one metric (see the module docstring)."""

    def __init__(
        self,
        spec: MetricSpec,
        by: str,
        control: str | None,
        cells: Cells,
        *,
        confidence: float = 0.95,
        min_n: int = 30,
        correction: Correction = "holm",
        alpha: float = 0.05,
        context: str = "",
    ) -> None:
        if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
            raise InvalidInput(BAD_MIN_N.format(value=min_n))
        if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
            raise InvalidInput(BAD_ALPHA.format(value=alpha))
        self.spec = spec
        self.metric = spec.name
        self.by = by
        self.control = control
        self.cells: dict[Any, dict[Any, tuple[int, ...]]] = {
            g: dict(strata) for g, strata in cells.items()
        }
        self.confidence = confidence
        self.min_n = min_n
        self.correction: Correction = correction
        self.alpha = alpha
        self.context = context
        self._z = normal_quantile(confidence)
        adjust([], correction)  # validates the choice now

    def _value(self, group: Any, cells: Mapping[Any, tuple[int, ...]]) -> GroupValue:
        n, v, lo, hi = _crude(self.spec.kind, cells, self.confidence, self._z)
        return GroupValue(group, n, v, lo, hi)

    @cached_property
    def overall(self) -> GroupValue:
        """The crude value over every group."""
        return self._value(None, _pool(list(self.cells.values())))

    @cached_property
    def by_group(self) -> dict[Any, GroupValue]:
        """The crude value of each group, sorted by group."""
        return {g: self._value(g, self.cells[g]) for g in sorted(self.cells, key=str)}

    def comparisons(self, method: Method = "between_groups") -> list[Comparison]:
        """Stratified comparisons with corrected p-values and verdicts."""
        _check_method(method)
        return list(self._comparisons(method))

    @cached_property
    def _between(self) -> tuple[Comparison, ...]:
        groups = sorted(self.cells, key=str)
        pairs = [(a, b) for i, a in enumerate(groups) for b in groups[i + 1 :]]
        raw = [(a, b, self.cells[a], self.cells[b]) for a, b in pairs]
        return self._judge(raw)

    @cached_property
    def _to_overall(self) -> tuple[Comparison, ...]:
        groups = sorted(self.cells, key=str)
        raw = [
            (g, _REST, self.cells[g], _pool([self.cells[h] for h in groups if h != g]))
            for g in groups
        ]
        return self._judge(raw)

    def _comparisons(self, method: Method) -> tuple[Comparison, ...]:
        return self._between if method == "between_groups" else self._to_overall

    def _judge(self, raw: Sequence[tuple[Any, Any, Any, Any]]) -> tuple[Comparison, ...]:
        stats = [stratified_difference(ca, cb, self.spec.kind) for _, _, ca, cb in raw]
        tested = [
            i
            for i, s in enumerate(stats)
            if s.p_value is not None and s.n_a >= self.min_n and s.n_b >= self.min_n
        ]
        adjusted = dict(
            zip(tested, adjust([stats[i].p_value or 0.0 for i in tested], self.correction),
                strict=True)
        )  # fmt: skip
        out = []
        for i, ((a, b, _, _), s) in enumerate(zip(raw, stats, strict=True)):
            lo, hi = s.interval(self.confidence) or (-math.inf, math.inf)
            p = 1.0 if s.p_value is None else s.p_value
            reason = s.reason
            if i in adjusted:
                p_adj = adjusted[i]
                verdict: Verdict = "differs" if p_adj < self.alpha else "no_difference"
            else:
                p_adj = 1.0
                verdict = "insufficient"
                if reason is None:
                    reason = FEWER_THAN_MIN_N.format(min_n=self.min_n, n_a=s.n_a, n_b=s.n_b)
            out.append(
                Comparison(a, b, s.n_a, s.n_b, s.strata, s.difference, lo, hi, s.ratio,
                           p, p_adj, verdict, reason)
            )  # fmt: skip
        return tuple(out)

    def difference(self, method: Method = "between_groups") -> float | None:
        """The largest absolute stratified difference among comparisons with a verdict."""
        _check_method(method)
        judged = [
            abs(c.difference) for c in self._comparisons(method) if c.verdict != "insufficient"
        ]
        return max(judged) if judged else None

    def ratio(self, method: Method = "between_groups") -> float | None:
        """The smallest Mantel-Haenszel ratio folded to ``<= 1`` among judged comparisons."""
        _check_method(method)
        folded = []
        for c in self._comparisons(method):
            if c.verdict == "insufficient" or c.ratio is None:
                continue
            folded.append(min(c.ratio, 1 / c.ratio) if c.ratio > 0 else 0.0)
        return min(folded) if folded else None

    def _who(self, group: Any) -> str:
        if group == _REST:
            return "all other groups"
        if self.by == "channel":
            return f"via {group}"
        if self.by == "handler":
            return f"handled by {group}"
        return f"with {self.by} {group}"

    def _fmt(self, x: float) -> str:
        v = x * float(self.spec.scale)
        return f"{v:.1f}"

    def explain(self, c: Comparison) -> str:
        """The plain-language sentence for one comparison."""
        spec = self.spec
        word = spec.words[0] if c.difference > 0 else spec.words[1]
        phrase = spec.phrase.format(x=self._fmt(abs(c.difference)), dir=word)
        like = f", like for like by {self.control}" if self.control else ""
        conf = round(self.confidence * 100)
        p = "p" if self.correction == "none" else f"{self.correction}-adjusted p"
        return (
            f"Complaints {self._who(c.a)}{self.context} {phrase} {self._who(c.b)}{like} "
            f"(difference {self._fmt(c.difference)}{spec.unit}, {conf}% CI "
            f"{self._fmt(c.low)} to {self._fmt(c.high)}; n={c.n_a} vs {c.n_b}; "
            f"{p}={c.p_adjusted:.3g})"
        )

    @cached_property
    def flags(self) -> list[str]:
        """Plain-language explanations of the differences that survive the correction, largest
        first (between groups)."""
        found = [c for c in self._between if c.verdict == "differs"]
        found.sort(key=lambda c: -abs(c.difference))
        return [self.explain(c) for c in found]

    def __repr__(self) -> str:
        return (
            f"FairnessFrame(metric={self.metric!r}, by={self.by!r}, control={self.control!r}, "
            f"groups={len(self.cells)}, flags={len(self.flags)})"
        )
