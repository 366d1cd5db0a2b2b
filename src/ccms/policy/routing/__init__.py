"""Routing: which department (담당부서 할당) and which handler (담당자 배분) take a complaint.

Two policy kinds, each a :class:`typing.Protocol` with one ``decide(ctx)`` method:

- :class:`DepartmentRouter` returns a :class:`DepartmentDecision` (or ``None``: abstain);
  built-ins :func:`by_code_table`, :func:`by_channel`, :func:`by_segment`,
  :func:`by_taxonomy_defaults`, :func:`fixed`.
- :class:`HandlerRouter` returns a :class:`HandlerDecision`: a handler who exists, is active and
  has capacity, or ``handler=None`` with a reason per candidate; built-ins :func:`least_loaded`,
  :func:`round_robin`, :func:`sticky`, :func:`fallthrough` and the filters :func:`skills_match`,
  :func:`language_match`, :func:`authority_fit` (usable alone or as ``filters=[...]``).

Built-ins compose with ``|`` (the first that decides wins) and are registered in
:data:`ccms.policy.registry.default_registry` under kinds ``department_router`` /
``handler_router`` when this module is imported. See ``docs/routing.md``.

>>> from datetime import datetime, timezone
>>> from ccms.policy import PolicyContext
>>> from ccms.model import Agent, Complaint, Concern, CustomerRef, Department, Organization
>>> org = Organization(
...     departments=[Department(id="production", name="Production")],
...     agents=[Agent(id="kim", name="Kim", department="production", capacity=5),
...             Agent(id="lee", name="Lee", department="production", capacity=5)])
>>> now = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> c = Complaint(id="c1", version=2, received_at=now, updated_at=now, channel="web",
...               customer=CustomerRef(id="C-1"), stage="classified",
...               concerns=[Concern(kind="complaint", code="PRD.DEF.HANDLE", text="broke")])
>>> ctx = PolicyContext(complaint=c, now=now, organization=org, open_load={"kim": 3, "lee": 1})
>>> (by_code_table({"PRD.DEF": "production"}) | fixed("cs")).decide(ctx).rule
'by_code_table: PRD.DEF -> production'
>>> ctx = ctx.evolve(complaint=c.model_copy(update={"department": "production"}))
>>> print(least_loaded().decide(ctx).explain())
handler lee (least_loaded: lee (load 1/5))
  kim: higher load (load 3/5)
  lee: chosen (load 1/5)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ccms.policy.registry import PolicyRegistry, default_registry
from ccms.policy.routing.backlog import backlog_order, offer_backlog, plan_backlog
from ccms.policy.routing.decisions import (
    Candidate,
    DepartmentDecision,
    DepartmentRouter,
    Exclusion,
    HandlerDecision,
    HandlerFilter,
    HandlerRouter,
    RoutingVerdict,
    Verdict,
)
from ccms.policy.routing.department import (
    ByChannel,
    ByCodeTable,
    BySegment,
    ByTaxonomyDefaults,
    DepartmentRule,
    Fixed,
    by_channel,
    by_code_table,
    by_segment,
    by_taxonomy_defaults,
    fixed,
)
from ccms.policy.routing.handler import (
    ASSIGNMENT_COUNTER,
    EXPECTED_AMOUNT,
    MONETARY_REMEDIES,
    PREVIOUS_HANDLER,
    REQUIRED_SKILLS,
    AuthorityFit,
    Fallthrough,
    HandlerSelector,
    LanguageMatch,
    LeastLoaded,
    RoundRobin,
    SkillsMatch,
    Sticky,
    authority_fit,
    fallthrough,
    language_match,
    least_loaded,
    round_robin,
    skills_match,
    sticky,
)

__all__ = [
    "ASSIGNMENT_COUNTER",
    "DEPARTMENT_ROUTERS",
    "EXPECTED_AMOUNT",
    "HANDLER_ROUTERS",
    "MONETARY_REMEDIES",
    "PREVIOUS_HANDLER",
    "REQUIRED_SKILLS",
    "AuthorityFit",
    "ByChannel",
    "ByCodeTable",
    "BySegment",
    "ByTaxonomyDefaults",
    "Candidate",
    "DepartmentDecision",
    "DepartmentRouter",
    "DepartmentRule",
    "Exclusion",
    "Fallthrough",
    "Fixed",
    "HandlerDecision",
    "HandlerFilter",
    "HandlerRouter",
    "HandlerSelector",
    "LanguageMatch",
    "LeastLoaded",
    "RoundRobin",
    "RoutingVerdict",
    "SkillsMatch",
    "Sticky",
    "Verdict",
    "authority_fit",
    "backlog_order",
    "by_channel",
    "by_code_table",
    "by_segment",
    "by_taxonomy_defaults",
    "fallthrough",
    "fixed",
    "language_match",
    "least_loaded",
    "offer_backlog",
    "plan_backlog",
    "register_routing",
    "round_robin",
    "skills_match",
    "sticky",
]

#: The built-in department routers by registered name.
DEPARTMENT_ROUTERS: dict[str, Callable[..., Any]] = {
    "by_code_table": by_code_table,
    "by_channel": by_channel,
    "by_segment": by_segment,
    "by_taxonomy_defaults": by_taxonomy_defaults,
    "fixed": fixed,
}

#: The built-in handler routers (filters included) by registered name.
HANDLER_ROUTERS: dict[str, Callable[..., Any]] = {
    "authority_fit": authority_fit,
    "fallthrough": fallthrough,
    "language_match": language_match,
    "least_loaded": least_loaded,
    "round_robin": round_robin,
    "skills_match": skills_match,
    "sticky": sticky,
}


def register_routing(registry: PolicyRegistry) -> int:
    """Register the built-in routers in ``registry``; returns how many were registered.

    Done for :data:`~ccms.policy.registry.default_registry` when this module is imported.

    >>> reg = PolicyRegistry()
    >>> register_routing(reg)
    12
    >>> reg.names("department_router")
    ('by_channel', 'by_code_table', 'by_segment', 'by_taxonomy_defaults', 'fixed')
    """
    for name, factory in DEPARTMENT_ROUTERS.items():
        registry.register("department_router", name, factory)
    for name, factory in HANDLER_ROUTERS.items():
        registry.register("handler_router", name, factory)
    return len(DEPARTMENT_ROUTERS) + len(HANDLER_ROUTERS)


register_routing(default_registry)
