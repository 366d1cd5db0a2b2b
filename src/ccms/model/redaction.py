"""Removing personal data from complaints and events (erasure and retention), keeping every figure.

:func:`redact` returns a copy of a complaint, an event or any ccms value with:

* every **free text** replaced by :data:`REDACTED`: a field that holds words (``Text`` or
  ``ShortText``: a concern's text, a result's cause and measures, a happy call's comment, the
  reasons and notes of events, an import's notes), whoever wrote them; an empty text stays empty.
  Kept: the names of the routing rule that decided (``rule``) and the early warning's
  ``actions``, which a policy writes, not a person;
* every **tag and attribute value** (and an import's raw channel and outcome names) with its
  phone numbers, e-mail addresses and resident numbers masked (:func:`~ccms.model.mask_text`),
  and, if it contains one of the ``scrub`` values (the erased customer's own name, phone and
  e-mail, as stored), replaced by :data:`REDACTED` as a whole: tags and attributes are codes a
  host chose, so they keep their meaning unless they held the person;
* with ``customer_id``, the customer reference's id replaced (retention cuts the link to the
  customer row; :func:`anonymous_id` makes one that tells nothing).

Everything a figure reads is left as it was: ids, stages, codes, kinds, severities, times,
channels, flags, the customer's segment, region and language, remedies and amounts, scores.
Redacting twice gives the same value as once.

>>> from ccms.model import Concern
>>> concern = Concern(kind="complaint", code="DLV.LATE", text="홍길동입니다. 010-1234-5678")
>>> redact(concern)
Concern(kind=<VocKind.COMPLAINT: 'complaint'>, code='DLV.LATE', text='[redacted]', severity=<Severity.MEDIUM: 'medium'>, requested_remedy=None, outcome=None)
>>> redact(redact(concern)) == redact(concern)
True
"""

from __future__ import annotations

import hashlib
import typing
from collections.abc import Iterable
from typing import Any, Final, TypeVar

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ccms.model.customer import CustomerRef
from ccms.model.privacy import mask_text

__all__ = ["ANONYMOUS_PREFIX", "REDACTED", "anonymous_id", "redact", "scrub_text"]

#: What replaces a free text (and a tag or attribute value that held the person).
REDACTED: Final = "[redacted]"
#: How an anonymous customer id (:func:`anonymous_id`) starts.
ANONYMOUS_PREFIX: Final = "anon-"
#: Free-text fields that a policy writes, not a person: kept.
_KEPT: Final = frozenset({"rule", "actions"})
#: Source vocabulary (an import's raw names): masked like tags, not wiped.
_SCRUBBED: Final = frozenset({"channel_raw", "outcome_raw"})
#: The shortest scrub value looked for (a one-letter name would wipe every tag).
_SHORTEST: Final = 2
_NAME_LIMIT: Final = 128

M = TypeVar("M")


def anonymous_id(complaint_id: str) -> str:
    """A customer id for an anonymised complaint: the same for one complaint, unrelated to the
    customer (a hash of the complaint id, which the complaint carries anyway).

    >>> anonymous_id("c-1")
    'anon-756147115e4dcc72'
    """
    digest = hashlib.blake2b(complaint_id.encode("utf-8"), digest_size=8).hexdigest()
    return f"{ANONYMOUS_PREFIX}{digest}"


def _free_text(field: FieldInfo) -> bool:
    """Whether a field holds words: a str (or a tuple of str) of 2,000 characters or more."""

    def long(metadata: Iterable[Any]) -> bool:
        return any((getattr(m, "max_length", None) or 0) >= 2_000 for m in metadata)

    annotation = field.annotation
    if annotation is str:
        return long(field.metadata)
    if typing.get_origin(annotation) is tuple:
        args = typing.get_args(annotation)
        if args and typing.get_origin(args[0]) is typing.Annotated:
            base, *metadata = typing.get_args(args[0])
            return base is str and long(metadata)
    return False


def scrub_text(text: str, scrub: Iterable[str] = ()) -> str:
    """``text`` with its contact details masked, or :data:`REDACTED` if it contains one of the
    ``scrub`` values (compared without case).

    >>> scrub_text("vip-01012345678"), scrub_text("referred by Kim Minji", ["kim minji"])
    ('vip-010-****-****', '[redacted]')
    """
    folded = text.casefold()
    for value in scrub:
        if len(value) >= _SHORTEST and value.casefold() in folded:
            return REDACTED
    return mask_text(text)


def _scrub_json(value: Any, scrub: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return scrub_text(value, scrub)
    if isinstance(value, dict):
        return {k: _scrub_json(v, scrub) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, scrub) for v in value]
    return value


def _scrub_name(value: str, scrub: tuple[str, ...]) -> str:
    return scrub_text(value, scrub)[:_NAME_LIMIT].strip() or REDACTED


def _wipe(value: Any) -> Any:
    if isinstance(value, str):
        return REDACTED if value else value
    if isinstance(value, tuple):
        return tuple(REDACTED if v else v for v in value)
    return value


def _redact(value: Any, scrub: tuple[str, ...], customer_id: str | None) -> Any:
    if isinstance(value, BaseModel):
        return _redact_model(value, scrub, customer_id)
    if isinstance(value, tuple):
        items = tuple(_redact(v, scrub, customer_id) for v in value)
        return value if items == value else items
    return value


def _redact_model(model: BaseModel, scrub: tuple[str, ...], customer_id: str | None) -> Any:
    if isinstance(model, CustomerRef):
        if customer_id is None or model.id == customer_id:
            return model
        return model.model_copy(update={"id": customer_id})
    update: dict[str, Any] = {}
    for name, field in type(model).model_fields.items():
        old = getattr(model, name)
        if name in _KEPT:
            continue
        if name in _SCRUBBED and isinstance(old, str):
            new: Any = scrub_text(old, scrub) if old else old
        elif _free_text(field):
            new = _wipe(old)
        elif name == "tags" and isinstance(old, frozenset):
            new = frozenset(_scrub_name(t, scrub) for t in old)
        elif name == "attributes" and isinstance(old, dict):
            new = _scrub_json(old, scrub)
        else:
            new = _redact(old, scrub, customer_id)
        if new is not old and new != old:
            update[name] = new
    return model.model_copy(update=update) if update else model


def redact(value: M, *, scrub: Iterable[str] = (), customer_id: str | None = None) -> M:
    """A copy of ``value`` (a complaint, an event, a concern, ...) without its personal data;
    see the module's docs. ``value`` itself is returned when there is nothing to remove.

    >>> from datetime import datetime, timezone
    >>> from ccms.model import Actor, Closed
    >>> e = Closed(complaint_id="c1", version=9, at=datetime(2026, 10, 5, tzinfo=timezone.utc),
    ...            actor=Actor.system(), stage="closed", reason="고객 요청 (010-1234-5678)")
    >>> redact(e).reason, redact(e).stage
    ('[redacted]', 'closed')
    """
    return typing.cast(M, _redact(value, tuple(v for v in scrub if v), customer_id))
