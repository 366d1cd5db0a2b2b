"""``ccms.policy.base`` (the context and composition every policy shares) and
``ccms.policy.retention`` (how long a closed complaint keeps its personal data)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import InvalidInput, NaiveDatetimeError, PolicyError
from ccms.model import Complaint, Concern, CustomerRef
from ccms.policy import least_loaded
from ccms.policy.base import FirstOf, Policy, PolicyContext, first_of
from ccms.policy.retention import MAX_RETENTION_DAYS, RetentionPolicy
from ccms.policy.routing import fixed

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
COMPLAINT = Complaint(
    id="c1", version=3, received_at=T0, updated_at=T0, channel="web",
    customer=CustomerRef(id="C-1"), stage="classified",
    concerns=(Concern(kind="complaint", text="broke"),),
)  # fmt: skip


class Const(Policy[str]):
    kind = "demo"

    def __init__(self, value: str | None) -> None:
        self.value = value
        self.calls = 0

    def decide(self, ctx: PolicyContext) -> str | None:
        self.calls += 1
        return self.value


def ctx() -> PolicyContext:
    return PolicyContext(complaint=COMPLAINT, now=T0)


def test_the_context_refuses_a_naive_now_and_evolves_into_a_copy() -> None:
    with pytest.raises(NaiveDatetimeError, match=r"PolicyContext\.now"):
        PolicyContext(complaint=COMPLAINT, now=datetime(2026, 3, 2, 9))
    base = ctx()
    later = base.evolve(now=T0 + timedelta(hours=1), open_load={"kim": 2})
    assert (base.now, dict(base.open_load)) == (T0, {})
    assert (later.now, later.open_load["kim"], later.complaint) == (
        T0 + timedelta(hours=1),
        2,
        COMPLAINT,
    )


def test_the_system_stamp_is_the_next_version_now_by_the_system() -> None:
    stamp = ctx().system_stamp("sla")
    assert stamp == {
        "complaint_id": "c1",
        "version": 4,
        "at": T0,
        "actor": stamp["actor"],
        "trigger": "sla",
        "stage": None,
    }
    assert stamp["actor"].role == "system"


@given(st.lists(st.none() | st.sampled_from("abc"), min_size=1, max_size=6))
def test_a_chain_decides_as_its_first_member_that_decides(values: list[str | None]) -> None:
    policies = [Const(v) for v in values]
    chain = first_of(*policies)
    decided = next((v for v in values if v is not None), None)
    assert chain.decide(ctx()) == decided
    stop = next((i for i, v in enumerate(values) if v is not None), len(values) - 1)
    assert [p.calls for p in policies] == [1] * (stop + 1) + [0] * (len(values) - stop - 1)


def test_chains_flatten_and_keep_their_order_and_kind() -> None:
    a, b, c = Const("a"), Const("b"), Const("c")
    chain = (a | b) | c
    assert isinstance(chain, FirstOf)
    assert chain.policies == (a, b, c)
    assert chain.kind == "demo"
    assert repr(chain) == "first_of(Const, Const, Const)"


def test_chains_refuse_other_kinds_and_non_policies() -> None:
    with pytest.raises(PolicyError, match="a chain holds policies of one kind"):
        first_of(fixed("cs"), least_loaded())
    with pytest.raises(PolicyError, match=r"with 3 \(int\): it has no decide\(ctx\) method"):
        first_of(Const("a"), 3)  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="at least one policy"):
        FirstOf([])


# ------------------------------------------------------------------------------ retention


@given(
    days=st.integers(1, 3_650),
    closed=st.integers(0, 10_000 * 86_400),
    now=st.integers(0, 10_000 * 86_400),
)
def test_a_complaint_expires_exactly_days_after_its_closing(
    days: int, closed: int, now: int
) -> None:
    policy = RetentionPolicy(days=days)
    closed_at = T0 + timedelta(seconds=closed)
    at = T0 + timedelta(seconds=now)
    assert policy.expired(closed_at, at) == (at - closed_at >= timedelta(days=days))
    assert not policy.expired(None, at)  # open complaints never expire


@pytest.mark.parametrize("days", [0, -1, MAX_RETENTION_DAYS + 1, True, 1.5, "30"])
def test_a_retention_period_is_a_whole_number_of_days_in_range(days: object) -> None:
    with pytest.raises(InvalidInput, match=r"RetentionPolicy\.days must be an int from 1 to 36500"):
        RetentionPolicy(days=days)  # type: ignore[arg-type]


def test_retention_needs_aware_times() -> None:
    policy = RetentionPolicy(days=30)
    with pytest.raises(NaiveDatetimeError):
        policy.expired(datetime(2026, 1, 1), T0)
    with pytest.raises(InvalidInput, match="needs an aware datetime now"):
        policy.cutoff("2026-01-01")  # type: ignore[arg-type]
