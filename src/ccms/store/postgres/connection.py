"""The PostgreSQL store's connections: a pool of autocommit connections, driver errors as ccms
errors, the schema's name quoted, passwords masked, and the state every part of the store shares."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ccms.errors import (
    CCMSError,
    InvalidInput,
    StoreBusy,
    StoreClosed,
    StoreError,
)
from ccms.store.records import LogEntry
from ccms.store.sql import log_entry

if TYPE_CHECKING:
    from ccms.store.postgres.statements import _Sql


__all__ = ["Connection", "Pool"]

Connection = psycopg.Connection[tuple[Any, ...]]
Pool = ConnectionPool[Connection]

_KEY_TAKEN = "CC001"
_CANCELED = "57014"  # query_canceled: a statement timeout (or a cancel request)
#: One WAL record in its own transaction, committed with the session's synchronous_commit: its
#: flush covers every commit before it (see the module's docs).
_BARRIER = "SELECT pg_logical_emit_message(true, 'ccms', '')"
#: Whether the WAL is flushed past everything committed when this statement runs.
_FLUSHED = "SELECT pg_current_wal_flush_lsn() >= pg_current_wal_insert_lsn()"
#: The rest of the transaction commits without waiting for the flush (a barrier follows).
_ASYNC_COMMIT = "SELECT set_config('synchronous_commit', 'off', true)"
_BATCH = 1000
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]{0,62}")
_PASSWORD = re.compile(r"(?<=://)([^:/@]*):[^@/]*@|(?i:\bpassword\s*=\s*)('[^']*'|\S+)")


def _quoted(schema: str) -> str:
    if not isinstance(schema, str) or _IDENTIFIER.fullmatch(schema) is None:
        raise InvalidInput(
            f"schema must be a PostgreSQL identifier (a letter or _, then letters, digits, _ "
            f"or $; at most 63 characters), got {schema!r}"
        )
    return '"' + schema + '"'


def _shown(conninfo: str) -> str:
    """A connection string with its password masked (for reprs and messages)."""

    def mask(found: re.Match[str]) -> str:
        if found.group(1) is not None:
            return f"{found.group(1)}:***@"
        return found.group(0)[: found.start(2) - found.start(0)] + "***"

    return _PASSWORD.sub(mask, conninfo)


#: SQLSTATEs of a busy database: a serialization failure, a deadlock, a lock timeout
#: (lock_not_available), a statement timeout (query_canceled), too many connections.
_BUSY_STATES: Final = frozenset({"40001", "40P01", "55P03", "57014", "53300"})


@contextlib.contextmanager
def _driver_errors(where: str) -> Iterator[None]:
    """Driver errors as ccms errors: a busy database as StoreBusy, bad values as InvalidInput,
    the rest as StoreError."""
    try:
        yield
    except PoolTimeout as err:
        raise StoreBusy(
            where,
            "waiting for a connection",
            f"no pool connection became free in time: {err}; a larger pool (max_size=...) helps",
        ) from err
    except psycopg.Error as err:
        raise _translated(where, err) from err


def _translated(where: str, err: psycopg.Error) -> CCMSError:
    if err.sqlstate in _BUSY_STATES:
        return StoreBusy(where, "a statement", f"{type(err).__name__}: {err}".strip())
    if isinstance(err, psycopg.DataError):
        return InvalidInput(f"{where}: PostgreSQL cannot store this value: {err}")
    if isinstance(err, psycopg.OperationalError):
        return StoreError(
            f"{where}: the database connection failed ({err}); check the server and retry"
        )
    return StoreError(f"{where}: PostgreSQL refused the operation: {err}")


_NOT_AUTOCOMMIT = (
    "PostgresStore needs a pool of autocommit connections: "
    "ConnectionPool(url, kwargs={'autocommit': True})"
)


class _PostgresBase:
    """The state every part of :class:`~ccms.store.postgres.PostgresStore` shares."""

    schema: str
    url: str | None
    _sql: _Sql
    _pool: Pool
    _timeout: float
    _closed: bool
    _lock: threading.Lock
    _owns_pool: bool

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Connection]:
        if self._closed:
            raise StoreClosed(repr(self))
        with _driver_errors(repr(self)), self._pool.connection(timeout=self._timeout) as conn:
            yield conn

    @staticmethod
    def _durable(conn: Connection) -> None:
        """Return once the WAL is flushed past every commit this connection has seen."""
        row = conn.execute(_FLUSHED).fetchone()
        if row is None or not row[0]:
            conn.execute(_BARRIER)

    def _scan(self, after: int, kinds: str, params: Sequence[Any]) -> Iterator[LogEntry]:
        sql = self._sql.log.replace("{kinds}", kinds)
        last = after
        while True:
            with self._connection() as conn:
                rows = conn.execute(sql, (last, *params, _BATCH)).fetchall()
                if rows:
                    self._durable(conn)
            if not rows:
                return
            last = int(rows[-1][0])
            for row in rows:
                yield log_entry(*row)

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the store (and its pool, if it opened it); further use raises StoreClosed.
        Closing twice is fine."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._owns_pool:
            self._pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
