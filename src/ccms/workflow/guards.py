"""Guards: named checks that must pass for a transition to fire.

A guard is a callable ``guard(ctx: GuardContext) -> str | None``: ``None`` lets the transition
fire, a string says why not (it becomes the ``reason`` of :class:`~ccms.errors.GuardRejected`).
Guards are pure: they read the context only.

>>> from datetime import timedelta
>>> reopen_window(timedelta(days=14))
reopen_window(14 days, 0:00:00)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple, Protocol

import attrs

from ccms.model import Actor, Complaint, DomainEvent, Organization, Role

if TYPE_CHECKING:
    from ccms.workflow.commands import Command

__all__ = [
    "BUILTIN_GUARDS",
    "Guard",
    "GuardContext",
    "authority",
    "different_department",
    "handler_in_department",
    "has_handler",
    "remedy_standard",
    "reopen_window",
]


class GuardContext(NamedTuple):
    """What a guard may read: the complaint before the command, the command, who and when.

    Immutable; a named tuple rather than an attrs class because one is built for every guarded
    command and construction cost shows on the decision path (``make bench``).
    """

    complaint: Complaint
    command: Command
    actor: Actor
    at: datetime
    organization: Organization | None = None
    events: Sequence[DomainEvent] = ()


class Guard(Protocol):
    """A guard: ``None`` to allow, or the reason for refusing."""

    def __call__(self, ctx: GuardContext) -> str | None: ...


def authority(ctx: GuardContext) -> str | None:
    """The registered remedy must be within the authority of whoever registers it.

    The actor's authority counts when the actor is a known agent (a supervisor may register what
    the handler may not); otherwise the complaint's handler's. Without an organization the guard
    cannot judge and lets the command pass.
    """
    result = getattr(ctx.command, "result", None)
    org = ctx.organization
    if result is None or org is None:
        return None
    who = ctx.actor.id if org.has_agent(ctx.actor.id) else ctx.complaint.handler
    if who is None or not org.has_agent(who):
        return None
    agent = org.agent(who)
    why = agent.authority.why_not(result.remedy, result.amount)
    if why is None:
        return None
    able = [a.id for a in org.agents_with_authority(result.remedy, result.amount)]
    return (
        f"{why} of {agent.id}; escalate to someone with the authority"
        f" ({', '.join(able) if able else 'nobody in the organization has it'})"
    )


#: The roles that may register a remedy below the remedy standard.
_APPROVERS = frozenset({Role.SUPERVISOR, Role.EXECUTIVE})


def remedy_standard(ctx: GuardContext) -> str | None:
    """A remedy below the remedy standard applied needs a supervisor, and their reason.

    The standard is the command's ``standard`` (an :class:`~ccms.model.AppliedStandard`, which
    the Desk attaches when it has a remedy-standards table); without one, or at or above it,
    the guard lets the command pass. The approver is the actor in the role of supervisor or
    executive (their role in the organization when they are a known agent).
    """
    standard = getattr(ctx.command, "standard", None)
    if standard is None or standard.verdict != "below":
        return None
    result = getattr(ctx.command, "result", None)
    remedy = result.remedy.value if result is not None else "the remedy"
    org = ctx.organization
    role = (
        org.agent(ctx.actor.id).role
        if org is not None and org.has_agent(ctx.actor.id)
        else ctx.actor.role
    )
    allowed = " or ".join(r.value for r in standard.remedies) or "the standard remedy"
    what = (
        f"{remedy} is below the remedy standard {standard.table} {standard.version} "
        f"({standard.rule}: {allowed})"
    )
    if role not in _APPROVERS:
        return (
            f"{what}; register {allowed}, or have a supervisor register it with a reason "
            f"({ctx.actor.id} acts as {role.value})"
        )
    if not standard.reason.strip():
        return f"{what}; the supervisor {ctx.actor.id} must give the reason"
    return None


def handler_in_department(ctx: GuardContext) -> str | None:
    """The handler assigned must be an active member of the complaint's department."""
    handler = getattr(ctx.command, "handler", None)
    org = ctx.organization
    if handler is None or org is None or not org.agents:
        return None  # no organization to judge by
    if not org.has_agent(handler):
        return f"unknown handler {handler!r}"
    agent = org.agent(handler)
    if not agent.active:
        return f"handler {handler!r} is not active"
    if ctx.complaint.department is not None and agent.department != ctx.complaint.department:
        return (
            f"handler {handler!r} belongs to {agent.department!r}, "
            f"not to the complaint's department {ctx.complaint.department!r}"
        )
    return None


def different_department(ctx: GuardContext) -> str | None:
    """A transfer must go to another (known) department."""
    to = getattr(ctx.command, "to_department", None)
    if to is None:
        return None
    if to == ctx.complaint.department:
        return f"the complaint is already in department {to!r}"
    org = ctx.organization
    if org is not None and org.departments and not org.has_department(to):
        return f"unknown department {to!r}"
    return None


@attrs.frozen(slots=True)
class reopen_window:
    """Reopening a *closed* complaint is allowed only within ``window`` after it was closed."""

    window: timedelta

    def __call__(self, ctx: GuardContext) -> str | None:
        closed_at = ctx.complaint.closed_at
        if closed_at is None:
            return None
        if ctx.at - closed_at > self.window:
            return (
                f"it was closed at {closed_at.isoformat()}, more than {self.window} ago; "
                "register a new complaint instead"
            )
        return None

    def __repr__(self) -> str:
        return f"reopen_window({self.window})"


#: Guards available to every workflow by name.
def has_handler(ctx: GuardContext) -> str | None:
    """The complaint must have a handler (a reopened case goes back to them, not to limbo)."""
    if ctx.complaint.handler is None:
        return "the complaint has no handler"
    return None


BUILTIN_GUARDS: Mapping[str, Callable[[GuardContext], str | None]] = {
    "authority": authority,
    "remedy_standard": remedy_standard,
    "has_handler": has_handler,
    "handler_in_department": handler_in_department,
    "different_department": different_department,
    "reopen_window": reopen_window(timedelta(days=14)),
}
