"""Customers and their personal data, which never shows unmasked in ``repr``, ``str`` or dumps.

Contact details are held in :class:`Personal` values. ``repr``/``str`` and the default JSON dump
show a masked form; the clear value is read only with :meth:`Personal.reveal`, on purpose.

>>> c = Customer(id="C-1", name="홍길동", phone="010-1234-5678", email="gildong@example.com")
>>> c
Customer(id='C-1', name=Personal('홍*동'), phone=Personal('010-****-5678'), email=Personal('g******@example.com'), segment='general', region=None, language='ko')
>>> c.phone.reveal()
'010-1234-5678'
>>> c.model_dump(mode="json")["phone"]
'010-****-5678'
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from ccms.model._base import Frozen, Name

__all__ = ["Customer", "CustomerRef", "Personal", "mask"]


def mask(value: str) -> str:
    """Mask a personal value, keeping just enough to recognise it.

    >>> mask("010-1234-5678"), mask("gildong@example.com"), mask("홍길동"), mask("Jo")
    ('010-****-5678', 'g******@example.com', '홍*동', 'J*')
    """
    if "@" in value:
        local, _, domain = value.partition("@")
        return (local[:1] + "*" * max(len(local) - 1, 1)) + "@" + domain
    digits = sum(ch.isdigit() for ch in value)
    if digits >= 7:
        # Phone-like: keep the first group and the last four digits.
        out: list[str] = []
        seen = 0
        first_group_done = False
        for ch in value:
            if ch.isdigit():
                seen += 1
                keep = (not first_group_done) or seen > digits - 4
                out.append(ch if keep else "*")
            else:
                first_group_done = True
                out.append(ch)
        return "".join(out)
    if len(value) <= 2:
        return value[:1] + "*" * (len(value) - 1)
    return value[0] + "*" * (len(value) - 2) + value[-1]


class Personal:
    """A piece of personal data (이름, 연락처): masked everywhere unless revealed on purpose."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"personal data must be str, got {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        """Return the clear value. Call this only where the reader is allowed to see it."""
        return self._value

    @property
    def masked(self) -> str:
        """The masked form shown in ``repr``, logs and exports."""
        return mask(self._value)

    def __repr__(self) -> str:
        return f"Personal({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Personal) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Personal", self._value))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from_str = core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(min_length=1, max_length=256)
        )
        return core_schema.json_or_python_schema(
            json_schema=from_str,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_str]),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: v.masked, when_used="always"
            ),
        )


class Customer(Frozen):
    """A customer; name and contact details are :class:`Personal` values."""

    id: Name
    name: Personal | None = None
    phone: Personal | None = None
    email: Personal | None = None
    segment: Name = "general"
    region: Name | None = None
    language: Annotated[str, Field(min_length=2, max_length=8)] = "ko"

    def ref(self) -> CustomerRef:
        """The reference a complaint carries: no personal data, just what policies need."""
        return CustomerRef(
            id=self.id, segment=self.segment, region=self.region, language=self.language
        )


class CustomerRef(Frozen):
    """What a complaint records about its customer: an id and the attributes policies use."""

    id: Name
    segment: Name = "general"
    region: Name | None = None
    language: Annotated[str, Field(min_length=2, max_length=8)] = "ko"
