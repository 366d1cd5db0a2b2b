"""A SQLite store opened read-only (for reports): it reads a ccms store as it is, writes nothing
(no table, no journal mode, no byte), and refuses with a typed error anything that is not a
ccms store it can read: a foreign SQLite file, a file that is not SQLite, an empty database, a
missing file, a schema newer than this ccms (or too old to read without upgrading)."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ccms.errors import CCMSError
from ccms.model import Customer, StageChanged
from ccms.store import (
    NotACcmsStore,
    SQLiteStore,
    StoreReadOnly,
    StoreSchemaError,
)
from ccms.store.sqlite import APPLICATION_ID, SCHEMA_VERSION
from ccms.testing.conformance.store import advance, received_event, record_batch

_T = datetime(2026, 10, 1, 9, tzinfo=UTC)


def _folder_state(folder: Path) -> dict[str, str]:
    """Every file in ``folder`` and the SHA-256 of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _ccms_file(path: Path) -> None:
    with SQLiteStore(path) as store:
        e = received_event("C1", _T)
        store.append(e.apply(None), [e], expected_version=0, idempotency_key="k1")
        store.save_customer(Customer(id="CUST-1", phone="010-1234-5678"))
        store.append_records("idea", "I-1", record_batch("idea", "I-1"), expected_version=0)
        store.save_checkpoint("p", position=2, state={"n": 2}, expected_position=0)


def test_a_store_opened_read_only_reads_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ccms.db"
    _ccms_file(path)
    before = _folder_state(tmp_path)
    with SQLiteStore(path, read_only=True) as store:
        assert store.read_only is True
        assert repr(store).endswith("read_only=True)")
        assert store.get("C1").version == 1
        assert [c.id for c in store.query()] == ["C1"]
        assert len(store.events("C1")) == 1
        assert [x.position for x in store.log()] == [1, 2]
        assert store.records("idea", "I-1") == record_batch("idea", "I-1")
        assert store.checkpoint("p") == (2, {"n": 2})
        assert store.get_customer("CUST-1").phone.reveal() == "010-1234-5678"
        found = store.idempotent_result("k1")
        assert found is not None
        assert found.complaint.id == "C1"
        c2, e2 = advance(store.get("C1"), StageChanged, _T, note="no")
        refused = [
            lambda: store.append(c2, [e2], expected_version=1),
            lambda: store.append_new([(c2, [e2])]),
            lambda: store.append_records(
                "idea", "I-2", record_batch("idea", "I-2"), expected_version=0
            ),
            lambda: store.save_customer(Customer(id="CUST-2")),
            lambda: store.reschedule("C1", version=1, wake_at=None),
            lambda: store.save_checkpoint("q", position=1, state={}, expected_position=0),
        ]
        for attempt in refused:
            with pytest.raises(StoreReadOnly, match="read-only"):
                attempt()
        # Even a statement that gets past the checks is refused by SQLite itself (mode=ro),
        # as a typed error.
        with pytest.raises(StoreReadOnly):
            store._db().execute("DELETE FROM customers")
        assert store.get_customer("CUST-1").id == "CUST-1"
    # Nothing was written: not a byte of the file, no side file left behind.
    after = _folder_state(tmp_path)
    assert {k: v for k, v in after.items() if k.endswith(".db")} == {
        k: v for k, v in before.items() if k.endswith(".db")
    }
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    raw.close()


