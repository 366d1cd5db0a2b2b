"""Idempotency keys and the fingerprints that bind a key to its command (see
:meth:`~ccms.store.ComplaintStore.append`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any, Final

from ccms.errors import (
    IdempotencyConflict,
    InvalidInput,
)
from ccms.model import DomainEvent
from ccms.store.records import Record, record_json

__all__ = [
    "MAX_KEY_LENGTH",
    "check_fingerprint",
    "check_key",
    "events_fingerprint",
    "fingerprint",
    "key_conflict",
    "lookup_conflict",
    "neutralised",
    "records_fingerprint",
]

#: The longest idempotency key a store takes (a key is a request id, not a payload).
MAX_KEY_LENGTH: Final = 256


def check_key(key: object) -> str | None:
    """An idempotency key: ``None``, or a str of 1 to :data:`MAX_KEY_LENGTH` characters."""
    if key is None:
        return None
    if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH:
        shown = f"{len(key)} characters" if isinstance(key, str) else f"{key!r:.60}"
        raise InvalidInput(
            f"an idempotency key must be a str of 1 to {MAX_KEY_LENGTH} characters, got "
            f"{type(key).__name__} {shown}"
        )
    return key


# -- idempotency: a key is bound to a fingerprint of its command ----------------------------------

#: The longest fingerprint a store keeps (``name:`` and a SHA-256 in hex fit easily).
_FINGERPRINT_LIMIT = 200


def fingerprint(name: str, payload: Any) -> str:
    """The fingerprint of a command: ``"name:"`` and the SHA-256 of its payload's canonical JSON
    (sorted keys, no spaces, unicode kept). ``name`` (a command or event type, no ``:``) is kept
    in clear so that a conflict can say which command a key was first used for; the payload (which
    may hold free text) only as its hash.

    >>> fp = fingerprint("classify", {"codes": ["PRD.DEF"], "complaint": "C1"})
    >>> fp.split(":")[0], len(fp.split(":")[1])
    ('classify', 64)
    >>> fp == fingerprint("classify", {"complaint": "C1", "codes": ("PRD.DEF",)})
    True
    """
    if not isinstance(name, str) or not 1 <= len(name) <= 64 or ":" in name:
        raise InvalidInput(
            f"a fingerprint's name must be a str of 1 to 64 characters without ':', got {name!r:.80}"
        )
    try:
        text = json.dumps(
            payload, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":")
        )
    except (TypeError, ValueError) as err:
        raise InvalidInput(f"the payload of {name!r} is not plain JSON: {err}") from None
    return f"{name}:{hashlib.sha256(text.encode()).hexdigest()}"


def _digest(name: str, parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\x00")
    return f"{name}:{h.hexdigest()}"


def events_fingerprint(events: Sequence[DomainEvent], bodies: Sequence[str] | None = None) -> str:
    """The fingerprint a store gives an append made without one: its events' types and JSON
    (``bodies``: their ``model_dump_json()``, when the caller has them already). A retry of the
    very same append matches; any other events under the same key conflict."""
    texts = bodies if bodies is not None else [e.model_dump_json() for e in events]
    return _digest(
        events[0].type if events else "append",
        (t for pair in zip((e.type for e in events), texts, strict=True) for t in pair),
    )


def records_fingerprint(records: Sequence[Record], bodies: Sequence[str] | None = None) -> str:
    """The fingerprint a store gives a record append made without one: the records' types,
    versions and JSON."""
    texts = bodies if bodies is not None else [record_json(r) for r in records]
    return _digest(
        records[0].type if records else "append",
        (t for r, b in zip(records, texts, strict=True) for t in (r.type, str(r.version), b)),
    )


def check_fingerprint(value: object) -> str | None:
    """A fingerprint as :func:`fingerprint` makes it (or ``None``), else InvalidInput."""
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not 3 <= len(value) <= _FINGERPRINT_LIMIT
        or ":" not in value[1:-1]
    ):
        raise InvalidInput(
            f"a fingerprint must be a str 'name:digest' of at most {_FINGERPRINT_LIMIT} "
            f"characters (see ccms.store.fingerprint), got {type(value).__name__} {value!r:.80}"
        )
    return value


def _command_name(fp: str | None) -> str | None:
    return None if fp is None else fp.partition(":")[0]


def _has_digest(fp: str | None) -> bool:
    return fp is not None and fp.partition(":")[2] != ""


def neutralised(fp: str | None) -> str | None:
    """What a redaction leaves of a stored fingerprint: the command's name alone (``"name:"``,
    which no :func:`fingerprint` is), so that nothing in the store can confirm a guess of the
    content it was the hash of (a ``receive``'s covers the customer's contact details).

    A key with a neutralised fingerprint matches a retry on its stream alone, as a key stored
    before stores kept fingerprints does; a conflict still names the command.

    >>> neutralised(fingerprint("receive", {"phone": "010-1234-5678"}))
    'receive:'
    >>> neutralised(None) is None
    True
    """
    return None if fp is None else f"{_command_name(fp)}:"


def lookup_conflict(
    key: str, *, stored: str | None, stream_id: str, fingerprint: str | None
) -> IdempotencyConflict | None:
    """Whether :meth:`~ccms.store.ComplaintStore.idempotent_result` may answer a look-up by
    ``fingerprint``: ``None`` if so, else the conflict to raise. A key first used with another
    fingerprint conflicts; a key without one to compare (stored before stores kept them, or
    neutralised by a redaction) answers whatever the look-up's."""
    if fingerprint is None or not _has_digest(stored) or stored == fingerprint:
        return None
    return key_conflict(key, first=(stored, stream_id, False), then=(fingerprint, None, False))


def key_conflict(
    key: str,
    *,
    first: tuple[str | None, str, bool],
    then: tuple[str | None, str | None, bool],
    what: str = "complaint",
) -> IdempotencyConflict | None:
    """Whether an append may be answered with the result of ``key``'s first append: ``None`` if
    so, else the :class:`~ccms.errors.IdempotencyConflict` to raise (nothing is written).

    ``first`` and ``then`` are ``(fingerprint, stream id, opens the stream)`` of the key's first
    append and of the new one. The same fingerprint on the same stream is a retry; so is the same
    fingerprint on another stream when both appends open their stream (a retried ``receive``
    whose complaint id was drawn anew). A key stored without a fingerprint (before stores kept
    them, or :func:`neutralised` by a redaction) matches on the stream alone. Anything else is a conflict naming both commands.
    (``then``'s stream id is ``None`` for a look-up by fingerprint alone, which cannot say.)

    >>> first = (fingerprint("classify", {"c": "C1"}), "C1", False)
    >>> key_conflict("k", first=first, then=first) is None
    True
    >>> print(key_conflict("k", first=first, then=(fingerprint("start", {"c": "C1"}), "C1", False)))
    idempotency key 'k' was already used for classify on complaint C1, not for start on complaint C1: give each command its own key
    """
    first_fp, first_id, first_opens = first
    fp, stream_id, opens = then
    if not _has_digest(first_fp) or not _has_digest(fp):
        same = first_id == stream_id
    else:
        same = first_fp == fp and (first_id == stream_id or (first_opens and opens))
    if same:
        return None
    before = _command_name(first_fp) or "an earlier command"
    now = _command_name(fp) or "another command"
    there = "" if stream_id is None else f" on {what} {stream_id}"
    return IdempotencyConflict(
        key,
        f"for {before} on {what} {first_id}, not for {now}{there}: give each command its own key",
        first=_command_name(first_fp),
        attempted=_command_name(fp),
    )
