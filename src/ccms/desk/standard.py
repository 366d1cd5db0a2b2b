"""``Desk.standard``: the Desk with every built-in policy wired, the way a host wants it by default.

What it wires (each replaceable by a section of the policy config file, or by an argument):

* department routing: the taxonomy's default department for the code, else ``fallback_department``
  (default: the organization's first department);
* handler routing: back to the previous handler (``sticky``: a reopened complaint, a repeat of
  the same customer and code), else the least loaded agent speaking the customer's language,
  else the least loaded agent;
* the SLA clocks of :data:`~ccms.policy.sla.DEFAULT_SLA_TABLE` in business time on ``calendar``;
* the escalation ladder :data:`~ccms.policy.escalation.DEFAULT_LEVELS` on the resolution clock;
* the serious-complaint early warning (default rules and crisis steps);
* repeats of one customer and code, and code spikes (:class:`~ccms.policy.RepeatDetector`);
* the unassigned backlog handed out on every ``tick``;
* a :class:`~ccms.desk.ContextIndex`, so the policies get what they read (customer history, code
  counts and baselines, open load, round-robin turn, previous handler) with no host code, and a
  schedule, so ``tick`` looks only at complaints that are due.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> from ccms.desk import Desk, ManualClock
>>> from ccms.model import Agent, Concern, CustomerRef, Department, Organization
>>> from ccms.policy import BusinessCalendar
>>> from ccms.store import InMemoryStore
>>> org = Organization(departments=[Department(id="cs", name="Customer service")],
...                    agents=[Agent(id="kim", name="Kim", department="cs")])
>>> seoul = ZoneInfo("Asia/Seoul")
>>> desk = Desk.standard(InMemoryStore(), organization=org, taxonomy=None,
...                      calendar=BusinessCalendar(seoul, {"mon-fri": [("09:00", "18:00")]}),
...                      clock=ManualClock(datetime(2026, 10, 5, 9, 30, tzinfo=seoul)))
>>> c = desk.receive(channel="phone", customer=CustomerRef(id="C-1"),
...                  concerns=[Concern(kind="complaint", text="Late delivery")])
>>> c = desk.classify(c.id, ["DLV.LATE"])
>>> c = desk.assign_department(c.id)
>>> c = desk.assign_handler(c.id)
>>> c.department, c.handler, c.due_at.isoformat()
('cs', 'kim', '2026-10-07T15:30:00+09:00')
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ccms.desk.clock import Clock
from ccms.desk.context import ContextIndex
from ccms.desk.service import Desk, Subscriber, Sweeper
from ccms.errors import PolicyError
from ccms.model import Organization, Taxonomy
from ccms.policy import (
    EarlyWarning,
    EscalationLadder,
    PolicyConfig,
    RepeatDetector,
    SlaPolicy,
)
from ccms.policy.config import Policies
from ccms.policy.escalation import DEFAULT_LEVELS
from ccms.policy.routing import (
    by_taxonomy_defaults,
    fallthrough,
    fixed,
    language_match,
    least_loaded,
    sticky,
)
from ccms.policy.sla import Calendars, default_sla_table
from ccms.store import ComplaintStore
from ccms.workflow import Workflow

__all__ = ["standard"]


def _policies(config: PolicyConfig | Policies | str | Path | None) -> Policies:
    if config is None:
        return Policies()
    if isinstance(config, Policies):
        return config
    if isinstance(config, PolicyConfig):
        return config.build()
    if isinstance(config, str | Path):
        return PolicyConfig.from_file(config).build()
    raise PolicyError(
        f"Desk.standard: config must be a PolicyConfig, Policies, a file path or None, got "
        f"{config!r} ({type(config).__name__})"
    )


def _first(*candidates: Any) -> Any:
    return next((c for c in candidates if c is not None), None)


def standard(
    store: ComplaintStore,
    *,
    organization: Organization,
    taxonomy: Taxonomy | None,
    calendar: Calendars,
    clock: Clock | None = None,
    config: PolicyConfig | Policies | str | Path | None = None,
    department_router: Any = None,
    handler_router: Any = None,
    sla: SlaPolicy | None = None,
    escalation: Any = None,
    early_warning: Any = None,
    classifier: Any = None,
    repeats: Any = None,
    fallback_department: str | None = None,
    index: ContextIndex | None = None,
    sweepers: Iterable[Sweeper] = (),
    subscribers: Iterable[Subscriber] = (),
    workflow: Workflow | None = None,
    **desk_options: Any,
) -> Desk:
    """The Desk with the built-in policies (module docs); arguments win over ``config``
    sections, which win over the built-ins.

    ``calendar`` is the business calendar of the SLA clocks: one calendar for every business
    target, or ``{name: calendar}`` for tables that name theirs (``"default"`` serves targets
    that name none). ``sweepers`` run after the built-in ones; ``desk_options`` go to
    :class:`~ccms.desk.Desk` (``rng``, ``context_extra``, ``cache_size``). ``classifier`` (opt-in:
    a :class:`~ccms.classify.VocClassifier` trained with severities) adds the predicted severity
    to the early warning's rules (:meth:`~ccms.classify.PredictedSeverityWarning.beside`).
    """
    if not isinstance(organization, Organization):
        raise PolicyError(
            f"Desk.standard: organization must be an Organization, got {type(organization).__name__}"
        )
    chosen = _policies(config)
    if department_router is None and chosen.department_router is None:
        fallback = fallback_department or (
            organization.departments[0].id if organization.departments else None
        )
        if fallback is not None:
            organization.department(fallback)  # an unknown name fails here, with suggestions
        department_router = (
            by_taxonomy_defaults() | fixed(fallback) if fallback else by_taxonomy_defaults()
        )
    department_router = _first(department_router, chosen.department_router)
    handler_router = _first(
        handler_router,
        chosen.handler_router,
        sticky() | fallthrough(least_loaded(filters=[language_match()])) | least_loaded(),
    )
    sla_policy = _first(sla, chosen.sla)
    if sla_policy is None:
        paused = workflow.definition.paused_stages if workflow is not None else None
        sla_policy = SlaPolicy(default_sla_table(pause=paused), calendar)
    ladder = _first(escalation, chosen.escalation)
    if ladder is None:
        ladder = EscalationLadder(DEFAULT_LEVELS, sla=sla_policy)
    elif (
        isinstance(ladder, EscalationLadder)
        and ladder.table is None
        and isinstance(sla_policy, SlaPolicy)
    ):
        # a ladder from a config file reads the Desk's SLA clocks
        ladder = EscalationLadder(ladder.levels, target=ladder.target, sla=sla_policy)
    warning = _first(early_warning, chosen.early_warning, EarlyWarning())
    if classifier is not None:
        from ccms.classify import PredictedSeverityWarning

        warning = PredictedSeverityWarning.beside(warning, classifier)
    detector = _first(repeats, RepeatDetector())
    if index is None:
        index = (
            ContextIndex(repeat_window=detector.window)
            if isinstance(detector, RepeatDetector)
            else ContextIndex()
        )
    return Desk(
        store,
        workflow=workflow,
        organization=organization,
        taxonomy=taxonomy,
        clock=clock,
        department_router=department_router,
        handler_router=handler_router,
        sweepers=[sla_policy, warning, ladder, detector, *sweepers],
        subscribers=subscribers,
        index=index,
        **desk_options,
    )
