"""A small real CS-point ledger, idea box and institutional register for the report tests
(figures worked out in test_elements.py). October 2026 (UTC), the report made at 2026-11-01.

Ledger (DEFAULT_RULES: cap 50 good a month, tiers commendation >= 30, benchmarking_trip >= 60,
mandatory_training <= -20):

- kim: training 09-20 (+2), idea IDEA-1 adopted 10-10 (+20), prevention 10-12 and 10-20 (+10 each)
- han: prevention 09-05 (+10)
- lee: training 10-03 (+2)
- choi: training 10-02 (+2), a handling fault 10-09 (-10) withdrawn 10-16 (reversed)
- park: a handling fault 10-08 (-10), a rude-behaviour fault 10-15 (-15)
- jung: training 11-03 (recorded after the report's cut-off)

Ideas: IDEA-1 kim (proposed 09-25, reviewed 10-01, adopted 10-10), IDEA-2 lee (10-05, reviewed 10-06,
declined 10-20), IDEA-3 choi (10-22), IDEA-4 park (09-01, reviewed 09-03), IDEA-5 han (10-28,
reviewed 11-02), IDEA-6 jung (11-03).

Institutional items: INS-1 (found 09-10, accepted and planned 09-12, due 10-15), INS-2 (10-02,
accepted and planned 10-03, due 12-01), INS-3 (10-05, rejected 10-07), INS-4 (08-01, accepted
and planned 08-02, due 09-01, executed 09-20, reported 10-05, fed back 10-06, taught 10-07), INS-5
(10-20, accepted and planned 10-21, due 10-25, executed 11-05).
"""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from ccms.model import Actor
from ccms.model.events import FaultAttributed, FaultWithdrawn
from ccms.scoring import DEFAULT_RULES, Activity, IdeaBox, InstitutionalRegister, Ledger

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
LEAD = Actor(id="choi-lead", role="supervisor")
EXEC = Actor(id="exec-kang", role="executive")
STAFF = Actor(id="lee", role="handler")


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@attrs.frozen
class Sample:
    ledger: Ledger
    ideas: IdeaBox
    register: InstitutionalRegister


def _fault(cid: str, version: int, when: datetime, agent: str, category: str) -> FaultAttributed:
    return FaultAttributed(complaint_id=cid, version=version, at=when, actor=EXEC, agent=agent,
                           category=category)  # type: ignore[arg-type]  # fmt: skip


def build(*, late: bool = True) -> Sample:
    """The sample; ``late=False`` leaves out jung's training of 11-03 (after the cut-off)."""
    ledger = Ledger(DEFAULT_RULES)

    def activity(kind: str, n: int, agent: str, when: datetime) -> None:
        ledger.record(Activity(type=kind, id=f"{kind}-{n}", agent=agent, at=when))

    activity("training_taken", 1, "kim", at(9, 20))
    activity("prevention_completed", 1, "han", at(9, 5))
    activity("training_taken", 2, "choi", at(10, 2))
    activity("training_taken", 3, "lee", at(10, 3))
    ledger.feed([_fault("c-park", 2, at(10, 8), "park", "handling")])
    ledger.feed([_fault("c-choi", 2, at(10, 9), "choi", "handling")])
    activity("prevention_completed", 2, "kim", at(10, 12))
    ledger.feed([_fault("c-park2", 2, at(10, 15), "park", "attitude")])
    ledger.feed([FaultWithdrawn(complaint_id="c-choi", version=3, at=at(10, 16), actor=EXEC,
                                agent="choi", attributed_version=2)])  # fmt: skip
    activity("prevention_completed", 3, "kim", at(10, 20))
    if late:
        activity("training_taken", 4, "jung", at(11, 3))

    box = IdeaBox(on_adopt=ledger.record)
    i1 = box.propose(title="Photo upload for damage claims", proposer="kim", now=at(9, 25),
                     department="cs")  # fmt: skip
    box.review(i1.id, now=at(10, 1), actor=LEAD)
    box.adopt(i1.id, now=at(10, 10), actor=LEAD)  # kim +20 (idea_adopted)
    i2 = box.propose(title="Night-shift refund desk", proposer="lee", now=at(10, 5))
    box.review(i2.id, now=at(10, 6), actor=LEAD)
    box.decline(i2.id, now=at(10, 20), actor=LEAD, note="too costly")
    box.propose(title="Courier rating | *stars*", proposer="choi", now=at(10, 22))
    i4 = box.propose(title="Self-service returns", proposer="park", now=at(9, 1))
    box.review(i4.id, now=at(9, 3), actor=LEAD)
    i5 = box.propose(title="Callback slots", proposer="han", now=at(10, 28))
    box.review(i5.id, now=at(11, 2), actor=LEAD)
    box.propose(title="Later idea", proposer="jung", now=at(11, 3))

    reg = InstitutionalRegister()

    def item(title: str, found: datetime) -> str:
        return reg.discover(title=title, rule=f"rule of {title}", horizon="short", now=found).id

    def plan(iid: str, when: datetime, due: datetime, dept: str = "logistics") -> None:
        reg.accept(iid, department=dept, now=when, actor=EXEC)
        reg.plan(iid, owner="lee", due_at=due, method="policy change", now=when, actor=STAFF)

    n1 = item("Return shipping charged", at(9, 10))
    plan(n1, at(9, 12), at(10, 15))
    n2 = item("Refund only by bank transfer", at(10, 2))
    plan(n2, at(10, 3), at(12, 1), "finance")
    n3 = item("No weekend pick-up", at(10, 5))
    reg.reject(n3, now=at(10, 7), actor=EXEC, note="carrier contract")
    n4 = item("Receipt required for exchange", at(8, 1))
    plan(n4, at(8, 2), at(9, 1), "sales")
    reg.execute(n4, now=at(9, 20), actor=STAFF)
    reg.report(n4, now=at(10, 5), actor=STAFF, note="done")
    reg.feed_back(n4, now=at(10, 6), actor=STAFF, note="told sales")
    reg.teach(n4, now=at(10, 7), actor=STAFF, note="trained")
    n5 = item("Warranty needs the box", at(10, 20))
    plan(n5, at(10, 21), at(10, 25), "rnd")
    reg.execute(n5, now=at(11, 5), actor=STAFF)
    return Sample(ledger, box, reg)
