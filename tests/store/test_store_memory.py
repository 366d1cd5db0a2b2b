"""The in-memory store: the store contract, plus what is particular to it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccms.store import ComplaintStore, InMemoryStore
from ccms.testing.conformance.store import StoreFactory, StoreSuite, received_event, record_batch


class TestInMemoryStore(StoreSuite):
    @pytest.fixture
    def make_store(self) -> StoreFactory:
        return InMemoryStore


def test_repr_counts_complaints_and_events() -> None:
    store: ComplaintStore = InMemoryStore()
    assert repr(store) == "InMemoryStore(0 complaints, 0 events)"


def test_repr_counts_records_once_there_are_some() -> None:
    store = InMemoryStore()
    e = received_event("C", datetime(2026, 10, 1, tzinfo=UTC))
    store.append(e.apply(None), [e], expected_version=0)
    store.append_records("idea", "I", record_batch("idea", "I", count=2), expected_version=0)
    assert repr(store) == "InMemoryStore(1 complaints, 1 events, 2 records)"
