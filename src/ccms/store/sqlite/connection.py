"""The SQLite store's connection: statements that raise ccms errors, never a raw driver error,
and what every part of the store shares (the lock, the open connection, the read-only guard)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Self

from ccms.errors import (
    StoreBusy,
    StoreClosed,
    StoreError,
    StoreReadOnly,
)
from ccms.store.sqlite.statements import _Row

__all__: list[str] = []

#: SQLite's primary result codes for a database another connection holds.
_BUSY_CODES = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED
_READONLY_CODE = 8  # SQLITE_READONLY


class _Connection(sqlite3.Connection):
    """A connection whose statements raise ccms errors: a busy or locked database as
    :class:`~ccms.errors.StoreBusy`, a write to a read-only one as
    :class:`~ccms.store.StoreReadOnly`, any other failure (disk full, I/O, a damaged file) as
    :class:`~ccms.errors.StoreError`; never a raw driver error."""

    label = "SQLiteStore"

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as err:
            raise _translated(err, self.label, sql) from err

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as err:
            raise _translated(err, self.label, sql) from err

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        try:
            return super().executescript(sql_script)
        except sqlite3.Error as err:
            raise _translated(err, self.label, sql_script) from err


def _translated(err: sqlite3.Error, label: str, sql: str) -> StoreError:
    code = getattr(err, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    text = str(err)
    operation = sql.split(None, 1)[0].upper() if sql.strip() else "a statement"
    if primary in _BUSY_CODES or "locked" in text or "busy" in text:
        return StoreBusy(label, operation, text)
    if primary == _READONLY_CODE or "readonly" in text:
        return StoreReadOnly(label, operation)
    return StoreError(f"{label}: SQLite could not run {operation}: {text}")


class _SQLiteBase:
    """The state every part of :class:`~ccms.store.SQLiteStore` shares."""

    path: str
    read_only: bool
    durability: str
    _lock: threading.RLock
    _closed: bool
    _conn: _Connection
    _schema: int
    _rows: dict[str, _Row]

    def _writable(self, operation: str) -> None:
        if self.read_only:
            raise StoreReadOnly(repr(self), operation)

    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreClosed(repr(self))
        return self._conn

    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode for this database (``"wal"`` for files)."""
        with self._lock:
            (mode,) = self._db().execute("PRAGMA journal_mode").fetchone()
        return str(mode)

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; further use raises StoreClosed. Closing twice is fine."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
