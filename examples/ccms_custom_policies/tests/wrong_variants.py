"""Deliberately wrong variants of the two policies: the conformance suites must reject them.

Kept out of the package: these are the mistakes the suites exist to catch.
"""

from __future__ import annotations

from datetime import timedelta

import attrs

from ccms.model import Role
from ccms.policy import HandlerDecision, PolicyContext, SlaState
from ccms_custom_policies import SeniorFirst, VipBusinessHours


class SeniorFirstIgnoringCapacity(SeniorFirst):
    """Forgets the capacity check: the supervisor gets every complaint, however full."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        department = ctx.complaint.department
        members = ctx.organization.members(department) if department else ()
        if not members:
            return HandlerDecision.none("senior_first", (), ("nobody active",))
        order = {Role.SUPERVISOR: 0, Role.HANDLER: 1}
        best = min(members, key=lambda a: (order.get(a.role, 2), a.id))
        return HandlerDecision(best.id, f"senior_first: {best.id}")


class VipBusinessHoursNeverNegative(VipBusinessHours):
    """Reports ``remaining`` as zero once overdue, hiding how late a complaint is."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        return {
            name: attrs.evolve(state, remaining=max(state.remaining, timedelta(0)))
            for name, state in super().evaluate(ctx).items()
        }
