"""Routing decisions and protocols: what a router returns, and how it explains itself.

Part of :mod:`ccms.policy.routing`, which re-exports its public names.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Protocol, runtime_checkable

import attrs

from ccms.model import Agent
from ccms.policy.base import PolicyContext

__all__ = [
    "Candidate",
    "DepartmentDecision",
    "DepartmentRouter",
    "Exclusion",
    "HandlerDecision",
    "HandlerFilter",
    "HandlerRouter",
    "RoutingVerdict",
    "Verdict",
]


class RoutingVerdict(StrEnum):
    """What happened to one candidate of a handler decision: chosen, excluded, or outranked."""

    CHOSEN = "chosen"
    # excluded: the candidate could not take the complaint
    UNKNOWN = "unknown agent"
    INACTIVE = "inactive"
    AT_CAPACITY = "at capacity"
    LACKS_SKILL = "lacks skill"
    LACKS_LANGUAGE = "lacks language"
    LACKS_AUTHORITY = "lacks authority"
    # outranked: the candidate could have taken it, another one was preferred
    HIGHER_LOAD = "higher load"
    HIGHER_ROLE = "higher role"
    LATER_IN_ROTATION = "later in rotation"
    TIE_BROKEN_BY_ID = "tie broken by id"

    @property
    def excluded(self) -> bool:
        """Whether the candidate could not take the complaint at all.

        >>> RoutingVerdict.AT_CAPACITY.excluded, RoutingVerdict.HIGHER_LOAD.excluded
        (True, False)
        """
        return self in _EXCLUDED


#: The old name of :class:`RoutingVerdict` (``ccms.metrics.frame`` has a ``Verdict`` too).
Verdict = RoutingVerdict

_EXCLUDED = frozenset(
    {
        RoutingVerdict.UNKNOWN,
        RoutingVerdict.INACTIVE,
        RoutingVerdict.AT_CAPACITY,
        RoutingVerdict.LACKS_SKILL,
        RoutingVerdict.LACKS_LANGUAGE,
        RoutingVerdict.LACKS_AUTHORITY,
    }
)

#: What a filter says about an agent it rejects: the verdict and a short detail.
Exclusion = tuple[RoutingVerdict, str]


@attrs.frozen(slots=True)
class Candidate:
    """One agent a handler router looked at, and why it was (not) chosen.

    >>> Candidate("kim", RoutingVerdict.AT_CAPACITY, "load 5/5")
    Candidate(agent_id='kim', verdict=<RoutingVerdict.AT_CAPACITY: 'at capacity'>, detail='load 5/5')
    >>> str(Candidate("kim", RoutingVerdict.AT_CAPACITY, "load 5/5"))
    'kim: at capacity (load 5/5)'
    """

    agent_id: str
    verdict: RoutingVerdict
    detail: str = ""

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.agent_id}: {self.verdict.value}{detail}"


@attrs.frozen(slots=True)
class DepartmentDecision:
    """The department a complaint goes to and the rule that decided it.

    >>> d = DepartmentDecision("production", "by_code_table: PRD.DEF -> production")
    >>> print(d.explain())
    department production (by_code_table: PRD.DEF -> production)
    """

    department: str
    rule: str

    def explain(self) -> str:
        """A readable line: the department and the rule."""
        return f"department {self.department} ({self.rule})"


@attrs.frozen(slots=True)
class HandlerDecision:
    """The handler chosen (or ``None``: nobody can take it), the rule, and every candidate.

    ``considered`` lists each candidate in agent-id order with its :class:`RoutingVerdict`. When
    ``handler`` is None, ``reasons`` says why, one line per candidate (or why there were none).

    >>> d = HandlerDecision(
    ...     "kim", "least_loaded: kim (load 1/5)",
    ...     (Candidate("kim", RoutingVerdict.CHOSEN, "load 1/5"), Candidate("lee", RoutingVerdict.HIGHER_LOAD, "load 3/5")),
    ... )
    >>> d.assigned
    True
    >>> print(d.explain())
    handler kim (least_loaded: kim (load 1/5))
      kim: chosen (load 1/5)
      lee: higher load (load 3/5)
    """

    handler: str | None
    rule: str
    considered: tuple[Candidate, ...] = ()
    reasons: tuple[str, ...] = ()

    @classmethod
    def none(
        cls, rule: str, considered: tuple[Candidate, ...], reasons: tuple[str, ...] = ()
    ) -> HandlerDecision:
        """The "no handler" result; ``reasons`` default to one line per candidate.

        >>> d = HandlerDecision.none("round_robin", (Candidate("kim", RoutingVerdict.INACTIVE),))
        >>> d.assigned, d.reasons
        (False, ('kim: inactive',))
        >>> print(d.explain())
        no handler (round_robin)
          kim: inactive
        """
        return cls(None, rule, considered, reasons or tuple(str(c) for c in considered))

    @property
    def assigned(self) -> bool:
        """Whether a handler was chosen."""
        return self.handler is not None

    def explain(self) -> str:
        """A readable multi-line text: the outcome, the rule, then one line per candidate."""
        head = f"handler {self.handler}" if self.handler is not None else "no handler"
        lines = [f"{head} ({self.rule})"]
        lines.extend(f"  {c}" for c in self.considered)
        listed = {str(c) for c in self.considered}
        lines.extend(f"  {r}" for r in self.reasons if r not in listed)
        return "\n".join(lines)


@runtime_checkable
class DepartmentRouter(Protocol):
    """Chooses the responsible department (담당부서 할당), or abstains with ``None``."""

    def decide(self, ctx: PolicyContext) -> DepartmentDecision | None:
        """The department decision, or ``None`` to let the next router decide."""
        ...


@runtime_checkable
class HandlerRouter(Protocol):
    """Chooses the handler (담당자 배분), says why nobody can take it, or abstains with ``None``."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        """The handler decision, or ``None`` to let the next router decide."""
        ...


@runtime_checkable
class HandlerFilter(Protocol):
    """Narrows the candidates of a selector: ``bind(ctx)`` returns a per-agent check.

    The check returns ``None`` to keep the agent or an :data:`Exclusion` saying why not.
    """

    @property
    def name(self) -> str:
        """The filter's name, shown in rules (``language_match``)."""
        ...

    def bind(self, ctx: PolicyContext) -> Callable[[Agent], Exclusion | None]:
        """The check of one agent for this context."""
        ...
