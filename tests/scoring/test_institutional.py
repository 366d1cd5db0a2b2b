"""Institutional-improvement and idea pipelines: the full paths, typed errors, points on adoption."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import InvalidInput, InvalidTransition, NotPermitted
from ccms.model import Actor
from ccms.scoring import (
    DEFAULT_RULES,
    IdeaBox,
    InstitutionalRegister,
    Ledger,
    institutional_definition,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Seoul"))
EXEC = Actor(id="park", role="executive")
KIM = Actor(id="kim", role="handler")


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def test_institutional_item_full_path_and_steps() -> None:
    reg = InstitutionalRegister()
    item = reg.discover(
        title="Return shipping", rule="customer pays return shipping", horizon="short", now=T0
    )
    reg.accept(item.id, department="logistics", now=day(1), actor=EXEC, note="unfair cost")
    reg.plan(item.id, owner="lee", due_at=day(20), method="carrier contract", now=day(2), actor=KIM)
    assert [i.id for i in reg.overdue(day(21))] == [item.id]
    reg.execute(item.id, now=day(15), actor=KIM)
    reg.report(item.id, now=day(16), actor=KIM, note="free returns since 15th")
    reg.feed_back(item.id, now=day(17), actor=KIM, note="told CS and sales")
    done = reg.teach(item.id, now=day(18), actor=KIM, note="30 agents trained")
    assert done.stage == "taught"
    assert (done.department, done.owner, done.method) == ("logistics", "lee", "carrier contract")
    assert [s.trigger for s in done.steps] == [
        "accept",
        "plan",
        "execute",
        "report",
        "feed_back",
        "teach",
    ]
    assert done.version == 7
    assert reg.overdue(day(21)) == []


def test_decisions_belong_to_supervisors_and_executives() -> None:
    reg = InstitutionalRegister()
    item = reg.discover(title="t", rule="r", horizon="long", now=T0)
    with pytest.raises(NotPermitted, match="institutional item INS-1 in stage 'discovered'"):
        reg.accept(item.id, department="cs", now=T0, actor=KIM)
    rejected = reg.reject(item.id, now=T0, actor=EXEC, note="legal requirement")
    with pytest.raises(InvalidTransition, match="allowed from there: nothing"):
        reg.accept(item.id, department="cs", now=T0, actor=EXEC)
    assert reg.get(item.id) == rejected


def test_naive_times_are_refused() -> None:
    reg = InstitutionalRegister()
    with pytest.raises(InvalidInput, match="timezone-aware"):
        reg.discover(title="t", rule="r", horizon="mid", now=datetime(2026, 3, 2))


def test_adopting_an_idea_earns_points_and_declining_does_not() -> None:
    ledger = Ledger(DEFAULT_RULES)
    box = IdeaBox(on_adopt=ledger.record)
    good = box.propose(title="photo upload", proposer="kim", now=T0, department="cs")
    meh = box.propose(title="fax intake", proposer="lee", now=T0)
    with pytest.raises(
        InvalidTransition, match="idea IDEA-1 in stage 'proposed' cannot fire 'adopt'"
    ):
        box.adopt(good.id, now=T0, actor=EXEC)
    for idea in (good, meh):
        box.review(idea.id, now=day(1), actor=EXEC)
    box.adopt(good.id, now=day(2), actor=EXEC)
    box.decline(meh.id, now=day(2), actor=EXEC, note="no fax users left")
    assert ledger.balance("kim", now=day(3)) == 20
    assert ledger.balance("lee", now=day(3)) == 0
    (entry,) = ledger.entries
    assert (entry.rule, entry.department, str(entry.cause)) == (
        "idea_adopted",
        "cs",
        "idea_adopted idea:IDEA-1",
    )


TRIGGERS = institutional_definition().triggers


@given(st.lists(st.sampled_from(TRIGGERS), max_size=12))
def test_any_sequence_moves_only_along_the_definition(triggers: list[str]) -> None:
    reg = InstitutionalRegister()
    item = reg.discover(title="t", rule="r", horizon="short", now=T0)
    table = reg.workflow.table
    for trigger in triggers:
        before = reg.get(item.id)
        try:
            after = reg._fire(item.id, trigger, actor=EXEC, at=T0)
        except InvalidTransition:
            assert (before.stage, trigger) not in table
            assert reg.get(item.id) == before
            continue
        (row,) = table[(before.stage, trigger)]
        assert after.stage == (row.dest or before.stage)
        assert after.version == before.version + 1
