"""The SQLite store's statements and the columns they fill (SQLite's own; what the SQL stores
share is in :mod:`ccms.store.sql`)."""

from __future__ import annotations

import functools
from typing import Any

from ccms.store.sql import (
    SNAPSHOT_COLUMNS,
)

__all__: list[str] = []

_BATCH = 1000
#: Records per INSERT (5 parameters each, under the 999 of older SQLite builds).
_RECORD_ROWS = 199
#: How many complaints' last written columns an object remembers (see ``SQLiteStore.append``).
_REMEMBERED = 4096
#: The ids due at a moment: a range scan of the partial index, already in (wake_us, id) order.
_DUE = (
    "SELECT id FROM complaints INDEXED BY complaints_wake "
    "WHERE closed_us IS NULL AND wake_us <= ? ORDER BY wake_us, id LIMIT ?"
)
#: A complaint's events, newest first: from complaints.last_pos along each event's prev (NULL
#: for the event just before, in the same append; 0 after the complaint's first event).
_CHAIN = """
WITH RECURSIVE chain(position, type, body, next) AS (
    SELECT e.position, e.type, e.body, COALESCE(e.prev, e.position - 1)
    FROM complaints c JOIN events e ON e.position = c.last_pos WHERE c.id = ?
    UNION ALL
    SELECT e.position, e.type, e.body, COALESCE(e.prev, e.position - 1)
    FROM chain JOIN events e ON e.position = chain.next
)
SELECT position, type, body FROM chain
"""


#: The snapshot's columns (the SQL stores' one list).
_COLUMNS = SNAPSHOT_COLUMNS
_WAKE_COLUMN = _COLUMNS.index("wake_us")
_INDEXES_OF_COLUMNS = range(len(_COLUMNS))
_CURRENT = f"SELECT seq, version, last_pos, {', '.join(_COLUMNS)} FROM complaints WHERE id = ?"
_INSERT_COMPLAINT = (
    f"INSERT INTO complaints ({', '.join(_COLUMNS)}, version, body, last_pos, id) "
    f"VALUES ({', '.join('?' * (len(_COLUMNS) + 4))})"
)


@functools.cache
def _update(changed: tuple[int, ...], guarded: bool) -> str:
    """The UPDATE of a snapshot that sets only the ``changed`` columns (by index in _COLUMNS).

    ``guarded``: only if the version and the wake-up are still the ones given last.
    """
    sets = "".join(f"{_COLUMNS[i]} = ?, " for i in changed)
    guard = " AND version = ? AND wake_us IS ?" if guarded else ""
    return f"UPDATE complaints SET {sets}version = ?, body = ?, last_pos = ? WHERE seq = ?{guard}"


@functools.cache
def _insert_events(count: int) -> str:
    """One INSERT of ``count`` complaint events (stream_id: the complaint's id, version, type,
    body, prev); ``kind`` is left NULL, which is what makes them complaint events."""
    rows = ", ".join(["(?, ?, ?, ?, ?)"] * count)
    return f"INSERT INTO events (stream_id, version, type, body, prev) VALUES {rows}"


@functools.cache
def _insert_records(count: int) -> str:
    """One INSERT of ``count`` records (kind, stream_id, version, type, body)."""
    rows = ", ".join(["(?, ?, ?, ?, ?)"] * count)
    return f"INSERT INTO events (kind, stream_id, version, type, body) VALUES {rows}"


#: The columns of a log row, as :func:`ccms.store.sql.log_entry` takes them.
_LOG_COLUMNS = "position, kind, stream_id, version, type, body"


_SAVE_CUSTOMER = (
    "INSERT INTO customers (id, body) VALUES (?, ?) "
    "ON CONFLICT (id) DO UPDATE SET body = excluded.body"
)


#: What an object remembers of a complaint it wrote: (seq, version, last_pos, columns).
_Row = tuple[int, int, int, tuple[Any, ...]]
