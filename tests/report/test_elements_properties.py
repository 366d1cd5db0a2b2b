"""Invariants of the CS-point, idea and institutional sections over generated histories
(August to November 2026), each built with the real ccms.scoring objects.

The main one: a section read at the cut-off equals the section of objects that stopped at the
cut-off (fed only what happened by then), so "as of the cut-off" means what it says.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ccms.model import Actor
from ccms.model.events import FaultAttributed, FaultWithdrawn
from ccms.report import INSTITUTIONAL_STAGES, Report, build_report
from ccms.scoring import DEFAULT_RULES, Activity, IdeaBox, InstitutionalRegister, Ledger

BASE = datetime(2026, 8, 15, tzinfo=UTC)
OCT, NOV = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
HOURS = 24 * 100  # to late November
LEAD = Actor(id="lead", role="supervisor")
STAFF = Actor(id="staff", role="handler")
AGENTS = ("kim", "lee", "park", "choi")
ACTIVITIES = ("training_taken", "prevention_completed", "idea_adopted")

hours = st.integers(0, HOURS)
as_ofs = st.integers(1, HOURS + 24).map(lambda h: OCT + timedelta(hours=h))


def moment(h: int) -> datetime:
    return BASE + timedelta(hours=h)


def report(as_of: datetime, **kw: Any) -> Report:
    return build_report([], period="month", start=OCT.date(), as_of=as_of, **kw)


def cut_of(as_of: datetime) -> datetime:
    return min(as_of, NOV)


# -- CS points ---------------------------------------------------------------------------------

# (hour, what, agent, extra): an activity, or a fault (extra: hours until it is withdrawn, or None)
log_items = st.tuples(
    hours,
    st.sampled_from((*ACTIVITIES, "fault")),
    st.sampled_from(AGENTS),
    st.none() | st.integers(0, 24 * 20),
)


def ledger_of(log: list[tuple[int, str, str, int | None]], until: datetime | None) -> Ledger:
    """Feed the log in time order (only what happened by ``until``, when given)."""
    moves: list[tuple[datetime, int, Callable[[Ledger], object]]] = []
    for n, (h, what, agent, extra) in enumerate(log):
        at = moment(h)
        if what != "fault":
            act = Activity(type=what, id=f"{what}-{n}", agent=agent, at=at)
            moves.append((at, n, lambda led, a=act: led.record(a)))
            continue
        cid = f"c{n}"
        fault = FaultAttributed(complaint_id=cid, version=2, at=at, actor=LEAD, agent=agent)
        moves.append((at, n, lambda led, e=fault: led.feed([e])))
        if extra is not None:
            later = at + timedelta(hours=extra)
            undo = FaultWithdrawn(complaint_id=cid, version=3, at=later, actor=LEAD, agent=agent,
                                  attributed_version=2)  # fmt: skip
            moves.append((later, n, lambda led, e=undo: led.feed([e])))
    ledger = Ledger(DEFAULT_RULES)
    for at, _, move in sorted(moves, key=lambda m: (m[0], m[1])):
        if until is None or at <= until:
            move(ledger)
    return ledger


@settings(max_examples=60, deadline=None)
@given(st.lists(log_items, max_size=25), as_ofs, st.integers(0, 4))
def test_points_at_the_cut_off_are_those_of_a_ledger_that_stopped_there(
    log: list[tuple[int, str, str, int | None]], as_of: datetime, shown: int
) -> None:
    full = report(as_of, points=ledger_of(log, None), points_shown=shown).points
    stopped = ledger_of(log, cut_of(as_of))
    assert full is not None
    assert full == report(as_of, points=stopped, points_shown=shown).points
    assert full.entries == len(stopped)
    balances = stopped.balances(now=cut_of(as_of))
    assert full.agents == len(balances)
    rows = (*full.top, *full.bottom)
    assert [r.agent for r in rows] == [a for a in balances if a in {r.agent for r in rows}]
    assert len({r.agent for r in rows}) == len(rows) == min(2 * shown, len(balances))
    for r in rows:
        assert sum(b.points for b in r.by_rule) == r.balance == balances[r.agent]
    assert full.period_good >= 0 >= full.period_bad
    assert sum(c.count for c in full.tiers) <= full.agents


# -- ideas ---------------------------------------------------------------------------------------

# (created hour, path, hours between moves): path 0 none, 1 reviewed, 2 adopted, 3 declined
idea_specs = st.tuples(hours, st.integers(0, 3), st.lists(st.integers(0, 24 * 15), min_size=2,
                                                          max_size=2))  # fmt: skip


def box_of(specs: list[tuple[int, int, list[int]]], until: datetime | None) -> IdeaBox:
    box = IdeaBox()
    moves: list[tuple[datetime, int, Callable[[], object]]] = []
    for n, (h, path, gaps) in sorted(enumerate(specs), key=lambda kv: (kv[1][0], kv[0])):
        created = moment(h)
        if until is not None and created > until:
            continue
        idea = box.propose(title=f"idea {n}", proposer=AGENTS[n % 4], now=created)
        steps = [("review", box.review)] if path else []
        if path == 2:
            steps.append(("adopt", box.adopt))
        if path == 3:
            steps.append(("decline", box.decline))
        at = created
        for (name, fire), gap in zip(steps, gaps, strict=False):
            at += timedelta(hours=gap)
            kw = {"note": "no"} if name == "decline" else {}
            moves.append(
                (at, n, lambda f=fire, i=idea.id, t=at, k=kw: f(i, now=t, actor=LEAD, **k))
            )
    for at, _, move in sorted(moves, key=lambda m: (m[0], m[1])):
        if until is None or at <= until:
            move()
    return box


@settings(max_examples=60, deadline=None)
@given(st.lists(idea_specs, max_size=12), as_ofs)
def test_ideas_at_the_cut_off_are_those_of_a_box_that_stopped_there(
    specs: list[tuple[int, int, list[int]]], as_of: datetime
) -> None:
    full = report(as_of, ideas=box_of(specs, None)).ideas
    stopped = box_of(specs, cut_of(as_of))
    assert full == report(as_of, ideas=stopped).ideas
    assert full.total == len(stopped) == sum(s.total for s in full.by_stage)
    assert full.proposed == sum(s.in_period for s in full.by_stage)
    assert all(s.in_period + s.before == s.total for s in full.by_stage)
    stages = {s.stage: s.total for s in full.by_stage}
    assert full.pending == stages.get("proposed", 0) + stages.get("under_review", 0)
    assert full.adopted <= stages.get("adopted", 0)
    assert full.declined <= stages.get("declined", 0)
    assert full.proposed <= len(full.rows) <= full.total


# -- institutional improvements ------------------------------------------------------------------

# (created hour, path length, rejected, hours between moves, due hours after planning)
item_specs = st.tuples(hours, st.integers(0, 6), st.booleans(),
                       st.lists(st.integers(0, 24 * 10), min_size=6, max_size=6),
                       st.integers(0, 24 * 40))  # fmt: skip


def register_of(
    specs: list[tuple[int, int, bool, list[int], int]], until: datetime | None
) -> InstitutionalRegister:
    reg = InstitutionalRegister()
    moves: list[tuple[datetime, int, Callable[[], object]]] = []
    for n, (h, length, rejected, gaps, due) in sorted(enumerate(specs),
                                                      key=lambda kv: (kv[1][0], kv[0])):  # fmt: skip
        created = moment(h)
        if until is not None and created > until:
            continue
        iid = reg.discover(title=f"item {n}", rule="r", horizon="mid", now=created).id
        path: list[Callable[[datetime], object]]
        if rejected and length:
            path = [lambda t, i=iid: reg.reject(i, now=t, actor=LEAD, note="no")]
        else:
            path = [
                lambda t, i=iid: reg.accept(i, department="cs", now=t, actor=LEAD),
                lambda t, i=iid, d=due: reg.plan(i, owner="lee", due_at=t + timedelta(hours=d),
                                                 method="m", now=t, actor=STAFF),
                lambda t, i=iid: reg.execute(i, now=t, actor=STAFF),
                lambda t, i=iid: reg.report(i, now=t, actor=STAFF, note="n"),
                lambda t, i=iid: reg.feed_back(i, now=t, actor=STAFF, note="n"),
                lambda t, i=iid: reg.teach(i, now=t, actor=STAFF, note="n"),
            ][:length]  # fmt: skip
        at = created
        for fire, gap in zip(path, gaps, strict=False):
            at += timedelta(hours=gap)
            moves.append((at, n, lambda f=fire, t=at: f(t)))
    for at, _, move in sorted(moves, key=lambda m: (m[0], m[1])):
        if until is None or at <= until:
            move()
    return reg


@settings(max_examples=60, deadline=None)
@given(st.lists(item_specs, max_size=10), as_ofs)
def test_institutional_at_the_cut_off_is_that_of_a_register_that_stopped_there(
    specs: list[tuple[int, int, bool, list[int], int]], as_of: datetime
) -> None:
    full = report(as_of, institutional=register_of(specs, None)).institutional
    stopped = register_of(specs, cut_of(as_of))
    assert full == report(as_of, institutional=stopped).institutional
    assert full.total == len(stopped) == sum(s.total for s in full.by_stage)
    assert full.discovered == sum(s.in_period for s in full.by_stage)
    stages = {s.stage: s.total for s in full.by_stage}
    assert [s.stage for s in full.by_stage] == (list(INSTITUTIONAL_STAGES) if full.total else [])
    assert full.open == full.total - stages.get("rejected", 0) - stages.get("taught", 0)
    cut = cut_of(as_of)
    assert {r.id for r in full.overdue} == {i.id for i in stopped.overdue(cut)}
    assert all(r.days_late >= 0 for r in full.overdue)
