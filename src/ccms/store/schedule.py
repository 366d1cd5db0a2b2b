"""The wake-up schedule's values: ``ASAP``, ``LATEST`` and the checks of ``wake_at``, ``due``
and ``reschedule`` every store runs before touching its data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from ccms.errors import (
    InvalidAppend,
    InvalidInput,
    require_aware,
)

__all__ = ["ASAP", "LATEST", "check_due", "check_version", "check_wake_at"]

#: ``wake_at=ASAP``: wake the complaint at the next tick (the earliest instant there is).
ASAP: Final[datetime] = datetime.min.replace(tzinfo=UTC)
#: The latest wake-up a store keeps; later instants are kept as this one.
LATEST: Final[datetime] = datetime.max.replace(tzinfo=UTC)


def _clamped(value: datetime) -> datetime:
    # An aware instant outside what a UTC datetime can show is kept as the nearest one it can.
    if value < ASAP:
        return ASAP
    if value > LATEST:
        return LATEST
    return value.astimezone(UTC)


def check_wake_at(complaint_id: str, wake_at: object, *, append: bool = True) -> datetime | None:
    """Check an append's (or, ``append=False``, a reschedule's) ``wake_at``: ``None``, or the
    instant in UTC (instants beyond what a UTC datetime holds are kept as ``ASAP`` or ``LATEST``).

    Raises :class:`InvalidAppend` (:class:`ccms.errors.InvalidInput` for a reschedule) for a
    non-datetime and :class:`ccms.errors.NaiveDatetimeError` for a naive one.

    >>> check_wake_at("c1", ASAP) == ASAP, check_wake_at("c1", None)
    (True, None)
    >>> check_wake_at("c1", "soon")
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidAppend: cannot append to complaint c1: wake_at 'soon' is not a datetime; ...
    """
    if wake_at is None:
        return None
    if not isinstance(wake_at, datetime):
        if not append:
            raise InvalidInput(
                f"reschedule(wake_at=...) must be an aware datetime, ASAP or None, got {wake_at!r}"
            )
        raise InvalidAppend(
            complaint_id,
            f"wake_at {wake_at!r} is not a datetime",
            "an aware datetime, ASAP, or None for nothing scheduled",
        )
    return _clamped(require_aware(wake_at, "wake_at"))


def check_due(now: object, limit: object) -> tuple[datetime, int | None]:
    """Check :meth:`ComplaintStore.due`'s arguments: ``now`` in UTC and the limit.

    >>> check_due(ASAP, 0)
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: due(limit=...) must be a positive int or None, got 0
    """
    if not isinstance(now, datetime):
        raise InvalidInput(f"due(now=...) must be an aware datetime, got {now!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidInput(f"due(limit=...) must be a positive int or None, got {limit!r}")
    return _clamped(require_aware(now, "due(now=...)")), limit


def check_version(version: object) -> int:
    """Check :meth:`ComplaintStore.reschedule`'s ``version``: a non-negative int."""
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise InvalidInput(f"reschedule(version=...) must be an int >= 0, got {version!r}")
    return version
