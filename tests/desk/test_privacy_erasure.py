"""Erasure of a customer: no stored byte keeps their personal data, every figure stays the same,
the erasure is an event without personal data, a second erasure writes nothing, and a Desk
holding the complaints in its cache serves the erased versions."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccms.desk import Desk, erase_customer
from ccms.errors import CCMSError, InvalidInput
from ccms.model import REDACTED, Actor, Customer, Redacted, Role
from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore
from ccms.store.base import customer_json
from privacy_kit import AS_OF, Person, Population, everything, figures, person, populations

_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _store(kind: str, folder: Path) -> ComplaintStore:
    if kind == "sqlite":
        return SQLiteStore(folder / f"{uuid.uuid4().hex}.db", durability="normal")
    return InMemoryStore()


def _stored_text(store: ComplaintStore) -> str:
    """Everything a store answers, as text: the log, the snapshots, the customers in clear."""
    parts = [repr(e) for e in store.log()]
    parts += [e.event.model_dump_json() for e in store.stream()]
    for cid in store.ids():
        parts.append(store.get(cid).model_dump_json())
        parts.extend(e.model_dump_json() for e in store.events(cid))
    for c in store.query():
        with contextlib.suppress(CCMSError):
            parts.append(customer_json(store.get_customer(c.customer.id)))
    return "\n".join(parts)


def _file_bytes(store: SQLiteStore) -> bytes:
    """The bytes of the database and its WAL, after a checkpoint (and a VACUUM where SQLite
    is built without secure delete, as docs/privacy.md says to run)."""
    path = Path(store.path)
    store.close()
    conn = sqlite3.connect(path)
    try:
        (secure,) = conn.execute("PRAGMA secure_delete").fetchone()
        if not secure:
            conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def _personal(p: Person) -> list[str]:
    return everything([*p.contact(), *p.texts])


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@_SETTINGS
@given(population=populations(), choice=st.integers(0, 2))
def test_erasure_keeps_every_figure_and_leaves_no_byte_of_the_customer(
    kind: str, population: Population, choice: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = _store(kind, tmp_path_factory.mktemp("erase"))
    population.fill(store)
    victim = population.people[choice % len(population.people)]
    others = [p for p in population.people if p.id != victim.id]
    theirs = [c.id for c in store.query(customer_id=victim.id)]
    desk = Desk(store)
    for cid in theirs:  # the Desk holds the complaints in its cache
        desk.get(cid)
    before = figures(store)
    log_before = [(e.position, e.kind, e.stream_id) for e in store.log()]

    done = erase_customer(store, victim.id, at=AS_OF, actor=Actor(id="dpo", role=Role.SUPERVISOR))

    assert figures(store) == before
    assert done.complaints == tuple(theirs)
    assert done.customer_erased
    assert [e.complaint_id for e in done.events] == theirs
    assert all(isinstance(e, Redacted) and e.purpose == "erasure" for e in done.events)
    appended = [(e.position, e.kind, e.stream_id) for e in store.log()][len(log_before) :]
    assert [s for _, _, s in appended] == theirs  # one event per complaint, nothing else
    assert [(e.position, e.kind, e.stream_id) for e in store.log()][: len(log_before)] == log_before
    recorded = " ".join(e.model_dump_json() for e in done.events)
    assert not [v for v in _personal(victim) if v in recorded]
    erased_row = store.get_customer(victim.id)
    assert (erased_row.name, erased_row.phone, erased_row.email) == (None, None, None)
    assert erased_row.segment == victim.customer.segment

    for cid in theirs:  # the Desk reads the erased versions, not its cache
        served = desk.get(cid)
        assert {c.text for c in served.concerns} == {REDACTED}
        history = " ".join(e.model_dump_json() for e in desk.history(cid))
        assert not [v for v in _personal(victim) if v in history]

    again = erase_customer(store, victim.id, at=AS_OF)
    assert not again.changed
    assert again.events == ()
    assert len(list(store.log())) == len(log_before) + len(theirs)

    answered = _stored_text(store)
    assert not [v for v in _personal(victim) if v in answered]
    for other in others:  # the others are untouched (and the search could find them)
        kept = store.get_customer(other.id)
        assert kept == other.customer
        for text in other.texts:
            assert text in answered
    if isinstance(store, SQLiteStore):
        raw = _file_bytes(store)
        assert not [v for v in _personal(victim) if v.encode() in raw]
        for other in others:
            assert other.customer.email is not None
            assert other.customer.email.reveal().encode() in raw
    else:
        store.close()


def test_erasure_on_postgres_leaves_no_row_holding_the_customer() -> None:
    url = os.environ.get("CCMS_POSTGRES_URL")
    if not url:
        pytest.skip("PostgreSQL not available: set CCMS_POSTGRES_URL (scripts/postgres.sh start)")
    from ccms.model import ComplaintReceived
    from ccms.store.postgres import PostgresStore
    from ccms.testing.store_contract import received_event
    from privacy_kit import append_history, text_of

    schema = f"privacy_{uuid.uuid4().hex[:8]}"
    victim, other = person(41), person(42, phone_style=1)
    with PostgresStore(url, schema=schema) as store:
        for n, p in enumerate((victim, other, victim)):
            store.save_customer(p.customer)
            e = received_event(f"pg{n}", AS_OF, customer_id=p.id, text=text_of(p, n))
            assert isinstance(e, ComplaintReceived)
            append_history(store, [e])
        before = figures(store)
        done = erase_customer(store, victim.id, at=AS_OF)
        assert done.complaints == ("pg0", "pg2")
        assert figures(store) == before
        assert not erase_customer(store, victim.id, at=AS_OF).changed
        with store._pool.connection() as conn:  # every row of every table, as text
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            ).fetchall()
            rows = []
            for (table,) in tables:
                rows += conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t').fetchall()
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        dumped = "\n".join(r[0] for r in rows)
        victim_texts = [text_of(victim, 0), text_of(victim, 2)]
        # the rows hold JSON: compare with what json.dumps writes of each value too
        wanted = everything([*victim.contact(), *victim_texts])
        wanted += [json.dumps(v, ensure_ascii=False)[1:-1] for v in wanted]
        assert not [v for v in wanted if v in dumped]
        assert text_of(other, 1) in dumped or json.dumps(text_of(other, 1))[1:-1] in dumped


def test_erasure_of_an_unknown_customer_is_a_no_op_and_bad_arguments_are_typed() -> None:
    store = InMemoryStore()
    assert not erase_customer(store, "nobody", at=AS_OF).changed
    with pytest.raises(InvalidInput):
        erase_customer(store, "", at=AS_OF)
    with pytest.raises(InvalidInput):
        erase_customer(store, "K1", at="2026-10-05")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        erase_customer(store, "K1", at=AS_OF.replace(tzinfo=None))
    with pytest.raises(InvalidInput):
        erase_customer(store, "K1", at=AS_OF, actor="dpo")  # type: ignore[arg-type]
    store.save_customer(Customer(id="K1", name="김민지"))
    assert erase_customer(store, "K1", at=AS_OF).customer_erased  # a row without complaints
    assert store.get_customer("K1").name is None
