"""The Desk hook: a confident suggestion is applied by the system at receive, others are kept."""

from __future__ import annotations

from datetime import UTC, datetime

from classify_kit import TAXONOMY, trained

from ccms.classify import CodeSuggester
from ccms.desk import Desk, ManualClock
from ccms.desk.suggest import SuggestAtReceive, suggest_at_receive
from ccms.model import CustomerRef
from ccms.store import InMemoryStore

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def desk_with(min_probability: float) -> tuple[Desk, SuggestAtReceive]:
    desk = Desk(InMemoryStore(), taxonomy=TAXONOMY, clock=ManualClock(T0))
    hook = suggest_at_receive(desk, CodeSuggester(trained(), min_probability=min_probability))
    return desk, hook


def receive(desk: Desk, text: str) -> str:
    c = desk.receive(
        channel="web",
        customer=CustomerRef(id="u1"),
        concerns=[{"kind": "complaint", "text": text}],
        received_at=T0,
    )
    return c.id


def test_confident_suggestion_is_applied_by_the_system() -> None:
    desk, hook = desk_with(0.05)
    cid = receive(desk, "the handle of my frying pan broke off after 3 days")
    stored = desk.store.get(cid)
    assert stored.concerns[0].code == "PRD.DEF.HANDLE"
    events = list(desk.store.events(cid))
    classified = [e for e in events if e.type == "classified"]
    assert len(classified) == 1
    assert classified[0].actor.id == "system"
    assert cid in hook.applied
    assert hook.suggestions[cid].probabilities[0] >= 0.05


def test_unconfident_suggestion_is_kept_not_applied() -> None:
    desk, hook = desk_with(1.0)
    cid = receive(desk, "the handle of my frying pan broke off after 3 days")
    assert desk.store.get(cid).concerns[0].code is None
    assert [e.type for e in desk.store.events(cid)] == ["received"]
    assert hook.suggestions[cid].codes[0].label == "PRD.DEF.HANDLE"
    assert cid not in hook.applied
