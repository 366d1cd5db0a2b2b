"""The caches of the Desk's hot path never serve stale data: the index inputs shared by the
sweepers of one sweep, the early warning's keyword matchers, the SLA policy's table answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ccms.desk import ContextIndex, Desk, LazyExtra, ManualClock
from ccms.desk.context import RECENT_CODE_COUNTS
from ccms.model import (
    Actor,
    Agent,
    Channel,
    Classified,
    Complaint,
    Concern,
    CustomerNotified,
    CustomerRef,
    Department,
    DomainEvent,
    Flag,
    HandlerAssigned,
    Organization,
    Reopened,
    Responded,
    ResultRegistered,
    Resumed,
    Severity,
    WaitingOnCustomer,
    fold,
)
from ccms.policy import PolicyContext, sla
from ccms.policy._sla_notify import resolve_roles
from ccms.policy.early_warning import DEFAULT_RULES, EarlyWarning, WarningRule
from ccms.policy.sla import SlaPolicy, SlaTable, evaluate_sla
from ccms.store import InMemoryStore
from ccms.testing.conformance.store import received_event

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
SYS = Actor.system()


def _complaint(
    text: str = "late parcel",
    *,
    code: str | None = None,
    severity: str = "medium",
    channel: str = "phone",
    flags: frozenset[Flag] = frozenset(),
) -> Complaint:
    received = received_event(
        "c1", T0, customer_id="u1", channel=Channel(channel), text=text, code=code,
        severity=Severity(severity),
    )  # fmt: skip
    complaint = fold([received])
    return complaint.model_copy(update={"flags": flags}) if flags else complaint


# -- the index inputs shared by one sweep -----------------------------------------------------


def test_a_memo_serves_a_provider_once_and_given_values_still_win() -> None:
    calls: list[str] = []
    memo: dict[str, Any] = {}
    first = LazyExtra({"a": lambda: calls.append("a") or 1}, None, memo)
    second = LazyExtra({"a": lambda: calls.append("again") or 2}, None, memo)
    given = LazyExtra({"a": lambda: calls.append("given") or 3}, {"a": 9}, memo)
    assert (first["a"], second["a"], given["a"], calls) == (1, 1, 9, ["a"])
    fresh = LazyExtra({"a": lambda: calls.append("fresh") or 4}, None, {})
    assert fresh["a"] == 4
    assert calls == ["a", "fresh"]


class _Reclassify:
    """Reads the recent code counts, then (once) classifies the complaint with a new code."""

    def __init__(self) -> None:
        self.seen: list[dict[str, int]] = []

    def sweep(self, ctx: PolicyContext) -> Sequence[DomainEvent]:
        self.seen.append(dict(ctx.extra[RECENT_CODE_COUNTS]))
        if ctx.complaint.codes or ctx.complaint.stage != "received":
            return []
        concerns = tuple(c.model_copy(update={"code": "PRD.DEF"}) for c in ctx.complaint.concerns)
        return [
            Classified(
                **{**ctx.system_stamp("test"), "stage": "classified"},
                concerns=concerns,
            )
        ]


class _Reader:
    """Records the recent code counts each sweep shows it."""

    def __init__(self) -> None:
        self.seen: list[dict[str, int]] = []

    def sweep(self, ctx: PolicyContext) -> Sequence[DomainEvent]:
        self.seen.append(dict(ctx.extra[RECENT_CODE_COUNTS]))
        return []


def test_a_sweeper_after_an_event_that_changed_the_complaint_reads_its_new_inputs() -> None:
    """The first sweeper's reading was kept for the complaint it saw; once its event changed
    the complaint (a code gained), the next sweeper's counts are those of the new complaint."""
    first, second = _Reclassify(), _Reader()
    clock = ManualClock(T0)
    desk = Desk(InMemoryStore(), clock=clock, sweepers=[first, second], index=ContextIndex())
    c = desk.receive(
        channel="phone",
        customer=CustomerRef(id="u1"),
        concerns=[Concern(kind="complaint", text="broken handle")],
    )
    assert first.seen == [{}]
    assert second.seen == [{"PRD.DEF": 1}]
    assert desk.get(c.id).codes == ("PRD.DEF",)


