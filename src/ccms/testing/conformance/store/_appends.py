"""The store suite's part: appends: round trips, versions and conflicts, validation, racing writers, customers, closing."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import itertools
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from ccms.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    NaiveDatetimeError,
)
from ccms.model import (
    Complaint,
    Customer,
    DomainEvent,
    Flag,
)
from ccms.store.base import (
    ComplaintStore,
    CustomerNotFound,
    InvalidAppend,
    StoreClosed,
)
from ccms.testing.conformance.store._base import StoreSuiteBase
from ccms.testing.conformance.store._builders import (
    _T0,
    StoreFactory,
    _dump,
    _note,
    received_event,
    record_batch,
    rich_history,
)

__all__ = ["StoreAppendSuite"]


class StoreAppendSuite(StoreSuiteBase):
    """Appends: round trips, versions and conflicts, validation, racing writers, customers, closing."""

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
