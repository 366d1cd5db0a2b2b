"""Private: who to tell. Role names (escalation ladders, crisis levels) resolved to agent ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from ccms.model import Complaint, Organization, Role

__all__ = ["ROLE_NAMES", "check_role", "resolve_roles"]

#: Role names a ``notify`` list may use; ``agent:<id>`` names one agent directly.
ROLE_NAMES: Final = ("handler", "supervisor", "department_head", "executive")


def check_role(name: str) -> str:
    """Return ``name`` if it is a known role name or ``agent:<id>``; else raise ``ValueError``."""
    if name in ROLE_NAMES or (name.startswith("agent:") and len(name) > len("agent:")):
        return name
    raise ValueError(
        f"unknown notify role {name!r}; allowed: {', '.join(ROLE_NAMES)}, or 'agent:<id>'"
    )


def _one(role: str, complaint: Complaint, org: Organization) -> list[str]:
    if role.startswith("agent:"):
        return [role.removeprefix("agent:")]
    if role == "handler":
        return [complaint.handler] if complaint.handler else []
    if role == "executive":
        return sorted(a.id for a in org.agents if a.active and a.role == Role.EXECUTIVE)
    dept = complaint.department
    if dept is None or not org.has_department(dept):
        return []
    if role == "supervisor":
        return [a.id for a in org.members(dept) if a.role == Role.SUPERVISOR]
    head = org.department(dept).head
    return [head] if head else []


#: Answers of :func:`resolve_roles` by (organization, roles, handler, department), all it reads
#: (an organization is frozen; it is kept beside its answers so its id is not reused while they
#: stand); emptied when full (plain dict operations, safe across threads).
_RESOLVED: dict[tuple[Any, ...], tuple[Organization, tuple[str, ...]]] = {}
_RESOLVED_SIZE: Final = 4096


def resolve_roles(roles: Iterable[str], complaint: Complaint, org: Organization) -> tuple[str, ...]:
    """Agent ids for ``roles``, in role order, without duplicates.

    handler: the complaint's handler; supervisor: active supervisors of its department;
    department_head: ``Department.head``; executive: active agents with role executive.
    A role nobody fills (no handler yet, no head) yields no one.
    """
    wanted = tuple(roles)
    key = (id(org), wanted, complaint.handler, complaint.department)
    hit = _RESOLVED.get(key)
    if hit is not None and hit[0] is org:
        return hit[1]
    out: dict[str, None] = {}
    for role in wanted:
        for agent_id in _one(role, complaint, org):
            out.setdefault(agent_id, None)
    found = tuple(out)
    if len(_RESOLVED) >= _RESOLVED_SIZE:
        _RESOLVED.clear()
    _RESOLVED[key] = (org, found)
    return found
