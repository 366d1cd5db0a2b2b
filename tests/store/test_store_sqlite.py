"""The SQLite store: the store contract on a file and in memory, plus what is particular to it."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ccms.store import ComplaintStore, SQLiteStore
from ccms.testing.store_contract import StoreContract, StoreFactory


class TestSQLiteFileStore(StoreContract):
    @pytest.fixture
    def make_store(self, tmp_path: Path) -> StoreFactory:
        counter = itertools.count()
        return lambda: SQLiteStore(tmp_path / f"store-{next(counter)}.db")

    def second_handle(self, store: ComplaintStore) -> ComplaintStore:
        assert isinstance(store, SQLiteStore)
        return SQLiteStore(store.path)


class TestSQLiteMemoryStore(StoreContract):
    @pytest.fixture
    def make_store(self) -> StoreFactory:
        return SQLiteStore
