"""``ccms.policy``: routing, business calendars, SLA clocks and escalation, as composable plug-ins.

Every policy kind is a :class:`typing.Protocol` with one ``decide(ctx)`` method over a frozen
:class:`PolicyContext`; built-ins compose with ``|`` and register by name (and through the
``ccms.policies`` entry-point group) in :data:`default_registry`.
"""

from __future__ import annotations

from ccms.policy.base import Decides, FirstOf, Policy, PolicyContext, first_of
from ccms.policy.calendar import BusinessCalendar
from ccms.policy.registry import (
    ENTRY_POINT_GROUP,
    PolicyRegistry,
    default_registry,
    register_policy,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "BusinessCalendar",
    "Decides",
    "FirstOf",
    "Policy",
    "PolicyContext",
    "PolicyRegistry",
    "default_registry",
    "first_of",
    "register_policy",
]
