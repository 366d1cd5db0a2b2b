"""Customers and their personal data, which never shows unmasked in ``repr``, ``str`` or dumps.

Contact details are held in :class:`Personal` values. ``repr``/``str`` and every default dump
(``model_dump()``, ``model_dump_json()``) show a masked form whatever the value's format (see
:mod:`ccms.model.privacy`); the clear value is read only with :meth:`Personal.reveal`, on purpose,
or through :meth:`Customer.view` for a role allowed to see it.

>>> c = Customer(id="C-1", name="홍길동", phone="01012345678", email="gildong@example.com")
>>> c
Customer(id='C-1', name=Personal('홍*동'), phone=Personal('010-****-****'), email=Personal('***@example.com'), segment='general', region=None, language='ko')
>>> c.phone.reveal()
'01012345678'
>>> c.model_dump(mode="json")["phone"]
'010-****-****'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, GetCoreSchemaHandler
from pydantic_core import core_schema

from ccms.model.privacy import mask
from ccms.model.types import Frozen, Name, masked_repr_value
from ccms.model.values import Role

if TYPE_CHECKING:
    from pydantic._internal._repr import ReprArgs

__all__ = [
    "CONTACT_ROLES",
    "Customer",
    "CustomerRef",
    "CustomerView",
    "Personal",
    "mask",
    "sees_contact",
]

#: The roles that see a customer's name and contact details in clear: supervisors (they answer
#: escalations and call customers back) and the system (notifications must reach the customer).
#: A handler sees them only for a complaint assigned to them (``assigned=True``); front-line
#: agents, executives and handlers of other complaints see masked values.
CONTACT_ROLES: frozenset[Role] = frozenset({Role.SUPERVISOR, Role.SYSTEM})


def sees_contact(role: Role | str, *, assigned: bool = False) -> bool:
    """Whether ``role`` may see a customer's contact details in clear.

    ``assigned`` says that the caller handles a complaint of this customer (the complaint's
    ``handler`` is the caller): the host knows who is asking and passes it.

    >>> sees_contact("supervisor"), sees_contact(Role.HANDLER), sees_contact("handler", assigned=True)
    (True, False, True)
    >>> sees_contact("front_line", assigned=True), sees_contact("executive")
    (False, False)
    """
    role = Role(role)
    return role in CONTACT_ROLES or (role is Role.HANDLER and assigned)


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

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            id: str,
            name: Personal | str | None = None,
            phone: Personal | str | None = None,
            email: Personal | str | None = None,
            segment: str = "general",
            region: str | None = None,
            language: str = "ko",
        ) -> None: ...

    def view(self, role: Role | str, *, assigned: bool = False) -> CustomerView:
        """What a caller acting in ``role`` may see of this customer (see :func:`sees_contact`).

        >>> c = Customer(id="C-1", name="홍길동", phone="010-1234-5678")
        >>> c.view("front_line").phone, c.view("supervisor").phone
        ('010-****-****', '010-1234-5678')
        >>> c.view("handler", assigned=True).name, c.view("handler").name
        ('홍길동', '홍*동')
        """
        clear = sees_contact(role, assigned=assigned)

        def shown(value: Personal | None) -> str | None:
            if value is None:
                return None
            return value.reveal() if clear else value.masked

        return CustomerView(
            id=self.id,
            name=shown(self.name),
            phone=shown(self.phone),
            email=shown(self.email),
            segment=self.segment,
            region=self.region,
            language=self.language,
            revealed=clear,
        )

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


class CustomerView(Frozen):
    """A customer as one caller may see it: plain strings, clear or masked by :meth:`Customer.view`.

    Meant for the host's screen (its dump holds what the caller may see); its ``repr`` masks the
    name and contact details even when ``revealed``, so a logged view never shows them.

    >>> Customer(id="C-1", phone="010-1234-5678").view("system")
    CustomerView(id='C-1', name=None, phone='010-****-****', email=None, segment='general', region=None, language='ko', revealed=True)
    """

    id: Name
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    segment: Name = "general"
    region: Name | None = None
    language: str = "ko"
    revealed: bool = False

    def __repr_args__(self) -> ReprArgs:
        for name, value in BaseModel.__repr_args__(self):
            if self.revealed and name in {"name", "phone", "email"} and isinstance(value, str):
                yield name, mask(value)
            else:
                yield name, masked_repr_value(value)
