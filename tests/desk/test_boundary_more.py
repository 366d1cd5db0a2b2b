"""More of the Desk's boundary, tried as a host would: receipt times, VOC codes without and with a
taxonomy, ``expected_version`` values, customers given as mappings, long complaint ids' notices.
Each refusal is a typed ccms error and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ccms.demo.company import demo_taxonomy
from ccms.desk import EARLIEST_RECEIPT, RECEIPT_TOLERANCE, Desk, ManualClock
from ccms.errors import CCMSError, ConcurrencyConflict, InvalidInput, UnknownVocCode
from ccms.model import Concern, CustomerRef, NotificationRequested
from ccms.store import InMemoryStore
from ccms.testing.invalid import COMMAND_FIELDS

T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)


def _state(store: Any) -> tuple[Any, ...]:
    return (
        [(s.position, s.event.model_dump_json()) for s in store.stream()],
        [c.model_dump_json() for c in store.query()],
    )


def _receive(desk: Desk, **options: Any) -> Any:
    return desk.receive(
        channel="phone",
        customer=options.pop("customer", CustomerRef(id="C-1")),
        concerns=options.pop("concerns", [Concern(kind="complaint", text="late")]),
        **options,
    )


# -- 1. receipt times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "received_at",
    [
        datetime(9999, 1, 1, tzinfo=UTC),
        T0 + RECEIPT_TOLERANCE + timedelta(microseconds=1),
        T0 + timedelta(days=1),
        EARLIEST_RECEIPT - timedelta(microseconds=1),
        datetime(1, 1, 2, tzinfo=UTC),
    ],
)
def test_a_receipt_time_outside_the_window_is_refused_and_writes_nothing(
    received_at: datetime,
) -> None:
    store = InMemoryStore()
    desk = Desk(store, clock=ManualClock(T0))
    _receive(desk)
    before = _state(store)
    with pytest.raises(InvalidInput, match=r"received_at .* allowed: from 1900-01-01") as info:
        _receive(desk, received_at=received_at, complaint_id="VOC-FUTURE")
    assert received_at.isoformat() in str(info.value)
    assert _state(store) == before


def test_a_receipt_time_inside_the_window_is_taken() -> None:
    desk = Desk(InMemoryStore(), clock=ManualClock(T0))
    for n, at in enumerate([T0 + RECEIPT_TOLERANCE, T0 - timedelta(days=400), EARLIEST_RECEIPT]):
        c = _receive(desk, received_at=at, complaint_id=f"VOC-{n}")
        assert c.received_at == at


def test_the_window_follows_the_clock() -> None:
    clock = ManualClock(T0)
    desk = Desk(InMemoryStore(), clock=clock)
    later = T0 + timedelta(days=3)
    with pytest.raises(InvalidInput, match="later than"):
        _receive(desk, received_at=later)
    clock.set(later)
    assert _receive(desk, received_at=later).received_at == later


# -- 2. VOC codes ----------------------------------------------------------------------------


def test_without_a_taxonomy_codes_are_taken_as_given() -> None:
    """Documented in docs/desk.md: a Desk with no taxonomy does not check codes."""
    desk = Desk(InMemoryStore(), clock=ManualClock(T0))
    c = _receive(desk, concerns=[Concern(kind="complaint", text="x", code="NO.SUCH")])
    assert c.concerns[0].code == "NO.SUCH"
    assert desk.classify(c.id, ["ALSO.UNKNOWN"]).concerns[0].code == "ALSO.UNKNOWN"


def test_with_a_taxonomy_an_unknown_code_is_refused_naming_close_matches() -> None:
    store = InMemoryStore()
    desk = Desk(store, taxonomy=demo_taxonomy(), clock=ManualClock(T0))
    c = _receive(desk)
    before = _state(store)
    typo = [Concern(kind="complaint", text="x", code="PRD.DFE")]
    with pytest.raises(UnknownVocCode, match=r"'PRD\.DFE'; closest known: PRD\.DEF"):
        _receive(desk, concerns=typo)
    with pytest.raises(UnknownVocCode, match=r"closest known: PRD\.DEF"):
        desk.classify(c.id, ["PRD.DFE"])
    assert _state(store) == before


# -- 3. expected_version ------------------------------------------------------------------------

BAD_VERSIONS = [True, False, -1, -(2**70), "1", 1.0]


@pytest.mark.parametrize("name", [n for n in COMMAND_FIELDS if n != "receive"] + ["execute"])
@pytest.mark.parametrize("bad", BAD_VERSIONS, ids=repr)
def test_every_command_refuses_a_bool_or_negative_expected_version(name: str, bad: Any) -> None:
    from ccms.workflow import Start

    store = InMemoryStore()
    desk = Desk(store, clock=ManualClock(T0))
    cid = _receive(desk).id  # version 1: True would have matched it as an int
    before = _state(store)
    args = (Start(),) if name == "execute" else COMMAND_FIELDS[name][0]
    kwargs = {} if name == "execute" else COMMAND_FIELDS[name][1]
    with pytest.raises(InvalidInput, match="expected_version must be None or a version") as info:
        getattr(desk, name)(cid, *args, expected_version=bad, **kwargs)
    assert not isinstance(info.value, ConcurrencyConflict)
    assert cid in str(info.value)
    assert _state(store) == before


def test_a_good_expected_version_still_works() -> None:
    desk = Desk(InMemoryStore(), clock=ManualClock(T0))
    c = _receive(desk)
    with pytest.raises(ConcurrencyConflict):
        desk.classify(c.id, ["A"], expected_version=0)
    assert desk.classify(c.id, ["A"], expected_version=1).version == 2


# -- 4. customers given as mappings -------------------------------------------------------------


@pytest.mark.parametrize(
    "customer",
    [
        {"id": "x" * 10_000},
        {"id": "y" * 10_000, "phone": "010-1234-5678", "name": "홍길동"},
        {"id": "C-1", "phone": "010-1234-5678", "name": "홍길동" * 1000},
        {"id": "C-1", "email": "gildong@example.com", "shoe_size": 44},
        {"id": 5},
        {},
    ],
)
def test_a_bad_customer_mapping_is_invalid_input_without_its_values(
    customer: dict[str, Any],
) -> None:
    store = InMemoryStore()
    desk = Desk(store, clock=ManualClock(T0))
    _receive(desk)
    before = _state(store)
    with pytest.raises(InvalidInput) as info:
        _receive(desk, customer=customer)
    message = str(info.value)
    for secret in ("x" * 20, "y" * 20, "010-1234-5678", "홍길동", "gildong"):
        assert secret not in message
    assert len(message) < 1000
    assert _state(store) == before


def test_a_customer_mapping_with_contact_details_is_saved_as_a_customer() -> None:
    store = InMemoryStore()
    desk = Desk(store, clock=ManualClock(T0))
    c = _receive(desk, customer={"id": "C-7", "phone": "010-1234-5678", "language": "en"})
    assert c.customer == CustomerRef(id="C-7", language="en")
    saved = store.get_customer("C-7")
    assert saved.phone is not None
    assert "5678" not in repr(saved)


def test_the_model_a_host_builds_itself_raises_in_the_hosts_code() -> None:
    """What the Desk cannot convert (documented): pydantic's error, a ValueError, before the
    Desk is called; the mapping form is the boundary's."""
    with pytest.raises(ValueError, match="at most 128 characters") as info:
        CustomerRef(id="x" * 10_000)
    assert not isinstance(info.value, CCMSError)


