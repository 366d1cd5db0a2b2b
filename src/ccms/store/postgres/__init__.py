"""The PostgreSQL store (psycopg 3 with :mod:`psycopg_pool`): many writer processes, no table lock.

Install the extra (``pip install 'ccms[postgres]'``) and give the store a URL (it opens its own
pool) or a :class:`psycopg_pool.ConnectionPool` of autocommit connections (shared with the host)::

    from ccms.store.postgres import PostgresStore

    with PostgresStore("postgresql://ccms@db.internal/ccms", schema="ccms") as store:
        store.append(complaint, events, expected_version=0)

The schema is created, and upgraded, by the versioned :data:`MIGRATIONS` when a store opens (or
explicitly: :func:`migrate`); the ``schema_version`` table records which ran.

**Layout.** One ``events`` table holds the global log: complaint events (``kind`` ``'complaint'``)
and records of every other kind, keyed by ``position``; the database enforces
``UNIQUE (kind, stream_id, version, idx)`` (``idx``: the event's place within its append, 0 for a
record), so a second append at a stream's version is refused whatever the code above does. Each
complaint's snapshot is a ``complaints`` row beside the columns the queries filter on (instants as
UTC epoch microseconds, ids in the ``"C"`` collation, so ranges compare instants and ties sort as
Python sorts ``str``); ``streams`` keeps each record stream's version; ``idempotency`` the keys
(complaints and records share them); ``checkpoints`` each projection's position and state, written
together. Bodies are JSON kept as ``text``, exactly as written (``jsonb`` would refuse ``\\u0000``
and drop ``-0.0``).

**Positions without a table lock.** An append is one ``CALL`` of a server-side procedure (one
round trip): it checks the idempotency key, moves the stream's row on with a guarded ``UPDATE``
(``... WHERE version = expected``: the loser of a race waits for the winner's row, then sees the
new version and gets :class:`~ccms.errors.ConcurrencyConflict`), records the key, and only then, as
its last statements, takes the positions from a one-row counter
(``UPDATE log_position SET last = last + n RETURNING last``) and inserts the events. The counter's
row lock is what orders the log: the next writer cannot take positions before this transaction has
ended, and PostgreSQL makes a transaction visible before it releases its locks, so transactions
become visible in position order and every reader's snapshot holds a prefix of the log: no reader
ever sees a gap that fills later, and the positions are contiguous (a refused append takes none).
Everything before the counter (the JSON, the snapshot row and its indexes, the key) runs in
parallel; writers queue only for the counter, and only while a transaction commits.

A commit waits for the WAL to reach the disk, and a lock is held until the commit ends, so a
counter held through that wait would let one transaction flush at a time (8 writers no faster
than one, as with eventsourcing's ``LOCK TABLE``). So the procedure commits the append with
``synchronous_commit = off`` (its commit record is written, the transaction is visible and the
counter released at once), then writes one WAL record (``pg_logical_emit_message``) in a second
transaction that commits with the session's own ``synchronous_commit``: its flush covers every WAL
record before it, the append's included, and the flushes of concurrent writers are one fsync
(PostgreSQL's group commit). The ``CALL`` returns only after that flush, so an acknowledged append
is as durable as the server's ``synchronous_commit`` makes any commit. What a crash in between
loses was never acknowledged, and is a suffix of the log (the WAL is one sequence), so no gap
either. :meth:`PostgresStore.log` and :meth:`PostgresStore.stream` go one step further: they yield
a batch only once the WAL is flushed past it, so a projection never applies an entry a
server crash could take back. ``docs/postgres.md`` has the whole argument and the figures.

The package's parts: :mod:`~ccms.store.postgres.schema` (the migrations),
:mod:`~ccms.store.postgres.connection` (pools, driver errors as ccms errors),
:mod:`~ccms.store.postgres.statements`, :mod:`~ccms.store.postgres.append`,
:mod:`~ccms.store.postgres.queries`, :mod:`~ccms.store.postgres.records`,
:mod:`~ccms.store.postgres.redaction`, and :mod:`~ccms.store.postgres.store`, which puts them
together.

>>> from ccms.store.postgres import MIGRATIONS, SCHEMA_VERSION
>>> [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
True
"""

from __future__ import annotations

try:
    import psycopg  # noqa: F401
    import psycopg_pool  # noqa: F401
except ImportError as missing:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "ccms.store.postgres needs psycopg 3 and psycopg_pool: pip install 'ccms[postgres]'"
    ) from missing

from ccms.store.postgres.schema import MIGRATIONS, SCHEMA_VERSION, Migration, migrate
from ccms.store.postgres.store import PostgresStore

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration", "PostgresStore", "migrate"]
