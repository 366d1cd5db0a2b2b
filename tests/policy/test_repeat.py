"""Tests of ccms.policy.repeat: same-customer repeats and Poisson code spikes."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import ConfigError, InvalidInput
from ccms.model import (
    Actor,
    Complaint,
    ComplaintReceived,
    Concern,
    CustomerRef,
    Flag,
    RepeatDetected,
    fold,
)
from ccms.policy import PolicyContext, default_registry
from ccms.policy.repeat import (
    RepeatDetector,
    code_spike,
    poisson_tail,
    same_customer_repeats,
)

T0 = datetime(2026, 3, 20, 9, tzinfo=UTC)
DAY = timedelta(days=1)


def complaint(cid: str, days_before: float, *codes: str, customer: str = "u1") -> Complaint:
    at = T0 - days_before * DAY
    return fold(
        [
            ComplaintReceived(
                complaint_id=cid,
                version=1,
                at=at,
                actor=Actor.system(),
                stage="received",
                received_at=at,
                channel="web",
                customer=CustomerRef(id=customer),
                concerns=tuple(Concern(kind="complaint", text="x", code=c) for c in codes),
            )
        ]
    )


# --------------------------------------------------------------------------- Poisson


def test_poisson_tail_against_hand_computed_values() -> None:
    # P(X >= 6 | 2) = 1 - e^-2 (1 + 2 + 2 + 4/3 + 2/3 + 4/15) = 1 - 7.2666... e^-2
    assert poisson_tail(6, 2.0) == pytest.approx(0.0165636084806, abs=1e-12)
    assert poisson_tail(7, 2.0) == pytest.approx(0.0045338055262, abs=1e-12)
    assert poisson_tail(1, 0.5) == pytest.approx(1 - math.exp(-0.5), abs=1e-15)
    assert poisson_tail(2, 3.0) == pytest.approx(1 - 4 * math.exp(-3), abs=1e-15)


def test_poisson_tail_does_not_underflow_for_large_means() -> None:
    # the median of Poisson(1000) is 1000: P(X >= 1000) is a little over one half
    assert 0.5 < poisson_tail(1000, 1000.0) < 0.52
    assert 0 < poisson_tail(1200, 1000.0) < 1e-9


def test_poisson_tail_rejects_nonsense() -> None:
    with pytest.raises(InvalidInput, match="k ≥ 0"):
        poisson_tail(-1, 1.0)
    with pytest.raises(InvalidInput, match="finite lam"):
        poisson_tail(1, float("inf"))


@given(st.integers(0, 40), st.floats(0.01, 20))
def test_poisson_tail_is_one_minus_the_cdf_and_falls_with_k(k: int, lam: float) -> None:
    cdf = sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(k))
    tail = poisson_tail(k, lam)
    assert tail == pytest.approx(1 - cdf, abs=1e-9)
    assert 0.0 <= poisson_tail(k + 1, lam) <= tail <= 1.0


def test_spike_rule_with_min_count_and_zero_baseline() -> None:
    assert code_spike("X", 7, [2, 1, 3, 2, 2]).flagged  # p = 0.0045 < 0.01
    assert not code_spike("X", 6, [2, 1, 3, 2, 2]).flagged  # p = 0.0166
    assert code_spike("X", 6, 2.0, alpha=0.05).flagged
    assert not code_spike("X", 2, [0, 0, 0]).flagged  # p = 0 but fewer than min_count
    zero = code_spike("X", 3, [0, 0, 0])
    assert (zero.flagged, zero.p_value) == (True, 0.0)
    with pytest.raises(InvalidInput, match="baseline is empty"):
        code_spike("X", 3, [])


# --------------------------------------------------------------------------- same customer


def test_same_customer_same_code_within_the_window() -> None:
    now = complaint("c9", 0, "PAY.REFUND", "DLV.LATE")
    history = [
        complaint("c1", 40, "PAY.REFUND"),  # too old
        complaint("c2", 10, "PAY.REFUND"),
        complaint("c3", 3, "DLV.LATE", "PAY.REFUND"),
        complaint("c4", 2, "PRD.DEF"),  # another code
        complaint("c5", 1, "PAY.REFUND", customer="u2"),  # another customer
        complaint("c6", -1, "PAY.REFUND"),  # after this one
        now,
    ]
    assert same_customer_repeats(now, history, timedelta(days=30)) == {
        "PAY.REFUND": ("c2", "c3"),
        "DLV.LATE": ("c3",),
    }
    assert same_customer_repeats(now, history, timedelta(days=5)) == {
        "PAY.REFUND": ("c3",),
        "DLV.LATE": ("c3",),
    }


def test_detector_sweep_reports_new_repeats_and_spikes_once() -> None:
    detector = RepeatDetector(window=timedelta(days=30))
    current = complaint("c9", 0, "PAY.REFUND")
    extra = {
        "customer_history": [complaint("c2", 10, "PAY.REFUND")],
        "recent_code_counts": {"PAY.REFUND": 7},
        "code_baseline": {"PAY.REFUND": [2, 1, 3, 2, 2]},
    }
    events: list = []
    ctx = PolicyContext(complaint=current, events=events, now=T0, extra=extra)
    new = detector.sweep(ctx)
    assert [(e.pattern, e.code, e.related) for e in new if isinstance(e, RepeatDetected)] == [
        ("same_customer", "PAY.REFUND", ("c2",)),
        ("code_spike", "PAY.REFUND", ()),
    ]
    assert new[1].detail == ("7 in the window against a mean of 2.00: P(X ≥ 7) = 0.0045 < 0.01")
    assert {(e.version, e.trigger) for e in new} == {(2, "repeat")}
    events.extend(new)
    folded = fold(events, start=current)
    assert Flag.REPEAT in folded.flags
    assert detector.sweep(ctx.evolve(complaint=folded, events=events)) == []
    # a further earlier complaint appears in the history: only it is reported
    more = {
        **extra,
        "customer_history": [*extra["customer_history"], complaint("c3", 5, "PAY.REFUND")],
    }
    again = detector.sweep(ctx.evolve(complaint=folded, events=events, extra=more))
    assert [(e.pattern, e.related) for e in again if isinstance(e, RepeatDetected)] == [
        ("same_customer", ("c3",))
    ]


def test_detector_abstains_without_inputs_and_registry_validates() -> None:
    ctx = PolicyContext(complaint=complaint("c1", 0, "PAY.REFUND"), now=T0)
    assert RepeatDetector().decide(ctx) is None
    assert RepeatDetector().sweep(ctx) == []
    with pytest.raises(ConfigError, match="alpha: Input should be less than 1"):
        default_registry.create("repeat", "detector", alpha=2)
