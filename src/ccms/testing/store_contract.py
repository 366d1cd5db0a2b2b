"""The store contract: a pytest suite that every :class:`~ccms.store.ComplaintStore` must pass.

Subclass :class:`StoreContract` in a test module and give it a ``make_store`` fixture that returns a
factory of fresh, empty stores; override :meth:`StoreContract.second_handle` if your store can open
a second, independent handle on the same data (another connection), so the race tests pit two real
writers against each other::

    import pytest
    from ccms.testing.store_contract import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def make_store(self, tmp_path):
            return lambda: MyStore(tmp_path / f"{uuid.uuid4()}.db")

        def second_handle(self, store):
            return MyStore(store.path)

The module also offers small builders that other tests reuse: :func:`received_event`,
:func:`advance`, :func:`append_histories`, :func:`record_batch`, the Hypothesis strategies
:func:`complaint_histories` and :func:`complaint_queries`, and :class:`LogModel`, the reference
semantics of record streams, the global log and checkpoints.

>>> from datetime import datetime, timezone
>>> e = received_event("c1", datetime(2026, 10, 1, 9, tzinfo=timezone.utc), code="PRD.DEF")
>>> c1 = e.apply(None)
>>> c2, started = advance(c1, HandlingStarted, datetime(2026, 10, 1, 10, tzinfo=timezone.utc),
...                       stage="in_progress")
>>> (c1.version, c1.codes), (started.version, c2.version, c2.stage)
((1, ('PRD.DEF',)), (2, 2, 'in_progress'))
"""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import itertools
import json
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ccms.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    NaiveDatetimeError,
)
from ccms.model import (
    Actor,
    Channel,
    Classified,
    Closed,
    Complaint,
    ComplaintReceived,
    Concern,
    Customer,
    CustomerRef,
    DepartmentAssigned,
    DomainEvent,
    Feedback,
    FeedbackRecorded,
    Flag,
    FlagsChanged,
    HandlerAssigned,
    HandlingStarted,
    Money,
    RemedyKind,
    Reopened,
    Responded,
    Result,
    ResultRegistered,
    Severity,
    SlaApplied,
    StageChanged,
    VocKind,
    Withdrawn,
)
from ccms.store.base import (
    ASAP,
    COMPLAINT,
    LATEST,
    AppendResult,
    CheckpointConflict,
    ComplaintQuery,
    ComplaintStore,
    CustomerNotFound,
    InvalidAppend,
    InvalidCheckpoint,
    InvalidRecordAppend,
    Record,
    RecordAppendResult,
    StoreClosed,
    StoredEvent,
    StoredRecord,
    StreamConflict,
    fingerprint,
)

__all__ = [
    "RECORD_KINDS",
    "RICH_DATA",
    "Command",
    "LogModel",
    "StoreContract",
    "StoreFactory",
    "advance",
    "append_histories",
    "brute_force_query",
    "complaint_histories",
    "complaint_queries",
    "received_event",
    "record_batch",
    "reference_due",
    "rich_history",
]

E = TypeVar("E", bound=DomainEvent)

#: A fresh, empty store each call.
StoreFactory = Callable[[], ComplaintStore]
#: One append: the snapshot after the command and the events it produced (all at its version).
Command = tuple[Complaint, tuple[DomainEvent, ...]]

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
_ZONES = (UTC, SEOUL, NEW_YORK)
_T0 = datetime(2026, 10, 1, tzinfo=UTC)
_STAGES = (
    "received",
    "classified",
    "department_assigned",
    "handler_assigned",
    "in_progress",
    "result_registered",
    "closed",
    "withdrawn",
)
_CODES = ("PRD", "PRD.DEF", "PRD.DEF.HANDLE", "PRDX.A", "SVC.STAFF", "PAY.REFUND")
_PREFIXES = ("P", "PRD", "PRD.", "PRD.DEF", "PRDX", "SVC", "PAY.REFUND", "Z")
_DEPARTMENTS = ("cs", "quality", "logistics")
_HANDLERS = ("kim", "lee", "park")
_CUSTOMERS = ("CUST-1", "CUST-2", "CUST-3")
_CHANNELS = (Channel.PHONE, Channel.WEB, Channel.STORE)


def received_event(
    complaint_id: str,
    at: datetime,
    *,
    customer_id: str = "CUST-1",
    channel: Channel = Channel.PHONE,
    text: str = "The handle broke off",
    code: str | None = None,
    severity: Severity = Severity.MEDIUM,
    concerns: Sequence[Concern] | None = None,
    **fields: Any,
) -> ComplaintReceived:
    """A ``received`` event (version 1, stage ``received``) with one concern unless given more."""
    if concerns is None:
        concerns = (Concern(kind=VocKind.COMPLAINT, code=code, text=text, severity=severity),)
    return ComplaintReceived(
        complaint_id=complaint_id,
        version=1,
        at=at,
        actor=Actor.system(),
        trigger="receive",
        stage="received",
        received_at=at,
        channel=channel,
        customer=CustomerRef(id=customer_id),
        concerns=tuple(concerns),
        **fields,
    )


def advance(
    complaint: Complaint,
    event_type: type[E],
    at: datetime,
    *,
    same_command: bool = False,
    **fields: Any,
) -> tuple[Complaint, E]:
    """Build an ``event_type`` event for ``complaint`` and apply it: ``(new complaint, event)``.

    The event is at ``complaint.version + 1``, or at ``complaint.version`` with ``same_command``
    (a second event of the command that produced ``complaint``).
    """
    version = complaint.version if same_command else complaint.version + 1
    event = event_type(
        complaint_id=complaint.id, version=version, at=at, actor=Actor.system(), **fields
    )
    return event.apply(complaint), event


def append_histories(
    store: ComplaintStore, histories: Sequence[Sequence[Command]]
) -> list[AppendResult]:
    """Append every command, interleaving complaints round-robin; the results in call order."""
    results: list[AppendResult] = []
    longest = max((len(h) for h in histories), default=0)
    for step in range(longest):
        for history in histories:
            if step < len(history):
                snapshot, events = history[step]
                results.append(
                    store.append(snapshot, events, expected_version=snapshot.version - 1)
                )
    return results


_REFUND = Result(remedy=RemedyKind.REFUND, amount=Money(amount=Decimal("35000.50")))


def _path_step(
    draw: st.DrawFn, i: int, complaint: Complaint, received_at: datetime
) -> tuple[type[DomainEvent], dict[str, Any]]:
    """Step ``i`` along the default workflow's main path, drawing only what it needs."""
    if i == 0:
        concerns = tuple(
            c.model_copy(update={"code": draw(st.sampled_from(_CODES))}) for c in complaint.concerns
        )
        return Classified, {"stage": "classified", "concerns": concerns}
    if i == 1:
        department = draw(st.sampled_from(_DEPARTMENTS))
        return DepartmentAssigned, {"stage": "department_assigned", "department": department}
    if i == 2:
        return HandlerAssigned, {
            "stage": "handler_assigned",
            "handler": draw(st.sampled_from(_HANDLERS)),
        }
    if i == 3:
        due = received_at + timedelta(hours=draw(st.integers(1, 72)))
        return SlaApplied, {"table_version": "v1", "due_at": due}
    if i == 4:
        return HandlingStarted, {"stage": "in_progress"}
    if i == 5:
        return ResultRegistered, {"stage": "result_registered", "result": _REFUND}
    return Closed, {"stage": "closed"}


@st.composite
def _history(draw: st.DrawFn, complaint_id: str) -> list[Command]:
    at = _T0 + timedelta(hours=draw(st.integers(0, 48)))
    received_at = at.astimezone(draw(st.sampled_from(_ZONES)))
    codes = st.none() | st.sampled_from(_CODES)
    concerns = draw(
        st.lists(
            st.builds(
                Concern,
                kind=st.sampled_from(VocKind),
                code=codes,
                text=st.sampled_from(["broken", "late", "rude", "refund?"]),
                severity=st.sampled_from(Severity),
            ),
            min_size=1,
            max_size=3,
        )
    )
    first = received_event(
        complaint_id,
        received_at,
        customer_id=draw(st.sampled_from(_CUSTOMERS)),
        channel=draw(st.sampled_from(_CHANNELS)),
        concerns=concerns,
        flags=draw(st.frozensets(st.sampled_from(Flag), max_size=2)),
        attributes=draw(st.sampled_from([{}, {"order_no": "A-1", "weight": 1.5, "ok": [1, None]}])),
    )
    complaint = first.apply(None)
    commands: list[tuple[Complaint, list[DomainEvent]]] = [(complaint, [first])]
    steps = draw(st.integers(0, 7))
    for i in range(steps):
        at = at + timedelta(minutes=draw(st.integers(1, 900)))
        when = at.astimezone(draw(st.sampled_from(_ZONES)))
        kind, fields = _path_step(draw, i, complaint, received_at)
        same = draw(st.booleans())
        complaint, event = advance(complaint, kind, when, same_command=same, **fields)
        if same:
            commands[-1] = (complaint, [*commands[-1][1], event])
        else:
            commands.append((complaint, [event]))
    if steps < 7 and draw(st.integers(0, 3)) == 0:
        at = at + timedelta(minutes=5)
        complaint, event = advance(complaint, Withdrawn, at, stage="withdrawn")
        commands.append((complaint, [event]))
    return [(c, tuple(events)) for c, events in commands]


def complaint_histories(
    *, min_size: int = 0, max_size: int = 30
) -> st.SearchStrategy[list[list[Command]]]:
    """Lists of complaint histories (unique ids, real folded snapshots), one list per complaint.

    Received times fall on an hour grid in three zones, so equal instants (ties broken by id)
    and range boundaries occur; stages run along the default workflow up to ``closed`` or
    ``withdrawn``; several events sometimes share one command (one version).
    """
    ids = st.lists(
        st.text(alphabet="0123456789ABCXYZ", min_size=1, max_size=3),
        min_size=min_size,
        max_size=max_size,
        unique=True,
    )
    return ids.flatmap(lambda names: st.tuples(*(_history(n) for n in names)).map(list))


def _moments() -> st.SearchStrategy[datetime]:
    return st.builds(
        lambda h, z: (_T0 + timedelta(hours=h)).astimezone(z),
        st.integers(-1, 100),
        st.sampled_from(_ZONES),
    )


def complaint_queries() -> st.SearchStrategy[ComplaintQuery]:
    """Queries over the values :func:`complaint_histories` uses (so they match something)."""

    def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.none() | strategy

    return st.builds(
        ComplaintQuery,
        stages=maybe(st.frozensets(st.sampled_from(_STAGES), max_size=3)),
        department=maybe(st.sampled_from(_DEPARTMENTS)),
        handler=maybe(st.sampled_from(_HANDLERS)),
        open_only=st.booleans(),
        overdue_at=maybe(_moments()),
        received_from=maybe(_moments()),
        received_to=maybe(_moments()),
        customer_id=maybe(st.sampled_from(_CUSTOMERS)),
        channel=maybe(st.sampled_from(_CHANNELS)),
        code_prefix=maybe(st.sampled_from(_PREFIXES)),
        limit=maybe(st.integers(1, 10)),
    )


def brute_force_query(q: ComplaintQuery, complaints: Sequence[Complaint]) -> list[Complaint]:
    """The documented query semantics written out plainly, independent of any store."""
    out = []
    for c in complaints:
        ok = (
            (q.stages is None or c.stage in q.stages)
            and (q.department is None or c.department == q.department)
            and (q.handler is None or c.handler == q.handler)
            and (not q.open_only or c.closed_at is None)
            and (
                q.overdue_at is None
                or (c.closed_at is None and c.due_at is not None and c.due_at < q.overdue_at)
            )
            and (q.received_from is None or q.received_from <= c.received_at)
            and (q.received_to is None or c.received_at < q.received_to)
            and (q.customer_id is None or c.customer.id == q.customer_id)
            and (q.channel is None or c.channel == q.channel)
            and (
                q.code_prefix is None
                or any(k.code is not None and k.code.startswith(q.code_prefix) for k in c.concerns)
            )
        )
        if ok:
            out.append(c)
    out.sort(key=lambda c: (c.received_at.astimezone(UTC), c.id))
    return out[: q.limit] if q.limit is not None else out


