"""``ccms.store``: the persistence port and its adapters (in-memory, SQLite).

A store appends a complaint's events and its new snapshot atomically, guarded by optimistic
concurrency (``expected_version``), and reads them back: snapshots by id or by query, events per
complaint or as one global stream with positions. See ``docs/store.md``.

>>> from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore
>>> isinstance(InMemoryStore(), ComplaintStore), isinstance(SQLiteStore(), ComplaintStore)
(True, True)
"""

from __future__ import annotations

from ccms.store.base import (
    ASAP,
    LATEST,
    AppendResult,
    ComplaintQuery,
    ComplaintStore,
    CustomerNotFound,
    InvalidAppend,
    StoreClosed,
    StoredEvent,
)
from ccms.store.memory import InMemoryStore
from ccms.store.sqlite import SQLiteStore

__all__ = [
    "ASAP",
    "LATEST",
    "AppendResult",
    "ComplaintQuery",
    "ComplaintStore",
    "CustomerNotFound",
    "InMemoryStore",
    "InvalidAppend",
    "SQLiteStore",
    "StoreClosed",
    "StoredEvent",
]
