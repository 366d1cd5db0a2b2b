"""An example ccms plugin: VIP complaints go to the least-loaded agent with the VIP skill.

Registered through the entry point ``handler_router.vip_first`` in group ``ccms.policies`` (see
this package's ``pyproject.toml``), so a policy config file selects it with ``use = "vip_first"``.

A complaint is VIP when it carries ``Flag.VIP`` or its customer's segment is ``"vip"``; other
complaints are left to the next router in the chain (``None``: abstain).
"""

from __future__ import annotations

from ccms.model import Flag
from ccms.policy import HandlerDecision, Policy, PolicyContext, least_loaded, skills_match

__all__ = ["VipFirst", "vip_first"]


class VipFirst(Policy[HandlerDecision]):
    """Least loaded among the agents with ``skill``, for VIP complaints only."""

    kind = "handler_router"  # composes with ccms' handler routers using |

    def __init__(self, skill: str = "vip") -> None:
        self.skill = skill
        self._inner = least_loaded(filters=[skills_match(required=[skill])])

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        """The VIP handler, a reasoned "no handler", or ``None`` for a non-VIP complaint."""
        complaint = ctx.complaint
        if Flag.VIP not in complaint.flags and complaint.customer.segment != "vip":
            return None
        decision = self._inner.decide(ctx)
        return HandlerDecision(
            decision.handler,
            decision.rule.replace(self._inner.label, "vip_first", 1),
            decision.considered,
            decision.reasons,
        )

    def __repr__(self) -> str:
        return f"vip_first(skill={self.skill!r})"


def vip_first(skill: str = "vip") -> VipFirst:
    """The factory the entry point names; config parameters arrive as keywords."""
    return VipFirst(skill)