def rich_history(complaint_id: str = "RICH-1") -> list[Command]:
    """Nine commands (ten events) of one complaint, using every kind of value a store must keep.

    Zones (received on the day DST starts in New York, later events in Seoul), Decimal money,
    frozensets, nested dict attributes, Korean text, feedback; it ends closed at version 9.
    """
    t = datetime(2026, 3, 8, 1, 30, 15, 123456, tzinfo=NEW_YORK)  # the day DST starts there
    first = received_event(
        complaint_id,
        t,
        customer_id="CUST-9",
        channel=Channel.STORE,
        concerns=(
            Concern(kind=VocKind.COMPLAINT, text="손잡이가 부러졌어요", severity=Severity.HIGH),
            Concern(kind=VocKind.SUGGESTION, text="Sell spare handles"),
        ),
        flags=frozenset({Flag.SAFETY, Flag.VIP}),
        tags=frozenset({"store-12", "pot"}),
        attributes={
            "order_no": "A-77",
            "qty": 2,
            "price": 19.5,
            "extra": {"gift": True, "l": [1, "x"]},
        },
    )
    c = first.apply(None)
    out: list[Command] = [(c, (first,))]
    seoul = t.astimezone(SEOUL)
    c, e1 = advance(
        c,
        Classified,
        seoul + timedelta(minutes=5),
        stage="classified",
        concerns=tuple(
            k.model_copy(update={"code": code})
            for k, code in zip(c.concerns, ("PRD.DEF.HANDLE", "SVC.IDEA"), strict=True)
        ),
    )
    c, e2 = advance(
        c,
        DepartmentAssigned,
        seoul + timedelta(minutes=6),
        same_command=True,
        stage="department_assigned",
        department="quality",
    )
    out.append((c, (e1, e2)))
    c, e3 = advance(
        c, HandlerAssigned, seoul + timedelta(hours=1), stage="handler_assigned", handler="kim"
    )
    out.append((c, (e3,)))
    c, e4 = advance(
        c,
        SlaApplied,
        seoul + timedelta(hours=1, seconds=1),
        table_version="2026.1",
        targets={"resolution_hours": 72, "first_response": "PT4H"},
        due_at=t + timedelta(days=3),
    )
    out.append((c, (e4,)))
    c, e5 = advance(c, Responded, t + timedelta(hours=2), channel=Channel.SMS, note="on it")
    out.append((c, (e5,)))
    c, e6 = advance(
        c,
        ResultRegistered,
        t + timedelta(days=1),
        stage="result_registered",
        result=Result(
            remedy=RemedyKind.COMPENSATION,
            amount=Money(amount=Decimal("12345.6789"), currency="KRW"),
            cause="weld",
            measures="supplier audit",
        ),
        outcomes=("upheld", "noted"),
    )
    out.append((c, (e6,)))
    c, e7 = advance(
        c,
        FlagsChanged,
        t + timedelta(days=1, minutes=1),
        added=frozenset({Flag.REPEAT}),
        removed=frozenset({Flag.VIP}),
    )
    out.append((c, (e7,)))
    c, e8 = advance(
        c,
        FeedbackRecorded,
        t + timedelta(days=2),
        stage="feedback_recorded",
        feedback=Feedback(satisfied=True, csat=5, comment="고맙습니다"),
    )
    out.append((c, (e8,)))
    c, e9 = advance(c, Closed, t + timedelta(days=2, hours=1), stage="closed", reason="done")
    out.append((c, (e9,)))
    return out


def _dump(store: ComplaintStore) -> tuple[Any, ...]:
    """Everything a store holds, the schedule, the record streams, the log and the checkpoints
    included, as values (for "nothing was written")."""
    stream = [(s.position, s.event.model_dump_json()) for s in store.stream()]
    snapshots = {cid: store.get(cid).model_dump_json() for cid in store.ids()}
    schedule = {cid: store.wake_at(cid) for cid in store.ids()}
    return stream, snapshots, len(store), schedule, store.last_position(), _dump_records(store)


def _wake_ups() -> st.SearchStrategy[datetime | None]:
    """Wake-ups: none, ASAP, the latest instant, or an hour on the grid (ties happen), any zone."""
    return st.none() | st.just(ASAP) | st.just(LATEST) | _moments()


def reference_due(
    schedule: dict[str, datetime | None],
    complaints: dict[str, Complaint],
    now: datetime,
    limit: int | None = None,
) -> list[str]:
    """The documented :meth:`~ccms.store.ComplaintStore.due` written out plainly."""
    found = sorted(
        (wake, cid)
        for cid, wake in schedule.items()
        if wake is not None and wake <= now and complaints[cid].closed_at is None
    )
    return [cid for _, cid in found][:limit]


def _note(complaint: Complaint, note: str, at: datetime) -> Command:
    c, e = advance(complaint, StageChanged, at, note=note)
    return c, (e,)


# -- records, the global log, checkpoints: builders and the reference model ----------------------

#: The record kinds the contract writes (the six execution elements' streams, and a few).
RECORD_KINDS = ("improvement_task", "institutional_item", "idea", "activity")

#: Data a store must keep exactly: nesting, unicode, every JSON scalar, big and odd numbers.
RICH_DATA: dict[str, Any] = {
    "title": "손잡이 용접 개선 ✓",
    "owner": {"id": "kim", "dept": "품질", "tags": ["weld", "handle"], "none": None},
    "counts": [0, -1, 2**63, 10**30, 1.5, -0.0, 1e-300, 123456.789],
    "flags": {"on": True, "off": False, "nested": {"deep": [[], {}, [{"x": "y"}]]}},
    "empty": "",
    "quote": 'a "quoted" \\ back\\slash\nnewline\ttab \u0000 nul',
    "emoji": "🙂",
}


def record_batch(
    kind: str,
    stream_id: str,
    *,
    after: int = 0,
    count: int = 1,
    at: datetime = _T0,
    type: str = "note",
    data: dict[str, Any] | None = None,
) -> list[Record]:
    """``count`` records of one stream at versions ``after + 1``, ``after + 2``, ... (each with
    ``data`` plus its own ``n``), a minute apart from ``at``."""
    return [
        Record(
            kind=kind,
            stream_id=stream_id,
            version=after + 1 + i,
            type=type,
            at=at + timedelta(minutes=after + i),
            data={**(data or {}), "n": after + 1 + i},
        )
        for i in range(count)
    ]


def _entry_value(entry: StoredEvent | StoredRecord) -> tuple[Any, ...]:
    """A log entry as comparable values (the record's instant and offset, its JSON sorted)."""
    if isinstance(entry, StoredEvent):
        return (entry.position, COMPLAINT, entry.complaint_id, entry.event.model_dump_json())
    r = entry.record
    return (
        entry.position,
        r.kind,
        r.stream_id,
        r.version,
        r.type,
        r.at.isoformat(),
        json.dumps(r.data, sort_keys=True),
    )


#: The checkpoint names the contract's dumps look at.
_CHECKPOINTS = ("p1", "p2", "cs_points")


def _dump_records(store: ComplaintStore) -> tuple[Any, ...]:
    """The log, the streams of every contract kind and the checkpoints, as values."""
    log = [_entry_value(e) for e in store.log()]
    streams = {
        kind: (
            store.stream_ids(kind),
            [_entry_value(StoredRecord(0, r)) for r in store.latest_records(kind)],
        )
        for kind in RECORD_KINDS
    }
    checkpoints = {name: store.checkpoint(name) for name in _CHECKPOINTS}
    return log, streams, checkpoints


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


