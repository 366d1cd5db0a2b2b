"""The model's entities and values and their validation: what each accepts, what it refuses
(and how it says so), and the facts it derives (kind, severity, codes, authority)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ccms.errors import InvalidInput, NaiveDatetimeError, UnknownMember
from ccms.model import (
    MATERIAL_REMEDIES,
    Agent,
    Authority,
    Channel,
    Complaint,
    Concern,
    Customer,
    CustomerRef,
    Department,
    Money,
    Organization,
    RemedyKind,
    Role,
    Severity,
    VocKind,
    new_complaint_id,
)
from ccms.model.complaint import Feedback, Result
from ccms.model.types import AttributeValue, Frozen, Name, SortedSet, Text

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def complaint(**changes: Any) -> Complaint:
    fields: dict[str, Any] = {
        "id": "c1",
        "version": 1,
        "received_at": T0,
        "updated_at": T0,
        "channel": "phone",
        "customer": CustomerRef(id="C-1"),
        "concerns": (Concern(kind="complaint", text="broken"),),
        "stage": "received",
    }
    fields.update(changes)
    return Complaint(**fields)


# --------------------------------------------------------------------------------- values


def test_money_refuses_floats_negatives_and_bad_currencies() -> None:
    assert Money(amount="0.1").amount == Decimal("0.1")
    assert str(Money(amount="35000", currency="USD")) == "35000 USD"
    with pytest.raises(ValidationError, match="never float"):
        Money(amount=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        Money(amount="-1")
    with pytest.raises(ValidationError, match="currency"):
        Money(amount="1", currency="won")
    with pytest.raises(ValidationError, match="decimal places"):
        Money(amount="0.00001")


def test_money_compares_only_within_a_currency() -> None:
    assert Money(amount="1") <= Money(amount="2")
    with pytest.raises(ValueError, match="cannot compare KRW with USD"):
        _ = Money(amount="1") <= Money(amount="2", currency="USD")


def test_severity_orders_by_rank_not_by_name() -> None:
    assert sorted(Severity, key=lambda s: s.rank) == [
        Severity.LOW,
        Severity.MEDIUM,
        Severity.HIGH,
        Severity.CRITICAL,
    ]
    assert Severity.CRITICAL > Severity.HIGH > Severity.MEDIUM > Severity.LOW
    assert max(Severity) is Severity.CRITICAL  # "low" > "high" as strings; not as severities


def test_material_remedies_are_the_remedies_of_money_worth() -> None:
    assert {r for r in RemedyKind if r.material} == MATERIAL_REMEDIES
    assert RemedyKind.APOLOGY not in MATERIAL_REMEDIES
    assert RemedyKind.NONE not in MATERIAL_REMEDIES


def test_channels_say_whether_they_are_in_person_or_third_party() -> None:
    assert {c for c in Channel if c.face_to_face} == {
        Channel.VISIT,
        Channel.STORE,
        Channel.SALES_REP,
    }
    assert Channel.PUBLIC_AGENCY.external_body
    assert not (Channel.PHONE.face_to_face)
    assert not (Channel.PHONE.external_body)


# ------------------------------------------------------------------------------- complaint


def test_a_complaint_takes_the_kind_and_severity_of_its_most_serious_concern() -> None:
    c = complaint(
        concerns=(
            Concern(kind="praise", text="kind staff", severity="low"),
            Concern(kind="complaint", code="PRD.DEF", text="broke", severity="high"),
            Concern(kind="inquiry", code="SVC.ASK", text="when?", severity="critical"),
        )
    )
    assert c.kind is VocKind.COMPLAINT
    assert c.severity is Severity.CRITICAL
    assert c.codes == ("PRD.DEF", "SVC.ASK")
    assert c.primary_code == "SVC.ASK"
    assert complaint().primary_code is None
    assert c.age(T0 + timedelta(hours=2)) == 7200


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"concerns": ()}, "at least 1 item"),
        ({"version": 0}, "greater than or equal to 1"),
        ({"received_at": datetime(2026, 3, 2, 9)}, "timezone"),
        ({"channel": "pigeon"}, "channel"),
        ({"crisis_step": 4}, "less than or equal to 3"),
        ({"attributes": {"Bad-Key": 1}}, "pattern"),
        ({"attributes": {"score": float("nan")}}, "not a JSON number"),
        ({"attributes": {f"k{i}": i for i in range(65)}}, "at most 64 custom attributes"),
        ({"surprise": 1}, "Extra inputs are not permitted"),
    ],
)
def test_a_complaint_refuses_what_it_cannot_hold(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        complaint(**changes)


def test_a_concern_needs_words_and_an_outcome_from_the_list() -> None:
    with pytest.raises(ValidationError, match="at least 1 character"):
        Concern(kind="complaint", text="")
    with pytest.raises(ValidationError, match="pattern"):
        Concern(kind="complaint", text="x", outcome="maybe")
    assert Concern(kind="complaint", text="x", outcome="partly_upheld").outcome == "partly_upheld"


def test_a_result_of_words_carries_no_amount() -> None:
    assert Result(remedy="refund", amount=Money(amount="1000")).amount is not None
    assert Result(remedy="apology", amount=Money(amount="0")).remedy is RemedyKind.APOLOGY
    with pytest.raises(ValidationError, match="remedy 'apology' carries no amount"):
        Result(remedy="apology", amount=Money(amount="1000"))


def test_feedback_scores_one_to_five() -> None:
    assert Feedback(satisfied=True, csat=5).csat == 5
    with pytest.raises(ValidationError):
        Feedback(satisfied=False, csat=0)


def test_a_complaint_is_frozen_and_a_copy_recomputes_what_it_cached() -> None:
    c = complaint()
    assert c.severity is Severity.MEDIUM
    with pytest.raises(ValidationError, match="frozen"):
        c.stage = "closed"
    worse = c.model_copy(
        update={"concerns": (Concern(kind="complaint", text="x", severity="high"),)}
    )
    assert worse.severity is Severity.HIGH
    assert c.severity is Severity.MEDIUM


# ---------------------------------------------------------------------------- organization

ORG = Organization(
    departments=[Department(id="cs", name="CS", head="park"), Department(id="qa", name="QA")],
    agents=[
        Agent(id="kim", name="Kim", department="cs"),
        Agent(id="lee", name="Lee", department="cs", active=False),
        Agent(id="park", name="Park", department="cs", role=Role.SUPERVISOR),
    ],
)


@pytest.mark.parametrize(
    ("departments", "agents", "problem"),
    [
        ([Department(id="cs", name="A"), Department(id="cs", name="B")], [], "department ids"),
        (
            [Department(id="cs", name="CS")],
            [
                Agent(id="kim", name="K", department="cs"),
                Agent(id="kim", name="K", department="cs"),
            ],
            "agent ids must be unique",
        ),
        ([], [Agent(id="kim", name="K", department="cs")], "unknown department 'cs'"),
        ([Department(id="cs", name="CS", head="nobody")], [], "unknown head 'nobody'"),
    ],
)
def test_an_organization_refuses_inconsistent_members(
    departments: list[Department], agents: list[Agent], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        Organization(departments=departments, agents=agents)


def test_members_are_in_id_order_and_unknown_ids_are_named() -> None:
    assert [a.id for a in ORG.members("cs")] == ["kim", "park"]
    assert [a.id for a in ORG.members("cs", active_only=False)] == ["kim", "lee", "park"]
    assert ORG.has_agent("kim")
    assert not ORG.has_agent("kin")
    with pytest.raises(UnknownMember, match="did you mean kim"):
        ORG.agent("kin")
    with pytest.raises(UnknownMember, match="unknown department 'qq'"):
        ORG.members("qq")


@given(
    remedy=st.sampled_from(list(RemedyKind)),
    amount=st.none() | st.integers(0, 2_000_000).map(lambda n: Money(amount=Decimal(n))),
)
def test_authority_allows_exactly_when_it_has_no_reason_not_to(
    remedy: RemedyKind, amount: Money | None
) -> None:
    authority = Authority(remedies={"refund", "apology"}, max_amount=Money(amount="50000"))
    reason = authority.why_not(remedy, amount)
    assert authority.allows(remedy, amount) == (reason is None)
    if remedy not in (RemedyKind.REFUND, RemedyKind.APOLOGY):
        assert reason is not None
        assert "outside the authority" in reason
    elif amount is not None and amount.amount > 50000:
        assert reason is not None
        assert "exceeds the authority limit 50000 KRW" in reason


def test_authority_in_another_currency_grants_no_money() -> None:
    authority = Authority(remedies={"refund"}, max_amount=Money(amount="50000"))
    assert "not in the authority's currency KRW" in str(
        authority.why_not(RemedyKind.REFUND, Money(amount="1", currency="USD"))
    )
    assert "no money may be granted" in str(
        Authority(remedies={"refund"}).why_not(RemedyKind.REFUND, Money(amount="1"))
    )


# -------------------------------------------------------------------------------- customer


def test_a_customer_masks_personal_data_in_repr_json_and_the_reference() -> None:
    customer = Customer(id="C-1", name="홍길동", phone="010-1234-5678", email="gd@example.com")
    shown = repr(customer) + customer.model_dump_json()
    for secret in ("홍길동", "010-1234-5678", "gd@example.com"):
        assert secret not in shown
    assert customer.phone is not None
    assert customer.phone.reveal() == "010-1234-5678"
    ref = customer.ref()
    assert ref.id == "C-1"
    assert "phone" not in type(ref).model_fields
    assert customer.view("supervisor").revealed
    assert not customer.view("front_line").revealed


# ---------------------------------------------------------------------------------- types


class Sample(Frozen):
    name: Name
    text: Text
    tags: SortedSet[str] = frozenset()
    extra: AttributeValue = None


def test_names_are_stripped_and_bounded() -> None:
    assert Sample(name="  kim ", text="x").name == "kim"
    with pytest.raises(ValidationError):
        Sample(name="   ", text="x")
    with pytest.raises(ValidationError):
        Sample(name="k" * 129, text="x")


@given(st.frozensets(st.text(max_size=5), max_size=8))
def test_a_sorted_set_writes_the_same_json_whatever_its_order(tags: frozenset[str]) -> None:
    dumped = json.loads(Sample(name="n", text="x", tags=tags).model_dump_json())
    assert dumped["tags"] == sorted(tags)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (float("inf"), "not a JSON number"),
        ([[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]], "nested more than 16 levels deep"),
        (list(range(1001)), "a list of 1001 items"),
        ("x" * 20_001, "a text of 20001 characters"),
    ],
)
def test_an_attribute_value_is_finite_and_bounded(value: Any, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Sample(name="n", text="x", extra=value)


def test_validation_errors_do_not_echo_the_input() -> None:
    with pytest.raises(ValidationError) as refused:
        Sample(name="n", text="", extra=None)
    assert "input_value" not in str(refused.value)


# ------------------------------------------------------------------------------------ ids


def test_ids_are_sortable_by_time_and_repeatable_with_a_seed() -> None:
    a = new_complaint_id(T0, random.Random(7))
    b = new_complaint_id(T0 + timedelta(milliseconds=1), random.Random(7))
    assert len(a) == 26
    assert a < b
    assert a == new_complaint_id(T0, random.Random(7))
    assert new_complaint_id(T0) != new_complaint_id(T0)
    with pytest.raises(NaiveDatetimeError):
        new_complaint_id(datetime(2026, 3, 2, 9))
    with pytest.raises(InvalidInput, match="before 1970-01-01 UTC are out of range"):
        new_complaint_id(datetime(1969, 12, 31, tzinfo=UTC))
