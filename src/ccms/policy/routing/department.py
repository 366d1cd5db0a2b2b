"""Department routers: code table (longest prefix), channel, segment, taxonomy defaults, fixed.

Part of :mod:`ccms.policy.routing`, which re-exports its public names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ccms.errors import PolicyError, RetiredVocCode, UnknownVocCode
from ccms.model import Channel
from ccms.policy.base import Policy, PolicyContext
from ccms.policy.routing.decisions import DepartmentDecision

__all__ = [
    "ByChannel",
    "ByCodeTable",
    "BySegment",
    "ByTaxonomyDefaults",
    "DepartmentRule",
    "Fixed",
    "by_channel",
    "by_code_table",
    "by_segment",
    "by_taxonomy_defaults",
    "fixed",
]

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_]*(\.[A-Z0-9][A-Z0-9_]*)*$")

UNKNOWN_DEPARTMENT = (
    "{rule} routes to department {department!r}, which the organization does not know; "
    "known departments: {known}"
)


def _department_id(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyError(f"{where}: the department must be a non-empty string, got {value!r}")
    return value.strip()


class DepartmentRule(Policy[DepartmentDecision]):
    """Base of the built-in department routers: subclasses return ``(department, rule)``.

    A department the organization does not know (when it lists departments) is a
    :class:`~ccms.errors.PolicyError`: a routing table that names a missing department is a
    configuration mistake, not a reason to fall through silently.
    """

    kind = "department_router"

    def _route(self, ctx: PolicyContext) -> tuple[str, str] | None:
        raise NotImplementedError

    def decide(self, ctx: PolicyContext) -> DepartmentDecision | None:
        """The department decision, or ``None`` when this rule does not apply."""
        routed = self._route(ctx)
        if routed is None:
            return None
        department, rule = routed
        org = ctx.organization
        if org.departments and not org.has_department(department):
            known = ", ".join(sorted(d.id for d in org.departments))
            raise PolicyError(
                UNKNOWN_DEPARTMENT.format(rule=rule, department=department, known=known)
            )
        return DepartmentDecision(department, rule)


class ByCodeTable(DepartmentRule):
    """Route by the complaint's primary VOC code; the longest dotted prefix in the table wins."""

    def __init__(self, table: Mapping[str, str]) -> None:
        if not isinstance(table, Mapping) or not table:
            raise PolicyError(
                f"by_code_table needs a non-empty mapping of VOC code to department, got {table!r}"
            )
        checked: dict[str, str] = {}
        for code, department in table.items():
            if not isinstance(code, str) or not _CODE.match(code):
                raise PolicyError(
                    f"by_code_table: key {code!r} is not a VOC code; "
                    "allowed: dotted upper-case codes such as 'PRD' or 'PRD.DEF'"
                )
            checked[code] = _department_id(department, f"by_code_table[{code!r}]")
        self.table: Mapping[str, str] = checked

    def match(self, code: str) -> str | None:
        """The longest table key that is ``code`` or a dotted prefix of it, or None.

        >>> ByCodeTable({"PRD": "production", "PRD.DEF": "qa"}).match("PRD.DEF.HANDLE")
        'PRD.DEF'
        >>> ByCodeTable({"PRD": "production"}).match("PRDX") is None
        True
        """
        parts = code.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in self.table:
                return prefix
        return None

    def _route(self, ctx: PolicyContext) -> tuple[str, str] | None:
        code = ctx.complaint.primary_code
        if code is None:
            return None
        key = self.match(code)
        if key is None:
            return None
        department = self.table[key]
        return department, f"by_code_table: {key} -> {department}"

    def __repr__(self) -> str:
        return f"by_code_table({dict(self.table)!r})"


class ByChannel(DepartmentRule):
    """Route by the channel the complaint came through."""

    def __init__(self, table: Mapping[str, str]) -> None:
        if not isinstance(table, Mapping) or not table:
            raise PolicyError(
                f"by_channel needs a non-empty mapping of channel to department, got {table!r}"
            )
        allowed = {c.value for c in Channel}
        checked: dict[Channel, str] = {}
        for channel, department in table.items():
            if channel not in allowed:
                raise PolicyError(
                    f"by_channel: {channel!r} is not a channel; allowed: "
                    + ", ".join(c.value for c in Channel)
                )
            checked[Channel(channel)] = _department_id(department, f"by_channel[{channel!r}]")
        self.table: Mapping[Channel, str] = checked

    def _route(self, ctx: PolicyContext) -> tuple[str, str] | None:
        channel = ctx.complaint.channel
        department = self.table.get(channel)
        if department is None:
            return None
        return department, f"by_channel: {channel.value} -> {department}"

    def __repr__(self) -> str:
        return f"by_channel({ {c.value: d for c, d in self.table.items()}!r})"


