"""``ccms.model.events``: a complaint is the fold of its events; a fold refuses events that do not
belong (another complaint, a version gap, nothing received first), and every event reads back
from its JSON as itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from ccms.errors import FoldError, InvalidInput
from ccms.model import (
    Actor,
    ComplaintReceived,
    Concern,
    CustomerRef,
    DomainEvent,
    StageChanged,
    event_class,
    event_from_dict,
    event_from_json,
    event_types,
    fold,
)
from ccms.testing.strategies import event_histories
from ccms.workflow import default_workflow

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def received(cid: str = "c1") -> ComplaintReceived:
    return ComplaintReceived(
        complaint_id=cid, version=1, at=T0, actor=Actor.system(), stage="received",
        received_at=T0, channel="phone", customer=CustomerRef(id="u1"),
        concerns=(Concern(kind="complaint", text="broken"),),
    )  # fmt: skip


def step(version: int, cid: str = "c1", stage: str = "classified") -> StageChanged:
    return StageChanged(
        complaint_id=cid, version=version, at=T0 + timedelta(hours=version), actor=Actor.system(),
        stage=stage,
    )  # fmt: skip


def test_a_fold_is_the_events_applied_in_order() -> None:
    c = fold([received(), step(2), step(3, stage="in_progress")])
    assert (c.version, c.stage, c.updated_at) == (3, "in_progress", T0 + timedelta(hours=3))
    assert fold([step(3, stage="closed")], start=fold([received(), step(2)])).stage == "closed"


@pytest.mark.parametrize(
    ("events", "problem"),
    [
        ([], "no events to fold"),
        ([step(1)], "has no complaint to apply to"),
        ([received(), received()], "was already received"),
        ([received(), step(2, cid="c2")], "is for c2, not c1"),
        ([received(), step(3)], "has version 3, expected 2"),
    ],
)
def test_a_fold_refuses_events_that_do_not_belong(events: list[DomainEvent], problem: str) -> None:
    with pytest.raises(FoldError, match=problem):
        fold(events)


def test_a_received_event_is_version_one() -> None:
    with pytest.raises(FoldError, match="must have version 1 and a stage"):
        fold([received().model_copy(update={"version": 2})])


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
@given(event_histories(default_workflow(), max_commands=8))
def test_every_event_reads_back_from_its_json_as_itself(events: list[DomainEvent]) -> None:
    for event in events:
        assert event.type in event_types()
        assert event_class(event.type) is type(event)
        assert event_from_json(event.model_dump_json()) == event
        assert event_from_json(event.model_dump_json(), event.type) == event
        assert event_from_dict(event.model_dump(mode="json")) == event
    assert fold(events).version == events[-1].version


def test_an_unknown_event_type_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput, match=r"unknown event type 'teleported'; known: .*received"):
        event_class("teleported")
    with pytest.raises(InvalidInput, match="an event needs a string 'type'"):
        event_from_dict({"version": 1})
