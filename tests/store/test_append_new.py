"""``append_new``: many new complaints in one transaction (a bulk import's batch)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ccms.model import fold
from ccms.store import ASAP, InMemoryStore, InvalidAppend, SQLiteStore
from ccms.testing.conformance.store import received_event

T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _item(i: int) -> tuple[Any, list[Any]]:
    event = received_event(f"N{i:04d}", T0 + timedelta(minutes=i), code="PRD.DEF")
    return fold([event]), [event]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    made = InMemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "n.db")
    yield made
    made.close()


def test_a_batch_stores_new_complaints_and_skips_what_exists(store: Any) -> None:
    first, events = _item(0)
    store.append(first, events, expected_version=0)
    batch = [_item(0), _item(1), _item(2), _item(1)]
    results = store.append_new(batch)
    assert [r is None for r in results] == [True, False, False, True]
    assert [c.id for c in store.query()] == ["N0000", "N0001", "N0002"]
    positions = [p for r in results if r is not None for p in r.positions]
    assert positions == [2, 3]
    assert [s.position for s in store.stream()] == [1, 2, 3]
    assert store.get("N0002") == batch[2][0]
    assert store.wake_at("N0001") is None
    assert store.wake_at("N0000") == ASAP


def test_a_batch_larger_than_one_read_of_ids_skips_every_stored_one(store: Any) -> None:
    # SQLite reads the batch's stored ids a few hundred at a time: stored ids in every part.
    stored = [0, 499, 500, 501, 1_100]
    for i in stored:
        complaint, events = _item(i)
        store.append(complaint, events, expected_version=0)
    results = store.append_new([_item(i) for i in range(1_200)] + [_item(7)])
    skipped = [i for i, r in enumerate(results) if r is None]
    assert skipped == [*stored, 1_200]  # and the repeat of N0007 at the end
    assert store.count() == 1_200


def test_a_malformed_item_writes_nothing_of_the_batch(store: Any) -> None:
    good, events = _item(1)
    later = good.model_copy(update={"version": 2})
    with pytest.raises(InvalidAppend):
        store.append_new([(good, events), (later, events)])
    assert len(store) == 0
    assert list(store.stream()) == []


def test_the_wake_up_of_a_batch(store: Any) -> None:
    results = store.append_new([_item(3)], wake_at=T0)
    assert results[0] is not None
    assert store.due(T0) == ["N0003"]
