"""CS-point ledger: pinned examples with hand-computed balances, and replay properties."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccms.desk import Desk, ManualClock
from ccms.errors import CCMSError, ConfigError, InvalidTransition
from ccms.model import Actor, Concern, CustomerRef
from ccms.model.events import FaultAttributed, FaultWithdrawn
from ccms.policy import SlaPolicy, SlaTable
from ccms.scoring import (
    DEFAULT_RULES,
    Activity,
    AttributeFault,
    Cause,
    Ledger,
    Limits,
    PointRule,
    PointRules,
    RuleSet,
    WithdrawFault,
    attribution_workflow,
)
from ccms.store import InMemoryStore

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 10, 5, 9, 0, tzinfo=SEOUL)  # a Monday
SUP = Actor(id="boss", role="supervisor")
SLA = SlaPolicy(SlaTable(version="v1", rows=[{"targets": {"resolution": "48h"}}]))


def make_desk(ledger: Ledger | None = None) -> tuple[Desk, ManualClock, Ledger]:
    clock = ManualClock(T0)
    ledger = Ledger(DEFAULT_RULES) if ledger is None else ledger
    desk = Desk(
        InMemoryStore(),
        workflow=attribution_workflow(),
        clock=clock,
        sweepers=[SLA],
        subscribers=[ledger],
    )
    return desk, clock, ledger


def receive(desk: Desk, **kw: object) -> str:
    return desk.receive(
        channel="phone",
        customer=CustomerRef(id="C-1"),
        concerns=[Concern(kind=kw.pop("kind", "complaint"), text="late")],  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    ).id


def handle_to_result(desk: Desk, clock: ManualClock, cid: str, handler: str) -> None:
    desk.classify(cid, ["DLV.LATE"])
    desk.assign_department(cid, "cs")
    desk.assign_handler(cid, handler)
    desk.start(cid)


# -- examples --------------------------------------------------------------------------------------


def test_breach_goes_to_the_holder_when_the_deadline_passed_not_the_final_holder() -> None:
    desk, clock, ledger = make_desk()
    cid = receive(desk)
    handle_to_result(desk, clock, cid, "kim")
    clock.advance(timedelta(hours=50))  # the 48 h deadline passes while kim holds it
    desk.transfer(cid, "logistics")  # the sweep on this command records the breach
    desk.assign_handler(cid, "lee")
    desk.start(cid)
    clock.advance(timedelta(hours=1))
    desk.register_result(cid, {"remedy": "apology"})
    breached = [e for e in ledger.entries if e.rule == "sla_breached"]
    assert [(e.agent, e.points) for e in breached] == [("kim", -5)]
    assert ledger.balance("kim", now=clock.now()) == -5
    assert ledger.balance("lee", now=clock.now()) == 0


def test_happy_call_and_reopen_go_to_whoever_registered_the_result() -> None:
    desk, clock, ledger = make_desk()
    cid = receive(desk)
    handle_to_result(desk, clock, cid, "kim")
    clock.advance(timedelta(hours=2))
    desk.register_result(cid, {"remedy": "refund"})  # +2 remedy within SLA (met)
    desk.notify(cid, "sms")
    desk.record_feedback(cid, {"satisfied": False})
    desk.reopen(cid)  # -3 to kim
    desk.assign_handler(cid, "lee")
    desk.start(cid)
    desk.register_result(cid, {"remedy": "exchange"})  # +2 to lee (resolution met again)
    desk.notify(cid, "sms")
    desk.record_feedback(cid, {"satisfied": True})  # +3 to lee
    now = clock.now()
    assert ledger.balance("kim", now=now) == 2 - 3
    assert ledger.balance("lee", now=now) == 2 + 3
    assert [e.rule for e in ledger.entries] == [
        "remedy_within_sla",
        "reopened_after_handling",
        "remedy_within_sla",
        "happy_call_satisfied",
    ]


def test_reversed_attribution_counts_as_never_counted_and_keeps_both_entries() -> None:
    desk, clock, ledger = make_desk()
    cid = receive(desk)
    handle_to_result(desk, clock, cid, "kim")
    before = ledger.balance("kim", now=clock.now())
    c = desk.execute(cid, AttributeFault(agent="kim", category="attitude"), actor=SUP)
    assert ledger.balance("kim", now=clock.now()) == before - 15
    clock.advance(timedelta(hours=3))
    desk.execute(cid, WithdrawFault(agent="kim", attributed_version=c.version), actor=SUP)
    now = clock.now()
    assert ledger.balance("kim", now=now) == before
    rude, back = ledger.entries[-2:]
    assert (rude.points, back.points, back.reverses) == (-15, 15, rude.seq)
    assert back.cause == Cause(cid, c.version + 1, "fault_withdrawn", 0)
    text = str(ledger.explain("kim", now=now))
    assert "rude_upheld" in text
    assert f"reversed by #{back.seq}" in text
    # as of a moment before the withdrawal, the fault still counted
    assert ledger.balance("kim", now=now - timedelta(hours=2)) == before - 15


def test_rejected_complaint_reverses_bad_points_only() -> None:
    desk, _, ledger = make_desk()
    cid = receive(desk, kind="praise", attributes={"praised_agent": "kim"})
    desk.execute(cid, AttributeFault(agent="kim"), actor=SUP)
    desk.reject(cid, "out_of_scope", actor=SUP)
    assert [e.points for e in ledger.entries] == [5, -10, 10]
    assert ledger.balance("kim", now=T0) == 5


def test_attribution_needs_a_reviewer_role() -> None:
    desk, _, _ = make_desk()
    cid = receive(desk)
    with pytest.raises(InvalidTransition, match="role 'handler' may not fire it"):
        desk.execute(cid, AttributeFault(agent="kim"), actor=Actor(id="kim", role="handler"))
    assert desk.get(cid).version == 1


def test_caps_expiry_tiers_and_consequences_by_hand() -> None:
    limits = Limits(
        cap_good=5,
        expire_after_days=30,
        tiers=[{"name": "commendation", "at_least": 4}],
        consequences=[{"name": "mandatory_training", "at_most": -1}],
    )
    rules = RuleSet(
        version="t1",
        rules=[PointRule(id="train", event="training_taken", to="agent", points=2)],
        limits=limits,
    )
    ledger = Ledger(rules)
    for i in range(4):  # 4 x 2 = 8 in October, capped at 5
        ledger.record(Activity(type="training_taken", id=f"T{i}", agent="kim", at=T0))
    ledger.record(Activity(type="training_taken", id="T9", agent="kim", at=T0 + timedelta(days=40)))
    assert ledger.record(Activity(type="training_taken", id="T9", agent="kim", at=T0)) == []
    nov = T0 + timedelta(days=40)
    assert ledger.balance("kim", now=T0) == 5
    assert ledger.balance("kim", now=T0, period="2026-10") == 5
    assert ledger.balance("kim", now=nov) == 2  # October's points expired after 30 days
    assert ledger.explain("kim", now=T0).capped == (("2026-10", -3),)
    standing = ledger.standing("kim", now=T0)
    assert (standing.balance, standing.tier, standing.consequences) == (5, "commendation", ())


def test_rule_set_from_toml(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "points.toml"
    path.write_text(
        'version = "2027.1"\n'
        "[[rules]]\n"
        'id = "happy"\nevent = "feedback_recorded"\nto = "result_registrant"\npoints = 4\n'
        '[rules.when]\n"feedback.satisfied" = true\n'
        "[limits]\ncap_good = 30\n",
        encoding="utf-8",
    )
    rules = RuleSet.from_file(path)
    assert (rules.version, rules.rules[0].points, rules.limits.cap_good) == ("2027.1", 4, 30)
    assert isinstance(rules, PointRules)
    path.write_text('version = "x"\n[[rules]]\nid = "a"\nevent = "b"\npoints = 0\n', "utf-8")
    with pytest.raises(ConfigError, match="points"):
        RuleSet.from_file(path)
    path.write_text(
        'version = "x"\n[[rules]]\nid = "a"\nevent = "b"\npoints = 1\nto = "boss"\n', "utf-8"
    )
    with pytest.raises(ConfigError, match="to"):
        RuleSet.from_file(path)


def test_a_custom_rule_object_is_a_point_rules() -> None:
    class EveryEventOnePoint:
        version = "custom-1"

        def entries(self, event: object, history: object) -> list[object]:
            from ccms.scoring import Award

            return [Award("kim", None, 1, "every_event")]

    desk, _, ledger = make_desk(Ledger(EveryEventOnePoint()))  # type: ignore[arg-type]
    cid = receive(desk)
    stored = len(desk.history(cid))  # received and sla_applied
    assert [(e.rule_version, e.points) for e in ledger.entries] == [("custom-1", 1)] * stored


# -- properties ------------------------------------------------------------------------------------

HANDLERS = ("kim", "lee", "park")
DEPARTMENTS = ("cs", "logistics")
FORWARD = {
    "received": "classify",
    "classified": "assign_department",
    "department_assigned": "assign_handler",
    "handler_assigned": "start",
    "in_progress": "register_result",
    "result_registered": "notify",
    "customer_notified": "record_feedback",
    "feedback_recorded": "reopen",
    "closed": "attribute_fault",
}

step = st.tuples(
    st.integers(0, 2),  # which complaint (a new one if there are fewer)
    st.integers(0, 40),  # which allowed action
    st.integers(0, 30),  # hours to advance first
    st.sampled_from(HANDLERS),
    st.booleans(),
)


def drive(steps: list[tuple[int, int, int, str, bool]]) -> tuple[Desk, ManualClock, Ledger]:
    """Random valid commands on up to three complaints; refused commands change nothing."""
    desk, clock, ledger = make_desk()
    ids: list[str] = []
    attributions: dict[str, list[tuple[str, int]]] = {}
    for which, pick, hours, who, flag in steps:
        clock.advance(timedelta(hours=hours))
        if which >= len(ids):
            kind = "praise" if flag else "complaint"
            ids.append(receive(desk, kind=kind, attributes={"praised_agent": who}))
            continue
        cid = ids[which]
        c = desk.get(cid)
        actions = [
            t
            for t in desk.workflow.allowed_triggers(c.stage)
            if t not in ("escalate", "flag", "respond")
        ]
        if not actions:
            desk.tick()
            continue
        forward = FORWARD.get(c.stage)
        trigger = forward if forward and pick < 30 else actions[pick % len(actions)]
        if attributions.get(cid) and pick % 3 == 0 and "withdraw_fault" in actions:
            trigger = "withdraw_fault"
        try:
            if trigger == "classify":
                desk.classify(cid, ["DLV.LATE"])
            elif trigger == "assign_department":
                desk.assign_department(cid, DEPARTMENTS[pick % 2])
            elif trigger == "assign_handler":
                desk.assign_handler(cid, who)
            elif trigger == "transfer":
                desk.transfer(cid, DEPARTMENTS[(pick + 1) % 2])
            elif trigger == "register_result":
                desk.register_result(cid, {"remedy": "apology"})
            elif trigger in ("notify",):
                desk.notify(cid, "sms")
            elif trigger == "record_feedback":
                desk.record_feedback(cid, {"satisfied": flag})
            elif trigger == "reject":
                desk.reject(cid, "other", actor=SUP)
            elif trigger == "attribute_fault":
                new = desk.execute(
                    cid,
                    AttributeFault(agent=who, category="attitude" if flag else "handling"),
                    actor=SUP,
                )
                attributions.setdefault(cid, []).append((who, new.version))
            elif trigger == "withdraw_fault":
                if attributions.get(cid):
                    agent, version = attributions[cid].pop(0)
                    desk.execute(
                        cid, WithdrawFault(agent=agent, attributed_version=version), actor=SUP
                    )
            else:
                getattr(desk, trigger)(cid)
        except CCMSError:
            pass
        if flag:
            desk.tick()
    return desk, clock, ledger


@settings(max_examples=40)
@given(st.lists(step, min_size=12, max_size=40))
def test_replaying_the_event_log_gives_the_live_ledger(
    steps: list[tuple[int, int, int, str, bool]],
) -> None:
    desk, clock, live = drive(steps)
    replayed = Ledger.replay(DEFAULT_RULES, desk.store.stream())
    assert replayed.entries == live.entries
    now = clock.now()
    assert replayed.balances(now=now) == live.balances(now=now)
    # feeding the same events again (a subscriber catching up) writes nothing
    before = len(live)
    live.feed(e.event for e in desk.store.stream())
    assert len(live) == before


@settings(max_examples=40)
@given(st.lists(step, min_size=12, max_size=40))
def test_withdrawn_attributions_leave_balances_as_if_never_recorded(
    steps: list[tuple[int, int, int, str, bool]],
) -> None:
    desk, clock, live = drive(steps)
    log = [s.event for s in desk.store.stream()]
    withdrawn = {
        (e.complaint_id, e.attributed_version) for e in log if isinstance(e, FaultWithdrawn)
    }
    kept = [
        e
        for e in log
        if not isinstance(e, FaultWithdrawn)
        and not (isinstance(e, FaultAttributed) and (e.complaint_id, e.version) in withdrawn)
    ]
    never = Ledger.replay(DEFAULT_RULES, kept)
    now = clock.now() + timedelta(days=1)
    agents = {e.agent for e in live.entries if e.agent} | {
        e.agent for e in never.entries if e.agent
    }
    for agent in agents:
        assert live.balance(agent, now=now) == never.balance(agent, now=now), agent
    reversed_pairs = [e for e in live.entries if e.rule == "fault_withdrawn"]
    assert all(live.entries[e.reverses].points == -e.points for e in reversed_pairs if e.reverses)


def test_longest_holder_gets_the_delay_by_hand() -> None:
    rules = RuleSet(
        version="t2",
        rules=[
            PointRule(
                id="slow",
                event="result_registered",
                to="longest_holder",
                points=-2,
            )
        ],
    )
    desk, clock, ledger = make_desk(Ledger(rules))
    cid = receive(desk)
    desk.classify(cid, ["DLV.LATE"])
    desk.assign_department(cid, "cs")
    clock.advance(timedelta(hours=3))  # 3 h with the department only
    desk.assign_handler(cid, "kim")
    desk.start(cid)
    clock.advance(timedelta(hours=20))  # kim: 20 h
    desk.transfer(cid, "logistics")
    clock.advance(timedelta(hours=1))  # logistics without a handler: 1 h
    desk.assign_handler(cid, "lee")
    desk.start(cid)
    clock.advance(timedelta(hours=19))  # lee: 19 h, then registers the result
    desk.register_result(cid, {"remedy": "apology"})
    (entry,) = ledger.entries
    assert (entry.agent, entry.department, entry.points) == ("kim", "cs", -2)
