"""Fuzzing the Desk and store boundary: every rejection is a ``CCMSError`` and changes nothing.

Wrong types, ``None``, huge and non-finite numbers, naive and out-of-range datetimes, odd
mappings: each public Desk command and store read either works or raises a typed ccms error, and
a rejected command leaves the store byte-for-byte as it was. The kit's
:func:`~ccms.testing.invalid.invalid_commands` (one invalid argument a command, each of which
must be refused) runs on a Desk with a taxonomy and on one without (no unknown codes there).
"""

from __future__ import annotations

import contextlib
import math
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ccms.demo.company import demo_organization, demo_taxonomy
from ccms.desk import Desk, ManualClock
from ccms.errors import CCMSError
from ccms.model import Concern, CustomerRef
from ccms.store import InMemoryStore, SQLiteStore
from ccms.store.base import check_fingerprint
from ccms.testing.boundary import BoundarySuite, DeskBoundary
from ccms.testing.invalid import INVALID_VALUES, InvalidCommand, invalid_commands
from ccms.testing.store_contract import received_event

T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.floats(), st.text(max_size=5))),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.just(UTC)),  # aware, anywhere from year 1 to 9999
    st.just(math.nan),
    st.just("x" * 300),
)

#: (method, how many positional arguments after the complaint id, keyword names it takes)
COMMANDS: list[tuple[str, int, tuple[str, ...]]] = [
    ("classify", 1, ("severities", "at", "expected_version", "idempotency_key")),
    ("assign_department", 1, ("at", "idempotency_key")),
    ("assign_handler", 1, ("at", "idempotency_key")),
    ("start", 0, ("at", "expected_version")),
    ("wait_on_customer", 1, ("at",)),
    ("respond", 2, ("at",)),
    ("transfer", 2, ("at",)),
    ("register_result", 1, ("outcomes", "at")),
    ("notify", 1, ("at", "idempotency_key")),
    ("record_feedback", 1, ("at",)),
    ("reopen", 1, ("at",)),
    ("close", 1, ("at",)),
    ("withdraw", 1, ("at",)),
    ("reject", 1, ("duplicate_of", "note", "at")),
    ("escalate", 2, ("notify", "at")),
    ("set_flags", 0, ("add", "remove", "reason", "at")),
    ("execute", 1, ("at", "actor")),
]


def _state(store: Any) -> tuple[Any, ...]:
    return (
        [(s.position, s.event.model_dump_json()) for s in store.stream()],
        [c.model_dump_json() for c in store.query()],
        [store.wake_at(cid) for cid in store.ids()],
    )


def _desk(store: Any) -> tuple[Desk, str]:
    desk = Desk(store, clock=ManualClock(T0))
    c = desk.receive(
        channel="phone",
        customer=CustomerRef(id="C-1"),
        concerns=[Concern(kind="complaint", text="late")],
    )
    return desk, c.id


calls = st.tuples(
    st.sampled_from(COMMANDS),
    st.lists(junk, min_size=2, max_size=2),
    st.dictionaries(st.sampled_from(["at", "expected_version", "idempotency_key", "notify"]), junk),
    st.booleans(),
)

TRIED = {"inputs": 0, "rejected": 0}


@settings(max_examples=int(os.environ.get("CCMS_FUZZ_EXAMPLES", "300")), deadline=None)
@given(calls)
@example((("assign_department", 1, ("at",)), [[None], None], {}, False))  # found by this fuzz
def test_every_command_rejects_junk_with_a_typed_error_and_changes_nothing(call: Any) -> None:
    (name, positional, keywords), args, options, sqlite = call
    store = SQLiteStore() if sqlite else InMemoryStore()
    desk, cid = _desk(store)
    before = _state(store)
    kwargs = {k: v for k, v in options.items() if k in keywords}
    TRIED["inputs"] += 1
    try:
        getattr(desk, name)(cid, *args[:positional], **kwargs)
    except CCMSError:
        TRIED["rejected"] += 1
        assert _state(store) == before
    store.close()