class BySegment(DepartmentRule):
    """Route by the customer's segment (``vip``, ``business``, ...)."""

    def __init__(self, table: Mapping[str, str]) -> None:
        if not isinstance(table, Mapping) or not table:
            raise PolicyError(
                f"by_segment needs a non-empty mapping of segment to department, got {table!r}"
            )
        self.table: Mapping[str, str] = {
            str(segment): _department_id(department, f"by_segment[{segment!r}]")
            for segment, department in table.items()
        }

    def _route(self, ctx: PolicyContext) -> tuple[str, str] | None:
        segment = ctx.complaint.customer.segment
        department = self.table.get(segment)
        if department is None:
            return None
        return department, f"by_segment: {segment} -> {department}"

    def __repr__(self) -> str:
        return f"by_segment({dict(self.table)!r})"


class ByTaxonomyDefaults(DepartmentRule):
    """Route to the department the taxonomy gives the primary code, as of the day received.

    Abstains when the context has no taxonomy, the complaint no code, the code was not in force
    on the day it was received (unknown or retired), or the code has no department default.
    """

    def _route(self, ctx: PolicyContext) -> tuple[str, str] | None:
        code = ctx.complaint.primary_code
        if ctx.taxonomy is None or code is None:
            return None
        as_of = ctx.complaint.received_at.date()
        try:
            department = ctx.taxonomy.defaults_for(code, as_of=as_of).department
        except (UnknownVocCode, RetiredVocCode):
            return None
        if department is None:
            return None
        return department, f"by_taxonomy_defaults: {code} (as of {as_of}) -> {department}"

    def __repr__(self) -> str:
        return "by_taxonomy_defaults()"


class Fixed(DepartmentRule):
    """Always the same department: the fallback at the end of a chain."""

    def __init__(self, department: str) -> None:
        self.department = _department_id(department, "fixed")

    def _route(self, ctx: PolicyContext) -> tuple[str, str] | None:
        return self.department, f"fixed: {self.department}"

    def __repr__(self) -> str:
        return f"fixed({self.department!r})"


def by_code_table(table: Mapping[str, str]) -> ByCodeTable:
    """Route by VOC code: the longest dotted prefix of the primary code found in ``table`` wins.

    ``PRD.DEF`` matches ``PRD.DEF`` and ``PRD.DEF.HANDLE`` but not ``PRD.DEFX``. Abstains when the
    complaint is not classified or no key matches. Rule text: ``by_code_table: PRD.DEF -> production``.

    >>> by_code_table({"PRD.DEF": "production", "PAY": "finance"})
    by_code_table({'PRD.DEF': 'production', 'PAY': 'finance'})
    """
    return ByCodeTable(table)


def by_channel(table: Mapping[str, str]) -> ByChannel:
    """Route by channel (``{"press": "pr", "public_agency": "legal"}``); abstains on others.

    >>> by_channel({"press": "pr"})
    by_channel({'press': 'pr'})
    """
    return ByChannel(table)


def by_segment(table: Mapping[str, str]) -> BySegment:
    """Route by customer segment (``{"vip": "vip_desk"}``); abstains on other segments.

    >>> by_segment({"vip": "vip_desk"})
    by_segment({'vip': 'vip_desk'})
    """
    return BySegment(table)


def by_taxonomy_defaults() -> ByTaxonomyDefaults:
    """Route by ``ctx.taxonomy.defaults_for(code, as_of=received date).department``.

    >>> by_taxonomy_defaults()
    by_taxonomy_defaults()
    """
    return ByTaxonomyDefaults()


def fixed(department: str) -> Fixed:
    """Always ``department``; put it last in a chain as the fallback.

    >>> by_code_table({"PAY": "finance"}) | fixed("cs")
    first_of(by_code_table({'PAY': 'finance'}), fixed('cs'))
    """
    return Fixed(department)