# -- 5. notices of complaints with long ids -----------------------------------------------------


def test_a_long_complaint_ids_notice_is_found_pending_and_done() -> None:
    pytest.importorskip("jinja2", reason="the notices extra is not installed")
    from ccms.policy.notify import NoticePolicy

    store = InMemoryStore()
    desk = Desk(store, clock=ManualClock(T0), notices=NoticePolicy())
    long_id = "VOC-" + "9" * 120
    _receive(desk, customer=CustomerRef(id="C-1", language="en"), complaint_id=long_id)
    _receive(desk, customer=CustomerRef(id="C-2", language="en"), complaint_id="VOC-" + "8" * 120)
    [request] = [e for e in desk.history(long_id) if isinstance(e, NotificationRequested)]
    nid = request.notification_id
    assert nid.startswith("h-")  # the hashed fallback
    assert long_id not in nid
    assert desk.notice(nid).status == "pending"
    delivered = desk.notice_delivered(nid)
    assert delivered.id == long_id
    before = _state(store)
    # once done, the id is still known: a repeated report writes nothing, a failure neither
    assert desk.notice(nid).status == "delivered"
    assert desk.notice_delivered(nid).version == delivered.version
    assert desk.notice_failed(nid, "bounced").version == delivered.version
    assert _state(store) == before
    with pytest.raises(InvalidInput, match="no notice"):
        desk.notice("h-" + "0" * 32 + ".2.receipt")


@pytest.mark.parametrize("language", [["en"], {"en": 1}, 5, "x" * 10_000])
def test_a_bad_status_language_is_invalid_input(language: Any) -> None:
    desk = Desk(InMemoryStore(), clock=ManualClock(T0))
    cid = _receive(desk).id
    with pytest.raises(InvalidInput, match=f"complaint {cid}: no notices in language") as info:
        desk.status_for_customer(cid, language)
    assert len(str(info.value)) < 300
