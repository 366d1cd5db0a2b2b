"""Builders the store suite writes its cases with, and that other tests reuse: events, complaint
histories, queries, records, and the reference filters of queries and of the schedule."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from ccms.model import (
    Actor,
    Channel,
    Classified,
    Closed,
    Complaint,
    ComplaintReceived,
    Concern,
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
    ComplaintQuery,
    ComplaintStore,
    Record,
    StoredEvent,
    StoredRecord,
)

__all__ = [
    "RECORD_KINDS",
    "RICH_DATA",
    "Command",
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
