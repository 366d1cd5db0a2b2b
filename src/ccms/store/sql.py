"""What the SQL stores share, each fact once: the columns a snapshot fills, the ``WHERE`` of a
:class:`~ccms.store.ComplaintQuery`, and how a row of the log or of an idempotency key reads back.

The SQLite and PostgreSQL stores keep the same tables (``complaints`` beside the columns the
queries filter on, ``events``, ``idempotency``, ...); where their SQL differs it is a dialect's
(parameter marks, a list of stages, the codes column), given by a :class:`QueryDialect`.

>>> from datetime import datetime, timezone
>>> from ccms.store.query import ComplaintQuery
>>> q = ComplaintQuery(handler="kim", open_only=True,
...                    received_from=datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc))
>>> where(q, QueryDialect())
(' WHERE handler = ? AND closed_us IS NULL AND received_us >= ?', ['kim', 1000000])
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from ccms.errors import InvalidInput
from ccms.model import Complaint, Customer, event_from_json
from ccms.store.codec import customer_json, micros
from ccms.store.events import COMPLAINT, AppendResult, StoredEvent
from ccms.store.query import ComplaintQuery
from ccms.store.records import LogEntry, StoredRecord, record_from_json

__all__ = [
    "SNAPSHOT_COLUMNS",
    "QueryDialect",
    "customer_row",
    "earlier_append",
    "log_entry",
    "micros_or_none",
    "snapshot_columns",
    "sorted_codes",
    "where",
]

#: The columns a snapshot fills beside its body, in the order :func:`snapshot_columns` gives
#: their values (``codes``: the dialect's form of :func:`sorted_codes`).
SNAPSHOT_COLUMNS: Final = (
    "stage",
    "department",
    "handler",
    "closed_us",
    "due_us",
    "wake_us",
    "codes",
    "received_us",
    "customer_id",
    "channel",
)


def micros_or_none(value: datetime | None) -> int | None:
    """:func:`~ccms.store.codec.micros` of an instant, ``None`` for none."""
    return None if value is None else micros(value)


def sorted_codes(complaint: Complaint) -> list[str]:
    """The complaint's distinct VOC codes, sorted (what the ``codes`` column holds)."""
    return sorted(set(complaint.codes))


def snapshot_columns(complaint: Complaint, wake_us: int | None, codes: Any) -> tuple[Any, ...]:
    """The values of :data:`SNAPSHOT_COLUMNS` for ``complaint`` (``codes`` as the dialect keeps
    them)."""
    c = complaint
    return (
        c.stage,
        c.department,
        c.handler,
        micros_or_none(c.closed_at),
        micros_or_none(c.due_at),
        wake_us,
        codes,
        micros(c.received_at),
        c.customer.id,
        c.channel.value,
    )


class QueryDialect:
    """How a SQL store writes the parts of a query that differ between databases (this base:
    SQLite's ``?`` marks and ``IN`` list; the codes one per line in a text column)."""

    #: A parameter, and a parameter compared with a text column.
    mark = "?"
    text = "?"

    def stages(self, stages: list[str]) -> tuple[str, list[Any]]:
        """The clause ``stage is one of stages`` (never empty) and its parameters."""
        return f"stage IN ({', '.join(self.mark * len(stages))})", list(stages)

    def code_prefix(self, prefix: str) -> tuple[str, list[Any]]:
        """The clause ``some code starts with prefix`` and its parameters."""
        # codes holds the sorted codes one per line (a code has no line break): a code starts
        # with the prefix where a line does.
        if "\n" in prefix:
            return "0", []
        return "codes <> '' AND instr(char(10) || codes, char(10) || ?) > 0", [prefix]


def where(q: ComplaintQuery, dialect: QueryDialect) -> tuple[str, list[Any]]:
    """The ``WHERE`` (``""`` if no filter is set) of every filter of ``q`` but ``limit``, and its
    parameters: the SQL form of :meth:`ComplaintQuery.matches`, on the snapshot columns."""
    clauses: list[str] = []
    params: list[Any] = []
    if q.stages is not None:
        clause, values = dialect.stages(sorted(q.stages))
        clauses.append(clause)
        params.extend(values)
    for column, value in (
        ("department", q.department),
        ("handler", q.handler),
        ("customer_id", q.customer_id),
        ("channel", None if q.channel is None else q.channel.value),
    ):
        if value is not None:
            clauses.append(f"{column} = {dialect.text}")
            params.append(value)
    if q.open_only:
        clauses.append("closed_us IS NULL")
    for clause, moment in (
        (f"closed_us IS NULL AND due_us < {dialect.mark}", q.overdue_at),
        (f"received_us >= {dialect.mark}", q.received_from),
        (f"received_us < {dialect.mark}", q.received_to),
    ):
        if moment is not None:
            clauses.append(clause)
            params.append(micros(moment))
    if q.code_prefix is not None:
        clause, values = dialect.code_prefix(q.code_prefix)
        clauses.append(clause)
        params.extend(values)
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params


def log_entry(
    position: int, kind: str | None, stream_id: str, version: int, type_: str, body: str
) -> LogEntry:
    """A row of the ``events`` table as the log yields it: a complaint event (``kind`` NULL or
    ``"complaint"``, as the store keeps it) or a record."""
    if kind is None or kind == COMPLAINT:
        return StoredEvent(int(position), event_from_json(body, type_))
    return StoredRecord(int(position), record_from_json(kind, stream_id, int(version), type_, body))


def earlier_append(snapshot: str, rows: Iterable[tuple[int, str, str]]) -> AppendResult:
    """The result an idempotency key answers a retry with (``duplicate=True``): its snapshot's
    JSON and its events' ``(position, type, body)`` rows in order."""
    found = list(rows)
    return AppendResult(
        Complaint.model_validate_json(snapshot),
        tuple(event_from_json(body, type_) for _, type_, body in found),
        True,
        tuple(int(p) for p, _, _ in found),
    )


def customer_row(customer: object) -> tuple[str, str] | None:
    """``(id, body)`` of a customer an append writes, or ``None``; anything else is
    :class:`~ccms.errors.InvalidInput`."""
    if customer is None:
        return None
    if not isinstance(customer, Customer):
        raise InvalidInput(f"customer must be a Customer, got {type(customer).__name__}")
    return customer.id, customer_json(customer)
