"""Private: the Desk's protocols (sweepers, schedules, assessments, routers) and the boundary
helpers every command uses (validation errors as :class:`~ccms.errors.InvalidInput`, the
fingerprint an idempotency key is bound to)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, NoReturn, Protocol, TypeVar

import pydantic

from ccms.errors import CCMSError, InvalidInput
from ccms.model import Complaint, Customer, DomainEvent
from ccms.model.types import unwrap_ccms_error
from ccms.policy.base import PolicyContext
from ccms.store import fingerprint
from ccms.store.base import customer_json

__all__ = [
    "EARLIEST_RECEIPT",
    "RECEIPT_TOLERANCE",
    "Assessment",
    "Router",
    "Scheduled",
    "Subscriber",
    "Sweeper",
    "boundary",
    "check_expected_version",
    "check_received_at",
    "command_fingerprint",
    "invalid",
]

T = TypeVar("T")

#: How far after the Desk's clock a ``received_at`` may be (the host's clock may run a little
#: ahead of the Desk's); later is refused.
RECEIPT_TOLERANCE: Final = timedelta(minutes=5)
#: The earliest ``received_at`` a Desk takes (earlier is a typo, not a contact).
EARLIEST_RECEIPT: Final = datetime(1900, 1, 1, tzinfo=UTC)

#: Called after every successful write with the new complaint and the events just stored.
Subscriber = Callable[[Complaint, Sequence[DomainEvent]], None]


class Sweeper(Protocol):
    """A policy that proposes events from a complaint's state and history (SLA, escalation, ...).

    ``sweep`` is pure and idempotent: given a history that already holds the events it proposed
    before, it proposes nothing new. The Desk stamps the version.
    """

    def sweep(self, ctx: PolicyContext) -> Sequence[DomainEvent]:
        """The new events to record for this complaint now (often none)."""
        ...


class Scheduled(Protocol):
    """A sweeper that says when it next needs to look at a complaint (time-driven policies).

    ``next_wake(ctx)`` is the earliest moment the sweep could propose something new without a
    command (``None``: only a command can). It may be early, never late: the Desk's ``tick``
    looks at a complaint only once its earliest wake-up has come. A sweeper without
    ``next_wake`` is asked on every tick.
    """

    def next_wake(self, ctx: PolicyContext) -> datetime | None:
        """When to sweep this complaint again, or ``None``."""
        ...


class Assessment(Protocol):
    """What a sweeper's ``assess(ctx)`` returns: its events and next wake-up from one
    evaluation, and (for the SLA policy) the clocks the later sweepers read."""

    @property
    def events(self) -> Sequence[DomainEvent]: ...

    @property
    def wake(self) -> datetime | None: ...


class Router(Protocol):
    """A routing policy: ``decide(ctx)`` returns a decision naming a department or a handler."""

    def decide(self, ctx: PolicyContext) -> Any: ...


def boundary(build: Callable[[], T], what: str = "command") -> T:
    """Build a boundary value; pydantic's errors, and the TypeError or ValueError of an argument
    of the wrong shape (``None`` where a list is wanted), become :class:`InvalidInput`."""
    try:
        return build()
    except CCMSError:
        raise
    except (TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, pydantic.ValidationError):
            return invalid(exc)
        raise InvalidInput(f"invalid {what}: {exc}") from None


def command_fingerprint(
    name: str,
    complaint_id: str | None,
    command: pydantic.BaseModel | None,
    customer: Customer | None = None,
) -> str:
    """What an idempotency key is bound to: the command's type and payload, and the complaint it
    is for (``None`` for a ``receive`` whose complaint id is drawn). Not when (``at``) nor who
    (``actor``): a retry may come later, through another worker. ``command=None``: a request the
    Desk completes itself (a routed assignment: the key names the request, not whom the router
    chose, so a late retry is answered, not routed again). ``customer``: the full customer a
    ``receive`` saves, in clear (dumps mask contact details, and two receives that differ only in
    a phone number are two commands); only the hash of it is kept."""
    payload = None if command is None else command.model_dump(mode="json", exclude={"received_at"})
    if customer is not None and payload is not None:
        payload["customer_saved"] = customer_json(customer)
    shown = name.replace(":", "_")[:64] or "command"  # a custom trigger's name, kept readable
    return fingerprint(
        shown,
        {
            "complaint": complaint_id,
            "command": "routed" if command is None else type(command).__name__,
            "trigger": name,
            "payload": payload,
        },
    )


def invalid(exc: pydantic.ValidationError) -> NoReturn:
    """Raise the ccms error inside ``exc``, else :class:`InvalidInput` naming every problem."""
    inner = unwrap_ccms_error(exc)
    if inner is not None:
        raise inner from None
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()
    )
    raise InvalidInput(f"invalid {exc.title}: {problems}") from None


def check_received_at(received_at: datetime, now: datetime) -> datetime:
    """``received_at`` if it lies between :data:`EARLIEST_RECEIPT` and ``now`` (the Desk's
    clock) plus :data:`RECEIPT_TOLERANCE`, else :class:`InvalidInput` saying what is allowed."""
    latest = now + RECEIPT_TOLERANCE
    if EARLIEST_RECEIPT <= received_at <= latest:
        return received_at
    side = "before" if received_at < EARLIEST_RECEIPT else "later than"
    raise InvalidInput(
        f"receive: received_at {received_at.isoformat()} is {side} what a receipt may be; "
        f"allowed: from {EARLIEST_RECEIPT.isoformat()} to the Desk's clock "
        f"{now.isoformat()} plus {int(RECEIPT_TOLERANCE.total_seconds() // 60)} minutes "
        f"({latest.isoformat()})"
    )


def check_expected_version(expected_version: object, complaint_id: object) -> int | None:
    """``expected_version`` if it is ``None`` or a non-negative int (not a bool), else
    :class:`InvalidInput` naming the complaint and what is allowed."""
    if expected_version is None:
        return None
    if (
        isinstance(expected_version, bool)
        or not isinstance(expected_version, int)
        or expected_version < 0
    ):
        raise InvalidInput(
            f"complaint {complaint_id!r:.140}: expected_version must be None or a version "
            f"number (an int of 0 or more, not a bool), got {type(expected_version).__name__} "
            f"{expected_version!r:.40}"
        )
    return expected_version
