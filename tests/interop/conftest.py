"""Fixtures of the interop tests: issue lists and a store of each kind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from interop_sample import Issues

from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore


@pytest.fixture
def issues() -> Issues:
    return Issues()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    """An empty in-memory store, then an empty SQLite file."""
    if request.param == "memory":
        yield InMemoryStore()
        return
    with SQLiteStore(tmp_path / "import.db") as sqlite:
        yield sqlite
