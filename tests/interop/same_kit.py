"""One check for the interop fast paths: a value built without validating equals the validated
one with the same types all the way down (fields set, dict order and UTC offsets too)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


def same(a: Any, b: Any, where: str = "value") -> None:
    """``a`` and ``b`` are equal with the same types all the way down."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, BaseModel):
        assert a.__dict__.keys() == b.__dict__.keys(), where
        assert a.__pydantic_fields_set__ == b.__pydantic_fields_set__, where
        for key in a.__dict__:
            same(a.__dict__[key], b.__dict__[key], f"{where}.{key}")
    elif isinstance(a, dict):
        assert list(a.items()) == list(b.items()), where
        for key in a:
            same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, tuple | list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where
        if hasattr(a, "tzinfo"):
            assert a.utcoffset() == b.utcoffset(), where
