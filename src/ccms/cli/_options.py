"""Option values checked by the command itself, so a bad one gets a clean one-line message."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import typer

__all__ = ["one_of"]


def one_of(kind: type[StrEnum]) -> Callable[[str], str]:
    """A typer callback accepting only the values of ``kind`` (case-insensitive).

    >>> from enum import StrEnum
    >>> class Size(StrEnum):
    ...     small = "small"
    ...     large = "large"
    >>> check = one_of(Size)
    >>> check("Large")
    'large'
    >>> check("huge")
    Traceback (most recent call last):
    ...
    typer...BadParameter: 'huge' is not one of: small, large
    """
    allowed = [member.value for member in kind]

    def check(value: str) -> str:
        if value.lower() in allowed:
            return value.lower()
        raise typer.BadParameter(f"{value!r} is not one of: {', '.join(allowed)}")

    return check
