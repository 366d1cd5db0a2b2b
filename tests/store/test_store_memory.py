"""The in-memory store: the store contract, plus what is particular to it."""

from __future__ import annotations

import pytest

from ccms.store import ComplaintStore, InMemoryStore
from ccms.testing.store_contract import StoreContract, StoreFactory


class TestInMemoryStore(StoreContract):
    @pytest.fixture
    def make_store(self) -> StoreFactory:
        return InMemoryStore


def test_repr_counts_complaints_and_events() -> None:
    store: ComplaintStore = InMemoryStore()
    assert repr(store) == "InMemoryStore(0 complaints, 0 events)"
