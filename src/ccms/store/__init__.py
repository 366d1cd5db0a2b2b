"""``ccms.store``: the persistence port and its adapters (in-memory, SQLite).

A store appends a complaint's events and its new snapshot atomically, guarded by optimistic
concurrency (``expected_version``), and reads them back: snapshots by id or by query, events per
complaint or as one global stream with positions. Beside complaints it keeps versioned streams of
:class:`Record` of other kinds (improvement tasks, institutional items, ideas, activities) in the
same global log (:meth:`ComplaintStore.log`), and the checkpoints of durable projections. See
``docs/store.md``.

>>> from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore
>>> isinstance(InMemoryStore(), ComplaintStore), isinstance(SQLiteStore(), ComplaintStore)
(True, True)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ccms.store.base import (
    ASAP,
    COMPLAINT,
    LATEST,
    MAX_KEY_LENGTH,
    AppendResult,
    CheckpointConflict,
    ComplaintQuery,
    ComplaintStore,
    CustomerNotFound,
    InvalidAppend,
    InvalidCheckpoint,
    InvalidRecordAppend,
    LogEntry,
    NotACcmsStore,
    Record,
    RecordAppendResult,
    StoreClosed,
    StoredEvent,
    StoredRecord,
    StoreReadOnly,
    StoreSchemaError,
    StreamConflict,
    check_id,
    check_key,
    events_fingerprint,
    fingerprint,
    from_micros,
    micros,
)
from ccms.store.memory import InMemoryStore
from ccms.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from ccms.store.postgres import PostgresStore as PostgresStore


def __getattr__(name: str) -> Any:
    # ccms.store.PostgresStore is imported on first use: psycopg is the optional "postgres" extra.
    if name == "PostgresStore":
        return importlib.import_module("ccms.store.postgres").PostgresStore
    raise AttributeError(f"module 'ccms.store' has no attribute {name!r}")


__all__ = [
    "ASAP",
    "COMPLAINT",
    "LATEST",
    "MAX_KEY_LENGTH",
    "AppendResult",
    "CheckpointConflict",
    "ComplaintQuery",
    "ComplaintStore",
    "CustomerNotFound",
    "InMemoryStore",
    "InvalidAppend",
    "InvalidCheckpoint",
    "InvalidRecordAppend",
    "LogEntry",
    "NotACcmsStore",
    "Record",
    "RecordAppendResult",
    "SQLiteStore",
    "StoreClosed",
    "StoreReadOnly",
    "StoreSchemaError",
    "StoredEvent",
    "StoredRecord",
    "StreamConflict",
    "check_id",
    "check_key",
    "events_fingerprint",
    "fingerprint",
    "from_micros",
    "micros",
]
