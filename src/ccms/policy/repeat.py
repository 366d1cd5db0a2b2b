"""Repeated complaints (반복 불만) and code spikes: the internal broadcast known as the "VOC pop-up".

Two patterns, both reported as ``RepeatDetected`` events:

* **same customer**: the customer complained before with the same VOC code within ``window``
  (:func:`same_customer_repeats`, over the customer's earlier complaints);
* **code spike**: today's count of one code across customers is improbably high against its own
  baseline (:func:`code_spike`).

The spike rule is a one-sided Poisson test. With ``λ`` the mean count per window over the
baseline windows and ``k`` the count in the current window, the code spikes when

    ``P(X ≥ k | X ~ Poisson(λ)) < alpha``   and   ``k ≥ min_count``

(``min_count`` keeps a code seen twice against a baseline of zero from paging anyone). The tail
is the exact sum ``P(X ≥ k) = Σ_{i≥k} e^{-λ} λ^i / i!`` (:func:`poisson_tail`, accurate in
relative terms far into the tail). A baseline of zero makes every ``k ≥ 1`` infinitely unlikely (p = 0).

>>> round(poisson_tail(6, 2.0), 6)  # 1 - e^-2 (1 + 2 + 2 + 4/3 + 2/3 + 4/15)
0.016564
>>> code_spike("PRD.DEF", 6, [2, 1, 3, 2, 2]).flagged
False
>>> code_spike("PRD.DEF", 7, [2, 1, 3, 2, 2])
SpikeTest(code='PRD.DEF', count=7, baseline=2.0, p_value=0.004533805526248..., alpha=0.01, flagged=True)

Inputs from the Desk (``PolicyContext.extra``), read by :class:`RepeatDetector`:

* ``customer_history``: the customer's earlier complaints (``list[Complaint]``; any others are
  ignored, as are complaints received after this one);
* ``recent_code_counts``: ``{code: count}`` in the current window (this complaint included), the
  same mapping the early-warning cluster rule reads;
* ``code_baseline``: ``{code: [count per window, ...]}`` over earlier windows of the same length
  (or ``{code: mean}``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any

import attrs
from pydantic import BaseModel, ConfigDict, Field

from ccms._files import validate_mapping
from ccms.errors import InvalidInput
from ccms.model import Complaint, DomainEvent, RepeatDetected
from ccms.policy._tails import poisson_sf
from ccms.policy.base import Policy, PolicyContext
from ccms.policy.registry import default_registry

__all__ = [
    "RepeatDecision",
    "RepeatDetector",
    "SpikeTest",
    "code_spike",
    "poisson_tail",
    "same_customer_repeats",
]


_MAX_POISSON = 10**10


def poisson_tail(k: int, lam: float) -> float:
    """``P(X ≥ k)`` for ``X ~ Poisson(lam)``, exact up to floating point (relative error about
    1e-12, also for large counts and far tails).

    The first term is Loader's saddle-point form of the Poisson mass, the rest follow by the
    ratio of consecutive terms: the upper terms are summed when ``k > lam``, else the lower
    ones, and ``1 - sum`` is taken only when the tail is at least about one half (see
    ``ccms.policy._tails``). ``k`` must be a non-negative integer and ``lam`` a finite number
    ``≥ 0``, both at most ``10**10`` (the cost grows with ``√lam``).

    >>> poisson_tail(0, 3.0), poisson_tail(1, 0.0), poisson_tail(0, 0.0)
    (1.0, 0.0, 1.0)
    >>> round(poisson_tail(1, 1.0), 12) == round(1 - math.exp(-1), 12)
    True
    >>> poisson_tail(1.5, 2.0)
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: poisson_tail needs an integer count k ≥ 0, got 1.5
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise InvalidInput(f"poisson_tail needs an integer count k ≥ 0, got {k!r}")
    if (
        isinstance(lam, bool)
        or not isinstance(lam, int | float)
        or not math.isfinite(lam)
        or lam < 0
    ):
        raise InvalidInput(f"poisson_tail needs a finite lam ≥ 0 (the baseline mean), got {lam!r}")
    if k > _MAX_POISSON or lam > _MAX_POISSON:
        raise InvalidInput(
            f"poisson_tail takes k and lam up to {_MAX_POISSON:.0e}, got k={k}, lam={lam}"
        )
    if k == 0:
        return 1.0
    if lam == 0:
        return 0.0
    return poisson_sf(k, float(lam))


