"""``Desk.standard``: every built-in policy works through a plain Desk, with no host-built context,
and the schedule records exactly what sweeping everything on every tick would record."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from ccms.desk import ContextIndex, Desk, ManualClock
from ccms.errors import CCMSError
from ccms.model import (
    Agent,
    Authority,
    Concern,
    CustomerRef,
    Department,
    EarlyWarningRaised,
    HandlerAssigned,
    Money,
    Organization,
    RemedyKind,
    RepeatDetected,
    Role,
    SlaStatusChanged,
    Taxonomy,
)
from ccms.policy import BusinessCalendar
from ccms.policy.routing import round_robin
from ccms.store import InMemoryStore, SQLiteStore

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # a Monday
TAXONOMY = (
    Taxonomy()
    .add("PRD", "Product", effective=date(2025, 1, 1), defaults={"department": "qa"})
    .add("PRD.DEF", "Defect", effective=date(2025, 1, 1))
    .add("DLV", "Delivery", effective=date(2025, 1, 1))
    .add("DLV.LATE", "Late", effective=date(2025, 1, 1))
)
BROAD = Authority(remedies=set(RemedyKind), max_amount=Money(amount="1000000"))
ORG = Organization(
    departments=[
        Department(id="cs", name="CS", head="park"),
        Department(id="qa", name="QA", head="choi"),
    ],
    agents=[
        Agent(id="kim", name="Kim", department="cs", authority=BROAD),
        Agent(id="lee", name="Lee", department="cs", authority=BROAD),
        Agent(id="oh", name="Oh", department="cs", authority=BROAD),
        Agent(id="park", name="Park", department="cs", role=Role.SUPERVISOR, authority=BROAD),
        Agent(id="han", name="Han", department="qa", authority=BROAD),
        Agent(id="choi", name="Choi", department="qa", role=Role.SUPERVISOR, authority=BROAD),
        Agent(id="kang", name="Kang", department="qa", role=Role.EXECUTIVE, authority=BROAD),
    ],
)
CALENDAR = BusinessCalendar("UTC", {"mon-fri": [("09:00", "18:00")]})


def standard(store: Any = None, **options: Any) -> tuple[Desk, ManualClock]:
    clock = ManualClock(T0)
    desk = Desk.standard(
        store if store is not None else InMemoryStore(),
        organization=ORG,
        taxonomy=TAXONOMY,
        calendar=CALENDAR,
        clock=clock,
        fallback_department="cs",
        **options,
    )
    return desk, clock


def contact(desk: Desk, customer: str, text: str = "late again", **options: Any) -> str:
    c = desk.receive(
        channel="phone",
        customer=CustomerRef(id=customer),
        concerns=[Concern(kind="complaint", text=text)],
        **options,
    )
    return c.id


def test_a_repeat_is_seen_on_the_second_and_third_complaint() -> None:
    desk, clock = standard()
    ids = []
    for _ in range(3):
        cid = contact(desk, "u1")
        desk.classify(cid, ["DLV.LATE"])
        ids.append(cid)
        clock.advance(timedelta(days=2))
    repeats = {cid: [e for e in desk.history(cid) if isinstance(e, RepeatDetected)] for cid in ids}
    assert repeats[ids[0]] == []
    assert [e.related for e in repeats[ids[1]]] == [(ids[0],)]
    assert [e.related for e in repeats[ids[2]]] == [(ids[0], ids[1])]
    other = contact(desk, "u2")
    desk.classify(other, ["DLV.LATE"])
    assert not any(isinstance(e, RepeatDetected) for e in desk.history(other))


def test_round_robin_visits_every_eligible_agent_in_turn() -> None:
    desk, _ = standard(handler_router=round_robin())
    handlers = []
    for i in range(6):
        cid = contact(desk, f"u{i}")
        desk.classify(cid, ["DLV.LATE"])
        desk.assign_department(cid)
        handlers.append(desk.assign_handler(cid).handler)
    eligible = sorted(a.id for a in ORG.members("cs"))
    assert sorted(handlers[:4]) == eligible
    assert handlers[4:] == handlers[:2]


def test_round_robin_turns_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "rr.db"
    with SQLiteStore(db) as store:
        desk, _ = standard(store, handler_router=round_robin())
        first = []
        for i in range(2):
            cid = contact(desk, f"u{i}")
            desk.classify(cid, ["DLV.LATE"])
            desk.assign_department(cid)
            first.append(desk.assign_handler(cid).handler)
    with SQLiteStore(db) as store:
        desk, clock = standard(store, handler_router=round_robin())
        clock.set(T0 + timedelta(hours=1))
        cid = contact(desk, "u9")
        desk.classify(cid, ["DLV.LATE"])
        desk.assign_department(cid)
        third = desk.assign_handler(cid).handler
    assert len({*first, third}) == 3


def test_sticky_sends_a_repeat_back_to_its_previous_handler() -> None:
    desk, clock = standard()
    cid = contact(desk, "u1")
    desk.classify(cid, ["DLV.LATE"])
    desk.assign_department(cid)
    desk.assign_handler(cid, "oh")
    for i in range(2):  # kim and lee are less loaded than oh
        other = contact(desk, f"x{i}")
        desk.classify(other, ["DLV.LATE"])
        desk.assign_department(other)
        desk.assign_handler(other, "oh")
    clock.advance(timedelta(days=3))
    again = contact(desk, "u1")
    desk.classify(again, ["DLV.LATE"])
    desk.assign_department(again)
    routed = desk.assign_handler(again)
    assert routed.handler == "oh"
    assigned = [e for e in desk.history(again) if isinstance(e, HandlerAssigned)]
    assert assigned[-1].rule.startswith("sticky")
    fresh = contact(desk, "u7")
    desk.classify(fresh, ["DLV.LATE"])
    desk.assign_department(fresh)
    assert desk.assign_handler(fresh).handler in {"kim", "lee"}


def test_a_reopened_complaint_goes_back_to_its_handler() -> None:
    desk, clock = standard()
    cid = contact(desk, "u1")
    desk.classify(cid, ["DLV.LATE"])
    desk.assign_department(cid)
    desk.assign_handler(cid, "lee")
    desk.start(cid)
    desk.register_result(cid, {"remedy": "exchange"})
    desk.notify(cid, "phone")
    desk.record_feedback(cid, {"satisfied": False, "wants_reopen": True})
    clock.advance(timedelta(hours=1))
    assert desk.reopen(cid, "still late").handler == "lee"


def test_a_warning_raised_before_assignment_reaches_the_department_head() -> None:
    desk, clock = standard()
    cid = contact(desk, "u1", text="충전 중 화재가 발생했습니다")
    raised = [e for e in desk.history(cid) if isinstance(e, EarlyWarningRaised)]
    assert [e.step for e in raised] == [3]
    assert "choi" not in raised[0].notify  # no department yet: no head to name
    desk.classify(cid, ["PRD.DEF"])
    desk.assign_department(cid)  # qa, by the taxonomy's default
    raised = [e for e in desk.history(cid) if isinstance(e, EarlyWarningRaised)]
    told = [agent for e in raised for agent in e.notify]
    assert "choi" in told
    assert len(told) == len(set(told))  # nobody is told twice
    clock.advance(timedelta(minutes=5))
    desk.tick()
    assert [e for e in desk.history(cid) if isinstance(e, EarlyWarningRaised)] == raised


def test_a_tick_touches_only_what_is_due() -> None:
    desk, clock = standard()
    ids = []
    for i in range(5):
        clock.advance(timedelta(minutes=1))  # each later than the last: nobody's counts change
        cid = contact(desk, f"u{i}")
        desk.classify(cid, ["DLV.LATE"])
        ids.append(cid)
    assert desk.store.due(clock.now()) == []
    wake = min(w for w in (desk.store.wake_at(c) for c in ids) if w is not None)
    assert wake > T0
    clock.set(wake)
    recorded = desk.tick()
    assert {e.complaint_id for e in recorded} <= set(ids)
    assert any(isinstance(e, SlaStatusChanged) for e in recorded)
    assert desk.tick() == []


def test_the_context_index_rebuilds_from_the_store(tmp_path: Path) -> None:
    db = tmp_path / "ix.db"
    with SQLiteStore(db) as store:
        desk, _ = standard(store)
        for i in range(3):
            cid = contact(desk, "u1")
            desk.classify(cid, ["DLV.LATE"])
            desk.assign_department(cid)
            desk.assign_handler(cid, ["kim", "lee", "kim"][i])
        load = desk.index.open_load() if desk.index else {}
    with SQLiteStore(db) as store:
        index = ContextIndex()
        index.rebuild(store)
        assert index.open_load() == load == store.open_load()
        assert len(index.customer_complaints("u1")) == 3


def test_two_desks_on_one_file_read_each_others_complaints(tmp_path: Path) -> None:
    db = tmp_path / "two.db"
    with SQLiteStore(db) as a_store, SQLiteStore(db) as b_store:
        a, _ = standard(a_store)
        b, _ = standard(b_store)
        first = contact(a, "u1")
        a.classify(first, ["DLV.LATE"])
        second = contact(b, "u1")
        b.classify(second, ["DLV.LATE"])
        repeats = [e for e in b.history(second) if isinstance(e, RepeatDetected)]
        assert [e.related for e in repeats] == [(first,)]
        a.assign_department(first)
        a.assign_handler(first, "kim")
        assert b.index is not None
        b.get(second)
        b.assign_department(second)
        assert b.assign_handler(second).handler == "kim"  # sticky: b saw a's assignment


# --------------------------------------------------------------------------- the schedule

CODES = ("DLV.LATE", "PRD.DEF", "DLV")
TEXTS = ("late", "broken handle", "충전 중 화재", "I will sue you", "refund please")

steps = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.integers(0, 2), st.sampled_from(TEXTS)),
        st.tuples(st.just("advance"), st.integers(0, 30), st.integers(0, 3)),
        st.tuples(st.just("tick"), st.integers(1, 40), st.just("")),
    ),
    min_size=5,
    max_size=40,
)


def _advance(desk: Desk, cid: str, choice: int) -> None:
    c = desk.get(cid)
    stage = c.stage
    if stage == "received":
        desk.classify(cid, [CODES[choice % len(CODES)]])
    elif stage == "classified":
        desk.assign_department(cid)
    elif stage == "department_assigned":
        desk.assign_handler(cid)
    elif stage == "handler_assigned":
        desk.start(cid)
    elif stage == "in_progress":
        if choice == 0:
            desk.wait_on_customer(cid, "photos")
        elif choice == 1:
            desk.respond(cid, "phone")
        else:
            desk.register_result(cid, {"remedy": "exchange"})
    elif stage == "waiting_on_customer":
        desk.resume(cid)
    elif stage == "result_registered":
        desk.notify(cid, "phone")
    elif stage == "customer_notified":
        desk.record_feedback(cid, {"satisfied": choice != 0})
    elif stage == "feedback_recorded":
        if choice == 0:
            desk.reopen(cid, "unhappy")
        else:
            desk.close(cid)


def _play(script: list[tuple[str, int, Any]], *, everything: bool) -> dict[str, list[Any]]:
    desk, clock = standard()
    ids: list[str] = []
    for kind, a, b in script:
        try:
            if kind == "receive":
                ids.append(contact(desk, f"u{a}", text=b, complaint_id=f"c{len(ids):03d}"))
            elif kind == "advance" and ids:
                _advance(desk, ids[a % len(ids)], b)
            elif kind == "tick":
                clock.advance(timedelta(hours=a))
                desk.tick(everything=everything)
        except CCMSError:
            pass
    clock.advance(timedelta(hours=1))
    desk.tick(everything=everything)
    return {cid: [e.model_dump(mode="json") for e in desk.history(cid)] for cid in ids}


@settings(max_examples=30, deadline=None)
@given(steps)
# two complaints of one customer at one instant, classified in the other order: the later
# classification changes the earlier one's repeat history (the index wakes it)
@example([("receive", 0, "late"), ("receive", 0, "late"), ("advance", 1, 0), ("advance", 0, 0)])
# the same for a code count: a third complaint of a code in the window
@example(
    [("receive", i, "late") for i in range(3)]
    + [("advance", 2, 1), ("advance", 1, 1), ("advance", 0, 1), ("tick", 1, "")]
)
def test_the_schedule_records_what_sweeping_everything_records(
    script: list[tuple[str, int, Any]],
) -> None:
    scheduled = _play(script, everything=False)
    reference = _play(script, everything=True)
    assert scheduled == reference


def test_the_schedule_equivalence_sees_time_driven_events() -> None:
    """The property above is not vacuous: a long enough script records escalations and SLA
    milestones from ticks alone."""
    script = [("receive", 0, "late"), ("advance", 0, 0), ("advance", 0, 0), ("advance", 0, 0)]
    script += [("tick", 20, "")] * 6
    scheduled = _play(script, everything=False)
    types = {e["type"] for e in scheduled["c000"]}
    assert {"sla_status_changed", "escalated"} <= types
    assert scheduled == _play(script, everything=True)
