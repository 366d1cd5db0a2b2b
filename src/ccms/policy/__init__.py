"""``ccms.policy``: routing, business calendars, SLA clocks and escalation, as composable plug-ins.

Every policy kind is a :class:`typing.Protocol` with one ``decide(ctx)`` method over a frozen
:class:`PolicyContext`; built-ins compose with ``|`` and register by name (and through the
``ccms.policies`` entry-point group) in :data:`default_registry`.
"""

from __future__ import annotations

from ccms.policy.base import Decides, FirstOf, Policy, PolicyContext, first_of
from ccms.policy.calendar import BusinessCalendar, Calendar
from ccms.policy.config import Policies, PolicyConfig, load_policy_config
from ccms.policy.early_warning import (
    CrisisLevel,
    EarlyWarning,
    WarningDecision,
    WarningRule,
    close_cc_card_event,
)
from ccms.policy.escalation import EscalationDecision, EscalationLadder, Level
from ccms.policy.notify import DEFAULT_NOTICES, NoticePolicy
from ccms.policy.registry import (
    ENTRY_POINT_GROUP,
    PolicyRegistry,
    default_registry,
    register_policy,
)
from ccms.policy.repeat import (
    RepeatDecision,
    RepeatDetector,
    SpikeTest,
    code_spike,
    poisson_tail,
    same_customer_repeats,
)
from ccms.policy.retention import RetentionPolicy
from ccms.policy.routing import (
    Candidate,
    DepartmentDecision,
    DepartmentRouter,
    HandlerDecision,
    HandlerFilter,
    HandlerRouter,
    RoutingVerdict,
    Verdict,
    authority_fit,
    by_channel,
    by_code_table,
    by_segment,
    by_taxonomy_defaults,
    fallthrough,
    fixed,
    language_match,
    least_loaded,
    offer_backlog,
    round_robin,
    skills_match,
    sticky,
)
from ccms.policy.sla import (
    BusinessClock,
    SlaAssessment,
    SlaClock,
    SlaDecision,
    SlaPolicy,
    SlaState,
    SlaTable,
    SlaTarget,
    cfpb_timely,
    evaluate_sla,
)

__all__ = [
    "DEFAULT_NOTICES",
    "ENTRY_POINT_GROUP",
    "BusinessCalendar",
    "BusinessClock",
    "Calendar",
    "Candidate",
    "CrisisLevel",
    "Decides",
    "DepartmentDecision",
    "DepartmentRouter",
    "EarlyWarning",
    "EscalationDecision",
    "EscalationLadder",
    "FirstOf",
    "HandlerDecision",
    "HandlerFilter",
    "HandlerRouter",
    "Level",
    "NoticePolicy",
    "Policies",
    "Policy",
    "PolicyConfig",
    "PolicyContext",
    "PolicyRegistry",
    "RepeatDecision",
    "RepeatDetector",
    "RetentionPolicy",
    "RoutingVerdict",
    "SlaAssessment",
    "SlaClock",
    "SlaDecision",
    "SlaPolicy",
    "SlaState",
    "SlaTable",
    "SlaTarget",
    "SpikeTest",
    "Verdict",
    "WarningDecision",
    "WarningRule",
    "authority_fit",
    "by_channel",
    "by_code_table",
    "by_segment",
    "by_taxonomy_defaults",
    "cfpb_timely",
    "close_cc_card_event",
    "code_spike",
    "default_registry",
    "evaluate_sla",
    "fallthrough",
    "first_of",
    "fixed",
    "language_match",
    "least_loaded",
    "load_policy_config",
    "offer_backlog",
    "poisson_tail",
    "register_policy",
    "round_robin",
    "same_customer_repeats",
    "skills_match",
    "sticky",
]
