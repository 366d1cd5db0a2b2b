"""Offering the unassigned backlog to an agent with free capacity (pull-based assignment).

Part of :mod:`ccms.policy.routing`, which re-exports its public names.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from ccms.errors import PolicyError, require_aware
from ccms.model import Agent, Complaint

__all__ = ["backlog_order", "offer_backlog", "plan_backlog"]


def backlog_order(complaint: Complaint) -> tuple[int, datetime, str]:
    """The sort key of the backlog: severity descending, then received_at ascending, then id."""
    return -complaint.severity.rank, complaint.received_at, complaint.id


def offer_backlog(
    backlog: Iterable[Complaint],
    agent: Agent,
    *,
    now: datetime,
    open_load: Mapping[str, int],
    limit: int | None = None,
) -> list[Complaint]:
    """The complaints to offer ``agent`` now: most severe first, then oldest, then by id.

    Eligible: open (``closed_at`` is None), unassigned (``handler`` is None), in the agent's
    department, received at or before ``now``. At most the agent's free capacity
    (``capacity - open_load.get(agent.id, 0)``, never below 0) and at most ``limit``; an inactive
    agent is offered nothing. Pure: the Desk's ``tick`` calls it and assigns what it returns.
    """
    require_aware(now, "now")
    if limit is not None and (isinstance(limit, bool) or limit < 0):
        raise PolicyError(f"offer_backlog: limit must be a non-negative int or None, got {limit!r}")
    if not agent.active:
        return []
    free = max(agent.capacity - open_load.get(agent.id, 0), 0)
    if limit is not None:
        free = min(free, limit)
    if free == 0:
        return []
    eligible = (
        c
        for c in backlog
        if c.handler is None
        and c.closed_at is None
        and c.department == agent.department
        and c.received_at <= now
    )
    return heapq.nsmallest(free, eligible, key=backlog_order)


def plan_backlog(
    backlog: Iterable[Complaint],
    agents: Iterable[Agent],
    *,
    now: datetime,
    open_load: Mapping[str, int],
) -> list[tuple[Complaint, Agent]]:
    """Hand the backlog out: ``(complaint, agent)`` pairs in the order to assign them.

    Agents are served least loaded first (load/capacity, then id); each is offered
    :func:`offer_backlog` of what is left, counting what it was just given. Pure.

    >>> from datetime import datetime, timezone
    >>> from ccms.model import Agent
    >>> kim = Agent(id="kim", name="Kim", department="cs", capacity=1)
    >>> plan_backlog([], [kim], now=datetime(2026, 10, 5, tzinfo=timezone.utc), open_load={})
    []
    """
    left: list[Complaint] = list(backlog)
    load = dict(open_load)
    ordered: Sequence[Agent] = sorted(
        (a for a in agents if a.active),
        key=lambda a: (load.get(a.id, 0) / a.capacity if a.capacity else 1.0, a.id),
    )
    plan: list[tuple[Complaint, Agent]] = []
    for agent in ordered:
        offered = offer_backlog(left, agent, now=now, open_load=load)
        for complaint in offered:
            plan.append((complaint, agent))
            load[agent.id] = load.get(agent.id, 0) + 1
        if offered:
            taken = {c.id for c in offered}
            left = [c for c in left if c.id not in taken]
    return plan
