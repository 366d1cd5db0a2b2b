"""Deprecated: the old private home of :mod:`ccms.model.types` (import from there instead)."""

from __future__ import annotations

from ccms.model.types import (
    AttributeValue,
    AwareDatetime,
    Frozen,
    Name,
    ShortText,
    SortedSet,
    Text,
    masked_repr_value,
    unwrap_ccms_error,
)

__all__ = [
    "AttributeValue",
    "AwareDatetime",
    "Frozen",
    "Name",
    "ShortText",
    "SortedSet",
    "Text",
    "masked_repr_value",
    "unwrap_ccms_error",
]
