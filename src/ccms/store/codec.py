"""The store's codec: JSON as a store keeps it, and instants as exact UTC epoch microseconds.

Every store writes the same text for the same value (records' data, checkpoints' state, customers
with their personal data in clear) and compares instants as integers, whatever their zone.

>>> from datetime import datetime, timezone
>>> micros(datetime(1970, 1, 1, 0, 0, 1, tzinfo=timezone.utc))
1000000
>>> json_text(json_object({"b": (1, 2.5), "a": "한"}))
'{"b":[1,2.5],"a":"한"}'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from ccms.errors import (
    InvalidInput,
)
from ccms.model import Customer, Personal

__all__ = ["customer_json", "from_micros", "json_object", "json_text", "micros"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class _NotJson(Exception):
    """Raised inside :func:`_json_value`; ``path`` grows as it unwinds (outermost key last)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path: list[str | int] = []


def _json_value(value: Any) -> Any:
    """``value`` as the plain JSON value it reads back as (dicts, lists, str, int, float, bool,
    None); raises :class:`_NotJson` for anything JSON cannot hold exactly."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotJson(f"is {value!r}; allowed: finite numbers (JSON has no NaN or infinity)")
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotJson(
                    f"has the key {key!r} ({type(key).__name__}); allowed: str keys (a JSON object)"
                )
            try:
                out[str.__str__(key)] = _json_value(item)
            except _NotJson as err:
                err.path.append(key)
                raise
        return out
    if isinstance(value, list | tuple):
        items: list[Any] = []
        for i, item in enumerate(value):
            try:
                items.append(_json_value(item))
            except _NotJson as err:
                err.path.append(i)
                raise
        return items
    # Subclasses (enums, say) are kept as the plain value JSON writes for them.
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _json_value(float(value))
    if isinstance(value, str):
        return str.__str__(value)
    shown = repr(value)
    shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
    raise _NotJson(
        f"is a {type(value).__name__} ({shown}); allowed: JSON values (str, int, float, bool, "
        "None, and lists and str-keyed mappings of them)"
    )


def json_object(value: Mapping[str, Any], field: str = "data") -> dict[str, Any]:
    """``value`` as the plain JSON object a store reads back (a new ``dict``; tuples become
    lists, enum members their values), or :class:`ccms.errors.InvalidInput` naming the place.

    >>> json_object({"n": 1, "tags": ("a", "b"), "at": {"day": 5}})
    {'n': 1, 'tags': ['a', 'b'], 'at': {'day': 5}}
    >>> from datetime import date
    >>> json_object({"when": [date(2026, 10, 5)]}, "Record.data")
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: Record.data['when'][0] is a date (datetime.date(2026, 10, 5)); ...
    """
    if not isinstance(value, Mapping):
        raise InvalidInput(
            f"{field} must be a JSON object (a mapping with str keys), got {type(value).__name__}"
        )
    try:
        out: dict[str, Any] = _json_value(value)
    except _NotJson as err:
        where = "".join(f"[{p!r}]" for p in reversed(err.path))
        raise InvalidInput(f"{field}{where} {err.problem}") from None
    except RecursionError:
        raise InvalidInput(f"{field} is nested too deeply (or contains itself)") from None
    return out


def json_text(value: Mapping[str, Any]) -> str:
    """The JSON text of a value :func:`json_object` returned (compact, unicode kept)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def micros(value: datetime) -> int:
    """Exact UTC epoch microseconds of an aware datetime (how stores compare instants)."""
    return (value - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    """The aware UTC datetime of :func:`micros` (``from_micros(micros(ASAP)) == ASAP``)."""
    return _EPOCH + timedelta(microseconds=value)


def customer_json(customer: Customer) -> str:
    """A customer as a store keeps it: JSON with the personal data in clear (the default dump
    masks it; the database must hold it, so guard the file)."""
    data = customer.model_dump(mode="json")
    for name in type(customer).model_fields:
        value = getattr(customer, name)
        if isinstance(value, Personal):
            data[name] = value.reveal()
    return json.dumps(data, ensure_ascii=False)
