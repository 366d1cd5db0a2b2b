"""The building blocks of ccms' models: the frozen base class and the constrained field types.

:class:`Frozen` is the base of every model; :data:`Name`, :data:`ShortText`, :data:`Text`,
:data:`SortedSet` and :data:`AttributeValue` are the field types the entities share. A package
that defines its own frozen values (scoring, notices, workflow commands) builds on these.

Every model's ``repr`` and ``str`` mask the personal data its strings hold (phone numbers, e-mail
addresses, resident numbers: :func:`ccms.model.privacy.mask_text`), while the values themselves,
their JSON and their equality stay exactly as given; validation errors never echo their input.

>>> from ccms.model import Concern
>>> concern = Concern(kind="complaint", text="Call me on 010-1234-5678")
>>> concern
Concern(kind=<VocKind.COMPLAINT: 'complaint'>, code=None, text='Call me on 010-****-****', severity=<Severity.MEDIUM: 'medium'>, requested_remedy=None, outcome=None)
>>> concern.text
'Call me on 010-1234-5678'
>>> '010-1234-5678' in concern.model_dump_json()
True
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from functools import cache, cached_property, partial
from typing import TYPE_CHECKING, Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    JsonValue,
    PlainSerializer,
    StringConstraints,
    ValidationError,
)

from ccms.errors import CCMSError
from ccms.model.privacy import mask_text

if TYPE_CHECKING:
    from pydantic._internal._repr import ReprArgs

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


def unwrap_ccms_error(exc: ValidationError) -> CCMSError | None:
    """The ccms error a validator raised inside ``exc``, if any (pydantic wraps ValueErrors)."""
    for error in exc.errors():
        inner = (error.get("ctx") or {}).get("error")
        if isinstance(inner, CCMSError):
            return inner
    return None


def masked_repr_value(value: Any) -> Any:
    """``value`` as a ``repr`` may show it: personal data in its strings masked, at any depth.

    Strings (and the strings in tuples, lists, sets and dicts) go through
    :func:`~ccms.model.privacy.mask_text`; anything without personal data is returned itself
    (an enum member stays a member), so a repr changes only where it would have shown some.

    >>> masked_repr_value({"contact": ["gildong@example.com", 3]})
    {'contact': ['***@example.com', 3]}
    """
    if isinstance(value, str):
        masked = mask_text(value)
        return value if masked == value else masked
    if isinstance(value, (tuple, list, set, frozenset)):
        items = [masked_repr_value(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items) if not isinstance(value, tuple) else tuple(items)
    if isinstance(value, dict):
        pairs = [(masked_repr_value(k), masked_repr_value(v)) for k, v in value.items()]
        if all(nk is k and nv is v for (nk, nv), (k, v) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    return value


class Frozen(BaseModel):
    """Base of every ccms model: immutable, hashable where its fields are, no unknown keys.

    ``repr``/``str`` mask personal data in string fields (see :func:`masked_repr_value`), and a
    :class:`~pydantic.ValidationError`'s message leaves out the input (``hide_input_in_errors``):
    a rejected phone number or letter does not end up in a log. ``exc.errors()`` still carries
    the input, as pydantic's API promises; log ``exc.errors(include_input=False)`` or ``str(exc)``.
    """

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=False, hide_input_in_errors=True
    )

    def __init__(self, /, **data: Any) -> None:
        # A validator that raises a ccms error (e.g. WorkflowDefinitionError) is surfaced as
        # itself, not buried in a pydantic ValidationError.
        try:
            # What BaseModel.__init__ does, without its frame (every event and command).
            self.__pydantic_validator__.validate_python(data, self_instance=self)
        except ValidationError as exc:
            inner = unwrap_ccms_error(exc)
            if inner is not None:
                raise inner from None
            raise

    # Tell pydantic this __init__ only wraps the base one: nested models are then validated in
    # pydantic-core without a Python call per nested object (3x faster reads of stored events).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    def __repr_args__(self) -> ReprArgs:
        # repr, str, rich and devtools all read these: mask personal data in the values shown.
        for name, value in super().__repr_args__():
            yield name, masked_repr_value(value)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy (pydantic's), without values cached from the original's fields.

        A ``cached_property`` (e.g. an organization's agent index) would otherwise be copied
        along and answer from the old fields after ``update``.
        """
        new = super().model_copy(update=update, deep=deep)
        for name in _cached_names(type(self)):
            new.__dict__.pop(name, None)
        return new

    @classmethod
    def _from_validated(cls, values: Mapping[str, Any]) -> Self:
        """An instance of ``values`` (field name -> value), built without validating them: for
        values the caller has validated to this model's constraints and validators already (a
        tenth of the cost of validating them again; the importer's hot path). Fields not given
        take their defaults, a mutable or factory-made one new for each instance, as pydantic
        makes them."""
        fixed, fresh = _defaults(cls)
        state = fixed.copy()  # the fields in their order, then the values given over them
        state.update(values)
        for name, make in fresh:
            if name not in values:
                state[name] = make()
        new = cls.__new__(cls)
        _set(new, "__dict__", state)
        _set(new, "__pydantic_fields_set__", set(values))
        _set(new, "__pydantic_extra__", None)
        _set(new, "__pydantic_private__", None)
        return new

    def _evolve(self, update: dict[str, Any]) -> Self:
        """A copy with ``update`` applied, unvalidated: for values the caller already validated.

        The same as ``model_copy(update=...)`` for a model without private attributes or cached
        properties, at about a third of its cost (the workflow's hot path).
        """
        cls = type(self)
        new = cls.__new__(cls)
        state = self.__dict__.copy()
        state.update(update)
        for name in _cached_names(cls):
            state.pop(name, None)
        _set(new, "__dict__", state)
        _set(new, "__pydantic_extra__", None)
        _set(new, "__pydantic_fields_set__", self.__pydantic_fields_set__ | update.keys())
        _set(new, "__pydantic_private__", None)
        return new