@settings(max_examples=200, deadline=None)
@given(junk, st.booleans())
def test_store_reads_reject_junk_ids_with_a_typed_error(value: Any, sqlite: bool) -> None:
    store = SQLiteStore() if sqlite else InMemoryStore()
    _desk(store)
    for read in (store.find, store.version, store.events, store.get):
        with contextlib.suppress(CCMSError):  # anything else fails the test
            read(value)
    for limit in (value, 2**70):
        with contextlib.suppress(CCMSError):
            store.query(limit=limit)
    store.close()


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["received_at", "flags", "tags", "attributes"]), junk),
    junk,
)
def test_receive_rejects_junk_with_a_typed_error(options: dict[str, Any], concerns: Any) -> None:
    store = InMemoryStore()
    desk, _ = _desk(store)
    before = _state(store)
    try:
        desk.receive(channel="phone", customer=CustomerRef(id="C-2"), concerns=concerns, **options)
    except CCMSError:
        assert _state(store) == before


def test_non_finite_attributes_are_refused_at_the_boundary() -> None:
    for store in (InMemoryStore(), SQLiteStore()):
        desk, _ = _desk(store)
        before = _state(store)
        for bad in (math.nan, math.inf, {"x": [math.nan]}):
            with pytest.raises(CCMSError, match="finite"):
                desk.receive(
                    channel="phone",
                    customer=CustomerRef(id="C-3"),
                    concerns=[Concern(kind="complaint", text="x")],
                    attributes={"score": bad},
                    received_at=T0 + timedelta(minutes=1),
                )
        assert _state(store) == before


def test_the_fuzz_tried_inputs() -> None:
    """The counts of the runs above (printed with -s): the fuzz is not vacuous."""
    print(f"boundary fuzz: {TRIED['inputs']} command inputs, {TRIED['rejected']} rejected")
    assert TRIED["inputs"] == 0 or TRIED["rejected"] > 0


@settings(max_examples=150, deadline=None)
@given(junk, junk, st.booleans())
def test_store_appends_reject_junk_fingerprints_and_customers(
    fingerprint: Any, customer: Any, sqlite: bool
) -> None:
    for kwargs in ({"fingerprint": fingerprint, "idempotency_key": "k"}, {"customer": customer}):
        store = SQLiteStore() if sqlite else InMemoryStore()
        _desk(store)
        before = _state(store)
        e = received_event("NEW", T0)
        TRIED["inputs"] += 1
        try:
            store.append(e.apply(None), [e], expected_version=0, **kwargs)
        except CCMSError:
            TRIED["rejected"] += 1
            assert _state(store) == before
            with contextlib.suppress(CCMSError):
                store.idempotent_result("k", fingerprint=fingerprint)
        else:  # only None (no customer, no fingerprint) or a well-formed fingerprint is taken
            if "customer" in kwargs:
                assert customer is None
            else:
                assert check_fingerprint(fingerprint) == fingerprint
        store.close()


class TestInvalidCommandsOnADeskWithATaxonomy(BoundarySuite):
    """Every invalid command the kit draws (huge customer ids, bools and negatives as
    ``expected_version``, unknown codes, ...) is a typed error and changes nothing."""

    @pytest.fixture(params=["memory", "sqlite"])
    def boundary(self, request: pytest.FixtureRequest) -> Any:
        store = InMemoryStore() if request.param == "memory" else SQLiteStore()
        desk = Desk(
            store,
            organization=demo_organization(),
            taxonomy=demo_taxonomy(),
            clock=ManualClock(T0),
        )
        yield DeskBoundary(desk)
        store.close()


class _NoCodes(DeskBoundary):
    """A Desk without a taxonomy takes any code (docs/desk.md): leave unknown codes out."""

    def commands(self) -> st.SearchStrategy[InvalidCommand]:
        return invalid_commands().filter(lambda c: c.why != "unknown code")


class TestInvalidCommandsOnABareDesk(BoundarySuite):
    """The same on a Desk with no taxonomy, organization or policies."""

    @pytest.fixture
    def boundary(self) -> Any:
        store = InMemoryStore()
        yield _NoCodes(Desk(store, clock=ManualClock(T0)))
        store.close()


@pytest.mark.parametrize("value", [True, False, -1])
def test_the_kit_draws_what_a_version_must_not_be(value: Any) -> None:
    """Bools are ints in Python: the fuzz must try them, and the Desk refuse them."""
    assert any(v is True for v, _ in INVALID_VALUES["expected_version"])
    desk, cid = _desk(InMemoryStore())
    with pytest.raises(CCMSError, match="expected_version must be None or a version"):
        desk.start(cid, expected_version=value)
