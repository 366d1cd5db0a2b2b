"""The Desk's idempotency keys: bound to the command, safe under concurrent and late retries of
``receive``, and a refused command writes nothing at all (the customer's row included), on every
store (PostgreSQL when ``CCMS_POSTGRES_URL`` names a server)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ccms.desk import Desk, ManualClock
from ccms.errors import CCMSError, ConcurrencyConflict, IdempotencyConflict
from ccms.model import Concern, Customer, CustomerRef, Department, Organization
from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore
from postgres_kit import postgres_url as _postgres_url

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
ORG = Organization(departments=[Department(id="cs", name="CS"), Department(id="qa", name="QA")])


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Any]]:
    """A factory of handles on ONE store (for the in-memory store, the same object)."""
    opened: list[Any] = []
    if request.param == "memory":
        shared = InMemoryStore()

        def open_memory() -> Any:
            return shared

        yield open_memory
        shared.close()
        return
    schema = f"t_{uuid.uuid4().hex[:20]}"
    url = _postgres_url() if request.param == "postgres" else ""

    def open_one() -> Any:
        if request.param == "sqlite":
            handle: Any = SQLiteStore(tmp_path / "desk.db", durability="normal")
        else:
            from ccms.store.postgres import PostgresStore

            handle = PostgresStore(url, schema=schema, max_size=2)
        opened.append(handle)
        return handle

    yield open_one
    for handle in opened:
        handle.close()
    if request.param == "postgres":
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def store(opener: Callable[[], Any]) -> Any:
    return opener()


def make_desk(store: ComplaintStore) -> Desk:
    return Desk(store, organization=ORG, clock=ManualClock(T0))


def receive(desk: Desk, **kw: Any) -> Any:
    args: dict[str, Any] = {
        "channel": "phone",
        "customer": CustomerRef(id="C-1"),
        "concerns": [Concern(kind="complaint", text="The handle broke off")],
    }
    args.update(kw)
    return desk.receive(**args)


def snapshot(store: Any) -> tuple[Any, ...]:
    complaints = store.query()
    return (
        tuple(complaints),
        tuple((e.position, e.event) for e in store.stream()),
        store.last_position(),
    )


# -- the key is bound to the command ----------------------------------------------------------------


def test_a_key_reused_for_another_command_of_the_same_complaint_is_refused(store: Any) -> None:
    desk = make_desk(store)
    c = receive(desk)
    first = desk.classify(c.id, ["PRD.DEF"], idempotency_key="k")
    before = snapshot(store)
    with pytest.raises(IdempotencyConflict) as caught:
        desk.assign_department(c.id, "qa", idempotency_key="k")
    assert (caught.value.first, caught.value.attempted) == ("classify", "assign_department")
    message = str(caught.value)
    assert "classify" in message
    assert "assign_department" in message
    assert snapshot(store) == before
    assert desk.get(c.id).department is None  # the second command was not silently dropped...
    assert desk.assign_department(c.id, "qa").department == "qa"  # ...it can still be made
    # The first command's retry still gets its own result, after the complaint moved on.
    assert desk.classify(c.id, ["PRD.DEF"], idempotency_key="k") == first


def test_the_same_key_on_another_complaint_is_refused(store: Any) -> None:
    desk = make_desk(store)
    a, b = receive(desk), receive(desk)
    desk.classify(a.id, ["PRD.DEF"], idempotency_key="k")
    before = snapshot(store)
    with pytest.raises(IdempotencyConflict, match=a.id):
        desk.classify(b.id, ["PRD.DEF"], idempotency_key="k")
    assert snapshot(store) == before


def test_a_receive_key_is_bound_to_its_content(store: Any) -> None:
    desk = make_desk(store)
    c = receive(desk, idempotency_key="r")
    later = ManualClock(T0 + timedelta(minutes=5))
    desk.clock = later
    assert receive(desk, idempotency_key="r") == c  # a late retry: the same complaint
    before = snapshot(store)
    with pytest.raises(IdempotencyConflict, match="for receive on complaint"):
        receive(
            desk,
            idempotency_key="r",
            concerns=[Concern(kind="complaint", text="Another problem altogether")],
        )
    with pytest.raises(IdempotencyConflict):
        desk.classify(c.id, ["PRD.DEF"], idempotency_key="r")
    assert snapshot(store) == before
    assert len(store) == 1


# -- concurrent and late retries of receive ---------------------------------------------------------


class _RacingLookups:
    """A store handle whose idempotency look-up waits until both Desks have looked (and missed),
    so both go on to append under the key: the race the store's own transaction must settle."""

    def __init__(self, inner: Any, barrier: threading.Barrier) -> None:
        self.inner = inner
        self.barrier = barrier

    def idempotent_result(self, key: str, **kw: Any) -> Any:
        found = self.inner.idempotent_result(key, **kw)
        self.barrier.wait(timeout=30)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_concurrent_retries_of_receive_open_one_complaint(opener: Callable[[], Any]) -> None:
    customer = Customer(id="C-7", name="Kim", phone="010-2222-3333")
    for round_ in range(5):
        barrier = threading.Barrier(2)
        results: list[Any] = []
        errors: list[BaseException] = []
        desks = [make_desk(_RacingLookups(opener(), barrier)) for _ in range(2)]  # type: ignore[arg-type]

        def call(
            desk: Desk,
            key: str = f"recv-{round_}",
            results: list[Any] = results,
            errors: list[BaseException] = errors,
        ) -> None:
            try:
                results.append(receive(desk, idempotency_key=key, customer=customer))
            except BaseException as err:
                errors.append(err)

        threads = [threading.Thread(target=call, args=(d,)) for d in desks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(results) == 2
        assert results[0] == results[1]  # both callers get the one complaint opened
    check = opener()
    assert len(check) == 5
    # A late retry, through a third Desk, gets the first complaint too.
    late = receive(make_desk(check), idempotency_key="recv-0", customer=customer)
    assert late.id in list(check.ids())
    assert len(check) == 5
    assert check.get_customer("C-7").phone == customer.phone


# -- a refused command writes nothing at all -----------------------------------------------------------


def test_a_refused_receive_leaves_the_stored_customer_as_it_was(store: Any) -> None:
    desk = make_desk(store)
    first = Customer(id="C-5", name="Lee", phone="010-1111-2222", email="lee@example.com")
    c = receive(desk, customer=first, complaint_id="CASE-1")
    before = snapshot(store)
    moved = Customer(id="C-5", name="Lee", phone="010-9999-8888", email="lee@example.org")
    with pytest.raises(ConcurrencyConflict):  # the id is taken
        receive(desk, customer=moved, complaint_id="CASE-1")
    assert store.get_customer("C-5") == first
    assert snapshot(store) == before
    # A refused key writes nothing either; an accepted receive writes the customer with it.
    receive(desk, customer=first, idempotency_key="r")
    with pytest.raises(IdempotencyConflict):
        receive(
            desk,
            customer=moved,
            idempotency_key="r",
            concerns=[Concern(kind="complaint", text="A different contact")],
        )
    assert store.get_customer("C-5") == first
    again = receive(desk, customer=moved)
    assert store.get_customer("C-5") == moved
    assert again.customer.id == "C-5"
    assert c.customer.id == "C-5"


# -- routed assignments and clocks that disagree --------------------------------------------------


def test_a_late_retry_of_a_routed_assignment_is_answered_not_routed_again(store: Any) -> None:
    from ccms.model import Agent
    from ccms.policy import least_loaded

    org = Organization(
        departments=[Department(id="cs", name="CS")],
        agents=[
            Agent(id="kim", name="Kim", department="cs"),
            Agent(id="lee", name="Lee", department="cs"),
        ],
    )
    desk = Desk(store, organization=org, clock=ManualClock(T0), handler_router=least_loaded())
    c = receive(desk)
    desk.classify(c.id, ["PRD.DEF"])
    desk.assign_department(c.id, "cs")
    first = desk.assign_handler(c.id, idempotency_key="route-1")
    other = receive(desk)
    desk.classify(other.id, ["PRD.DEF"])
    desk.assign_department(other.id, "cs")
    desk.assign_handler(other.id, first.handler)  # the first handler is now the busier one
    before = snapshot(store)
    again = desk.assign_handler(c.id, idempotency_key="route-1")
    assert again == first
    assert snapshot(store) == before
    with pytest.raises(IdempotencyConflict, match="for assign_handler"):
        desk.assign_handler(c.id, "lee", idempotency_key="route-1")  # another request


def test_a_clock_behind_the_last_change_makes_the_command_after_it(store: Any) -> None:
    ahead = make_desk(store)
    c = receive(ahead, received_at=T0)
    ahead.clock = ManualClock(T0 + timedelta(minutes=2))
    ahead.classify(c.id, ["PRD.DEF"])
    behind = make_desk(store)  # its clock reads T0, two minutes behind the stored change
    stored = behind.assign_department(c.id, "qa")
    assert stored.updated_at == T0 + timedelta(minutes=2)
    with pytest.raises(CCMSError, match="must not go back in time"):  # an explicit at is checked
        behind.start(c.id, at=T0)


def test_a_receive_key_is_bound_to_the_customer_it_saves(store: Any) -> None:
    """Dumps mask contact details, so the fingerprint reads the customer in clear (hashed): a
    retry with another phone number is another command, not the same one answered."""
    desk = make_desk(store)
    first = Customer(id="C-1", name="Kim", phone="010-1234-5678")
    c = receive(desk, customer=first, idempotency_key="r")
    assert receive(desk, customer=first, idempotency_key="r") == c
    before = snapshot(store)
    with pytest.raises(IdempotencyConflict):
        receive(
            desk,
            customer=Customer(id="C-1", name="Kim", phone="010-1234-5679"),
            idempotency_key="r",
        )
    assert snapshot(store) == before
    assert store.get_customer("C-1").phone.reveal() == "010-1234-5678"
