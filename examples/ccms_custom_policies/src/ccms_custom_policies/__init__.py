"""An example ccms plugin: a custom handler router and a custom SLA policy.

Both are registered through the entry-point group ``ccms.policies`` (see ``pyproject.toml``)
and tested with ccms' conformance suites (see ``tests/``).

- :func:`senior_first` (``handler_router.senior_first``): the most senior able agent of the
  complaint's department takes it (supervisor before handler before front line), the less
  loaded first among equals; everyone else is listed with why not.
- :func:`vip_business_hours` (``sla.vip_business_hours``): VIP customers get a resolution
  within ``vip_hours`` business hours on a Seoul calendar; everyone else within ``days``
  calendar days. Waiting on the customer pauses both clocks.
"""

from __future__ import annotations

from datetime import timedelta

from ccms.model import Agent, Role
from ccms.policy import (
    BusinessCalendar,
    Candidate,
    HandlerDecision,
    Policy,
    PolicyContext,
    SlaDecision,
    SlaState,
    SlaTarget,
    Verdict,
)
from ccms.policy.sla import SlaClock, WallClock

__all__ = ["SeniorFirst", "VipBusinessHours", "senior_first", "vip_business_hours"]

_SENIORITY = {Role.EXECUTIVE: 0, Role.SUPERVISOR: 1, Role.HANDLER: 2, Role.FRONT_LINE: 3}


class SeniorFirst(Policy[HandlerDecision]):
    """The most senior able member of the complaint's department, then the least loaded."""

    kind = "handler_router"  # composes with ccms' handler routers using |

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        """The senior handler, or ``handler=None`` with a reason per member."""
        department = ctx.complaint.department
        if department is None:
            return HandlerDecision.none("senior_first", (), ("the complaint has no department",))
        members = ctx.organization.members(department, active_only=False)
        able: list[Agent] = []
        excluded: dict[str, Candidate] = {}
        for agent in members:
            load = ctx.open_load.get(agent.id, 0)
            if not agent.active:
                excluded[agent.id] = Candidate(agent.id, Verdict.INACTIVE)
            elif load >= agent.capacity:
                detail = f"load {load}/{agent.capacity}"
                excluded[agent.id] = Candidate(agent.id, Verdict.AT_CAPACITY, detail)
            else:
                able.append(agent)
        if not able:
            reasons = () if members else (f"department {department} has no members",)
            return HandlerDecision.none("senior_first", tuple(excluded.values()), reasons)

        def rank(a: Agent) -> tuple[int, int, str]:
            return _SENIORITY.get(a.role, 9), ctx.open_load.get(a.id, 0), a.id

        best = min(able, key=rank)
        considered = []
        for agent in members:
            if agent.id in excluded:
                considered.append(excluded[agent.id])
            elif agent is best:
                considered.append(Candidate(agent.id, Verdict.CHOSEN, agent.role.value))
            elif rank(agent)[0] != rank(best)[0]:
                considered.append(Candidate(agent.id, Verdict.HIGHER_ROLE, "less senior"))
            else:
                considered.append(Candidate(agent.id, Verdict.HIGHER_LOAD))
        return HandlerDecision(best.id, f"senior_first: {best.id}", tuple(considered))

    def __repr__(self) -> str:
        return "senior_first()"


def senior_first() -> SeniorFirst:
    """The factory the entry point names."""
    return SeniorFirst()


class VipBusinessHours(Policy[SlaDecision]):
    """Resolution in ``vip_hours`` business hours for VIP customers, ``days`` days otherwise."""

    kind = "sla"

    def __init__(self, vip_hours: int = 8, days: int = 3) -> None:
        self.calendar = BusinessCalendar.standard("Asia/Seoul", country="KR")
        self.vip = SlaTarget(name="resolution", duration=timedelta(hours=vip_hours), business=True)
        self.standard = SlaTarget(name="resolution", duration=timedelta(days=days))

    def _target(self, ctx: PolicyContext) -> SlaTarget:
        return self.vip if ctx.complaint.customer.segment == "vip" else self.standard

    def decide(self, ctx: PolicyContext) -> SlaDecision | None:
        """The target that governs the complaint."""
        return SlaDecision(table_version="vip-business-hours", targets=(self._target(ctx),))

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        """The resolution clock at ``ctx.now``."""
        target = self._target(ctx)
        clock = self.calendar if target.business else WallClock()
        return {target.name: SlaClock(target, clock).evaluate(ctx.events, ctx.now)}

    def __repr__(self) -> str:
        return f"vip_business_hours(vip={self.vip.duration}, standard={self.standard.duration})"


def vip_business_hours(vip_hours: int = 8, days: int = 3) -> VipBusinessHours:
    """The factory the entry point names; config parameters arrive as keywords."""
    return VipBusinessHours(vip_hours, days)