_set = object.__setattr__


@cache
def _defaults(cls: type[BaseModel]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """A model's field defaults in field order, and the fields whose default is made anew for
    each instance (a factory, or a mutable value pydantic copies) with what makes it."""
    fixed: dict[str, Any] = {}
    fresh: list[tuple[str, Any]] = []
    for name, field in cls.model_fields.items():
        default = field.default
        fixed[name] = default
        if field.default_factory is not None:
            fresh.append((name, field.default_factory))
        elif isinstance(default, dict | list | set | bytearray):
            fresh.append((name, partial(copy, default)))
    return fixed, tuple(fresh)


@cache
def _cached_names(cls: type) -> tuple[str, ...]:
    """Names of the ``cached_property`` attributes of a model class."""
    return tuple(
        name
        for klass in cls.__mro__
        for name, value in vars(klass).items()
        if isinstance(value, cached_property)
    )


#: An identifier or short name (no surrounding blanks, 1 to 128 characters).
Name = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]
#: A short free text (reason, cause, comment): up to 2,000 characters.
ShortText = Annotated[str, StringConstraints(max_length=2_000)]
#: A customer's words: up to 20,000 characters (one long letter), never empty.
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


_T = TypeVar("_T")


def _sorted_list(values: frozenset[Any]) -> list[Any]:
    return sorted(values)


#: A frozen set written to JSON as a sorted list: the same set gives the same bytes in every
#: process (a set's iteration order depends on string hashing, which differs per process).
SortedSet = Annotated[frozenset[_T], PlainSerializer(_sorted_list, when_used="json")]


def _finite(value: JsonValue, depth: int = 0) -> JsonValue:
    """Refuse what JSON cannot hold (NaN, infinities) and values too big or deep to be an
    attribute: the same value must read back the same from every store."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ValueError(f"{value} is not a JSON number; give a finite number or null")
    if depth > 16:
        raise ValueError("nested more than 16 levels deep")
    if isinstance(value, str) and len(value) > 20_000:
        raise ValueError(f"a text of {len(value)} characters; at most 20,000")
    if isinstance(value, list):
        if len(value) > 1_000:
            raise ValueError(f"a list of {len(value)} items; at most 1,000")
        for item in value:
            _finite(item, depth + 1)
    elif isinstance(value, dict):
        if len(value) > 1_000:
            raise ValueError(f"an object of {len(value)} keys; at most 1,000")
        for item in value.values():
            _finite(item, depth + 1)
    return value


#: A custom attribute value: any JSON, but finite numbers only and of a bounded size.
AttributeValue = Annotated[JsonValue, AfterValidator(_finite)]
