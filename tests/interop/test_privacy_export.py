"""The pseudonymised export: no contact detail or free text of the input in any output, one
stable pseudonym per customer under one key, other pseudonyms under another, weak keys refused."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccms.errors import CCMSError
from ccms.interop.export import (
    COMPLAINT_COLUMNS,
    EVENT_COLUMNS,
    MIN_KEY_BYTES,
    Pseudonymiser,
    WeakPseudonymKey,
    export_complaints,
    export_events,
    write_csv,
    write_jsonl,
)
from ccms.model import Customer
from ccms.store import InMemoryStore
from ccms.testing.store_contract import append_histories, received_event
from privacy_kit import Population, everything, populations

KEY = b"analytics-key-2026-0123456789abcdef"
OTHER = b"another-key-of-at-least-32-bytes!!"


def _outputs(store: InMemoryStore, key: bytes | Pseudonymiser) -> str:
    parts = []
    for rows, columns in (
        (export_complaints(store, key), COMPLAINT_COLUMNS),
        (export_events(store, key), EVENT_COLUMNS),
    ):
        text, lines = io.StringIO(), io.StringIO()
        write_csv(rows, text, columns)
        parts.append(text.getvalue())
    write_jsonl(export_complaints(store, key), lines)
    write_jsonl(export_events(store, key), lines)
    parts.append(lines.getvalue())
    return "\n".join(parts)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population=populations(max_people=3, max_complaints=6))
def test_no_contact_detail_or_text_leaves_and_pseudonyms_are_stable(
    population: Population,
) -> None:
    store = InMemoryStore()
    population.fill(store)
    out = _outputs(store, KEY)
    personal = everything(v for p in population.people for v in (*p.contact(), *p.texts))
    assert not [v for v in personal if v in out]
    for c in store.query():  # ids stay out too: the customer's and the complaint's
        assert re.search(rf"\b{c.customer.id}\b", out) is None
        assert f",{c.id}," not in out
        assert f'"{c.id}"' not in out

    key = Pseudonymiser(KEY)
    rows = list(export_complaints(store, KEY))
    owner = {events[0].complaint_id: population.people[i].id for i, events in population.plans}
    pseudonym_of: dict[str, set[str]] = {}
    for row, complaint in zip(rows, [store.get(cid) for cid in store.ids()], strict=True):
        assert row["case"] == key.complaint(complaint.id)
        assert row["customer"] == key.customer(owner[complaint.id])
        pseudonym_of.setdefault(owner[complaint.id], set()).add(row["customer"])
    assert all(len(found) == 1 for found in pseudonym_of.values())  # one per customer
    assert len({next(iter(f)) for f in pseudonym_of.values()}) == len(pseudonym_of)  # distinct
    assert _outputs(store, Pseudonymiser(KEY)) == out  # the same across runs
    others = {r["customer"] for r in export_complaints(store, OTHER)}
    assert not others & {r["customer"] for r in rows}  # another key: unrelated pseudonyms
    events = list(export_events(store, KEY))
    assert {e["case"] for e in events} == {r["case"] for r in rows}  # rows still join


@given(key=st.binary(max_size=MIN_KEY_BYTES - 1) | st.text(max_size=7))
def test_a_short_or_empty_key_is_refused(key: bytes | str) -> None:
    if isinstance(key, str) and len(key.encode()) >= MIN_KEY_BYTES:
        return
    with pytest.raises(WeakPseudonymKey) as caught:
        Pseudonymiser(key)
    assert isinstance(caught.value, CCMSError)
    assert str(MIN_KEY_BYTES) in str(caught.value)


def test_keys_of_the_wrong_type_are_refused_and_never_shown() -> None:
    for bad in (None, 12345, ["k" * 40]):
        with pytest.raises(WeakPseudonymKey):
            Pseudonymiser(bad)  # type: ignore[arg-type]
    key = Pseudonymiser(KEY)
    assert KEY.decode() not in repr(key)
    assert KEY.decode() not in str(key)
    assert Pseudonymiser(KEY.decode()).customer("C-1") == key.customer("C-1")
    assert key.customer("C-1") != key.complaint("C-1")  # labelled apart
    with pytest.raises(CCMSError):
        key.customer(7)  # type: ignore[arg-type]


def test_exports_stream_and_write_files(tmp_path: Path) -> None:
    store = InMemoryStore()
    store.save_customer(Customer(id="C-1", name="홍길동", phone="01012345678"))
    received = received_event("c1", datetime(2026, 10, 5, tzinfo=UTC), customer_id="C-1")
    append_histories(store, [[(received.apply(None), (received,))]])
    rows = export_complaints(store, KEY)
    assert iter(rows) is rows  # lazy
    assert write_csv(rows, tmp_path / "c.csv") == 1
    assert write_jsonl(export_events(store, KEY), tmp_path / "e.jsonl") == 1
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["customer"] == Pseudonymiser(KEY).customer("C-1")
    assert row["channel"] == "phone"
    assert row["closed_at"] == ""
    (line,) = (tmp_path / "e.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["type"] == "received"
    assert list(export_complaints(store, KEY, stages={"closed"})) == []
