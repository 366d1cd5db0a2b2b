"""The Desk hook: a confident suggestion is applied by the system at receive, others are kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from classify_kit import TAXONOMY, corpus, trained

from ccms.classify import CodeSuggester, VocClassifier
from ccms.desk import Desk, ManualClock
from ccms.desk.suggest import SuggestAtReceive, suggest_at_receive
from ccms.model import Actor, Classified, CustomerRef, event_from_dict
from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def desk_with(
    min_probability: float, store: ComplaintStore | None = None
) -> tuple[Desk, SuggestAtReceive]:
    desk = Desk(store or InMemoryStore(), taxonomy=TAXONOMY, clock=ManualClock(T0))
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


def test_the_classified_event_records_the_probability_and_the_model(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "c.db") as store:
        desk, hook = desk_with(0.05, store)
        cid = receive(desk, "the handle of my frying pan broke off after 3 days")
        (event,) = [e for e in desk.store.events(cid) if isinstance(e, Classified)]
        suggestion = hook.suggestions[cid]
        assert event.suggested is not None
        assert event.suggested.model == trained().model_version
        assert event.suggested.model.startswith("voc-")
        assert event.suggested.probabilities == suggestion.probabilities
        assert 0.05 <= event.suggested.probabilities[0] <= 1
        assert event.suggested.threshold == 0.05
        assert event_from_dict(event.model_dump(mode="json")) == event
        # a person's reclassification records no suggestion
        desk.classify(cid, ["PRD.DEF.COATING"], actor=Actor(id="kim", role="handler"))
        person = [e for e in desk.store.events(cid) if isinstance(e, Classified)][-1]
        assert person.suggested is None
        assert desk.store.get(cid).concerns[0].code == "PRD.DEF.COATING"


def test_an_event_stored_before_the_field_reads_back_without_a_suggestion() -> None:
    desk, _ = desk_with(0.05)
    cid = receive(desk, "refund not received after 10 days")
    (event,) = [e for e in desk.store.events(cid) if isinstance(e, Classified)]
    old = event.model_dump(mode="json")
    del old["suggested"]
    back = event_from_dict(old)
    assert isinstance(back, Classified)
    assert back.suggested is None
    assert back.concerns == event.concerns


def test_a_model_is_stamped_by_its_weights() -> None:
    rows = corpus()[:200]
    texts, codes = [r.text for r in rows], [r.code for r in rows]
    first = VocClassifier.train(texts, codes, taxonomy=TAXONOMY, c=10.0)
    again = VocClassifier.train(texts, codes, taxonomy=TAXONOMY, c=10.0)
    other = VocClassifier.train(texts, codes, taxonomy=TAXONOMY, c=1.0)
    assert first.model_version == again.model_version
    assert first.model_version != other.model_version
