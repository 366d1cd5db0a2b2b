"""Small value types: VOC kinds, channels, severities, remedies, roles, flags and money."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StringConstraints, field_validator

from ccms.model.types import Frozen

__all__ = [
    "MATERIAL_REMEDIES",
    "Channel",
    "Flag",
    "Money",
    "RemedyKind",
    "Role",
    "Severity",
    "VocKind",
]


class VocKind(StrEnum):
    """The four kinds of voice of the customer (고객의 소리)."""

    COMPLAINT = "complaint"  # 불만
    INQUIRY = "inquiry"  # 문의
    PRAISE = "praise"  # 칭찬
    SUGGESTION = "suggestion"  # 제안


class Channel(StrEnum):
    """Where a contact came in (채널)."""

    VISIT = "visit"
    PHONE = "phone"
    FAX = "fax"
    MAIL = "mail"
    EMAIL = "email"
    WEB = "web"
    CHAT = "chat"
    SMS = "sms"
    KIOSK = "kiosk"  # kiosk or ATM
    SOCIAL_MEDIA = "social_media"
    SALES_REP = "sales_rep"
    STORE = "store"  # store or branch
    CONSUMER_GROUP = "consumer_group"
    PRESS = "press"
    PUBLIC_AGENCY = "public_agency"  # e.g. Korea's 1372, a regulator, the CFPB

    @property
    def face_to_face(self) -> bool:
        """Whether the customer met the company in person.

        >>> Channel.STORE.face_to_face, Channel.EMAIL.face_to_face
        (True, False)
        """
        return self in {Channel.VISIT, Channel.STORE, Channel.SALES_REP}

    @property
    def external_body(self) -> bool:
        """Whether the contact came through a third party (press, agency, consumer group)."""
        return self in {Channel.PRESS, Channel.PUBLIC_AGENCY, Channel.CONSUMER_GROUP}


class Severity(StrEnum):
    """How serious a concern is; ordered from LOW to CRITICAL.

    >>> Severity.HIGH > Severity.LOW
    True
    >>> max([Severity.MEDIUM, Severity.CRITICAL, Severity.LOW])
    <Severity.CRITICAL: 'critical'>
    """

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for LOW up to 3 for CRITICAL."""
        return _SEVERITY_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class RemedyKind(StrEnum):
    """What the company gave the customer."""

    REFUND = "refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    COMPENSATION = "compensation"
    APOLOGY = "apology"
    EXPLANATION = "explanation"
    NONE = "none"

    @property
    def material(self) -> bool:
        """Whether the remedy gives the customer something of money's worth (refund, exchange,
        repair, compensation), rather than words (apology, explanation) or nothing.

        >>> RemedyKind.REFUND.material, RemedyKind.APOLOGY.material
        (True, False)
        """
        return self in MATERIAL_REMEDIES


#: The remedies of money's worth (:attr:`RemedyKind.material`): fairness counts them as a
#: material outcome, routing checks an expected amount against an agent's authority for them only.
MATERIAL_REMEDIES: frozenset[RemedyKind] = frozenset(
    {RemedyKind.REFUND, RemedyKind.EXCHANGE, RemedyKind.REPAIR, RemedyKind.COMPENSATION}
)


class Role(StrEnum):
    """Who an actor is in the organization; the workflow says which roles may fire a trigger."""

    FRONT_LINE = "front_line"
    HANDLER = "handler"  # department handler
    SUPERVISOR = "supervisor"
    EXECUTIVE = "executive"
    SYSTEM = "system"  # the host's automation, policies and sweeps


class Flag(StrEnum):
    """Markers that change how a complaint is treated (early warning, repeat detection)."""

    SAFETY = "safety"  # consumer safety or injury
    LEGAL_THREAT = "legal_threat"
    REPEAT = "repeat"
    SUPERVISOR_REQUESTED = "supervisor_requested"
    VIP = "vip"


CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Money(Frozen):
    """An amount of money: a non-negative :class:`~decimal.Decimal` and an ISO 4217 currency.

    Floats are refused (they cannot hold 0.1 exactly); strings and Decimals are accepted.

    >>> Money(amount="35000", currency="KRW")
    Money(amount=Decimal('35000'), currency='KRW')
    >>> Money(amount=0.1, currency="KRW")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Money
    ...
    """

    amount: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4, allow_inf_nan=False)]
    currency: CurrencyCode = "KRW"

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(self, *, amount: Decimal | int | str, currency: str = "KRW") -> None: ...

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError("amounts must be Decimal or str, never float (floats are inexact)")
        return value

    def __le__(self, other: Money) -> bool:
        if self.currency != other.currency:
            raise ValueError(f"cannot compare {self.currency} with {other.currency}")
        return self.amount <= other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
