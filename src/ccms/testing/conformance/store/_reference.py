"""The reference semantics of record streams, the global log and checkpoints: :class:`LogModel`."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
from collections.abc import Sequence
from typing import Any

import pytest

from ccms.errors import (
    IdempotencyConflict,
)
from ccms.model import (
    Complaint,
    DomainEvent,
)
from ccms.store.base import (
    COMPLAINT,
    ComplaintStore,
    Record,
    RecordAppendResult,
    StoredEvent,
    StoredRecord,
    StreamConflict,
)
from ccms.testing.conformance.store._builders import (
    _T0,
    _entry_value,
    _note,
    received_event,
    record_batch,
)

__all__ = ["LogModel"]


class LogModel:
    """The reference semantics of streams, the global log and checkpoints, written plainly.

    ``entries`` is the log: ``(kind, stream id, version, the event or the record)`` at position
    index + 1.
    """

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, int, DomainEvent | Record]] = []
        self.complaints: dict[str, Complaint] = {}
        #: key -> (kind, stream id, positions, what was sent: (snapshot, events, expected
        #: version) of a complaint append, (records, expected version) of a record append)
        self.keys: dict[str, tuple[str, str, tuple[int, ...], tuple[Any, ...]]] = {}
        self.checkpoints: dict[str, tuple[int, dict[str, Any]]] = {}

    def version(self, kind: str, stream_id: str) -> int:
        if kind == COMPLAINT:
            found = self.complaints.get(stream_id)
            return 0 if found is None else found.version
        versions = [v for k, s, v, _ in self.entries if (k, s) == (kind, stream_id)]
        return versions[-1] if versions else 0

    def add(self, kind: str, stream_id: str, items: Sequence[DomainEvent | Record]) -> range:
        start = len(self.entries) + 1
        for item in items:
            self.entries.append((kind, stream_id, item.version, item))
        return range(start, len(self.entries) + 1)

    def records(self, kind: str, stream_id: str) -> list[Record]:
        return [
            item
            for k, s, _, item in self.entries
            if (k, s) == (kind, stream_id) and isinstance(item, Record)
        ]

    def stream_ids(self, kind: str) -> list[str]:
        return list(dict.fromkeys(s for k, s, _, _ in self.entries if k == kind))

    def log(self, after: int = 0, kinds: frozenset[str] | None = None) -> list[tuple[Any, ...]]:
        out = []
        for position, (kind, _, _, item) in enumerate(self.entries, start=1):
            if position > after and (kinds is None or kind in kinds):
                entry = (
                    StoredRecord(position, item)
                    if isinstance(item, Record)
                    else StoredEvent(position, item)
                )
                out.append(_entry_value(entry))
        return out


def _model_append(
    store: ComplaintStore,
    model: LogModel,
    kind: str,
    stream_id: str,
    count: int,
    *,
    key: str | None = None,
    offset: int = 0,
    resend: bool = False,
) -> None:
    """Append to ``store`` what the model says comes next on the stream (``count`` records, or a
    complaint's next command), ``offset`` versions off for records, and check the store's answer
    against the model's: written, a duplicate, a conflict of versions or of keys. With
    ``resend``, a key already used on this stream sends exactly what it sent first (a retry).

    A key is bound to what it was first sent with: the same stream and the same events (or
    records) is a duplicate, anything else an IdempotencyConflict."""
    current = model.version(kind, stream_id)
    first = model.keys.get(key) if key is not None else None
    same_stream = first is not None and first[:2] == (kind, stream_id)
    if kind == COMPLAINT:
        snapshot: Complaint
        events: tuple[DomainEvent, ...]
        if resend and first is not None and same_stream:
            snapshot, events, expected = first[3]
        else:
            expected = current
            if current == 0:
                e = received_event(stream_id, _T0)
                snapshot, events = e.apply(None), (e,)
            else:
                snapshot, events = _note(model.complaints[stream_id], f"v{current + 1}", _T0)
        if first is not None and (not same_stream or first[3][1] != events):
            with pytest.raises(IdempotencyConflict):
                store.append(snapshot, events, expected_version=expected, idempotency_key=key)
            return
        result = store.append(snapshot, events, expected_version=expected, idempotency_key=key)
        if first is not None:
            assert result.duplicate is True
            assert result.positions == first[2]
            assert result.events == first[3][1]
            return
        positions = tuple(model.add(COMPLAINT, stream_id, events))
        assert result.positions == positions
        model.complaints[stream_id] = snapshot
        sent: tuple[Any, ...] = (snapshot, events, expected)
    else:
        if resend and first is not None and same_stream:
            batch, expected = first[3]
        else:
            expected = current + offset
            if expected < 0:
                return
            batch = record_batch(kind, stream_id, after=expected, count=count)
        if first is not None and (not same_stream or first[3][0] != batch):
            with pytest.raises(IdempotencyConflict):
                store.append_records(
                    kind, stream_id, batch, expected_version=expected, idempotency_key=key
                )
            return
        if first is None and expected != current:
            with pytest.raises(StreamConflict) as caught:
                store.append_records(
                    kind, stream_id, batch, expected_version=expected, idempotency_key=key
                )
            assert (caught.value.expected, caught.value.actual) == (expected, current)
            return
        written = store.append_records(
            kind, stream_id, batch, expected_version=expected, idempotency_key=key
        )
        if first is not None:  # a retry: the first result, whatever the versions now
            assert written.duplicate is True
            assert written.positions == first[2]
            assert written.records == tuple(model.entries[p - 1][3] for p in first[2])
            return
        positions = tuple(model.add(kind, stream_id, batch))
        assert written == RecordAppendResult(tuple(batch), positions, False)
        sent = (list(batch), expected)
    if key is not None:
        model.keys[key] = (kind, stream_id, positions, sent)
