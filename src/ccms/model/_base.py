"""Shared pydantic configuration for ccms' boundary models."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

__all__ = ["AwareDatetime", "Frozen", "Name", "ShortText", "Text"]


class Frozen(BaseModel):
    """Base of every ccms model: immutable, hashable where its fields are, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)


#: An identifier or short name (no surrounding blanks, 1 to 128 characters).
Name = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]
#: A short free text (reason, cause, comment): up to 2,000 characters.
ShortText = Annotated[str, StringConstraints(max_length=2_000)]
#: A customer's words: up to 20,000 characters (one long letter), never empty.
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
