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
:func:`advance`, :func:`append_histories` and the Hypothesis strategies :func:`complaint_histories`
and :func:`complaint_queries`.

>>> from datetime import datetime, timezone
>>> e = received_event("c1", datetime(2026, 10, 1, 9, tzinfo=timezone.utc), code="PRD.DEF")
>>> c1 = e.apply(None)
>>> c2, started = advance(c1, HandlingStarted, datetime(2026, 10, 1, 10, tzinfo=timezone.utc),
...                       stage="in_progress")
>>> (c1.version, c1.codes), (started.version, c2.version, c2.stage)
((1, ('PRD.DEF',)), (2, 2, 'in_progress'))
"""

from __future__ import annotations

import itertools
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
    LATEST,
    AppendResult,
    ComplaintQuery,
    ComplaintStore,
    CustomerNotFound,
    InvalidAppend,
    StoreClosed,
    StoredEvent,
)

__all__ = [
    "Command",
    "StoreContract",
    "StoreFactory",
    "advance",
    "append_histories",
    "brute_force_query",
    "complaint_histories",
    "complaint_queries",
    "received_event",
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


def _dump(
    store: ComplaintStore,
) -> tuple[list[tuple[int, str]], dict[str, str], int, dict[str, datetime | None], int]:
    """Everything a store holds, the schedule included, as values (for "nothing was written")."""
    stream = [(s.position, s.event.model_dump_json()) for s in store.stream()]
    snapshots = {cid: store.get(cid).model_dump_json() for cid in store.ids()}
    schedule = {cid: store.wake_at(cid) for cid in store.ids()}
    return stream, snapshots, len(store), schedule, store.last_position()


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
        assert "010-****-5678" in shown
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