def test_a_read_only_store_sees_what_a_live_writer_commits(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    with SQLiteStore(path) as writer, SQLiteStore(path, read_only=True) as reader:
        assert len(reader) == 0
        e = received_event("C1", _T)
        writer.append(e.apply(None), [e], expected_version=0)
        assert reader.get("C1") == e.apply(None)
        assert reader.last_position() == 1


def _foreign_sqlite(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    raw.execute("INSERT INTO notes (body) VALUES ('keep me')")
    raw.commit()
    raw.close()


def _app_sqlite(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA application_id = 1234")
    raw.execute("CREATE TABLE complaints (id TEXT)")
    raw.execute("PRAGMA user_version = 5")
    raw.commit()
    raw.close()


def _text(path: Path) -> None:
    path.write_text("id,name\n1,not a database at all\n" * 50)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (_foreign_sqlite, "SQLite database of other tables \\(notes\\), no ccms schema"),
        (_app_sqlite, "another program's SQLite database \\(application_id 1234\\)"),
        (_text, "it is not an SQLite database"),
        (_empty, "an empty SQLite database"),
    ],
    ids=["foreign-sqlite", "other-application", "text", "empty"],
)
@pytest.mark.parametrize("read_only", [True, False], ids=["read-only", "writable"])
def test_a_file_that_is_not_a_ccms_store_is_refused_untouched(
    tmp_path: Path, make: object, why: str, read_only: bool
) -> None:
    path = tmp_path / "other.db"
    make(path)  # type: ignore[operator]
    before = _folder_state(tmp_path)
    if make is _empty and not read_only:
        # A writable store makes an empty file a new store (as it does a missing one).
        with SQLiteStore(path) as store:
            assert len(store) == 0
        return
    with pytest.raises(NotACcmsStore, match=why) as caught:
        SQLiteStore(path, read_only=read_only)
    assert isinstance(caught.value, CCMSError)
    assert str(path) in str(caught.value)
    assert "nothing was written" in str(caught.value)
    assert _folder_state(tmp_path) == before  # the same bytes, and no -wal or -shm beside it


def test_a_missing_file_is_refused_read_only_and_not_created(tmp_path: Path) -> None:
    with pytest.raises(NotACcmsStore, match="there is no such file"):
        SQLiteStore(tmp_path / "nowhere.db", read_only=True)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(CCMSError, match="path of a store file"):
        SQLiteStore(":memory:", read_only=True)


def test_a_newer_schema_is_refused_and_an_older_one_read_as_it_is(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    _ccms_file(newer)
    raw = sqlite3.connect(newer)
    raw.execute("PRAGMA user_version = 99")
    raw.commit()
    raw.close()
    before = _folder_state(tmp_path)
    for read_only in (True, False):
        with pytest.raises(StoreSchemaError, match="schema version 99") as caught:
            SQLiteStore(newer, read_only=read_only)
        assert (caught.value.found, caught.value.supported) == (99, SCHEMA_VERSION)
    assert _folder_state(tmp_path) == before
    # Schema 4 (before fingerprints) reads as it is; older ones need upgrading first.
    older = tmp_path / "v4.db"
    _ccms_file(older)
    raw = sqlite3.connect(older)
    raw.execute("ALTER TABLE idempotency DROP COLUMN fingerprint")
    raw.execute("PRAGMA application_id = 0")
    raw.execute("PRAGMA user_version = 4")
    raw.commit()
    raw.close()
    with SQLiteStore(older, read_only=True) as store:
        found = store.idempotent_result("k1")
        assert found is not None
        assert found.complaint.id == "C1"
    raw = sqlite3.connect(older)
    assert raw.execute("PRAGMA user_version").fetchone() == (4,)
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    with pytest.raises(StoreSchemaError, match="cannot upgrade it: open it once with SQLiteStore"):
        SQLiteStore(older, read_only=True)
    raw = sqlite3.connect(older)
    raw.execute("PRAGMA user_version = 4")
    raw.commit()
    raw.close()
    with SQLiteStore(older) as upgraded:  # a writable store migrates 4 -> 5
        e = received_event("C1", _T)
        # The key kept from before has no fingerprint: it matches on its complaint alone.
        assert upgraded.append(
            e.apply(None), [e], expected_version=0, idempotency_key="k1"
        ).duplicate
    raw = sqlite3.connect(older)
    assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert raw.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    raw.close()


def test_a_new_store_says_it_is_a_ccms_store(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "n.db").close()
    raw = sqlite3.connect(tmp_path / "n.db")
    assert raw.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)
    raw.close()