@attrs.frozen(slots=True, kw_only=True)
class SpikeTest:
    """The outcome of :func:`code_spike`: the count, the baseline mean, the p-value and the call."""

    code: str
    count: int
    baseline: float
    p_value: float
    alpha: float
    flagged: bool


def code_spike(
    code: str,
    count: int,
    baseline: Sequence[float] | float,
    *,
    alpha: float = 0.01,
    min_count: int = 3,
) -> SpikeTest:
    """Test one code's count in the current window against its baseline (module docs)."""
    if not 0 < alpha < 1:
        raise InvalidInput(f"alpha must be between 0 and 1 (exclusive), got {alpha}")
    if isinstance(baseline, int | float):
        lam = float(baseline)
    else:
        if not baseline:
            raise InvalidInput(f"code {code!r}: the baseline is empty; give earlier window counts")
        lam = math.fsum(baseline) / len(baseline)
    p = poisson_tail(count, lam)
    return SpikeTest(
        code=code,
        count=count,
        baseline=lam,
        p_value=p,
        alpha=alpha,
        flagged=count >= min_count and p < alpha,
    )


def same_customer_repeats(
    complaint: Complaint, history: Sequence[Complaint], window: timedelta
) -> dict[str, tuple[str, ...]]:
    """``{code: earlier complaint ids}``: the customer's complaints with a code in common with
    ``complaint``, received within ``window`` before it (oldest first).

    >>> from datetime import datetime, timedelta, timezone
    >>> from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
    >>> def c(cid, day, code):
    ...     at = datetime(2026, 3, day, tzinfo=timezone.utc)
    ...     return fold([ComplaintReceived(complaint_id=cid, version=1, at=at, actor=Actor.system(),
    ...         stage="received", received_at=at, channel="web", customer=CustomerRef(id="u1"),
    ...         concerns=(Concern(kind="complaint", text="x", code=code),))])
    >>> same_customer_repeats(c("c3", 20, "PAY.REFUND"),
    ...     [c("c1", 1, "PAY.REFUND"), c("c2", 15, "PAY.REFUND"), c("c0", 16, "PRD.DEF")],
    ...     timedelta(days=14))
    {'PAY.REFUND': ('c2',)}
    """
    codes = set(complaint.codes)
    found: dict[str, list[tuple[Any, str]]] = {}
    for earlier in history:
        if earlier.id == complaint.id or earlier.customer.id != complaint.customer.id:
            continue
        gap = complaint.received_at - earlier.received_at
        if not timedelta(0) <= gap <= window:
            continue
        for code in codes.intersection(earlier.codes):
            found.setdefault(code, []).append((earlier.received_at, earlier.id))
    return {
        code: tuple(cid for _, cid in sorted(found[code]))
        for code in complaint.codes
        if code in found
    }


@attrs.frozen(slots=True, kw_only=True)
class RepeatDecision:
    """Same-customer repeats by code and the spike tests that flagged."""

    same_customer: Mapping[str, tuple[str, ...]]
    spikes: tuple[SpikeTest, ...]


