"""ccms.testing.strategies: arguments checked at once, generated values valid, from_type works."""

from __future__ import annotations

import importlib.metadata
import itertools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ccms.desk import Desk, ManualClock
from ccms.errors import CCMSError, InvalidInput
from ccms.model import (
    Complaint,
    Concern,
    Customer,
    CustomerRef,
    Money,
    Organization,
    Taxonomy,
    fold,
)
from ccms.policy import BusinessCalendar, SlaPolicy, SlaTable
from ccms.store import InMemoryStore
from ccms.testing import _records_strategies, _register
from ccms.testing import strategies as s
from ccms.workflow import default_workflow

WF = default_workflow()
TAXONOMY = Taxonomy().add("PRD", "Product", effective=date(2020, 1, 1))
SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def snapshot(store: Any) -> tuple[Any, ...]:
    complaints = store.query()
    return (
        tuple(complaints),
        tuple((c.id, tuple(store.events(c.id))) for c in complaints),
        tuple(store.stream()),
    )


# --------------------------------------------------------------------------- bad arguments

BAD_ARGUMENTS: list[tuple[Callable[..., Any], dict[str, Any], str]] = [
    (s.aware_datetimes, {"zones": ["Mars/Olympus"]}, "IANA zone"),
    (s.aware_datetimes, {"zones": []}, "at least one"),
    (s.aware_datetimes, {"zones": "UTC"}, "collection"),
    (s.aware_datetimes, {"min_value": datetime(2026, 1, 1)}, "timezone-aware"),
    (
        s.aware_datetimes,
        {
            "min_value": datetime(2027, 1, 1, tzinfo=UTC),
            "max_value": datetime(2026, 1, 1, tzinfo=UTC),
        },
        "before min_value",
    ),
    (s.money, {"currencies": ["won"]}, "ISO 4217"),
    (s.money, {"min_amount": -1}, "0 <= min_amount"),
    (s.money, {"places": 5}, "0 to 4"),
    (s.customers, {"with_contact": "yes"}, "True, False or None"),
    (s.customer_refs, {"languages": ["k"]}, "language codes"),
    (s.voc_codes, {"taxonomy": "PRD"}, "Taxonomy"),
    (s.voc_codes, {"taxonomy": Taxonomy()}, "has no codes"),
    (s.voc_codes, {"taxonomy": TAXONOMY, "as_of": date(2019, 1, 1)}, "has no codes"),
    (s.voc_codes, {"as_of": datetime(2026, 1, 1, tzinfo=UTC)}, "not a datetime"),
    (s.concerns, {"kinds": ["complaint", "rant"]}, "VocKind"),
    (s.concerns, {"severities": ["urgent"]}, "Severity"),
    (s.taxonomies, {"min_codes": 3, "max_codes": 2}, ">= min size"),
    (s.taxonomies, {"min_codes": -1}, ">= 0"),
    (s.organizations, {"roles": ["boss"]}, "Role"),
    (s.organizations, {"staffed": True, "min_agents": 1}, "min_agents must be"),
    (s.organizations, {"min_departments": 0, "max_departments": 0}, "need a department"),
    (s.agents, {"active": 1}, "True, False or None"),
    (s.calendars, {"zones": ["Nowhere/City"]}, "IANA zone"),
    (s.calendars, {"shapes": ["siesta"]}, "office"),
    (s.sla_tables, {"targets": ["callback"]}, "first_response"),
    (s.sla_tables, {"max_rows": 0}, ">= 1"),
    (s.sla_tables, {"calendar_names": []}, "at least one"),
    (s.point_rules, {"signs": "neutral"}, "'good', 'bad' or 'any'"),
    (s.point_rules, {"min_rules": 2, "max_rules": 1}, ">= min size"),
    (s.event_histories, {"workflow": "voc"}, "compiled ccms.workflow.Workflow"),
    (s.event_histories, {"triggers": ["teleport"]}, "the workflow's triggers"),
    (s.event_histories, {"stages": ["limbo"]}, "the workflow's stages"),
    (s.event_histories, {"stages": ["closed"], "triggers": ["classify"]}, "can be reached"),
    (s.event_histories, {"max_commands": -1}, ">= 0"),
    (s.event_histories, {"organization": {"departments": []}}, "Organization"),
    (s.event_histories, {"starts": datetime(2026, 1, 1, tzinfo=UTC)}, "strategy"),
    (s.complaints, {"channels": ["pigeon"]}, "Channel"),
    (s.complaints, {"taxonomy": Taxonomy()}, "non-empty"),
    (s.command_sequences, {"min_size": 5, "max_size": 1}, ">= min size"),
]


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"),
    BAD_ARGUMENTS,
    ids=[f"{f.__name__}-{'-'.join(k)}-{i}" for i, (f, k, _) in enumerate(BAD_ARGUMENTS)],
)
def test_bad_arguments_are_refused_when_the_strategy_is_made(
    factory: Callable[..., Any], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(s.InvalidStrategyArgument, match=message) as caught:
        factory(**kwargs)  # raised here, not at the first draw
    assert isinstance(caught.value, InvalidInput)
    assert isinstance(caught.value, InvalidArgument)
    assert isinstance(caught.value, CCMSError)
    assert factory.__name__ in str(caught.value)


def test_every_public_name_is_exported() -> None:
    public = {n for n in dir(s) if not n.startswith("_") and callable(getattr(s, n))}
    imported = {"Final", "TypeVar", "Any", "Callable", "Collection", "Iterable", "Mapping"}
    own = {n for n in public if getattr(getattr(s, n), "__module__", "") == s.__name__}
    assert own - imported <= set(s.__all__)
    assert s.case_records is _records_strategies.case_record_strategy
    assert s.case_records_lists is _records_strategies.case_records_lists


# --------------------------------------------------------------------------- small values


@given(st.data())
def test_aware_datetimes_are_aware_in_bounds_and_in_the_zones_asked(data: st.DataObject) -> None:
    lo = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # Europe/London springs forward at 01:00 UTC
    hi = lo + timedelta(hours=2)
    moment = data.draw(
        s.aware_datetimes(zones=["Europe/London", "Asia/Seoul"], min_value=lo, max_value=hi)
    )
    assert moment.utcoffset() is not None
    assert lo <= moment <= hi
    assert moment.tzinfo in (ZoneInfo("Europe/London"), ZoneInfo("Asia/Seoul"))
    # never imaginary: the wall time round-trips through UTC
    assert moment.astimezone(UTC).astimezone(moment.tzinfo) == moment


@given(s.money(currencies=["USD"], min_amount="1.5", max_amount=10, places=2))
def test_money_respects_bounds_currency_and_places(amount: Money) -> None:
    assert amount.currency == "USD"
    assert Decimal("1.5") <= amount.amount <= 10
    assert -amount.amount.as_tuple().exponent <= 2  # type: ignore[operator]


@given(s.customers(with_contact=True))
def test_customers_keep_contact_details_masked(customer: Customer) -> None:
    assert customer.phone is not None
    assert customer.email is not None
    shown = repr(customer) + str(customer.model_dump(mode="json"))
    assert customer.phone.reveal() not in shown
    assert customer.email.reveal() not in shown


@given(st.data())
def test_voc_codes_of_a_taxonomy_are_in_force(data: st.DataObject) -> None:
    taxonomy = data.draw(s.taxonomies(history=True))
    as_of = date(2023, 6, 1)
    if not taxonomy.in_force(as_of):
        return
    code = data.draw(s.voc_codes(taxonomy, as_of=as_of))
    assert taxonomy.lookup(code, as_of).code == code


@given(s.taxonomies(min_codes=3, max_codes=6, history=True))
def test_taxonomies_with_history_have_renames_or_retirements(taxonomy: Taxonomy) -> None:
    assert 3 <= len(taxonomy) <= 6
    assert any(len(c.names) > 1 or c.valid_to is not None for c in taxonomy.codes)
    for code in taxonomy.codes:
        assert code.parent is None or code.parent in taxonomy


@given(s.concerns(kinds=["praise", "inquiry"], classified=True, taxonomy=TAXONOMY))
def test_concerns_follow_their_filters(concern: Concern) -> None:
    assert concern.kind in ("praise", "inquiry")
    assert concern.code == "PRD"


@given(s.organizations(min_departments=2, max_departments=3, min_agents=3, staffed=True))
def test_staffed_organizations_have_an_active_agent_in_every_department(org: Organization) -> None:
    for dept in org.departments:
        assert org.members(dept.id), dept.id
        assert dept.head is None or org.agent(dept.head).department == dept.id


# --------------------------------------------------------------------------- calendars and SLA


@SLOW
@given(s.calendars(), s.aware_datetimes(), st.integers(0, 40 * 60))
def test_calendars_add_and_between_are_inverse(
    calendar: BusinessCalendar, start: datetime, minutes: int
) -> None:
    duration = timedelta(minutes=minutes)
    end = calendar.add(start, duration)
    assert end >= start
    assert end.tzinfo == calendar.zone
    assert calendar.between(start, end) == duration


_PAIR = re.compile(r"\('(\d\d:\d\d)', '(\d\d:\d\d)'\)")
_SHAPES: dict[str, Callable[[str], bool]] = {
    "holidays": lambda text: "holidays=" in text,
    "24x7": lambda text: "('00:00', '24:00')" in text,
    "overnight": lambda text: any(a > b for a, b in _PAIR.findall(text)),
    "break": lambda text: re.search(r"\[\([^]]*\), \(", text) is not None,
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_calendar_shapes_cover_lunch_breaks_overnight_shifts_and_24x7(shape: str) -> None:
    has_shape = _SHAPES[shape]
    found = find(
        s.calendars(zones=["America/New_York"], holidays=True),
        lambda calendar: has_shape(repr(calendar)),
        settings=settings(max_examples=1_000, phases=[Phase.generate], database=None),
    )
    assert has_shape(repr(found))


@given(s.sla_tables(business=True, calendar_names=["seoul"]))
def test_sla_tables_build_policies_on_the_calendars_named(table: SlaTable) -> None:
    calendar = BusinessCalendar.standard("Asia/Seoul")
    SlaPolicy(table, calendars={"seoul": calendar})  # refuses a target on an unknown calendar
    assert table.rows[0].specificity == 0
    assert all(t.business and t.calendar == "seoul" for r in table.rows for t in r.targets)


@given(s.point_rules(min_rules=1, signs="good"))
def test_point_rules_have_the_sign_asked(rule_set: Any) -> None:
    assert rule_set.rules
    assert all(rule.points > 0 for rule in rule_set.rules)
    assert len({r.id for r in rule_set.rules}) == len(rule_set.rules)


# --------------------------------------------------------------------------- lifecycles


def _versions_contiguous(events: list[Any]) -> bool:
    versions = [e.version for e in events]
    return versions[0] == 1 and all(b - a in (0, 1) for a, b in itertools.pairwise(versions))


@SLOW
@given(s.event_histories(max_commands=20))
def test_event_histories_fold_with_contiguous_versions(events: list[Any]) -> None:
    complaint = fold(events)
    assert _versions_contiguous(events)
    assert complaint.version == events[-1].version
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert events[0].type == "received"


@pytest.mark.parametrize(
    "event_type", ["reopened", "transferred", "waiting_on_customer", "resumed", "closed"]
)
def test_event_histories_reach_reopen_transfer_and_pause(event_type: str) -> None:
    # find() searches until one history has the event (NoSuchExample otherwise): a statement
    # about what the strategy can reach, not about how often one sample shows it.
    found = find(
        s.event_histories(max_commands=30),
        lambda events: any(e.type == event_type for e in events),
        settings=settings(
            max_examples=1_000,
            phases=[Phase.generate],
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert any(e.type == event_type for e in found)


@SLOW
@given(
    s.event_histories(
        triggers=["classify", "assign_department", "assign_handler", "start", "transfer"]
    )
)
def test_event_histories_use_only_the_triggers_given(events: list[Any]) -> None:
    assert {e.trigger for e in events} <= {
        "receive",
        "classify",
        "assign_department",
        "assign_handler",
        "start",
        "transfer",
    }


@SLOW
@given(s.complaints(stages=["closed", "withdrawn"], taxonomy=TAXONOMY))
def test_complaints_end_in_the_stages_asked(complaint: Complaint) -> None:
    assert complaint.stage in ("closed", "withdrawn")
    assert complaint.closed_at is not None
    assert all(c.code in (None, "PRD") for c in complaint.concerns)


@SLOW
@given(s.command_sequences(max_size=10))
def test_a_desk_agrees_with_the_script_and_refusals_change_nothing(script: s.CommandScript) -> None:
    store = InMemoryStore()
    desk = Desk(store, clock=ManualClock(script.receive.received_at))
    complaint = desk.receive(**script.receive_kwargs())
    for step in script.steps:
        before = snapshot(store)
        try:
            desk.execute(complaint.id, step.command, actor=step.actor, at=step.at)
        except CCMSError:
            assert not step.accepted, step
            assert snapshot(store) == before
        else:
            assert step.accepted, step
    assert fold(store.events(complaint.id)) == store.get(complaint.id)


def test_command_sequences_mix_accepted_and_refused_commands() -> None:
    outcomes: set[bool] = set()

    @settings(
        max_examples=20,
        phases=[Phase.generate],
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(s.command_sequences(min_size=4))
    def collect(script: s.CommandScript) -> None:
        outcomes.update(step.accepted for step in script.steps)

    collect()
    assert outcomes == {True, False}


# --------------------------------------------------------------------------- from_type


def test_the_hypothesis_entry_point_is_installed() -> None:
    hooks = [e.value for e in importlib.metadata.entry_points(group="hypothesis")]
    assert "ccms.testing._hypothesis_hook:_hypothesis_setup_hook" in hooks


@pytest.mark.parametrize("kind", _register.registered_types(), ids=lambda t: t.__name__)
def test_from_type_draws_every_registered_model(kind: type) -> None:
    @settings(max_examples=3, database=None, suppress_health_check=list(HealthCheck))
    @given(st.from_type(kind))
    def check(value: Any) -> None:
        assert isinstance(value, kind)

    check()


@given(st.from_type(Complaint), st.from_type(CustomerRef))
def test_from_type_complaint_is_a_folded_complaint(complaint: Complaint, ref: CustomerRef) -> None:
    assert complaint.version >= 1
    assert complaint.stage in {s.name for s in WF.definition.stages}
    assert ref.id.startswith("C-")
