"""The :class:`PostgresStore` itself: its pool (opened, or the host's), its schema prepared, and
the parts put together."""

from __future__ import annotations

import math
import threading

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ccms.errors import (
    InvalidInput,
    StoreError,
)
from ccms.store.postgres.append import _Appends
from ccms.store.postgres.connection import (
    Pool,
    _shown,
)
from ccms.store.postgres.queries import _Queries
from ccms.store.postgres.records import _Records
from ccms.store.postgres.redaction import _Redaction
from ccms.store.postgres.schema import prepare
from ccms.store.postgres.statements import _Sql

__all__ = ["PostgresStore"]


class PostgresStore(_Appends, _Queries, _Records, _Redaction):
    """A :class:`~ccms.store.ComplaintStore` in a PostgreSQL schema, safe for many threads and
    processes at once (one store object per process; it is thread-safe).

    ``target`` is a connection URL (or libpq conninfo string), for which the store opens and
    later closes its own pool of ``min_size`` to ``max_size`` connections, or an open
    :class:`psycopg_pool.ConnectionPool` of autocommit connections that the host owns (closing
    the store leaves it open). ``schema`` is where the tables live (created if missing, and
    upgraded by :data:`MIGRATIONS` unless ``migrate=False``). ``timeout`` is how many seconds an
    operation waits for a connection (and, when the store opens its pool, for the first one)::

        store = PostgresStore("postgresql://ccms:secret@127.0.0.1/ccms", schema="ccms")
        repr(store)  # "PostgresStore('postgresql://ccms:***@127.0.0.1/ccms', schema='ccms')"

    (``tests/store/test_store_postgres.py`` runs these against a server.)
    """

    def __init__(
        self,
        target: str | Pool,
        *,
        schema: str = "public",
        min_size: int = 1,
        max_size: int = 8,
        timeout: float = 30.0,
        migrate: bool = True,
    ) -> None:
        self._sql = _Sql(schema)
        self.schema = schema
        self._timeout = timeout
        self._closed = False
        self._lock = threading.Lock()
        self._pool: Pool
        if isinstance(target, str):
            self.url: str | None = target
            self._owns_pool = True
            # One direct connection first: a wrong URL or a server that is down fails at once,
            # with libpq's reason, and the schema is ready before the pool fills.
            try:
                with psycopg.connect(
                    target, autocommit=True, connect_timeout=max(2, math.ceil(timeout))
                ) as conn:
                    prepare(conn, self.schema, migrate, repr(self))
            except psycopg.OperationalError as err:
                raise StoreError(
                    f"cannot connect to PostgreSQL at {_shown(target)}: {err}; check the URL and "
                    "that the server runs (scripts/postgres.sh start starts a throw-away one)"
                ) from err
            self._pool = ConnectionPool(
                target,
                min_size=min_size,
                max_size=max_size,
                kwargs={"autocommit": True},
                open=False,
                name=f"ccms-{schema}",
            )
            try:
                self._pool.open(wait=True, timeout=timeout)
            except PoolTimeout as err:
                self._pool.close()
                raise StoreError(
                    f"cannot open {min_size} connections to PostgreSQL at {_shown(target)} within "
                    f"{timeout} s: the server is busy or refuses more connections"
                ) from err
        elif isinstance(target, ConnectionPool):
            self.url = None
            self._owns_pool = False
            self._pool = target
            try:
                with self._connection() as conn:
                    prepare(conn, self.schema, migrate, repr(self))
            except BaseException:
                self.close()
                raise
        else:
            raise InvalidInput(
                f"PostgresStore needs a connection URL or a psycopg_pool.ConnectionPool, got "
                f"{type(target).__name__}"
            )

    def __repr__(self) -> str:
        where = _shown(self.url) if self.url is not None else f"<pool {self._pool.name}>"
        return f"PostgresStore({where!r}, schema={self.schema!r})"
