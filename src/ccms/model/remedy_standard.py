"""The remedy standard a registered result was checked against, as the event records it.

The Desk compares a result's remedy with a remedy-standards table
(:mod:`ccms.policy.remedy_standards`) and records what it applied on the
:class:`~ccms.model.ResultRegistered` event as an :class:`AppliedStandard`: plain data, so the
history says which standard governed the case even after the table changes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ccms.model.types import Frozen, Name, ShortText
from ccms.model.values import RemedyKind

__all__ = ["AppliedStandard"]


class AppliedStandard(Frozen):
    """The remedy standard a registered result was checked against (분쟁해결기준).

    ``table`` and ``version`` name the standards table and the version in force, ``rule`` the
    rule that covered the case and ``remedies`` what it allows (any of them meets it),
    ``compensation`` its words on compensation. ``verdict`` is the registered remedy against it:
    ``below``, ``at``, ``above``, or ``no_standard`` when no rule covers the case (then ``rule``
    is empty and ``remedies`` too). A remedy below the standard names the ``supervisor`` who
    approved it and their ``reason`` (the workflow's ``remedy_standard`` guard requires both).

    >>> s = AppliedStandard(table="general-goods", version="2026-01", rule="within 10 days",
    ...                     remedies=("exchange", "refund"), verdict="at",
    ...                     days_since_purchase=4)
    >>> s.verdict, [r.value for r in s.remedies]
    ('at', ['exchange', 'refund'])
    """

    table: Name
    version: Name
    rule: Annotated[str, Field(max_length=200)] = ""
    remedies: tuple[RemedyKind, ...] = ()
    compensation: Annotated[str, Field(max_length=500)] = ""
    verdict: Literal["below", "at", "above", "no_standard"]
    days_since_purchase: Annotated[int, Field(ge=0)] | None = None
    repairs: Annotated[int, Field(ge=0)] = 0
    supervisor: Name | None = None
    reason: ShortText = ""
