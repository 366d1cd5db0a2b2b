"""The :class:`SQLiteStore` itself: opening a file (or memory), and the parts put together."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Literal

from ccms.errors import (
    InvalidInput,
    NotACcmsStore,
    StoreError,
)
from ccms.store.sqlite.append import _Appends
from ccms.store.sqlite.connection import _Connection
from ccms.store.sqlite.queries import _Queries
from ccms.store.sqlite.records import _Records
from ccms.store.sqlite.redaction import _Redaction
from ccms.store.sqlite.schema import SCHEMA_VERSION, identify, migrate
from ccms.store.sqlite.statements import _Row

__all__ = ["SQLiteStore"]


class SQLiteStore(_Appends, _Queries, _Records, _Redaction):
    """A :class:`~ccms.store.ComplaintStore` in an SQLite database (``":memory:"`` by default).

    One connection per store object, guarded by a lock, so an object may be shared between
    threads; open one object per process (or per thread, for parallel reads) on the same file for
    concurrent writers. ``timeout`` is how many seconds a writer waits for another's transaction.

    ``durability`` is what a committed append survives: ``"full"`` (the default: SQLite's
    ``synchronous=FULL``, every commit reaches the disk before it returns, so an OS crash or a
    power cut loses nothing acknowledged) or ``"normal"`` (``synchronous=NORMAL``: a commit
    survives the process being killed, but an OS crash can lose the last ones; several times
    faster per commit, for demos, tests and bulk loads that can be run again).

    >>> SQLiteStore(durability="fast")
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: durability must be 'full' or 'normal', got 'fast'
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        timeout: float = 30.0,
        durability: Literal["full", "normal"] = "full",
        read_only: bool = False,
    ) -> None:
        if durability not in ("full", "normal"):
            raise InvalidInput(f"durability must be 'full' or 'normal', got {durability!r}")
        self.durability = durability
        self.path = str(path)
        self.read_only = bool(read_only)
        self._lock = threading.RLock()
        self._closed = False
        self._rows: dict[str, _Row] = {}
        memory = self.path == ":memory:" or self.path.startswith("file::memory:")
        if self.read_only:
            if memory:
                raise InvalidInput("a read-only SQLiteStore needs the path of a store file")
            if not Path(self.path).is_file():
                raise NotACcmsStore(self.path, "there is no such file")
            # A URI with mode=ro: SQLite itself refuses every write on this connection.
            target = Path(self.path).resolve().as_uri() + "?mode=ro"
        else:
            target = self.path
        try:
            conn = sqlite3.connect(
                target,
                timeout=timeout,
                isolation_level=None,
                check_same_thread=False,
                factory=_Connection,
                uri=self.read_only,
            )
        except sqlite3.Error as err:
            raise StoreError(f"cannot open {self.path} as an SQLite database: {err}") from err
        self._conn = conn
        conn.label = repr(self)
        try:
            # Before anything is written (the journal mode included): is it a ccms store?
            self._schema = identify(conn, self.path, self.read_only)
            if self.read_only:
                conn.execute("PRAGMA query_only = ON")
            else:
                if not memory:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute(f"PRAGMA synchronous={durability.upper()}")
                migrate(conn, self.path)
                self._schema = SCHEMA_VERSION
        except BaseException:
            conn.close()
            raise

    def __repr__(self) -> str:
        if getattr(self, "read_only", False):
            return f"SQLiteStore({self.path!r}, read_only=True)"
        return f"SQLiteStore({self.path!r})"
