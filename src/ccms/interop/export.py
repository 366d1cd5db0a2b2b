"""Pseudonymised export for analytics: complaints and events as flat rows, no personal data.

An analyst needs the facts of each complaint (when, through which channel, what code, how long,
by whom, with what result) and needs to know which complaints came from one customer, but not who
the customer is. :class:`Pseudonymiser` turns a customer id (and a complaint id) into a stable
keyed hash: HMAC-SHA256 with a key the host supplies and keeps (at least 32 bytes; an empty or
shorter key raises :class:`WeakPseudonymKey`). The same id gives the same pseudonym under one key,
run after run; another key gives unrelated pseudonyms; without the key a pseudonym cannot be
traced back, not even by trying every customer id.

What the rows hold (:data:`COMPLAINT_COLUMNS`, :data:`EVENT_COLUMNS`):

* no contact details and no resident numbers: a complaint carries none (the customer row does,
  and the export never reads it);
* **no free text**: concern texts, causes, measures, comments, reasons and notes are left out
  (masking finds phone numbers and e-mail addresses but not names or addresses, so a masked text
  could still name the person);
* the customer's segment, region and language (what fairness figures group by), tags with their
  contact details masked, and the agents' and departments' ids as they are (the staff's
  workload is what many figures are about);
* complaint ids pseudonymised like customer ids (a complaint id would lead back to the customer
  in the store), under another label of the same key, so complaint and event rows still join.

Rows are produced lazily (:func:`export_complaints`, :func:`export_events`) and written by
:func:`write_csv` and :func:`write_jsonl` one at a time, so an export runs in bounded memory.

>>> from datetime import datetime, timezone
>>> from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
>>> t = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
>>> e = ComplaintReceived(complaint_id="c1", version=1, at=t, actor=Actor.system(),
...     stage="received", received_at=t, channel="phone", customer=CustomerRef(id="C-1"),
...     concerns=(Concern(kind="complaint", code="DLV.LATE", text="010-1234-5678 홍길동"),))
>>> key = Pseudonymiser(b"k" * 32)
>>> row = next(complaint_rows([fold([e])], key))
>>> row["customer"] == key.customer("C-1"), row["code"], "text" in row
(True, 'DLV.LATE', False)
>>> Pseudonymiser("short")
Traceback (most recent call last):
...
ccms.errors.WeakPseudonymKey: a pseudonym key must have at least 32 bytes, got 5; ...
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final

from ccms.errors import InvalidInput, WeakPseudonymKey
from ccms.model import Complaint, DomainEvent, mask_text
from ccms.store import ComplaintQuery, ComplaintStore, StoredEvent

__all__ = [
    "COMPLAINT_COLUMNS",
    "EVENT_COLUMNS",
    "MIN_KEY_BYTES",
    "Pseudonymiser",
    "WeakPseudonymKey",
    "complaint_rows",
    "event_rows",
    "export_complaints",
    "export_events",
    "write_csv",
    "write_jsonl",
]

#: The shortest key a :class:`Pseudonymiser` takes (HMAC-SHA256's own block of security).
MIN_KEY_BYTES: Final = 32
#: Hex characters kept of each HMAC (128 bits: no two ids of a lifetime collide).
_DIGITS: Final = 32

#: The columns of a complaint row, in order.
COMPLAINT_COLUMNS: Final = (
    "case",
    "customer",
    "received_at",
    "channel",
    "kind",
    "severity",
    "segment",
    "region",
    "language",
    "stage",
    "code",
    "codes",
    "concerns",
    "department",
    "handler",
    "handlers",
    "transfers",
    "reopens",
    "escalation_level",
    "crisis_step",
    "flags",
    "tags",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "due_at",
    "remedy",
    "amount",
    "currency",
    "satisfied",
    "csat",
    "outcomes",
    "version",
)

#: The columns of an event row, in order (the event's header: no payload, which may hold text).
EVENT_COLUMNS: Final = (
    "position",
    "case",
    "version",
    "type",
    "at",
    "actor",
    "role",
    "trigger",
    "stage",
)


class Pseudonymiser:
    """Stable keyed pseudonyms (HMAC-SHA256) for customer and complaint ids.

    ``key`` is bytes (or a str, taken as its UTF-8 bytes) of at least :data:`MIN_KEY_BYTES`;
    generate it once (``secrets.token_bytes(32)``) and keep it as secret as the store: whoever
    holds it can test whether a given id is behind a pseudonym. Its ``repr`` never shows it.

    >>> key = Pseudonymiser(bytes(range(32)))
    >>> key.customer("C-1") == key.customer("C-1") != Pseudonymiser(b"x" * 32).customer("C-1")
    True
    >>> key.customer("C-1")[:3], len(key.customer("C-1")), key
    ('cu-', 35, Pseudonymiser(<key hidden>))
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes | str) -> None:
        if isinstance(key, str):
            key = key.encode("utf-8")
        if not isinstance(key, bytes | bytearray):
            raise WeakPseudonymKey(type(key).__name__, length=None, minimum=MIN_KEY_BYTES)
        if len(key) < MIN_KEY_BYTES:
            raise WeakPseudonymKey(type(key).__name__, length=len(key), minimum=MIN_KEY_BYTES)
        self._key = bytes(key)

    def __repr__(self) -> str:
        return "Pseudonymiser(<key hidden>)"

    def _hash(self, label: bytes, value: str) -> str:
        if not isinstance(value, str):
            raise InvalidInput(f"an id to pseudonymise must be a str, got {type(value).__name__}")
        digest = hmac.new(self._key, label + b"\x00" + value.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:_DIGITS]

    def customer(self, customer_id: str) -> str:
        """The customer's pseudonym: ``cu-`` and 32 hex digits."""
        return "cu-" + self._hash(b"ccms/customer", customer_id)

    def complaint(self, complaint_id: str) -> str:
        """The complaint's pseudonym: ``cp-`` and 32 hex digits."""
        return "cp-" + self._hash(b"ccms/complaint", complaint_id)


