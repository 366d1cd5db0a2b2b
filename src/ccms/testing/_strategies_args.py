"""What the strategies share: their error, argument checks and small sampling helpers.

Private module; the public face is :mod:`ccms.testing.strategies`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import tzinfo
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ccms.errors import InvalidInput

T = TypeVar("T")
#: What the lifecycle helpers draw with: a composite's ``draw`` or ``st.data().draw``.
_Draw = Callable[[st.SearchStrategy[Any]], Any]


class InvalidStrategyArgument(InvalidInput, InvalidArgument):
    """A strategy was called with an argument it cannot honour; the message says what to pass.

    Both a :class:`ccms.errors.InvalidInput` and a Hypothesis ``InvalidArgument``, so either
    ``except`` clause catches it. The one ccms exception outside :mod:`ccms.errors`: its
    Hypothesis base would make every module that imports the errors import Hypothesis.
    ``where`` is the strategy and argument, ``what`` what it needs, ``value`` what it got.

    >>> err = InvalidStrategyArgument("money(places=...)", "at most 4 places", 9)
    >>> err.where, err.value
    ('money(places=...)', 9)
    >>> print(err)
    money(places=...): at most 4 places; got 9
    """

    TEMPLATE: Final = "{where}: {what}; got {value!r}"

    def __init__(self, where: str, what: str, value: object) -> None:
        self.where = where
        self.what = what
        self.value = value
        super().__init__(self.TEMPLATE.format(where=where, what=what, value=value))


InvalidStrategyArgument.__module__ = "ccms.testing.strategies"  # its public home


# --------------------------------------------------------------------------- argument checks


def _fail(where: str, what: str, value: object) -> InvalidStrategyArgument:
    return InvalidStrategyArgument(where, what, value)


def _choices(
    where: str, value: Iterable[Any] | None, kind: Callable[[Any], T], allowed: str
) -> tuple[T, ...] | None:
    """``None`` (any) or a non-empty tuple of valid choices, converted with ``kind``."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise _fail(where, f"give a collection of {allowed} (or None for any)", value)
    out: list[T] = []
    for item in value:
        try:
            out.append(kind(item))
        except (ValueError, TypeError, KeyError):
            raise _fail(where, f"every choice must be one of {allowed}", item) from None
    if not out:
        raise _fail(where, f"give at least one of {allowed}, or None for any", value)
    return tuple(dict.fromkeys(out))


def _size(where: str, low: int, high: int | None, *, floor: int = 0) -> None:
    for name, v in (("min", low), ("max", high)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < floor):
            raise _fail(where, f"{name} size must be an int >= {floor}", v)
    if high is not None and high < low:
        raise _fail(where, f"max size must be >= min size {low}", high)


def _flag(where: str, value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise _fail(where, "give True, False or None (either)", value)
    return value


def _zone(value: object) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, str):
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(value) from None
    raise TypeError(value)


def _sample(values: Sequence[T]) -> st.SearchStrategy[T]:
    return st.sampled_from(tuple(values))


def _maybe(flag: bool | None, strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    if flag is None:
        return st.none() | strategy
    return strategy if flag else st.none()


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 128:
        raise ValueError(value)
    return value.strip()
