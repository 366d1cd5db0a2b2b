"""``ComplaintQuery``: the filters of :meth:`~ccms.store.ComplaintStore.query`, and their reference
semantics (:meth:`ComplaintQuery.matches`) that every store's query agrees with.

>>> q = ComplaintQuery(stages={"received", "classified"}, open_only=True, limit=10)
>>> sorted(q.stages or ()), q.open_only, q.limit
(['classified', 'received'], True, 10)
>>> ComplaintQuery.build(q, handler="kim").handler
'kim'
>>> ComplaintQuery.build(None, colour="red")
Traceback (most recent call last):
...
ccms.errors.InvalidInput: unknown query filter 'colour'; allowed: channel, code_prefix, ...
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import attrs

from ccms.errors import (
    InvalidInput,
    require_aware,
)
from ccms.model import Channel, Complaint

__all__ = ["ComplaintQuery"]


def _frozen_names(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def _aware_or_none(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        if not isinstance(value, datetime):
            raise InvalidInput(
                f"ComplaintQuery.{attribute.name} must be an aware datetime, got {value!r}"
            )
        require_aware(value, f"ComplaintQuery.{attribute.name}")


def _channel_or_none(value: Channel | str | None) -> Channel | None:
    if value is None:
        return None
    try:
        return Channel(value)
    except ValueError:
        allowed = ", ".join(c.value for c in Channel)
        raise InvalidInput(f"unknown channel {value!r}; allowed: {allowed}") from None


def _limit(instance: object, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63
    ):
        raise InvalidInput(
            f"ComplaintQuery.limit must be a positive int below 2**63 or None, got {value!r:.40}"
        )


@attrs.frozen(slots=True, kw_only=True)
class ComplaintQuery:
    """Filters for :meth:`ComplaintStore.query`; every filter left ``None`` matches everything.

    Results are ordered by ``(received_at, id)`` (the instant, whatever the zone) and cut at
    ``limit``. All filters must hold at once:

    - ``stages``: the stage is one of these (an empty set matches nothing);
    - ``department``, ``handler``, ``customer_id``, ``channel``: equal;
    - ``open_only``: ``closed_at is None``;
    - ``overdue_at``: open and ``due_at`` (set by the SLA policy) is before this moment;
    - ``received_from`` / ``received_to``: ``received_from <= received_at < received_to``;
    - ``code_prefix``: some concern's VOC code starts with this string (``"PRD"`` matches
      ``"PRD.DEF"``).

    Datetimes must be timezone-aware:

    >>> from datetime import datetime
    >>> ComplaintQuery(overdue_at=datetime(2026, 10, 1))
    Traceback (most recent call last):
    ...
    ccms.errors.NaiveDatetimeError: ComplaintQuery.overdue_at must be a timezone-aware datetime, ...
    """

    stages: frozenset[str] | None = attrs.field(default=None, converter=_frozen_names)
    department: str | None = None
    handler: str | None = None
    open_only: bool = False
    overdue_at: datetime | None = attrs.field(default=None, validator=_aware_or_none)
    received_from: datetime | None = attrs.field(default=None, validator=_aware_or_none)
    received_to: datetime | None = attrs.field(default=None, validator=_aware_or_none)
    customer_id: str | None = None
    channel: Channel | None = attrs.field(default=None, converter=_channel_or_none)
    code_prefix: str | None = None
    limit: int | None = attrs.field(default=None, validator=_limit)

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """The names of the filters, sorted (what keyword filters may be called)."""
        return tuple(sorted(a.name for a in attrs.fields(cls)))

    @classmethod
    def build(cls, query: ComplaintQuery | None = None, /, **filters: Any) -> ComplaintQuery:
        """``query`` (or an empty query) with ``filters`` set on top: the keyword shortcut."""
        unknown = sorted(set(filters) - set(cls.fields()))
        if unknown:
            raise InvalidInput(
                f"unknown query filter {unknown[0]!r}; allowed: {', '.join(cls.fields())}"
            )
        base = query if query is not None else cls()
        return attrs.evolve(base, **filters) if filters else base

    @property
    def matches_nothing(self) -> bool:
        """Whether no complaint can match (an empty set of stages): a store answers at once."""
        return self.stages is not None and not self.stages

    def matches(self, complaint: Complaint) -> bool:
        """Whether ``complaint`` passes every filter (``limit`` aside): the reference semantics."""
        c = complaint
        if self.stages is not None and c.stage not in self.stages:
            return False
        if self.department is not None and c.department != self.department:
            return False
        if self.handler is not None and c.handler != self.handler:
            return False
        if self.open_only and c.closed_at is not None:
            return False
        if self.overdue_at is not None and (
            c.closed_at is not None or c.due_at is None or not c.due_at < self.overdue_at
        ):
            return False
        if self.received_from is not None and c.received_at < self.received_from:
            return False
        if self.received_to is not None and not c.received_at < self.received_to:
            return False
        if self.customer_id is not None and c.customer.id != self.customer_id:
            return False
        if self.channel is not None and c.channel != self.channel:
            return False
        return self.code_prefix is None or any(
            code.startswith(self.code_prefix) for code in c.codes
        )

    def select(self, complaints: Iterable[Complaint]) -> list[Complaint]:
        """The complaints that match, ordered by ``(received_at, id)`` and cut at ``limit``."""
        if self.matches_nothing:
            return []
        found = sorted(
            (c for c in complaints if self.matches(c)), key=lambda c: (c.received_at, c.id)
        )
        return found if self.limit is None else found[: self.limit]
