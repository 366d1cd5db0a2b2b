"""The complaint aggregate and the values it holds: concerns, results, happy-call feedback.

A :class:`Complaint` is immutable; every change is a new version produced by folding a domain event
(see :mod:`ccms.model.events`). Hosts never build versions by hand: the workflow does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, JsonValue, field_validator, model_validator

from ccms.model.customer import CustomerRef
from ccms.model.taxonomy import VocCodeStr
from ccms.model.types import AttributeValue, AwareDatetime, Frozen, Name, ShortText, SortedSet, Text
from ccms.model.values import Channel, Flag, Money, RemedyKind, Severity, VocKind

__all__ = [
    "Complaint",
    "Concern",
    "ConcernOutcome",
    "Feedback",
    "Result",
]

#: The outcome of one concern once handled.
ConcernOutcome = Annotated[
    str, Field(pattern=r"^(upheld|partly_upheld|not_upheld|answered|noted)$")
]

_ATTR_KEY = r"^[a-z][a-z0-9_]{0,63}$"


class Concern(Frozen):
    """One thing the customer raised. A contact often carries two or three: each is recorded.

    >>> Concern(kind="complaint", code="PRD.DEF.HANDLE", text="The handle broke off", severity="high")
    Concern(kind=<VocKind.COMPLAINT: 'complaint'>, code='PRD.DEF.HANDLE', text='The handle broke off', severity=<Severity.HIGH: 'high'>, requested_remedy=None, outcome=None)
    """

    kind: VocKind
    code: VocCodeStr | None = None  # None until classified
    text: Text
    severity: Severity = Severity.MEDIUM
    requested_remedy: RemedyKind | None = None
    outcome: ConcernOutcome | None = None

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            kind: VocKind | str,
            code: str | None = None,
            text: str,
            severity: Severity | str = ...,
            requested_remedy: RemedyKind | str | None = None,
            outcome: str | None = None,
        ) -> None: ...


class Result(Frozen):
    """The registered handling result (처리결과): remedy, amount, cause and measures."""

    remedy: RemedyKind
    amount: Money | None = None
    cause: ShortText = ""
    measures: ShortText = ""

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            remedy: RemedyKind | str,
            amount: Money | None = None,
            cause: str = "",
            measures: str = "",
        ) -> None: ...

    @model_validator(mode="after")
    def _amount_fits_remedy(self) -> Result:
        if (
            self.amount is not None
            and self.amount.amount > 0
            and self.remedy
            in {
                RemedyKind.APOLOGY,
                RemedyKind.EXPLANATION,
                RemedyKind.NONE,
            }
        ):
            raise ValueError(f"remedy {self.remedy.value!r} carries no amount; got {self.amount}")
        return self


class Feedback(Frozen):
    """The happy call (해피콜): was the customer satisfied with the result?"""

    satisfied: bool
    csat: Annotated[int, Field(ge=1, le=5)] | None = None
    comment: ShortText = ""
    wants_reopen: bool = False


#: Kinds from the most to the least serious: a complaint's kind is its most serious concern's.
_KIND_ORDER = [VocKind.COMPLAINT, VocKind.SUGGESTION, VocKind.INQUIRY, VocKind.PRAISE]


class Complaint(Frozen):
    """The aggregate: one contact with one or more concerns, at one version.

    Built only by folding events (:func:`ccms.model.fold`); ``version`` counts the commands applied.
    """

    id: Name
    version: Annotated[int, Field(ge=1)]
    received_at: AwareDatetime
    updated_at: AwareDatetime
    channel: Channel
    customer: CustomerRef
    concerns: Annotated[tuple[Concern, ...], Field(min_length=1, max_length=20)]
    stage: Name
    department: Name | None = None
    handler: Name | None = None
    previous_handlers: tuple[Name, ...] = ()
    transfer_count: Annotated[int, Field(ge=0)] = 0
    reopen_count: Annotated[int, Field(ge=0)] = 0
    result: Result | None = None
    feedback: Feedback | None = None
    flags: SortedSet[Flag] = frozenset()
    tags: SortedSet[Name] = frozenset()
    attributes: dict[Annotated[str, Field(pattern=_ATTR_KEY)], AttributeValue] = {}
    first_response_at: AwareDatetime | None = None
    resolved_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    escalation_level: Annotated[int, Field(ge=0)] = 0
    crisis_step: Annotated[int, Field(ge=0, le=3)] = 0
    cc_card: Name | None = None
    sla_version: Name | None = None
    due_at: AwareDatetime | None = None  # resolution deadline last computed by the SLA policy
    workflow: Name = "voc"

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            id: str,
            version: int,
            received_at: datetime,
            updated_at: datetime,
            channel: Channel | str,
            customer: CustomerRef,
            concerns: Iterable[Concern],
            stage: str,
            department: str | None = None,
            handler: str | None = None,
            previous_handlers: Iterable[str] = (),
            transfer_count: int = 0,
            reopen_count: int = 0,
            result: Result | None = None,
            feedback: Feedback | None = None,
            flags: Iterable[Flag | str] = ...,
            tags: Iterable[str] = ...,
            attributes: Mapping[str, AttributeValue] = ...,
            first_response_at: datetime | None = None,
            resolved_at: datetime | None = None,
            closed_at: datetime | None = None,
            escalation_level: int = 0,
            crisis_step: int = 0,
            cc_card: str | None = None,
            sla_version: str | None = None,
            due_at: datetime | None = None,
            workflow: str = "voc",
        ) -> None: ...

    @field_validator("attributes")
    @classmethod
    def _small_attributes(cls, value: dict[str, JsonValue]) -> dict[str, JsonValue]:
        if len(value) > 64:
            raise ValueError("at most 64 custom attributes")
        return value

    @cached_property
    def kind(self) -> VocKind:
        """The kind of the most serious concern (complaint beats inquiry, praise, suggestion)."""
        return self.kind_of(self.concerns)

    @cached_property
    def severity(self) -> Severity:
        """The highest severity among the concerns."""
        return self.severity_of(self.concerns)

    @staticmethod
    def kind_of(concerns: Iterable[Concern]) -> VocKind:
        """The kind a complaint with these concerns has (see :attr:`kind`)."""
        return min((c.kind for c in concerns), key=_KIND_ORDER.index)

    @staticmethod
    def severity_of(concerns: Iterable[Concern]) -> Severity:
        """The severity a complaint with these concerns has (see :attr:`severity`)."""
        return max(c.severity for c in concerns)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """The VOC codes of the classified concerns, in concern order."""
        return tuple(c.code for c in self.concerns if c.code is not None)

    @property
    def primary_code(self) -> str | None:
        """The code of the most severe classified concern (the first among equals)."""
        coded = [c for c in self.concerns if c.code is not None]
        if not coded:
            return None
        return max(coded, key=lambda c: c.severity.rank).code

    def age(self, now: datetime) -> float:
        """Seconds since the complaint was received."""
        return (now - self.received_at).total_seconds()
