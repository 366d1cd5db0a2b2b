"""The store port and its values, under one name: ``ccms.store.base`` re-exports them.

Each has its own module (the layout tells the parts): :mod:`ccms.store.port` (the
:class:`ComplaintStore` protocol), :mod:`ccms.store.events` (:class:`StoredEvent`,
:class:`AppendResult`, the checks of an append), :mod:`ccms.store.records` (:class:`Record`,
:class:`StoredRecord`, :class:`RecordAppendResult`, the global log's entries, checkpoints),
:mod:`ccms.store.query` (:class:`ComplaintQuery`), :mod:`ccms.store.schedule` (``ASAP``,
``LATEST``, the wake-up checks), :mod:`ccms.store.idempotency` (keys and fingerprints) and
:mod:`ccms.store.codec` (JSON and instants as a store keeps them). The store's errors live in
:mod:`ccms.errors`; they are re-exported here for the code that imported them from this module.

>>> from ccms.store.base import ComplaintQuery, ComplaintStore
>>> from ccms.store.query import ComplaintQuery as Q
>>> ComplaintQuery is Q
True
"""

from __future__ import annotations

from ccms.errors import (
    CheckpointConflict,
    CustomerNotFound,
    InvalidAppend,
    InvalidCheckpoint,
    InvalidRecordAppend,
    NotACcmsStore,
    StoreClosed,
    StoreReadOnly,
    StoreSchemaError,
    StreamConflict,
)
from ccms.store.codec import customer_json, from_micros, json_object, json_text, micros
from ccms.store.events import COMPLAINT, AppendResult, StoredEvent, check_append, check_id
from ccms.store.idempotency import (
    MAX_KEY_LENGTH,
    check_fingerprint,
    check_key,
    events_fingerprint,
    fingerprint,
    key_conflict,
    records_fingerprint,
)
from ccms.store.port import ComplaintStore
from ccms.store.query import ComplaintQuery
from ccms.store.records import (
    LogEntry,
    Record,
    RecordAppendResult,
    StoredRecord,
    check_checkpoint,
    check_kind,
    check_log,
    check_records,
    record_from_json,
    record_json,
)
from ccms.store.schedule import ASAP, LATEST, check_due, check_version, check_wake_at

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
    "InvalidAppend",
    "InvalidCheckpoint",
    "InvalidRecordAppend",
    "LogEntry",
    "NotACcmsStore",
    "Record",
    "RecordAppendResult",
    "StoreClosed",
    "StoreReadOnly",
    "StoreSchemaError",
    "StoredEvent",
    "StoredRecord",
    "StreamConflict",
    "check_append",
    "check_checkpoint",
    "check_due",
    "check_fingerprint",
    "check_id",
    "check_key",
    "check_kind",
    "check_log",
    "check_records",
    "check_version",
    "check_wake_at",
    "customer_json",
    "events_fingerprint",
    "fingerprint",
    "from_micros",
    "json_object",
    "json_text",
    "key_conflict",
    "micros",
    "record_from_json",
    "record_json",
    "records_fingerprint",
]
