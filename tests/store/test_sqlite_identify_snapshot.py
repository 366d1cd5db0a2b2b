"""Opening a new SQLite file while another process creates the ccms schema in it.

``identify`` reads the file's version, application id and tables. Read one by one, a schema
committed between the first read and the last made the empty file look like "an SQLite database
of other tables" (``NotACcmsStore``): several processes opening one new file at once failed now
and then. The reads are one read transaction, so they see one moment.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ccms.store import SQLiteStore
from ccms.store.sqlite.schema import SCHEMA_VERSION, identify, migrate


class _CreatesAfterFirstRead:
    """A connection that lets another connection create the schema right after its first read."""

    def __init__(self, conn: sqlite3.Connection, other: sqlite3.Connection) -> None:
        self.conn, self.other, self.reads = conn, other, 0

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        cursor = self.conn.execute(sql, *args)
        if sql.startswith("PRAGMA user_version"):
            self.reads += 1
            if self.reads == 1:
                migrate(self.other, "other process")  # commits (WAL: readers do not block it)
        return cursor


def test_a_schema_created_between_the_reads_is_not_seen_half(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=WAL")  # an empty file, as a first opener leaves it
    setup.close()
    reader = sqlite3.connect(path, isolation_level=None)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        racing = _CreatesAfterFirstRead(reader, writer)
        found = identify(racing, str(path), read_only=False)  # type: ignore[arg-type]
        assert racing.reads == 1
        assert found == 0  # the empty file of that moment; migrate then finds the schema made
        assert not reader.in_transaction
        assert identify(reader, str(path), read_only=False) == SCHEMA_VERSION
    finally:
        reader.close()
        writer.close()
    with SQLiteStore(path) as store:  # and the store opens it as the other process left it
        assert store.count() == 0