def _key(key: Pseudonymiser | bytes | str) -> Pseudonymiser:
    return key if isinstance(key, Pseudonymiser) else Pseudonymiser(key)


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _complaint_row(c: Complaint, key: Pseudonymiser) -> dict[str, Any]:
    handlers: list[str] = []
    for h in (*c.previous_handlers, c.handler):
        if h is not None and h not in handlers:
            handlers.append(h)
    result, feedback = c.result, c.feedback
    amount = None if result is None or result.amount is None else result.amount
    return {
        "case": key.complaint(c.id),
        "customer": key.customer(c.customer.id),
        "received_at": _time(c.received_at),
        "channel": c.channel.value,
        "kind": c.kind.value,
        "severity": c.severity.value,
        "segment": c.customer.segment,
        "region": c.customer.region,
        "language": c.customer.language,
        "stage": c.stage,
        "code": c.primary_code,
        "codes": list(c.codes),
        "concerns": len(c.concerns),
        "department": c.department,
        "handler": c.handler,
        "handlers": handlers,
        "transfers": c.transfer_count,
        "reopens": c.reopen_count,
        "escalation_level": c.escalation_level,
        "crisis_step": c.crisis_step,
        "flags": sorted(f.value for f in c.flags),
        "tags": sorted({mask_text(t) for t in c.tags}),
        "first_response_at": _time(c.first_response_at),
        "resolved_at": _time(c.resolved_at),
        "closed_at": _time(c.closed_at),
        "due_at": _time(c.due_at),
        "remedy": None if result is None else result.remedy.value,
        "amount": None if amount is None else str(amount.amount),
        "currency": None if amount is None else amount.currency,
        "satisfied": None if feedback is None else feedback.satisfied,
        "csat": None if feedback is None else feedback.csat,
        "outcomes": [con.outcome for con in c.concerns],
        "version": c.version,
    }


def complaint_rows(
    complaints: Iterable[Complaint], key: Pseudonymiser | bytes | str
) -> Iterator[dict[str, Any]]:
    """One row (:data:`COMPLAINT_COLUMNS`) per complaint, lazily."""
    pseudonyms = _key(key)
    for complaint in complaints:
        yield _complaint_row(complaint, pseudonyms)


def event_rows(
    events: Iterable[DomainEvent | StoredEvent], key: Pseudonymiser | bytes | str
) -> Iterator[dict[str, Any]]:
    """One row (:data:`EVENT_COLUMNS`) per event, lazily; ``position`` is ``None`` for an event
    not read from a store's log."""
    pseudonyms = _key(key)
    for item in events:
        position, event = (
            (item.position, item.event) if isinstance(item, StoredEvent) else (None, item)
        )
        yield {
            "position": position,
            "case": pseudonyms.complaint(event.complaint_id),
            "version": event.version,
            "type": event.type,
            "at": _time(event.at),
            "actor": event.actor.id,
            "role": event.actor.role.value,
            "trigger": event.trigger,
            "stage": event.stage,
        }


def export_complaints(
    store: ComplaintStore,
    key: Pseudonymiser | bytes | str,
    query: ComplaintQuery | None = None,
    /,
    **filters: Any,
) -> Iterator[dict[str, Any]]:
    """The rows of the stored complaints that match ``query`` and ``filters`` (see
    :class:`~ccms.store.ComplaintQuery`), in the order they were first stored, read one at a
    time (``limit`` is not applied)."""
    pseudonyms = _key(key)
    q = ComplaintQuery.build(query, **filters)
    for cid in store.ids():
        complaint = store.find(cid)
        if complaint is not None and q.matches(complaint):
            yield _complaint_row(complaint, pseudonyms)


def export_events(
    store: ComplaintStore, key: Pseudonymiser | bytes | str, *, after: int = 0
) -> Iterator[dict[str, Any]]:
    """The rows of every complaint event above log position ``after``, in log order, lazily."""
    return event_rows(store.stream(after=after), _key(key))


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "|".join("" if v is None else str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def _open(target: Path | str | IO[str]) -> tuple[IO[str], bool]:
    if isinstance(target, Path | str):
        return open(target, "w", encoding="utf-8", newline=""), True
    return target, False


def write_csv(
    rows: Iterable[Mapping[str, Any]],
    target: Path | str | IO[str],
    columns: Sequence[str] = COMPLAINT_COLUMNS,
) -> int:
    """Write ``rows`` as CSV with a header of ``columns`` (lists joined with ``|``, booleans as
    ``true``/``false``, ``None`` empty) to a path or an open text file; returns the rows written.

    >>> import io
    >>> out = io.StringIO()
    >>> write_csv([{"position": 1, "case": "cp-1", "stage": None}], out, EVENT_COLUMNS)
    1
    >>> out.getvalue().splitlines()
    ['position,case,version,type,at,actor,role,trigger,stage', '1,cp-1,,,,,,,']
    """
    handle, owned = _open(target)
    try:
        writer = csv.writer(handle)
        writer.writerow(columns)
        count = 0
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in columns])
            count += 1
        return count
    finally:
        if owned:
            handle.close()


def write_jsonl(rows: Iterable[Mapping[str, Any]], target: Path | str | IO[str]) -> int:
    """Write ``rows`` as JSON Lines (one object a line, UTF-8 kept) to a path or an open text
    file; returns the rows written."""
    handle, owned = _open(target)
    try:
        count = 0
        for row in rows:
            handle.write(json.dumps(dict(row), ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
            count += 1
        return count
    finally:
        if owned:
            handle.close()