class StoreContract:
    """The behaviour every complaint store must show; subclass it with a ``make_store`` fixture."""

    @pytest.fixture
    def make_store(self) -> StoreFactory:
        """Return a factory of fresh, empty stores. Subclasses must override this fixture."""
        raise NotImplementedError(
            f"{type(self).__name__} must define a make_store fixture returning a factory of "
            "fresh, empty stores"
        )

    @pytest.fixture
    def store(self, make_store: StoreFactory) -> Iterator[ComplaintStore]:
        """One fresh store, closed after the test."""
        s = make_store()
        yield s
        s.close()

    def second_handle(self, store: ComplaintStore) -> ComplaintStore:
        """Another store object on the same data (default: the same object). Closed after use."""
        return store

    def _close_second(self, store: ComplaintStore, other: ComplaintStore) -> None:
        if other is not store:
            other.close()

    @pytest.fixture
    def busy_switching(self) -> Iterator[None]:
        """Make threads switch very often, so racing writers really interleave."""
        before = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        yield
        sys.setswitchinterval(before)

    # -- basics -----------------------------------------------------------------------------

    def test_is_a_complaint_store(self, store: ComplaintStore) -> None:
        assert isinstance(store, ComplaintStore)

    def test_a_new_store_is_empty(self, store: ComplaintStore) -> None:
        assert len(store) == 0
        assert list(store.ids()) == []
        assert list(store.stream()) == []
        assert store.version("nope") == 0
        assert store.find("nope") is None
        assert store.query() == []
        assert store.count() == 0
        assert store.open_load() == {}
        with pytest.raises(ComplaintNotFound):
            store.get("nope")
        with pytest.raises(ComplaintNotFound):
            store.events("nope")

    def test_round_trip_is_equal(self, store: ComplaintStore) -> None:
        history = rich_history()
        results = [store.append(c, e, expected_version=c.version - 1) for c, e in history]
        final = history[-1][0]
        got = store.get(final.id)
        assert got == final
        assert got.model_dump_json() == final.model_dump_json()
        assert got.received_at.utcoffset() == final.received_at.utcoffset()
        assert got.result is not None
        assert got.result.amount is not None
        assert got.result.amount.amount == Decimal("12345.6789")
        assert got.flags == frozenset({Flag.SAFETY, Flag.REPEAT})
        assert got.attributes["extra"] == {"gift": True, "l": [1, "x"]}
        assert store.find(final.id) == final
        assert store.version(final.id) == final.version == 9
        written = [e for _, events in history for e in events]
        assert store.events(final.id) == written
        assert [type(e) for e in store.events(final.id)] == [type(e) for e in written]
        for (c, events), r in zip(history, results, strict=True):
            assert r.complaint == c
            assert r.events == events
            assert r.duplicate is False
            assert len(r.positions) == len(events)

    def test_append_returns_increasing_positions(self, store: ComplaintStore) -> None:
        results = [store.append(c, e, expected_version=c.version - 1) for c, e in rich_history()]
        positions = [p for r in results for p in r.positions]
        assert len(positions) == 10
        assert all(a < b for a, b in itertools.pairwise(positions))
        assert [s.position for s in store.stream()] == positions

    # -- optimistic concurrency ---------------------------------------------------------------

    def test_a_stale_version_conflicts_and_writes_nothing(self, store: ComplaintStore) -> None:
        history = rich_history()
        for c, e in history[:3]:
            store.append(c, e, expected_version=c.version - 1)
        before = _dump(store)
        first, second, third = (c for c, _ in history[:3])
        # A second "create" of the same complaint, and a writer who read version 2 of it.
        with pytest.raises(ConcurrencyConflict) as created:
            store.append(first, history[0][1], expected_version=0)
        assert (created.value.complaint_id, created.value.expected, created.value.actual) == (
            first.id,
            0,
            3,
        )
        with pytest.raises(ConcurrencyConflict) as stale:
            store.append(third, history[2][1], expected_version=2)
        assert (stale.value.expected, stale.value.actual) == (2, 3)
        ahead_c, ahead_e = _note(history[4][0], "from the future", third.updated_at)
        with pytest.raises(ConcurrencyConflict) as ahead:
            store.append(ahead_c, ahead_e, expected_version=ahead_c.version - 1)
        assert (ahead.value.expected, ahead.value.actual) == (5, 3)
        assert isinstance(stale.value, RuntimeError)
        assert _dump(store) == before
        assert second.version == 2

    # -- idempotency ----------------------------------------------------------------------------

    def test_an_idempotent_retry_writes_nothing_and_returns_the_original(
        self, store: ComplaintStore
    ) -> None:
        history = rich_history()
        (c1, e1), (c2, e2), (c3, e3) = history[:3]
        first = store.append(c1, e1, expected_version=0, idempotency_key="cmd-1")
        before = _dump(store)
        again = store.append(c1, e1, expected_version=0, idempotency_key="cmd-1")
        assert again.duplicate is True
        assert (again.complaint, again.events, again.positions) == (
            first.complaint,
            first.events,
            first.positions,
        )
        assert _dump(store) == before
        # The complaint moves on; a late retry of the second command still gets its own result.
        second = store.append(c2, e2, expected_version=1, idempotency_key="cmd-2")
        store.append(c3, e3, expected_version=2, idempotency_key="cmd-3")
        before = _dump(store)
        late = store.append(c2, e2, expected_version=1, idempotency_key="cmd-2")
        assert late.duplicate is True
        assert late.complaint == c2
        assert late.complaint.version == 2
        assert late.events == e2
        assert late.positions == second.positions
        oldest = store.append(c1, e1, expected_version=0, idempotency_key="cmd-1")
        assert oldest.complaint == c1
        assert oldest.positions == first.positions
        assert _dump(store) == before
        assert store.version(c1.id) == 3
        looked_up = store.idempotent_result("cmd-2")
        assert looked_up is not None
        assert looked_up.duplicate is True
        assert (looked_up.complaint, looked_up.events, looked_up.positions) == (
            c2,
            e2,
            second.positions,
        )
        assert store.idempotent_result("never-used") is None

    def test_an_idempotency_key_of_another_complaint_raises(self, store: ComplaintStore) -> None:
        a = received_event("A", _T0)
        b = received_event("B", _T0)
        store.append(a.apply(None), [a], expected_version=0, idempotency_key="k")
        before = _dump(store)
        with pytest.raises(IdempotencyConflict) as caught:
            store.append(b.apply(None), [b], expected_version=0, idempotency_key="k")
        assert caught.value.key == "k"
        assert _dump(store) == before
        assert store.find("B") is None

    def test_a_key_reused_for_another_command_of_the_same_complaint_conflicts(
        self, store: ComplaintStore
    ) -> None:
        e = received_event("A", _T0)
        a1 = e.apply(None)
        store.append(a1, [e], expected_version=0, idempotency_key="k")
        a2, note = _note(a1, "handled", _T0)
        store.append(a2, note, expected_version=1, idempotency_key="n")
        before = _dump(store)
        a3, other = _note(a2, "another command", _T0)
        for key, first in (("k", e.type), ("n", note[0].type)):
            with pytest.raises(IdempotencyConflict) as caught:
                store.append(a3, other, expected_version=2, idempotency_key=key)
            assert (caught.value.key, caught.value.first) == (key, first)
            assert caught.value.attempted == other[0].type
            assert "on complaint A" in str(caught.value)
        assert _dump(store) == before
        # The same append again is a retry, whatever the versions now.
        assert store.append(a2, note, expected_version=1, idempotency_key="n").duplicate

    def test_a_fingerprint_binds_the_key_to_its_command(self, store: ComplaintStore) -> None:
        receive = fingerprint("receive", {"channel": "phone", "text": "late"})
        a = received_event("A", _T0)
        first = store.append(
            a.apply(None), [a], expected_version=0, idempotency_key="r", fingerprint=receive
        )
        before = _dump(store)
        # A retry of the receive that drew another complaint id gets the first complaint.
        b = received_event("B", _T0 + timedelta(minutes=1))
        again = store.append(
            b.apply(None), [b], expected_version=0, idempotency_key="r", fingerprint=receive
        )
        assert again.duplicate is True
        assert (again.complaint, again.events, again.positions) == (
            first.complaint,
            first.events,
            first.positions,
        )
        # Another command under the key: refused, named, nothing written.
        other = fingerprint("receive", {"channel": "phone", "text": "broken"})
        with pytest.raises(IdempotencyConflict) as caught:
            store.append(
                b.apply(None), [b], expected_version=0, idempotency_key="r", fingerprint=other
            )
        assert (caught.value.first, caught.value.attempted) == ("receive", "receive")
        start = fingerprint("start", {"complaint": "A"})
        a2, note = _note(first.complaint, "started", _T0)
        with pytest.raises(IdempotencyConflict, match="for receive on complaint A, not for start"):
            store.append(a2, note, expected_version=1, idempotency_key="r", fingerprint=start)
        assert _dump(store) == before
        assert store.find("B") is None
        # The fingerprint, not the events, says what the command was: a retry whose policies
        # added other events is still the same command.
        started = store.append(a2, note, expected_version=1, idempotency_key="s", fingerprint=start)
        before = _dump(store)
        a2b, later = _note(first.complaint, "started, seen later", _T0 + timedelta(hours=1))
        retry = store.append(a2b, later, expected_version=1, idempotency_key="s", fingerprint=start)
        assert (retry.duplicate, retry.events, retry.complaint) == (True, note, a2)
        assert retry.positions == started.positions
        # The same fingerprint on another complaint that is not new is a conflict.
        c = received_event("C", _T0)
        store.append(c.apply(None), [c], expected_version=0)
        c2, on_c = _note(c.apply(None), "started", _T0)
        before = _dump(store)
        with pytest.raises(
            IdempotencyConflict, match="on complaint A, not for start on complaint C"
        ):
            store.append(c2, on_c, expected_version=1, idempotency_key="s", fingerprint=start)
        assert _dump(store) == before
        # idempotent_result checks the fingerprint when given one.
        found = store.idempotent_result("s", fingerprint=start)
        assert found is not None
        assert (found.duplicate, found.complaint, found.positions) == (True, a2, started.positions)
        unchecked = store.idempotent_result("s")
        assert unchecked is not None
        assert unchecked.complaint == a2
        with pytest.raises(IdempotencyConflict) as caught:
            store.idempotent_result("s", fingerprint=receive)
        assert (caught.value.first, caught.value.attempted) == ("start", "receive")
        assert store.idempotent_result("never", fingerprint=start) is None

    @pytest.mark.parametrize("bad", [5, "", "no-colon", "x" * 300, b"a:b"])
    def test_a_bad_fingerprint_is_refused_and_writes_nothing(
        self, store: ComplaintStore, bad: Any
    ) -> None:
        e = received_event("A", _T0)
        before = _dump(store)
        with pytest.raises(InvalidInput, match="fingerprint"):
            store.append(
                e.apply(None), [e], expected_version=0, idempotency_key="k", fingerprint=bad
            )
        with pytest.raises(InvalidInput, match="fingerprint"):
            store.idempotent_result("k", fingerprint=bad)
        assert _dump(store) == before

    def test_a_record_key_reused_for_other_records_conflicts(self, store: ComplaintStore) -> None:
        batch = record_batch("idea", "I-1", count=2)
        store.append_records("idea", "I-1", batch, expected_version=0, idempotency_key="r")
        before = _dump(store)
        more = record_batch("idea", "I-1", after=2)
        with pytest.raises(IdempotencyConflict, match="on idea stream I-1"):
            store.append_records("idea", "I-1", more, expected_version=2, idempotency_key="r")
        assert _dump(store) == before
        again = store.append_records("idea", "I-1", batch, expected_version=0, idempotency_key="r")
        assert again.duplicate is True
        # An explicit fingerprint names the command instead of the records.
        task = fingerprint("open_task", {"task": "T-1"})
        store.append_records(
            "idea",
            "I-2",
            record_batch("idea", "I-2"),
            expected_version=0,
            idempotency_key="t",
            fingerprint=task,
        )
        late = store.append_records(
            "idea",
            "I-2",
            record_batch("idea", "I-2", count=2),
            expected_version=0,
            idempotency_key="t",
            fingerprint=task,
        )
        assert (late.duplicate, len(late.records)) == (True, 1)

    @pytest.mark.usefixtures("busy_switching")
    def test_racing_retries_of_one_new_complaint_store_it_once(self, store: ComplaintStore) -> None:
        # Two handles append a new complaint under one key and fingerprint, each with the
        # complaint id it drew: one is stored, the other gets its result (never a conflict).
        other = self.second_handle(store)
        try:
            for r in range(8):
                key = f"recv-{r}"
                command = fingerprint("receive", {"round": r})
                barrier = threading.Barrier(2)
                results: dict[int, AppendResult] = {}
                errors: list[BaseException] = []

                def write(
                    n: int,
                    handle: ComplaintStore,
                    barrier: threading.Barrier = barrier,
                    results: dict[int, AppendResult] = results,
                    errors: list[BaseException] = errors,
                    key: str = key,
                    command: str = command,
                ) -> None:
                    e = received_event(f"R{key}-{n}", _T0)
                    barrier.wait()
                    try:
                        results[n] = handle.append(
                            e.apply(None),
                            [e],
                            expected_version=0,
                            idempotency_key=key,
                            fingerprint=command,
                        )
                    except BaseException as err:
                        errors.append(err)

                threads = [
                    threading.Thread(target=write, args=(n, h))
                    for n, h in enumerate((store, other))
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert errors == []
                assert sorted(r.duplicate for r in results.values()) == [False, True]
                assert results[0].complaint == results[1].complaint
                assert results[0].positions == results[1].positions
            assert len(store) == 8
            assert len(list(other.stream())) == 8
        finally:
            self._close_second(store, other)

    # -- the customer is written with its append -------------------------------------------------

    def test_a_customer_is_written_in_the_same_transaction_as_its_append(
        self, store: ComplaintStore
    ) -> None:
        kim = Customer(id="CUST-1", name="Kim", phone="010-1111-2222")
        e = received_event("A", _T0, customer_id="CUST-1")
        store.append(e.apply(None), [e], expected_version=0, idempotency_key="k", customer=kim)
        assert store.get_customer("CUST-1").phone == kim.phone
        before = _dump(store)
        moved = Customer(id="CUST-1", name="Kim", phone="010-9999-0000")
        # Refused: the id is taken (a stale version), the key is another command's, or a
        # duplicate: in every case the stored customer is left as it was.
        with pytest.raises(ConcurrencyConflict):
            store.append(e.apply(None), [e], expected_version=0, customer=moved)
        b = received_event("B", _T0, customer_id="CUST-1")
        with pytest.raises(IdempotencyConflict):
            store.append(
                b.apply(None), [b], expected_version=0, idempotency_key="k", customer=moved
            )
        again = store.append(
            e.apply(None), [e], expected_version=0, idempotency_key="k", customer=moved
        )
        assert again.duplicate is True
        with pytest.raises(InvalidInput):
            store.append(b.apply(None), [b], expected_version=0, customer=moved.ref())  # type: ignore[arg-type]
        with pytest.raises(InvalidAppend):
            store.append(b.apply(None), [], expected_version=0, customer=moved)
        assert store.get_customer("CUST-1").phone == kim.phone
        assert _dump(store) == before
        with pytest.raises(CustomerNotFound):
            store.get_customer("CUST-2")
        # An accepted append replaces it.
        a2, note = _note(e.apply(None), "moved house", _T0)
        store.append(a2, note, expected_version=1, customer=moved)
        assert store.get_customer("CUST-1").phone == moved.phone

    # -- validation ---------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "case",
        [
            "no_events",
            "other_complaint",
            "event_version",
            "snapshot_version",
            "negative_expected",
            "new_without_received",
            "received_again",
            "received_not_first",
        ],
    )
    def test_invalid_appends_are_rejected_and_write_nothing(
        self, store: ComplaintStore, case: str
    ) -> None:
        history = rich_history()
        (c1, e1), (c2, e2) = history[:2]
        store.append(c1, e1, expected_version=0)
        before = _dump(store)
        other = received_event("OTHER", _T0)
        new_c, (new_e,) = _note(other.apply(None), "x", _T0)
        args: dict[str, tuple[Complaint, Sequence[DomainEvent], int]] = {
            "no_events": (c2, (), 1),
            "other_complaint": (c2, (*e2, new_e), 1),
            "event_version": (c2, (e2[0].model_copy(update={"version": 3}),), 1),
            "snapshot_version": (c2, e2, 0),
            "negative_expected": (c1, e1, -1),
            "new_without_received": (new_c, (new_e,), 0),
            "received_again": (c2, (e1[0].model_copy(update={"version": 2}),), 1),
            "received_not_first": (
                other.apply(None),
                (new_e.model_copy(update={"version": 1}), other),
                0,
            ),
        }
        snapshot, events, expected = args[case]
        with pytest.raises(InvalidAppend) as caught:
            store.append(snapshot, events, expected_version=expected)
        assert isinstance(caught.value, InvalidInput)
        assert isinstance(caught.value, ValueError)
        assert "allowed:" in str(caught.value)
        assert _dump(store) == before

    def test_query_filters_are_checked(self, store: ComplaintStore) -> None:
        with pytest.raises(InvalidInput, match="unknown query filter 'colour'"):
            store.query(colour="red")
        with pytest.raises(NaiveDatetimeError):
            store.query(received_from=datetime(2026, 1, 1))
        with pytest.raises(InvalidInput, match="limit"):
            store.count(limit=0)

    # -- queries --------------------------------------------------------------------------------

    def test_every_query_matches_a_brute_force_filter(self, make_store: StoreFactory) -> None:
        @settings(deadline=None)
        @given(
            histories=complaint_histories(),
            queries=st.lists(complaint_queries(), min_size=1, max_size=6),
        )
        def check(histories: list[list[Command]], queries: list[ComplaintQuery]) -> None:
            with make_store() as store:
                append_histories(store, histories)
                finals = [h[-1][0] for h in histories]
                for q in queries:
                    expected = brute_force_query(q, finals)
                    got = store.query(q)
                    assert [c.id for c in got] == [c.id for c in expected], q
                    assert got == expected
                    assert store.count(q) == len(expected)
                    assert q.select(finals) == expected
                    keywords = {
                        name: getattr(q, name)
                        for name in ComplaintQuery.fields()
                        if getattr(q, name) not in (None, False)
                    }
                    assert store.query(**keywords) == expected
                load: dict[str, int] = {}
                for c in finals:
                    if c.handler is not None and c.closed_at is None:
                        load[c.handler] = load.get(c.handler, 0) + 1
                assert store.open_load() == load
                assert len(store) == len(finals)
                assert list(store.ids()) == [c.id for c in finals]
                for c in finals:
                    assert store.get(c.id) == c

        check()

    def test_query_examples(self, store: ComplaintStore) -> None:
        # Hand-made: three complaints, one overdue, one closed, one received at the same instant.
        a = received_event("A", datetime(2026, 10, 1, 18, tzinfo=SEOUL), code="PRD.DEF")
        b = received_event("B", datetime(2026, 10, 1, 9, tzinfo=UTC), channel=Channel.WEB)
        c0 = received_event("C", datetime(2026, 10, 1, 5, tzinfo=NEW_YORK), code="SVC.STAFF")
        ca, ea = a.apply(None), (a,)
        store.append(ca, ea, expected_version=0)
        cb = b.apply(None)
        store.append(cb, [b], expected_version=0)
        cc = c0.apply(None)
        store.append(cc, [c0], expected_version=0)
        ca2, h = advance(
            ca, HandlerAssigned, ca.received_at, stage="handler_assigned", handler="kim"
        )
        ca2, s = advance(
            ca2,
            SlaApplied,
            ca.received_at,
            same_command=True,
            table_version="v",
            due_at=datetime(2026, 10, 2, tzinfo=UTC),
        )
        store.append(ca2, [h, s], expected_version=1)
        cb2, closed = advance(cb, Closed, datetime(2026, 10, 2, tzinfo=UTC), stage="closed")
        store.append(cb2, [closed], expected_version=1)
        # A at 09:00Z (18:00 in Seoul), B at 09:00Z, C at 09:00Z (05:00 in New York): id breaks ties.
        assert [c.id for c in store.query()] == ["A", "B", "C"]
        assert [c.id for c in store.query(open_only=True)] == ["A", "C"]
        assert [
            c.id for c in store.query(overdue_at=datetime(2026, 10, 2, 0, 0, 1, tzinfo=UTC))
        ] == ["A"]
        assert store.query(overdue_at=datetime(2026, 10, 2, tzinfo=UTC)) == []
        assert [c.id for c in store.query(code_prefix="PRD")] == ["A"]
        assert [c.id for c in store.query(code_prefix="S", limit=5)] == ["C"]
        assert [c.id for c in store.query(channel="web")] == ["B"]
        assert [c.id for c in store.query(stages={"received", "closed"})] == ["B", "C"]
        assert store.query(stages=set()) == []
        assert store.query(received_from=datetime(2026, 10, 1, 9, 0, 1, tzinfo=UTC)) == []
        assert len(store.query(received_to=datetime(2026, 10, 1, 9, 0, 1, tzinfo=UTC))) == 3
        assert store.query(received_to=datetime(2026, 10, 1, 18, tzinfo=SEOUL)) == []
        assert [c.id for c in store.query(limit=2)] == ["A", "B"]
        assert store.count(handler="kim") == 1
        assert store.open_load() == {"kim": 1}

    def test_code_prefix_edge_cases(self, store: ComplaintStore) -> None:
        coded = received_event(
            "K",
            _T0,
            concerns=(
                Concern(kind=VocKind.COMPLAINT, code="PRD.DEF", text="a"),
                Concern(kind=VocKind.COMPLAINT, code="SVC", text="b"),
            ),
        )
        bare = received_event("N", _T0)
        for e in (coded, bare):
            store.append(e.apply(None), [e], expected_version=0)
        assert [c.id for c in store.query(code_prefix="")] == ["K"]  # some code, any code
        assert [c.id for c in store.query(code_prefix="SV")] == ["K"]
        assert [c.id for c in store.query(code_prefix="PRD.DEF")] == ["K"]
        assert store.query(code_prefix="PRD.DEF.") == []
        assert store.query(code_prefix="DEF") == []  # a prefix, not a substring
        assert store.query(code_prefix="PRD.DEF\nSVC") == []
        assert store.query(code_prefix="prd") == []
        assert store.query(code_prefix="PRD%") == []
        assert store.query(code_prefix="PRD_DEF") == []

    # -- the stream -----------------------------------------------------------------------------

    def test_the_stream_is_the_append_order(self, make_store: StoreFactory) -> None:
        @settings(deadline=None)
        @given(histories=complaint_histories(max_size=10), cut=st.integers(0, 40))
        def check(histories: list[list[Command]], cut: int) -> None:
            with make_store() as store:
                results = append_histories(store, histories)
                stream = list(store.stream())
                positions = [s.position for s in stream]
                assert all(p > 0 for p in positions)
                assert all(a < b for a, b in itertools.pairwise(positions))
                assert positions == [p for r in results for p in r.positions]
                assert [s.event for s in stream] == [e for r in results for e in r.events]
                for history in histories:
                    cid = history[0][0].id
                    mine = [s.event for s in stream if s.complaint_id == cid]
                    assert mine == store.events(cid)
                    assert mine == [e for _, events in history for e in events]
                after = positions[cut] if cut < len(positions) else cut
                assert list(store.stream(after=after)) == [s for s in stream if s.position > after]

        check()

    def test_the_stream_is_lazy(self, store: ComplaintStore) -> None:
        for i in range(3):
            e = received_event(f"S{i}", _T0)
            store.append(e.apply(None), [e], expected_version=0)
        it = store.stream()
        first = next(it)
        assert isinstance(first, StoredEvent)
        assert first.complaint_id == "S0"
        e = received_event("S3", _T0)
        store.append(e.apply(None), [e], expected_version=0)
        rest = [s.complaint_id for s in it]
        assert rest[:2] == ["S1", "S2"]

    # -- racing writers -------------------------------------------------------------------------

    @pytest.mark.usefixtures("busy_switching")
    def test_two_racing_writers_one_wins(self, store: ComplaintStore) -> None:
        other = self.second_handle(store)
        try:
            e = received_event("RACE", _T0)
            base = e.apply(None)
            store.append(base, [e], expected_version=0)
            rounds = 15
            wins: list[int] = []
            for r in range(rounds):
                current = store.get("RACE")
                barrier = threading.Barrier(2)
                outcome: dict[int, str] = {}

                def write(
                    n: int,
                    handle: ComplaintStore,
                    current: Complaint = current,
                    barrier: threading.Barrier = barrier,
                    outcome: dict[int, str] = outcome,
                    r: int = r,
                ) -> None:
                    c, events = _note(current, f"round {r} writer {n}", _T0 + timedelta(minutes=r))
                    barrier.wait()
                    try:
                        handle.append(c, events, expected_version=current.version)
                        outcome[n] = "won"
                    except ConcurrencyConflict as err:
                        outcome[n] = f"lost at {err.actual}"

                threads = [
                    threading.Thread(target=write, args=(n, h))
                    for n, h in enumerate((store, other))
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert sorted(outcome.values()) == ["lost at " + str(current.version + 1), "won"]
                wins.append(next(n for n, o in outcome.items() if o == "won"))
            events = store.events("RACE")
            assert len(events) == 1 + rounds
            assert [e.version for e in events] == list(range(1, rounds + 2))
            notes = [getattr(e, "note", None) for e in events[1:]]
            assert notes == [f"round {r} writer {n}" for r, n in enumerate(wins)]
            assert other.get("RACE") == store.get("RACE")
            positions = [s.position for s in other.stream()]
            assert len(set(positions)) == len(positions) == 1 + rounds
        finally:
            self._close_second(store, other)

    @pytest.mark.usefixtures("busy_switching")
    def test_racing_writers_that_retry_lose_nothing(self, store: ComplaintStore) -> None:
        other = self.second_handle(store)
        try:
            e = received_event("RETRY", _T0)
            store.append(e.apply(None), [e], expected_version=0)
            per_writer = 10
            conflicts = [0, 0]

            def write(n: int, handle: ComplaintStore) -> None:
                for i in range(per_writer):
                    while True:
                        current = handle.get("RETRY")
                        c, events = _note(current, f"{n}:{i}", _T0 + timedelta(seconds=i))
                        try:
                            handle.append(c, events, expected_version=current.version)
                            break
                        except ConcurrencyConflict:
                            conflicts[n] += 1

            threads = [
                threading.Thread(target=write, args=(n, h)) for n, h in enumerate((store, other))
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            events = store.events("RETRY")
            assert store.version("RETRY") == 1 + 2 * per_writer
            notes = [getattr(e, "note", None) for e in events[1:]]
            assert sorted(notes, key=str) == sorted(
                (f"{n}:{i}" for n in range(2) for i in range(per_writer)), key=str
            )
            for n in range(2):
                mine = [x for x in notes if str(x).startswith(f"{n}:")]
                assert mine == [f"{n}:{i}" for i in range(per_writer)]
        finally:
            self._close_second(store, other)

    # -- customers ------------------------------------------------------------------------------

    def test_customers_round_trip_with_personal_data_masked_in_repr(
        self, store: ComplaintStore
    ) -> None:
        customer = Customer(
            id="CUST-1",
            name="홍길동",
            phone="010-1234-5678",
            email="gildong@example.com",
            segment="vip",
            region="Seoul",
        )
        store.save_customer(customer)
        got = store.get_customer("CUST-1")
        assert got == customer
        assert got.phone is not None
        assert got.phone.reveal() == "010-1234-5678"
        assert got.name is not None
        assert got.name.reveal() == "홍길동"
        assert got.email is not None
        assert got.email.reveal() == "gildong@example.com"
        shown = repr(got)
        assert "1234" not in shown
        assert "gildong@" not in shown
        assert "홍길동" not in shown
        assert shown == repr(customer)  # masked as the model masks it, whatever the mask
        moved = customer.model_copy(update={"phone": None, "region": "Busan"})
        store.save_customer(moved)
        assert store.get_customer("CUST-1") == moved
        with pytest.raises(CustomerNotFound) as caught:
            store.get_customer("CUST-404")
        assert isinstance(caught.value, KeyError)
        assert caught.value.customer_id == "CUST-404"

    # -- the wake-up schedule -------------------------------------------------------------------

    def test_an_append_wakes_at_the_next_tick_by_default(self, store: ComplaintStore) -> None:
        assert store.due(ASAP) == []
        e = received_event("W", _T0)
        store.append(e.apply(None), [e], expected_version=0)
        assert store.wake_at("W") == ASAP
        assert store.due(ASAP) == ["W"]
        assert store.due(_T0.astimezone(SEOUL)) == ["W"]
        with pytest.raises(ComplaintNotFound):
            store.wake_at("nope")

    def test_a_wake_up_comes_back_as_the_same_instant_in_utc(self, store: ComplaintStore) -> None:
        at = datetime(2026, 10, 1, 18, 30, 0, 123456, tzinfo=SEOUL)
        e = received_event("W", _T0)
        store.append(e.apply(None), [e], expected_version=0, wake_at=at)
        got = store.wake_at("W")
        assert got == at
        assert got is not None
        assert got.utcoffset() == timedelta(0)
        assert store.due(at - timedelta(microseconds=1)) == []
        assert store.due(at) == ["W"]
        assert store.due(at.astimezone(NEW_YORK)) == ["W"]

    def test_nothing_scheduled_is_never_due(self, store: ComplaintStore) -> None:
        e = received_event("N", _T0)
        c1 = e.apply(None)
        store.append(c1, [e], expected_version=0, wake_at=None)
        assert store.wake_at("N") is None
        assert store.due(LATEST) == []
        assert store.reschedule("N", version=1, wake_at=_T0) is True
        assert store.due(LATEST) == ["N"]
        c2, note = _note(c1, "later", _T0)
        store.append(c2, note, expected_version=1, wake_at=None)
        assert store.due(LATEST) == []

    def test_reschedule_is_guarded_by_the_version(self, store: ComplaintStore) -> None:
        e = received_event("R", _T0)
        c1 = e.apply(None)
        store.append(c1, [e], expected_version=0, wake_at=None)
        later = _T0 + timedelta(hours=3)
        before = _dump(store)
        assert store.reschedule("R", version=0, wake_at=later) is False
        assert store.reschedule("R", version=2, wake_at=later) is False
        assert store.reschedule("nope", version=1, wake_at=later) is False
        assert _dump(store) == before
        assert store.reschedule("R", version=1, wake_at=later) is True
        assert store.wake_at("R") == later
        assert store.due(later - timedelta(microseconds=1)) == []
        assert store.due(later) == ["R"]
        c2, note = _note(c1, "moved on", _T0)
        store.append(c2, note, expected_version=1, wake_at=None)
        assert store.reschedule("R", version=1, wake_at=ASAP) is False
        assert store.wake_at("R") is None
        assert store.reschedule("R", version=2, wake_at=ASAP) is True
        assert store.due(_T0) == ["R"]
        assert store.reschedule("R", version=2, wake_at=None) is True
        assert store.due(LATEST) == []
        assert store.events("R") == [e, *note]  # rescheduling appends nothing
        assert store.get("R") == c2

    @pytest.mark.parametrize(
        ("wake_at", "version", "error"),
        [
            (datetime(2026, 10, 1), 1, NaiveDatetimeError),
            ("2026-10-01T00:00:00Z", 1, InvalidInput),
            (_T0, True, InvalidInput),
            (_T0, -1, InvalidInput),
            (_T0, "1", InvalidInput),
        ],
    )
    def test_a_bad_reschedule_is_refused(
        self, store: ComplaintStore, wake_at: Any, version: Any, error: type[Exception]
    ) -> None:
        e = received_event("R", _T0)
        store.append(e.apply(None), [e], expected_version=0, wake_at=None)
        before = _dump(store)
        with pytest.raises(error):
            store.reschedule("R", version=version, wake_at=wake_at)
        assert _dump(store) == before

    def test_closed_complaints_are_never_due(self, store: ComplaintStore) -> None:
        e = received_event("C", _T0)
        c1 = e.apply(None)
        store.append(c1, [e], expected_version=0)
        c2, closed = advance(c1, Closed, _T0 + timedelta(hours=1), stage="closed")
        store.append(c2, [closed], expected_version=1)  # the default: ASAP
        assert store.wake_at("C") == ASAP
        assert store.due(LATEST) == []
        assert store.reschedule("C", version=2, wake_at=_T0) is True
        assert store.wake_at("C") == _T0
        assert store.due(LATEST) == []
        c3, reopened = advance(c2, Reopened, _T0 + timedelta(hours=2), stage="in_progress")
        assert c3.closed_at is None
        store.append(c3, [reopened], expected_version=2, wake_at=_T0 + timedelta(hours=5))
        assert store.due(_T0 + timedelta(hours=4)) == []
        assert store.due(_T0 + timedelta(hours=5)) == ["C"]

    def test_due_is_ordered_by_wake_up_then_id_and_cut_at_the_limit(
        self, store: ComplaintStore
    ) -> None:
        # Same instants written in different zones; ties broken by id.
        t = _T0 + timedelta(hours=10)
        wakes: dict[str, datetime | None] = {
            "B": t.astimezone(SEOUL),
            "A": t.astimezone(NEW_YORK),
            "C": t - timedelta(hours=1),
            "D": ASAP,
            "E": None,
            "F": t + timedelta(microseconds=1),
            "G": LATEST,
        }
        for cid, wake in wakes.items():
            e = received_event(cid, _T0)
            store.append(e.apply(None), [e], expected_version=0, wake_at=wake)
        assert store.due(t) == ["D", "C", "A", "B"]
        assert store.due(t, limit=3) == ["D", "C", "A"]
        assert store.due(t, limit=1) == ["D"]
        assert store.due(t, limit=100) == ["D", "C", "A", "B"]
        assert store.due(t + timedelta(microseconds=1)) == ["D", "C", "A", "B", "F"]
        assert store.due(LATEST) == ["D", "C", "A", "B", "F", "G"]
        beyond = datetime.max.replace(tzinfo=NEW_YORK)  # later than any UTC datetime
        assert store.due(beyond) == ["D", "C", "A", "B", "F", "G"]
        assert store.due(ASAP) == ["D"]
        assert store.due(t - timedelta(hours=2)) == ["D"]

    @pytest.mark.parametrize(
        ("now", "limit", "error"),
        [
            (datetime(2026, 10, 1), None, NaiveDatetimeError),
            ("now", None, InvalidInput),
            (_T0, 0, InvalidInput),
            (_T0, -1, InvalidInput),
            (_T0, True, InvalidInput),
            (_T0, 1.5, InvalidInput),
        ],
    )
    def test_due_checks_its_arguments(
        self, store: ComplaintStore, now: Any, limit: Any, error: type[Exception]
    ) -> None:
        with pytest.raises(error):
            store.due(now, limit=limit)

    @pytest.mark.parametrize("new", [True, False])
    @pytest.mark.parametrize(
        ("wake_at", "error"),
        [
            (datetime(2026, 10, 1), NaiveDatetimeError),
            ("2026-10-01T00:00:00Z", InvalidAppend),
            (0, InvalidAppend),
        ],
    )
    def test_a_bad_wake_up_refuses_the_append_and_writes_nothing(
        self, store: ComplaintStore, wake_at: Any, error: type[Exception], new: bool
    ) -> None:
        e = received_event("X", _T0)
        c1 = e.apply(None)
        if not new:
            store.append(c1, [e], expected_version=0, wake_at=_T0)
        before = _dump(store)
        snapshot, events = (c1, (e,)) if new else _note(c1, "x", _T0)
        with pytest.raises(error) as caught:
            store.append(snapshot, events, expected_version=snapshot.version - 1, wake_at=wake_at)
        assert isinstance(caught.value, InvalidInput)
        assert _dump(store) == before

    def test_a_failed_or_duplicate_append_leaves_the_schedule(self, store: ComplaintStore) -> None:
        e = received_event("F", _T0)
        c1 = e.apply(None)
        store.append(c1, [e], expected_version=0, wake_at=_T0, idempotency_key="k1")
        c2, note = _note(c1, "second", _T0)
        store.append(c2, note, expected_version=1, wake_at=None, idempotency_key="k2")
        before = _dump(store)
        stale, stale_note = _note(c1, "stale", _T0)
        with pytest.raises(ConcurrencyConflict):
            store.append(stale, stale_note, expected_version=1, wake_at=ASAP)
        with pytest.raises(ConcurrencyConflict):
            store.append(c1, [e], expected_version=0, wake_at=ASAP)
        other = received_event("G", _T0)
        with pytest.raises(IdempotencyConflict):
            store.append(
                other.apply(None), [other], expected_version=0, idempotency_key="k1", wake_at=ASAP
            )
        again = store.append(c1, [e], expected_version=0, wake_at=ASAP, idempotency_key="k1")
        assert again.duplicate is True
        assert _dump(store) == before
        assert store.wake_at("F") is None
        assert store.due(LATEST) == []

    def test_last_position_is_the_end_of_the_stream(self, store: ComplaintStore) -> None:
        assert store.last_position() == 0
        results = [store.append(c, e, expected_version=c.version - 1) for c, e in rich_history()]
        assert store.last_position() == results[-1].positions[-1]
        assert store.last_position() == [s.position for s in store.stream()][-1]
        assert list(store.stream(after=store.last_position())) == []

    def test_due_matches_a_reference_schedule(self, make_store: StoreFactory) -> None:
        @settings(deadline=None)
        @given(
            histories=complaint_histories(max_size=12),
            data=st.data(),
            nows=st.lists(_wake_ups().filter(lambda w: w is not None), min_size=1, max_size=5),
            limit=st.none() | st.integers(1, 5),
        )
        def check(
            histories: list[list[Command]],
            data: st.DataObject,
            nows: list[datetime],
            limit: int | None,
        ) -> None:
            schedule: dict[str, datetime | None] = {}
            stored: dict[str, Complaint] = {}
            with make_store() as store:
                longest = max((len(h) for h in histories), default=0)
                for step in range(longest):
                    for history in histories:
                        if step >= len(history):
                            continue
                        snapshot, events = history[step]
                        if data.draw(st.booleans(), label="default wake-up"):
                            store.append(snapshot, events, expected_version=snapshot.version - 1)
                            wake: datetime | None = ASAP
                        else:
                            wake = data.draw(_wake_ups(), label="wake_at")
                            store.append(
                                snapshot,
                                events,
                                expected_version=snapshot.version - 1,
                                wake_at=wake,
                            )
                        schedule[snapshot.id] = wake
                        stored[snapshot.id] = snapshot
                        if stored and data.draw(st.integers(0, 2), label="reschedule?") == 0:
                            cid = data.draw(st.sampled_from(sorted(stored)), label="whom")
                            offset = data.draw(st.sampled_from([-1, 0, 0, 1]), label="offset")
                            wake = data.draw(_wake_ups(), label="rescheduled to")
                            done = store.reschedule(
                                cid, version=stored[cid].version + offset, wake_at=wake
                            )
                            assert done is (offset == 0)
                            if done:
                                schedule[cid] = wake
                assert store.reschedule("never-stored", version=0, wake_at=ASAP) is False
                for cid, wake in schedule.items():
                    got = store.wake_at(cid)
                    assert got == wake, cid
                    assert got is None or got.utcoffset() == timedelta(0)
                for now in [*nows, ASAP, LATEST]:
                    assert store.due(now) == reference_due(schedule, stored, now), now
                    assert store.due(now, limit=limit) == reference_due(
                        schedule, stored, now, limit
                    )

        check()

    # -- record streams -------------------------------------------------------------------------

    def test_a_new_store_has_no_records_log_or_checkpoints(self, store: ComplaintStore) -> None:
        assert store.records("idea", "IDEA-1") == []
        assert store.stream_version("idea", "IDEA-1") == 0
        assert store.stream_ids("idea") == []
        assert store.latest_records("idea") == []
        assert list(store.log()) == []
        assert list(store.log(after=5, kinds={"idea", COMPLAINT})) == []
        assert store.checkpoint("p1") == (0, None)
        assert store.last_position() == 0

    def test_records_round_trip_exactly(self, store: ComplaintStore) -> None:
        at = datetime(2026, 3, 8, 1, 30, 15, 123456, tzinfo=NEW_YORK)  # DST starts that day
        first = Record(
            kind="improvement_task",
            stream_id="TASK-손잡이-1",
            version=1,
            type="create",
            at=at,
            data=RICH_DATA,
        )
        second = Record(
            kind="improvement_task",
            stream_id="TASK-손잡이-1",
            version=2,
            type="report",
            at=at.astimezone(SEOUL),
            data={"tuple": ("a", 1), "empty": {}},
        )
        result = store.append_records(
            "improvement_task", "TASK-손잡이-1", [first, second], expected_version=0
        )
        assert result == RecordAppendResult((first, second), (1, 2), False)
        got = store.records("improvement_task", "TASK-손잡이-1")
        assert got == [first, second]
        assert got[0].data == RICH_DATA
        assert json.dumps(got[0].data, sort_keys=True) == json.dumps(RICH_DATA, sort_keys=True)
        assert got[1].data == {"tuple": ["a", 1], "empty": {}}  # what JSON holds
        assert type(got[0].data["flags"]["on"]) is bool
        assert type(got[0].data["counts"][0]) is int
        assert type(got[0].data["counts"][4]) is float
        assert str(got[0].data["counts"][5]) == "-0.0"
        for r, written in zip(got, (at, at.astimezone(SEOUL)), strict=True):
            assert r.at == written
            assert r.at.utcoffset() == written.utcoffset()
        # A reader gets its own data: changing it changes nothing stored.
        mine = got[0].data
        assert isinstance(mine, dict)
        mine["title"] = "changed"
        mine["owner"]["tags"].append("x")
        assert store.records("improvement_task", "TASK-손잡이-1")[0].data == RICH_DATA
        assert store.latest_records("improvement_task") == [second]
        (entry1, entry2) = store.log()
        assert isinstance(entry1, StoredRecord)
        assert (entry1.position, entry1.kind, entry1.stream_id) == (
            1,
            "improvement_task",
            "TASK-손잡이-1",
        )
        assert entry1.record == first
        assert entry2 == StoredRecord(2, second)

    def test_records_and_complaint_events_share_one_ordered_log(
        self, store: ComplaintStore
    ) -> None:
        history = rich_history()
        (c1, e1), (c2, e2) = history[:2]
        a = store.append(c1, e1, expected_version=0)
        t = store.append_records(
            "idea", "IDEA-1", record_batch("idea", "IDEA-1", count=2), expected_version=0
        )
        b = store.append(c2, e2, expected_version=1)  # two events
        u = store.append_records(
            "activity", "TR-1", record_batch("activity", "TR-1"), expected_version=0
        )
        v = store.append_records(
            "idea", "IDEA-1", record_batch("idea", "IDEA-1", after=2, count=3), expected_version=2
        )
        assert a.positions == (1,)
        assert t.positions == (2, 3)
        assert b.positions == (4, 5)
        assert u.positions == (6,)
        assert v.positions == (7, 8, 9)
        assert store.last_position() == 9
        log = list(store.log())
        assert [e.position for e in log] == list(range(1, 10))
        kinds = [
            COMPLAINT,
            "idea",
            "idea",
            COMPLAINT,
            COMPLAINT,
            "activity",
            "idea",
            "idea",
            "idea",
        ]
        assert [e.kind for e in log] == kinds
        ids = [c1.id, "IDEA-1", "IDEA-1", c1.id, c1.id, "TR-1", "IDEA-1", "IDEA-1", "IDEA-1"]
        assert [e.stream_id for e in log] == ids
        events = [e for e in log if isinstance(e, StoredEvent)]
        assert events == list(store.stream())  # the stream: complaint events only
        assert [s.position for s in store.stream(after=1)] == [4, 5]
        assert store.events(c1.id) == [*e1, *e2]
        assert store.records("idea", "IDEA-1") == [*t.records, *v.records]
        assert store.stream_version("idea", "IDEA-1") == 5
        assert store.stream_version("activity", "TR-1") == 1
        assert store.stream_version("activity", "IDEA-1") == 0  # kinds are separate
        assert len(store) == 1
        assert list(store.ids()) == [c1.id]

    def test_the_same_id_in_two_kinds_is_two_streams(self, store: ComplaintStore) -> None:
        store.append_records("idea", "X-1", record_batch("idea", "X-1"), expected_version=0)
        store.append_records(
            "activity", "X-1", record_batch("activity", "X-1", count=3), expected_version=0
        )
        assert store.stream_version("idea", "X-1") == 1
        assert store.stream_version("activity", "X-1") == 3
        assert [r.version for r in store.records("idea", "X-1")] == [1]
        assert [r.kind for r in store.records("activity", "X-1")] == ["activity"] * 3
        with pytest.raises(StreamConflict):
            store.append_records(
                "idea", "X-1", record_batch("idea", "X-1", after=3), expected_version=3
            )

    def test_streams_are_listed_in_first_stored_order_with_their_latest_record(
        self, store: ComplaintStore
    ) -> None:
        order = ["T-3", "T-1", "T-2"]
        versions = dict.fromkeys(order, 0)
        for round_ in range(3):
            for sid in order if round_ % 2 == 0 else reversed(order):
                batch = record_batch("improvement_task", sid, after=versions[sid], count=round_ + 1)
                store.append_records("improvement_task", sid, batch, expected_version=versions[sid])
                versions[sid] += len(batch)
            store.append_records(
                "idea", f"I-{round_}", record_batch("idea", f"I-{round_}"), expected_version=0
            )
        assert store.stream_ids("improvement_task") == order
        assert store.stream_ids("idea") == ["I-0", "I-1", "I-2"]
        assert store.stream_ids("activity") == []
        latest = store.latest_records("improvement_task")
        assert latest == [store.records("improvement_task", sid)[-1] for sid in order]
        assert [r.version for r in latest] == [6, 6, 6]
        assert [r.data["n"] for r in latest] == [6, 6, 6]
        assert [r.stream_id for r in store.latest_records("idea")] == ["I-0", "I-1", "I-2"]

    def test_a_stale_stream_version_conflicts_and_writes_nothing(
        self, store: ComplaintStore
    ) -> None:
        store.append_records(
            "improvement_task",
            "TASK-1",
            record_batch("improvement_task", "TASK-1", count=2),
            expected_version=0,
        )
        before = _dump(store)
        # A batch with one clashing version (2 is stored) is refused whole, 3 included.
        clash = record_batch("improvement_task", "TASK-1", after=1, count=2)
        with pytest.raises(StreamConflict) as caught:
            store.append_records("improvement_task", "TASK-1", clash, expected_version=1)
        err = caught.value
        assert isinstance(err, ConcurrencyConflict)
        assert isinstance(err, RuntimeError)
        assert (err.kind, err.stream_id, err.complaint_id) == (
            "improvement_task",
            "TASK-1",
            "TASK-1",
        )
        assert (err.expected, err.actual) == (1, 2)
        assert "improvement_task stream TASK-1 is at version 2, not the expected 1" in str(err)
        with pytest.raises(StreamConflict) as created:  # a second "create"
            store.append_records(
                "improvement_task",
                "TASK-1",
                record_batch("improvement_task", "TASK-1"),
                expected_version=0,
            )
        assert (created.value.expected, created.value.actual) == (0, 2)
        with pytest.raises(StreamConflict) as ahead:
            store.append_records(
                "improvement_task",
                "TASK-1",
                record_batch("improvement_task", "TASK-1", after=4),
                expected_version=4,
            )
        assert (ahead.value.expected, ahead.value.actual) == (4, 2)
        with pytest.raises(StreamConflict):  # a stream never written is at 0
            store.append_records(
                "improvement_task",
                "TASK-2",
                record_batch("improvement_task", "TASK-2", after=1),
                expected_version=1,
            )
        assert _dump(store) == before

    @pytest.mark.parametrize(
        "case",
        [
            "no_records",
            "other_stream",
            "other_kind",
            "second_of_another_stream",
            "version_gap",
            "versions_repeat",
            "first_not_next",
            "negative_expected",
            "bool_expected",
            "not_a_record",
            "a_lone_record",
            "kind_complaint",
            "stream_id_too_long",
            "stream_id_not_str",
        ],
    )
    def test_invalid_record_appends_are_rejected_and_write_nothing(
        self, store: ComplaintStore, case: str
    ) -> None:
        store.append_records("idea", "I-1", record_batch("idea", "I-1"), expected_version=0)
        before = _dump(store)
        two = record_batch("idea", "I-1", after=1, count=2)
        args: dict[str, tuple[Any, Any, Any, Any]] = {
            "no_records": ("idea", "I-1", [], 1),
            "other_stream": ("idea", "I-1", record_batch("idea", "I-2", after=1), 1),
            "other_kind": ("idea", "I-1", record_batch("activity", "I-1", after=1), 1),
            "second_of_another_stream": (
                "idea",
                "I-1",
                [two[0], *record_batch("idea", "I-2", after=2)],
                1,
            ),
            "version_gap": ("idea", "I-1", [two[0], *record_batch("idea", "I-1", after=3)], 1),
            "versions_repeat": ("idea", "I-1", [two[0], two[0]], 1),
            "first_not_next": ("idea", "I-1", two[1:], 1),
            "negative_expected": ("idea", "I-1", record_batch("idea", "I-1"), -1),
            "bool_expected": ("idea", "I-1", two[:1], True),
            "not_a_record": ("idea", "I-1", [{"version": 2}], 1),
            "a_lone_record": ("idea", "I-1", two[0], 1),
            "kind_complaint": (COMPLAINT, "I-1", [], 1),
            "stream_id_too_long": ("idea", "I" * 129, [], 0),
            "stream_id_not_str": ("idea", 7, [], 0),
        }
        kind, stream_id, records, expected = args[case]
        with pytest.raises(InvalidInput) as caught:
            store.append_records(kind, stream_id, records, expected_version=expected)
        assert isinstance(caught.value, ValueError)
        if case not in {"kind_complaint", "stream_id_too_long", "stream_id_not_str"}:
            assert isinstance(caught.value, InvalidRecordAppend)
            assert isinstance(caught.value, InvalidAppend)
            assert (caught.value.kind, caught.value.stream_id) == ("idea", "I-1")
            assert str(caught.value).startswith("cannot append to idea stream I-1: ")
            assert "allowed:" in str(caught.value)
        assert _dump(store) == before

    @pytest.mark.parametrize(
        ("field", "value", "error", "message"),
        [
            ("kind", COMPLAINT, InvalidInput, "Record.kind 'complaint' is the complaints' own"),
            ("kind", "", InvalidInput, "Record.kind must be a str of 1 to 128 characters"),
            ("kind", None, InvalidInput, "Record.kind must be a str"),
            ("stream_id", "x" * 129, InvalidInput, "Record.stream_id must be a str of 1 to 128"),
            ("stream_id", "", InvalidInput, "Record.stream_id must be a str"),
            ("type", "", InvalidInput, "Record.type must be a str"),
            ("version", 0, InvalidInput, "Record.version must be an int >= 1"),
            ("version", True, InvalidInput, "Record.version must be an int >= 1"),
            ("version", 1.0, InvalidInput, "Record.version must be an int >= 1"),
            ("at", datetime(2026, 10, 1), NaiveDatetimeError, "Record.at must be a timezone-aware"),
            ("at", "2026-10-01T00:00:00Z", InvalidInput, "Record.at must be an aware datetime"),
            ("data", [1, 2], InvalidInput, "Record.data must be a JSON object"),
            ("data", {"s": {1, 2}}, InvalidInput, "Record.data['s'] is a set"),
            (
                "data",
                {"a": [0, {"b": float("nan")}]},
                InvalidInput,
                "Record.data['a'][1]['b'] is nan",
            ),
            ("data", {"a": float("inf")}, InvalidInput, "Record.data['a'] is inf"),
            ("data", {1: "x"}, InvalidInput, "Record.data has the key 1 (int)"),
            ("data", {"d": {"at": _T0}}, InvalidInput, "Record.data['d']['at'] is a datetime"),
            ("data", {"m": Decimal("1.5")}, InvalidInput, "Record.data['m'] is a Decimal"),
        ],
    )
    def test_a_record_is_checked_when_built(
        self, field: str, value: Any, error: type[Exception], message: str
    ) -> None:
        fields: dict[str, Any] = {
            "kind": "idea",
            "stream_id": "I-1",
            "version": 1,
            "type": "create",
            "at": _T0,
            "data": {},
        }
        fields[field] = value
        with pytest.raises(error) as caught:
            Record(**fields)
        assert str(caught.value).startswith(message), str(caught.value)

    def test_a_record_cycle_is_refused(self) -> None:
        looped: dict[str, Any] = {}
        looped["self"] = looped
        with pytest.raises(InvalidInput, match="nested too deeply"):
            Record(kind="idea", stream_id="I", version=1, type="t", at=_T0, data=looped)

    def test_record_reads_check_the_kind(self, store: ComplaintStore) -> None:
        for read in (
            lambda: store.records(COMPLAINT, "C-1"),
            lambda: store.stream_version(COMPLAINT, "C-1"),
            lambda: store.stream_ids(COMPLAINT),
            lambda: store.latest_records(COMPLAINT),
        ):
            with pytest.raises(InvalidInput, match="'complaint' is the complaints' own"):
                read()

    # -- idempotency of records -----------------------------------------------------------------

    def test_an_idempotent_record_retry_writes_nothing_and_returns_the_original(
        self, store: ComplaintStore
    ) -> None:
        batch = record_batch("idea", "I-1", count=2)
        first = store.append_records(
            "idea", "I-1", batch, expected_version=0, idempotency_key="r-1"
        )
        assert first.duplicate is False
        before = _dump(store)
        again = store.append_records(
            "idea", "I-1", batch, expected_version=0, idempotency_key="r-1"
        )
        assert again == RecordAppendResult(first.records, first.positions, True)
        assert _dump(store) == before
        # The stream moves on; a late retry still gets its own first result.
        store.append_records(
            "idea", "I-1", record_batch("idea", "I-1", after=2), expected_version=2
        )
        before = _dump(store)
        late = store.append_records("idea", "I-1", batch, expected_version=0, idempotency_key="r-1")
        assert late == RecordAppendResult(tuple(batch), (1, 2), True)
        assert _dump(store) == before
        # The same key for another stream, another kind, or a complaint.
        for kind, sid in (("idea", "I-2"), ("activity", "I-1")):
            with pytest.raises(IdempotencyConflict) as caught:
                store.append_records(
                    kind, sid, record_batch(kind, sid), expected_version=0, idempotency_key="r-1"
                )
            assert caught.value.key == "r-1"
            assert "idea stream I-1" in str(caught.value)
        e = received_event("C-1", _T0)
        with pytest.raises(IdempotencyConflict) as complaint:
            store.append(e.apply(None), [e], expected_version=0, idempotency_key="r-1")
        assert "for idea stream I-1, not complaint C-1" in str(complaint.value)
        with pytest.raises(IdempotencyConflict):
            store.idempotent_result("r-1")
        assert _dump(store) == before
        assert store.find("C-1") is None

    def test_complaint_and_record_keys_share_one_namespace(self, store: ComplaintStore) -> None:
        e = received_event("C-1", _T0)
        store.append(e.apply(None), [e], expected_version=0, idempotency_key="k")
        before = _dump(store)
        with pytest.raises(IdempotencyConflict) as caught:
            store.append_records(
                "idea", "I-1", record_batch("idea", "I-1"), expected_version=0, idempotency_key="k"
            )
        assert caught.value.key == "k"
        assert "for complaint C-1, not idea stream I-1" in str(caught.value)
        assert _dump(store) == before
        found = store.idempotent_result("k")
        assert found is not None
        assert found.complaint.id == "C-1"
        # A key checked before a malformed append still refuses it as malformed first.
        with pytest.raises(InvalidRecordAppend):
            store.append_records("idea", "I-1", [], expected_version=0, idempotency_key="k")

    # -- the global log -------------------------------------------------------------------------

    def test_the_log_is_lazy_and_sees_appends_made_meanwhile(self, store: ComplaintStore) -> None:
        for i in range(3):
            store.append_records(
                "activity", f"A{i}", record_batch("activity", f"A{i}"), expected_version=0
            )
        it = store.log(kinds={"activity"})
        first = next(it)
        assert isinstance(first, StoredRecord)
        assert first.stream_id == "A0"
        store.append_records("activity", "A3", record_batch("activity", "A3"), expected_version=0)
        e = received_event("C", _T0)
        store.append(e.apply(None), [e], expected_version=0)
        assert [x.stream_id for x in it] == ["A1", "A2", "A3"]

    def test_log_checks_its_arguments(self, store: ComplaintStore) -> None:
        e = received_event("C", _T0)
        store.append(e.apply(None), [e], expected_version=0)
        store.append_records("idea", "I", record_batch("idea", "I"), expected_version=0)
        with pytest.raises(InvalidInput, match=r"log\(after=\.\.\.\)"):
            list(store.log(after="1"))  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match=r"log\(kinds=\.\.\.\)"):
            list(store.log(kinds=[1]))  # type: ignore[list-item]
        assert [x.kind for x in store.log(kinds="idea")] == ["idea"]  # one kind, by name
        assert [x.kind for x in store.log(kinds=[COMPLAINT])] == [COMPLAINT]
        assert list(store.log(kinds=())) == []
        assert list(store.log(kinds={"unknown"})) == []
        assert [x.position for x in store.log(after=-5)] == [1, 2]

    def test_the_log_pages_and_filters_like_the_full_log(self, make_store: StoreFactory) -> None:
        kinds = st.sampled_from([COMPLAINT, *RECORD_KINDS[:3]])

        @settings(deadline=None, max_examples=40)
        @given(
            plan=st.lists(st.tuples(kinds, st.integers(0, 2), st.integers(1, 3)), max_size=25),
            after=st.integers(-1, 60),
            chosen=st.frozensets(kinds, max_size=4),
        )
        def check(plan: list[tuple[str, int, int]], after: int, chosen: frozenset[str]) -> None:
            model = LogModel()
            with make_store() as store:
                for kind, which, count in plan:
                    sid = f"S{which}"
                    _model_append(store, model, kind, sid, count)
                full = [_entry_value(x) for x in store.log()]
                assert full == model.log()
                assert [_entry_value(x) for x in store.log(after=after)] == [
                    x for x in full if x[0] > after
                ]
                assert [_entry_value(x) for x in store.log(kinds=chosen)] == [
                    x for x in full if x[1] in chosen
                ]
                assert [_entry_value(x) for x in store.log(after, kinds=chosen)] == model.log(
                    after, chosen
                )
                assert [_entry_value(s) for s in store.stream(after=after)] == model.log(
                    after, frozenset({COMPLAINT})
                )
                assert store.last_position() == len(model.entries)

        check()

    # -- checkpoints ----------------------------------------------------------------------------

    def test_a_checkpoint_is_compare_and_set(self, store: ComplaintStore) -> None:
        assert store.checkpoint("p1") == (0, None)
        store.save_checkpoint("p1", position=3, state={"seen": [1, 2, 3]}, expected_position=0)
        assert store.checkpoint("p1") == (3, {"seen": [1, 2, 3]})
        assert store.checkpoint("p2") == (0, None)  # names are independent
        before = _dump(store)
        with pytest.raises(CheckpointConflict) as caught:  # someone who read (0, None)
            store.save_checkpoint("p1", position=5, state={"late": True}, expected_position=0)
        err = caught.value
        assert isinstance(err, ConcurrencyConflict)
        assert (err.name, err.expected, err.actual) == ("p1", 0, 3)
        assert "checkpoint p1 is at position 3, not the expected 0" in str(err)
        with pytest.raises(CheckpointConflict):
            store.save_checkpoint("p1", position=9, state={}, expected_position=4)
        with pytest.raises(InvalidCheckpoint) as back:  # a projection never goes back
            store.save_checkpoint("p1", position=2, state={}, expected_position=3)
        assert isinstance(back.value, InvalidInput)
        assert "position 2 is before expected_position 3" in str(back.value)
        assert _dump(store) == before
        store.save_checkpoint("p1", position=3, state={"again": 1}, expected_position=3)
        assert store.checkpoint("p1") == (3, {"again": 1})
        store.save_checkpoint("p1", position=40, state=RICH_DATA, expected_position=3)
        position, state = store.checkpoint("p1")
        assert position == 40
        assert state == RICH_DATA
        assert state is not None
        state["title"] = "changed"  # the reader's own copy
        assert store.checkpoint("p1")[1] == RICH_DATA
        store.save_checkpoint("p2", position=0, state={}, expected_position=0)
        assert store.checkpoint("p2") == (0, {})

    @pytest.mark.parametrize(
        ("name", "position", "state", "expected"),
        [
            ("", 1, {}, 0),
            (7, 1, {}, 0),
            ("p1", -1, {}, 0),
            ("p1", True, {}, 0),
            ("p1", 1, {}, -1),
            ("p1", 1, {}, None),
            ("p1", 1, {"s": {1}}, 0),
            ("p1", 1, {"at": _T0}, 0),
            ("p1", 1, [1], 0),
        ],
    )
    def test_a_bad_checkpoint_is_refused(
        self, store: ComplaintStore, name: Any, position: Any, state: Any, expected: Any
    ) -> None:
        store.save_checkpoint("p1", position=0, state={"ok": 1}, expected_position=0)
        before = _dump(store)
        with pytest.raises(InvalidCheckpoint) as caught:
            store.save_checkpoint(name, position=position, state=state, expected_position=expected)
        assert "allowed:" in str(caught.value)
        assert _dump(store) == before

    # -- racing writers of records and checkpoints ----------------------------------------------

    @pytest.mark.usefixtures("busy_switching")
    def test_two_racing_record_writers_one_wins(self, store: ComplaintStore) -> None:
        other = self.second_handle(store)
        try:
            rounds = 12
            winners: list[int] = []
            for r in range(rounds):
                barrier = threading.Barrier(2)
                outcome: dict[int, str] = {}

                def write(
                    n: int,
                    handle: ComplaintStore,
                    r: int = r,
                    barrier: threading.Barrier = barrier,
                    outcome: dict[int, str] = outcome,
                ) -> None:
                    batch = record_batch("idea", "RACE", after=r, data={"writer": n})
                    barrier.wait()
                    try:
                        handle.append_records("idea", "RACE", batch, expected_version=r)
                        outcome[n] = "won"
                    except StreamConflict as err:
                        outcome[n] = f"lost at {err.actual}"

                threads = [
                    threading.Thread(target=write, args=(n, h))
                    for n, h in enumerate((store, other))
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert sorted(outcome.values()) == [f"lost at {r + 1}", "won"]
                winners.append(next(n for n, o in outcome.items() if o == "won"))
            got = other.records("idea", "RACE")
            assert [x.version for x in got] == list(range(1, rounds + 1))
            assert [x.data["writer"] for x in got] == winners
            assert [x.position for x in store.log()] == list(range(1, rounds + 1))
        finally:
            self._close_second(store, other)

    @pytest.mark.usefixtures("busy_switching")
    def test_two_projections_racing_on_a_checkpoint_one_wins(self, store: ComplaintStore) -> None:
        other = self.second_handle(store)
        try:
            for r in range(12):
                expected, _ = store.checkpoint("cs_points")
                barrier = threading.Barrier(2)
                outcome: dict[int, str] = {}

                def save(
                    n: int,
                    handle: ComplaintStore,
                    expected: int = expected,
                    barrier: threading.Barrier = barrier,
                    outcome: dict[int, str] = outcome,
                ) -> None:
                    barrier.wait()
                    try:
                        handle.save_checkpoint(
                            "cs_points",
                            position=expected + 1 + n,
                            state={"by": n},
                            expected_position=expected,
                        )
                        outcome[n] = "won"
                    except CheckpointConflict as err:
                        outcome[n] = f"lost to {err.actual}"

                threads = [
                    threading.Thread(target=save, args=(n, h)) for n, h in enumerate((store, other))
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                winner = next(n for n, o in outcome.items() if o == "won")
                assert sorted(outcome.values()) == [f"lost to {expected + 1 + winner}", "won"], r
                assert other.checkpoint("cs_points") == (expected + 1 + winner, {"by": winner})
        finally:
            self._close_second(store, other)

    @pytest.mark.usefixtures("busy_switching")
    def test_concurrent_appends_of_every_kind_get_contiguous_positions(
        self, store: ComplaintStore
    ) -> None:
        other = self.second_handle(store)
        try:
            per_writer = 20
            results: dict[str, list[AppendResult | RecordAppendResult]] = {"c": [], "r": []}
            barrier = threading.Barrier(2)

            def complaints(handle: ComplaintStore) -> None:
                barrier.wait()
                for i in range(per_writer):
                    e = received_event(f"C{i}", _T0)
                    c1 = e.apply(None)
                    results["c"].append(handle.append(c1, [e], expected_version=0))
                    c2, one = advance(c1, StageChanged, _T0, note="one")
                    c2, two = advance(c2, StageChanged, _T0, same_command=True, note="two")
                    results["c"].append(handle.append(c2, [one, two], expected_version=1))

            def records(handle: ComplaintStore) -> None:
                barrier.wait()
                for i in range(per_writer):
                    kind = RECORD_KINDS[i % len(RECORD_KINDS)]
                    sid = f"S{i % 3}"
                    version = handle.stream_version(kind, sid)
                    batch = record_batch(kind, sid, after=version, count=1 + i % 3)
                    results["r"].append(
                        handle.append_records(kind, sid, batch, expected_version=version)
                    )

            threads = [
                threading.Thread(target=complaints, args=(store,)),
                threading.Thread(target=records, args=(other,)),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            everything = results["c"] + results["r"]
            for result in everything:
                first = result.positions[0]
                assert result.positions == tuple(range(first, first + len(result.positions)))
            positions = sorted(p for result in everything for p in result.positions)
            total = per_writer * 3 + sum(1 + i % 3 for i in range(per_writer))
            assert positions == list(range(1, total + 1))
            by_position = {x.position: x for x in store.log()}
            assert sorted(by_position) == positions
            assert store.last_position() == other.last_position() == total
            for result in results["r"]:
                assert isinstance(result, RecordAppendResult)
                assert [by_position[p] for p in result.positions] == [
                    StoredRecord(p, r)
                    for p, r in zip(result.positions, result.records, strict=True)
                ]
            for result in results["c"]:
                assert isinstance(result, AppendResult)
                assert [by_position[p] for p in result.positions] == [
                    StoredEvent(p, e) for p, e in zip(result.positions, result.events, strict=True)
                ]
        finally:
            self._close_second(store, other)

    # -- the reference model --------------------------------------------------------------------

    def test_streams_the_log_and_checkpoints_match_a_reference_model(
        self, make_store: StoreFactory
    ) -> None:
        contract = self

        class Machine(RuleBasedStateMachine):
            """Appends of complaints and records (right and stale versions, idempotency keys
            reused right and wrong) and checkpoint saves, by two handles, against LogModel."""

            def __init__(self) -> None:
                super().__init__()
                self.store = make_store()
                self.handles = (self.store, contract.second_handle(self.store))
                self.model = LogModel()

            def teardown(self) -> None:
                contract._close_second(self.store, self.handles[1])
                self.store.close()

            @rule(
                handle=st.integers(0, 1),
                which=st.integers(0, 3),
                key=st.none() | st.sampled_from(["k1", "k2", "k3"]),
                resend=st.booleans(),
            )
            def append_complaint(
                self, handle: int, which: int, key: str | None, resend: bool
            ) -> None:
                _model_append(
                    self.handles[handle],
                    self.model,
                    COMPLAINT,
                    f"C{which}",
                    1,
                    key=key,
                    resend=resend,
                )

            @rule(
                handle=st.integers(0, 1),
                kind=st.sampled_from(RECORD_KINDS[:3]),
                which=st.integers(0, 2),
                count=st.integers(1, 3),
                offset=st.sampled_from([0, 0, 0, -1, 1]),
                key=st.none() | st.sampled_from(["k1", "k2", "k3"]),
                resend=st.booleans(),
            )
            def append_records(
                self,
                handle: int,
                kind: str,
                which: int,
                count: int,
                offset: int,
                key: str | None,
                resend: bool,
            ) -> None:
                _model_append(
                    self.handles[handle],
                    self.model,
                    kind,
                    f"S{which}",
                    count,
                    key=key,
                    offset=offset,
                    resend=resend,
                )

            @rule(
                handle=st.integers(0, 1),
                name=st.sampled_from(["p1", "p2"]),
                ahead=st.integers(0, 3),
                offset=st.sampled_from([0, 0, -1, 2]),
            )
            def save_checkpoint(self, handle: int, name: str, ahead: int, offset: int) -> None:
                stored, _ = self.model.checkpoints.get(name, (0, {}))
                expected = max(stored + offset, 0)
                position = expected + ahead
                state = {"at": position, "by": handle}
                store = self.handles[handle]
                if expected != stored:
                    with pytest.raises(CheckpointConflict):
                        store.save_checkpoint(
                            name, position=position, state=state, expected_position=expected
                        )
                else:
                    store.save_checkpoint(
                        name, position=position, state=state, expected_position=expected
                    )
                    self.model.checkpoints[name] = (position, state)

            @precondition(lambda self: bool(self.model.entries))
            @rule(handle=st.integers(0, 1), data=st.data())
            def page_the_log(self, handle: int, data: st.DataObject) -> None:
                store = self.handles[handle]
                after = data.draw(st.integers(0, len(self.model.entries)), label="after")
                kinds = data.draw(
                    st.none() | st.frozensets(st.sampled_from([COMPLAINT, *RECORD_KINDS])),
                    label="kinds",
                )
                assert [_entry_value(x) for x in store.log(after, kinds=kinds)] == self.model.log(
                    after, kinds
                )

            @invariant()
            def the_log_is_the_model(self) -> None:
                for store in self.handles:
                    assert [_entry_value(x) for x in store.log()] == self.model.log()
                    assert store.last_position() == len(self.model.entries)

            @invariant()
            def every_stream_is_the_model(self) -> None:
                store = self.handles[1]
                for kind in RECORD_KINDS:
                    ids = self.model.stream_ids(kind)
                    assert store.stream_ids(kind) == ids
                    latest = [self.model.records(kind, sid)[-1] for sid in ids]
                    assert store.latest_records(kind) == latest
                    for sid in ids:
                        assert store.records(kind, sid) == self.model.records(kind, sid)
                        assert store.stream_version(kind, sid) == self.model.version(kind, sid)
                for cid, complaint in self.model.complaints.items():
                    assert store.get(cid) == complaint
                for name in ("p1", "p2"):
                    assert store.checkpoint(name) == self.model.checkpoints.get(name, (0, None))

        run_state_machine_as_test(
            Machine,
            settings=settings(max_examples=30, stateful_step_count=30, deadline=None),
        )

    # -- lifetime -------------------------------------------------------------------------------

    def test_a_closed_store_refuses_work(self, make_store: StoreFactory) -> None:
        e = received_event("X", _T0)
        with make_store() as store:
            store.append(e.apply(None), [e], expected_version=0)
        store.close()  # closing twice is fine
        with pytest.raises(StoreClosed):
            store.get("X")
        with pytest.raises(StoreClosed):
            store.append(e.apply(None), [e], expected_version=0)
        with pytest.raises(StoreClosed):
            store.due(_T0)
        with pytest.raises(StoreClosed):
            store.append_records("idea", "I", record_batch("idea", "I"), expected_version=0)
        with pytest.raises(StoreClosed):
            store.records("idea", "I")
        with pytest.raises(StoreClosed):
            list(store.log())
        with pytest.raises(StoreClosed):
            store.checkpoint("p1")
        with pytest.raises(StoreClosed):
            store.save_checkpoint("p1", position=1, state={}, expected_position=0)

    # -- personal data: redact (erasure and retention) ------------------------------------------

    def _redaction_fixture(self, store: ComplaintStore) -> tuple[Complaint, list[DomainEvent]]:
        """Complaint R (three appends, the second with a key, a wake-up) beside complaint S."""
        r1 = received_event("R", _T0, customer_id="CUST-R", text="홍길동 010-1234-5678")
        c = r1.apply(None)
        store.append(c, [r1], expected_version=0)
        c, r2 = advance(c, Responded, _T0 + timedelta(hours=1), channel=Channel.SMS, note="hi")
        store.append(c, [r2], expected_version=1, idempotency_key="redact-key")
        c, r3 = advance(c, HandlingStarted, _T0 + timedelta(hours=2), stage="in_progress")
        store.append(c, [r3], expected_version=2, wake_at=_T0 + timedelta(days=3))
        s1 = received_event("S", _T0, customer_id="CUST-S", text="another customer")
        store.append(s1.apply(None), [s1], expected_version=0)
        return c, [r1, r2, r3]

    def test_redact_rewrites_a_history_in_place(self, store: ComplaintStore) -> None:
        from ccms.model import redact

        complaint, history = self._redaction_fixture(store)
        store.save_customer(Customer(id="CUST-R", name="홍길동", phone="010-1234-5678"))
        log_before = [(e.position, e.kind, e.stream_id) for e in store.log()]
        last, wake = store.last_position(), store.wake_at("R")
        new_history = [redact(e, customer_id="anon-R") for e in history]
        snapshot = redact(complaint, customer_id="anon-R")
        store.redact([(snapshot, new_history)], customer=Customer(id="CUST-R", segment="general"))
        assert store.get("R") == snapshot
        assert store.events("R") == new_history
        assert store.events("R")[0].concerns[0].text == "[redacted]"  # type: ignore[attr-defined]
        assert [(e.position, e.kind, e.stream_id) for e in store.log()] == log_before
        assert [s.event for s in store.stream() if s.complaint_id == "R"] == new_history
        assert (store.last_position(), store.wake_at("R"), store.version("R")) == (last, wake, 3)
        assert [c.id for c in store.query(customer_id="anon-R")] == ["R"]
        assert store.query(customer_id="CUST-R") == []
        again = store.idempotent_result("redact-key")
        assert again is not None
        assert again.complaint == new_history[1].apply(new_history[0].apply(None))
        assert list(again.events) == [new_history[1]]
        assert store.get_customer("CUST-R").phone is None
        assert store.events("S")[0].concerns[0].text == "another customer"  # type: ignore[attr-defined]
        # the store keeps working: the next append goes on from the rewritten snapshot
        after, event = advance(snapshot, Responded, _T0 + timedelta(hours=3), channel=Channel.SMS)
        store.append(after, [event], expected_version=3)
        assert store.events("R") == [*new_history, event]

    def test_a_refused_redaction_writes_nothing(self, store: ComplaintStore) -> None:
        from ccms.model import redact

        complaint, history = self._redaction_fixture(store)
        s = store.get("S")
        good = (redact(s), [redact(e) for e in store.events("S")])
        stale = complaint.model_copy(update={"version": 2})
        before = [(e.position, e.kind, e.stream_id, repr(e)) for e in store.log()]
        refusals: list[tuple[type[Exception], list[Any]]] = [
            (ConcurrencyConflict, [good, (redact(stale), [redact(e) for e in history[:2]])]),
            (InvalidAppend, [good, (redact(complaint), [redact(e) for e in history[:2]])]),
            (InvalidAppend, [good, (redact(complaint), [history[0], history[2], history[1]])]),
            (InvalidAppend, [good, good]),
            (
                ComplaintNotFound,
                [good, (received_event("Q", _T0).apply(None), [received_event("Q", _T0)])],
            ),
            (InvalidInput, [("R", history)]),
        ]
        for error, items in refusals:
            with pytest.raises(error):
                store.redact(items)
            assert [(e.position, e.kind, e.stream_id, repr(e)) for e in store.log()] == before
            assert store.get("S") == s
            assert store.get("R") == complaint
        with pytest.raises(InvalidInput):
            store.redact(customer="CUST-R")  # type: ignore[arg-type]

    def test_redact_with_nothing_changes_nothing(self, store: ComplaintStore) -> None:
        complaint, history = self._redaction_fixture(store)
        store.redact()
        store.redact([(complaint, history)])
        assert store.get("R") == complaint
        assert store.events("R") == history