class RepeatDetector(Policy[RepeatDecision]):
    """Repeat and spike detection (kind ``"repeat"``) over the Desk's inputs (module docs).

    ``sweep(ctx)`` returns ``RepeatDetected`` events (trigger ``"repeat"``): one per code with
    earlier complaints of the same customer not reported before, and one per flagged code spike
    not reported before for this complaint. Idempotent.
    """

    kind = "repeat"

    __slots__ = ("alpha", "min_count", "window")

    def __init__(
        self, *, window: timedelta = timedelta(days=30), alpha: float = 0.01, min_count: int = 3
    ) -> None:
        if window <= timedelta(0):
            raise InvalidInput(f"window must be positive, got {window}")
        if not 0 < alpha < 1:
            raise InvalidInput(f"alpha must be between 0 and 1 (exclusive), got {alpha}")
        self.window, self.alpha, self.min_count = window, alpha, min_count

    def __repr__(self) -> str:
        return f"RepeatDetector(window={self.window.days}d, alpha={self.alpha})"

    def decide(self, ctx: PolicyContext) -> RepeatDecision | None:
        """The repeats and spikes seen now, or ``None`` when there are none."""
        complaint = ctx.complaint
        history = ctx.extra.get("customer_history") or ()
        repeats = same_customer_repeats(complaint, history, self.window)
        counts: Mapping[str, int] = ctx.extra.get("recent_code_counts") or {}
        baselines: Mapping[str, Any] = ctx.extra.get("code_baseline") or {}
        spikes = tuple(
            test
            for code in dict.fromkeys(complaint.codes)
            if code in counts and code in baselines
            for test in [
                code_spike(
                    code, counts[code], baselines[code], alpha=self.alpha, min_count=self.min_count
                )
            ]
            if test.flagged
        )
        if not repeats and not spikes:
            return None
        return RepeatDecision(same_customer=repeats, spikes=spikes)

    def next_wake(self, ctx: PolicyContext) -> datetime | None:
        """Always ``None``: repeats and spikes depend on received times and codes, not on the
        time now, so only a change (to this complaint, or one it is counted with) matters."""
        return None

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        """``RepeatDetected`` events not yet in the history."""
        decision = self.decide(ctx)
        if decision is None:
            return []
        stamp = ctx.system_stamp("repeat")
        reported: dict[str, set[str]] = {}
        spiked: set[str | None] = set()
        for e in ctx.events:
            if isinstance(e, RepeatDetected):
                if e.pattern == "same_customer":
                    reported.setdefault(e.code or "", set()).update(e.related)
                else:
                    spiked.add(e.code)
        out: list[DomainEvent] = []
        for code, ids in decision.same_customer.items():
            new = tuple(i for i in ids if i not in reported.get(code, set()))
            if new:
                out.append(
                    RepeatDetected(
                        pattern="same_customer",
                        code=code,
                        related=new,
                        detail=f"{len(ids)} earlier complaint(s) with {code} within "
                        f"{self.window.days} days",
                        **stamp,
                    )
                )
        for test in decision.spikes:
            if test.code not in spiked:
                out.append(
                    RepeatDetected(
                        pattern="code_spike",
                        code=test.code,
                        detail=f"{test.count} in the window against a mean of {test.baseline:.2f}: "
                        f"P(X ≥ {test.count}) = {test.p_value:.2g} < {test.alpha}",
                        **stamp,
                    )
                )
        return out


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_days: Annotated[float, Field(gt=0, le=3660)] = 30
    alpha: Annotated[float, Field(gt=0, lt=1)] = 0.01
    min_count: Annotated[int, Field(ge=1)] = 3


def detector(**params: Any) -> RepeatDetector:
    """Registry factory ``repeat``/``detector``: ``window_days``, ``alpha``, ``min_count``.

    >>> default_registry.create("repeat", "detector", window_days=14)
    RepeatDetector(window=14d, alpha=0.01)
    """
    checked = validate_mapping(_Params, params, "repeat policy 'detector'")
    return RepeatDetector(
        window=timedelta(days=checked.window_days), alpha=checked.alpha, min_count=checked.min_count
    )


default_registry.register("repeat", "detector", detector)