def test_sweepers_of_one_unchanged_complaint_read_one_computation() -> None:
    class Counting(ContextIndex):
        def __init__(self) -> None:
            super().__init__()
            self.counted = 0

        def code_counts(self, complaint: Complaint) -> Any:
            self.counted += 1
            return super().code_counts(complaint)

    index = Counting()
    readers = [_Reader(), _Reader(), _Reader()]
    desk = Desk(InMemoryStore(), clock=ManualClock(T0), sweepers=readers, index=index)
    desk.receive(
        channel="phone",
        customer=CustomerRef(id="u1"),
        concerns=[Concern(kind="complaint", text="late", code="DLV.LATE")],
    )
    assert [r.seen for r in readers] == [[{"DLV.LATE": 1}]] * 3
    assert index.counted == 1


# -- the early warning's matchers -------------------------------------------------------------

_TEXTS = st.sampled_from(
    ["late parcel", "it caught fire", "I will sue", "issue with a lawyer", "화재가 났어요",
     "smoke came out", "the box", "SUE them", "타는 냄새"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    text=_TEXTS,
    code=st.sampled_from([None, "SAF.BURN", "DLV.LATE", "SAF"]),
    channel=st.sampled_from(["phone", "press", "public_agency", "web"]),
    flags=st.frozensets(st.sampled_from([Flag.SAFETY, Flag.LEGAL_THREAT])),
    count=st.integers(0, 7),
)
def test_the_matchers_answer_as_the_rules_do(
    text: str, code: str | None, channel: str, flags: frozenset[Flag], count: int
) -> None:
    complaint = _complaint(text, code=code, channel=channel, flags=flags)
    recent = {code: count} if code else {}
    policy = EarlyWarning()
    expected = [(r, why) for r in DEFAULT_RULES if (why := r.match(complaint, recent))]
    assert policy._hits(complaint, recent) == expected
    assert policy._hits(complaint, recent) == expected  # the kept keyword searches too


def test_replaced_rules_are_matched_not_the_old_ones() -> None:
    policy = EarlyWarning()
    complaint = _complaint("the parcel smells of wet cardboard")
    ctx = PolicyContext(complaint=complaint, events=(), now=T0)
    assert policy.decide(ctx) is None
    policy.rules = (WarningRule(name="cardboard", step=1, keywords=("cardboard",)),)
    decision = policy.decide(ctx)
    assert decision is not None
    assert decision.rules == ("cardboard",)


def test_a_rule_subclass_is_asked_itself() -> None:
    class Always(WarningRule):
        def match(self, complaint: Complaint, recent: Any) -> str | None:
            return "always"

    policy = EarlyWarning([Always(name="always", step=2, channels=(Channel.PRESS,))])
    decision = policy.decide(PolicyContext(complaint=_complaint(), events=(), now=T0))
    assert decision is not None
    assert decision.matched == ("always: always",)


# -- the SLA policy's table answers -----------------------------------------------------------

_TABLE = SlaTable.from_mapping(
    {
        "version": "t1",
        "rows": [
            {"targets": {"resolution": "48h"}},
            {"kind": "complaint", "severity": "high", "targets": {"resolution": "8h"}},
            {"channel": "web", "targets": {"resolution": "24h"}},
        ],
    }
)


def _resolution(policy: SlaPolicy, complaint: Complaint) -> timedelta | None:
    decision = policy._from_table(complaint)
    return None if decision is None else decision.targets[0].duration


def test_the_table_answer_follows_the_complaints_classification() -> None:
    policy = SlaPolicy(_TABLE)
    assert _resolution(policy, _complaint()) == timedelta(hours=48)
    assert _resolution(policy, _complaint(severity="high")) == timedelta(hours=8)
    assert _resolution(policy, _complaint(channel="web")) == timedelta(hours=24)
    assert _resolution(policy, _complaint()) == timedelta(hours=48)


def test_a_replaced_table_is_read_not_the_answers_of_the_old_one() -> None:
    policy = SlaPolicy(_TABLE)
    assert _resolution(policy, _complaint()) == timedelta(hours=48)
    policy.table = SlaTable(version="t2", rows=[{"targets": {"resolution": "2h"}}])
    assert _resolution(policy, _complaint()) == timedelta(hours=2)
    policy.table = SlaTable(
        version="t3", rows=[{"severity": "high", "targets": {"resolution": "1h"}}]
    )
    assert _resolution(policy, _complaint()) is None


# -- the SLA clocks' kept walks ---------------------------------------------------------------

_STEPS = st.lists(
    st.sampled_from(["wait", "resume", "result", "notify", "reopen", "respond", "assign"]),
    max_size=12,
)


def _history(steps: Sequence[str], cid: str = "c1") -> list[DomainEvent]:
    stamp: dict[str, Any] = {"complaint_id": cid, "actor": SYS}
    events: list[DomainEvent] = [received_event(cid, T0, customer_id="u1", text="broken")]
    for i, step in enumerate(steps, start=2):
        at = T0 + timedelta(hours=3 * i)
        common = {**stamp, "version": i, "at": at}
        if step == "wait":
            events.append(WaitingOnCustomer(**common, stage="waiting_on_customer"))
        elif step == "resume":
            events.append(Resumed(**common, stage="in_progress"))
        elif step == "result":
            events.append(
                ResultRegistered(**common, stage="result_registered", result={"remedy": "refund"})
            )
        elif step == "notify":
            events.append(CustomerNotified(**common, stage="customer_notified", channel="phone"))
        elif step == "reopen":
            events.append(Reopened(**common, stage="reopened"))
        elif step == "respond":
            events.append(Responded(**common, channel="phone"))
        else:
            events.append(HandlerAssigned(**common, handler="kim"))
    return events


def _fresh_states(events: Sequence[DomainEvent], now: datetime) -> dict[str, Any]:
    sla._WALKS.clear()
    sla._STOPPED.clear()
    return evaluate_sla(fold(events), events, now, _CLOCKS)


_CLOCKS = SlaTable(
    version="w1",
    rows=[{"targets": {"first_response": "8h", "resolution": "30h", "notify_after_result": "4h"}}],
)


@settings(max_examples=120, deadline=None)
@given(steps=_STEPS, other=_STEPS)
def test_clocks_read_from_kept_walks_are_those_walked_afresh(
    steps: list[str], other: list[str]
) -> None:
    """Each command's history extends the last one (the kept walk goes on); another history of
    the same complaint id (a what-if) that shares no event objects is walked afresh."""
    events = _history(steps)
    sla._WALKS.clear()
    for n in range(1, len(events) + 1):
        now = events[n - 1].at + timedelta(minutes=30)
        kept = evaluate_sla(fold(events[:n]), events[:n], now, _CLOCKS)
        assert kept == _fresh_states(events[:n], now)
        evaluate_sla(fold(events[:n]), events[:n], now, _CLOCKS)  # keep the walk of this one
    what_if = _history(other)
    now = what_if[-1].at + timedelta(minutes=30)
    assert evaluate_sla(fold(what_if), what_if, now, _CLOCKS) == _fresh_states(what_if, now)


def test_a_history_with_one_earlier_event_replaced_is_walked_again() -> None:
    events = _history(["wait", "resume", "assign"])
    now = events[-1].at + timedelta(hours=1)
    sla._WALKS.clear()
    before = evaluate_sla(fold(events), events, now, _CLOCKS)["resolution"]
    # the waiting began two hours later: same complaint id, same length, one other event
    later = events[1].model_copy(update={"at": events[1].at + timedelta(hours=2)})
    changed = [events[0], later, *events[2:]]
    after = evaluate_sla(fold(changed), changed, now, _CLOCKS)["resolution"]
    assert after == _fresh_states(changed, now)["resolution"]
    assert after.elapsed != before.elapsed


# -- who is told ------------------------------------------------------------------------------


def test_roles_follow_the_organization_handler_and_department() -> None:
    cs = Department(id="cs", name="CS", head="park")
    kim = Agent(id="kim", name="Kim", department="cs")
    lee = Agent(id="lee", name="Lee", department="cs", role="supervisor")
    park = Agent(id="park", name="Park", department="cs")
    org = Organization(departments=[cs], agents=[kim, lee, park])
    roles = ("handler", "supervisor", "department_head")
    complaint = _complaint()
    assert resolve_roles(roles, complaint, org) == ()
    assigned = complaint.model_copy(update={"department": "cs", "handler": "kim"})
    assert resolve_roles(roles, assigned, org) == ("kim", "lee", "park")
    assert resolve_roles(iter(roles), assigned, org) == ("kim", "lee", "park")
    other = Organization(
        departments=[cs],
        agents=[kim, lee.model_copy(update={"active": False}), park],
    )
    assert resolve_roles(roles, assigned, other) == ("kim", "park")
    moved = assigned.model_copy(update={"handler": "park"})
    assert resolve_roles(roles, moved, org) == ("park", "lee")
