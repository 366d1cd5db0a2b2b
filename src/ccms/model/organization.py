"""The organization: departments, agents, their roles, skills, capacity and authority limits.

>>> org = Organization(
...     departments=[Department(id="cs", name="Customer service"), Department(id="qa", name="Quality")],
...     agents=[
...         Agent(id="kim", name="Kim", department="cs", role="front_line",
...               authority=Authority(remedies={"apology", "explanation", "refund"},
...                                   max_amount=Money(amount="50000"))),
...         Agent(id="lee", name="Lee", department="cs", role="supervisor",
...               authority=Authority(remedies=set(RemedyKind), max_amount=Money(amount="1000000"))),
...     ],
... )
>>> org.agent("kim").authority.allows(RemedyKind.REFUND, Money(amount="80000"))
False
>>> [a.id for a in org.agents_with_authority(RemedyKind.REFUND, Money(amount="80000"))]
['lee']
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, model_validator

from ccms.errors import UnknownMember
from ccms.model.types import Frozen, Name, SortedSet
from ccms.model.values import Money, RemedyKind, Role

__all__ = ["Agent", "Authority", "Department", "DepartmentKind", "Organization", "UnknownMember"]

#: Usual department kinds (R&D, production, marketing, sales, logistics, customer service, ...).
DepartmentKind = Name


class Authority(Frozen):
    """Which remedies an agent may grant, and up to which amount (per complaint)."""

    remedies: SortedSet[RemedyKind] = frozenset(
        {RemedyKind.APOLOGY, RemedyKind.EXPLANATION, RemedyKind.NONE}
    )
    max_amount: Money | None = None

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self, *, remedies: Iterable[RemedyKind | str] = ..., max_amount: Money | None = None
        ) -> None: ...

    def allows(self, remedy: RemedyKind, amount: Money | None = None) -> bool:
        """Whether this authority covers ``remedy`` for ``amount`` (None: no money involved)."""
        if remedy not in self.remedies:
            return False
        if amount is None or amount.amount == 0:
            return True
        if self.max_amount is None or self.max_amount.currency != amount.currency:
            return False
        return amount.amount <= self.max_amount.amount

    def why_not(self, remedy: RemedyKind, amount: Money | None = None) -> str | None:
        """None if allowed, else a sentence saying what is over the limit."""
        if remedy not in self.remedies:
            allowed = ", ".join(sorted(r.value for r in self.remedies)) or "none"
            return f"remedy {remedy.value!r} is outside the authority (may grant: {allowed})"
        if amount is None or amount.amount == 0:
            return None
        if self.max_amount is None:
            return f"amount {amount} exceeds the authority (no money may be granted)"
        if self.max_amount.currency != amount.currency:
            return f"amount {amount} is not in the authority's currency {self.max_amount.currency}"
        if amount.amount > self.max_amount.amount:
            return f"amount {amount} exceeds the authority limit {self.max_amount}"
        return None


class Department(Frozen):
    """A department that owns complaints (담당부서)."""

    id: Name
    name: Name
    kind: DepartmentKind = "customer_service"
    head: Name | None = None  # agent id of the department head


class Agent(Frozen):
    """A person who handles complaints (담당자)."""

    id: Name
    name: Name
    department: Name
    role: Role = Role.HANDLER
    skills: SortedSet[Name] = frozenset()
    languages: SortedSet[Annotated[str, Field(min_length=2, max_length=8)]] = frozenset({"ko"})
    capacity: Annotated[int, Field(ge=0, le=10_000)] = 20
    authority: Authority = Authority()
    active: bool = True

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            id: str,
            name: str,
            department: str,
            role: Role | str = ...,
            skills: Iterable[str] = ...,
            languages: Iterable[str] = ...,
            capacity: int = 20,
            authority: Authority = ...,
            active: bool = True,
        ) -> None: ...


class Organization(Frozen):
    """Departments and agents; ids are unique and every agent belongs to a known department."""

    departments: tuple[Department, ...] = ()
    agents: tuple[Agent, ...] = ()

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self, *, departments: Iterable[Department] = (), agents: Iterable[Agent] = ()
        ) -> None: ...

    @model_validator(mode="after")
    def _check(self) -> Organization:
        dept_ids = [d.id for d in self.departments]
        if len(set(dept_ids)) != len(dept_ids):
            raise ValueError("department ids must be unique")
        agent_ids = [a.id for a in self.agents]
        if len(set(agent_ids)) != len(agent_ids):
            raise ValueError("agent ids must be unique")
        for agent in self.agents:
            if agent.department not in dept_ids:
                raise ValueError(
                    f"agent {agent.id!r} belongs to unknown department {agent.department!r}"
                )
        for dept in self.departments:
            if dept.head is not None and dept.head not in agent_ids:
                raise ValueError(f"department {dept.id!r} names unknown head {dept.head!r}")
        return self

    @cached_property
    def _agents(self) -> dict[str, Agent]:
        return {a.id: a for a in self.agents}

    @cached_property
    def _departments(self) -> dict[str, Department]:
        return {d.id: d for d in self.departments}

    def agent(self, agent_id: str) -> Agent:
        """The agent with this id, or :class:`UnknownMember`."""
        try:
            return self._agents[agent_id]
        except KeyError:
            raise UnknownMember("agent", agent_id, list(self._agents)) from None

    def department(self, department_id: str) -> Department:
        """The department with this id, or :class:`UnknownMember`."""
        try:
            return self._departments[department_id]
        except KeyError:
            raise UnknownMember("department", department_id, list(self._departments)) from None

    def has_agent(self, agent_id: str) -> bool:
        """Whether an agent with this id exists."""
        return agent_id in self._agents

    def has_department(self, department_id: str) -> bool:
        """Whether a department with this id exists."""
        return department_id in self._departments

    def members(self, department_id: str, *, active_only: bool = True) -> tuple[Agent, ...]:
        """The agents of a department, in id order."""
        self.department(department_id)
        return tuple(
            sorted(
                (
                    a
                    for a in self.agents
                    if a.department == department_id and (a.active or not active_only)
                ),
                key=lambda a: a.id,
            )
        )

    def agents_with_authority(
        self, remedy: RemedyKind, amount: Money | None = None
    ) -> tuple[Agent, ...]:
        """Active agents whose authority covers the remedy, lowest role first, then by id."""
        order = list(Role)
        return tuple(
            sorted(
                (a for a in self.agents if a.active and a.authority.allows(remedy, amount)),
                key=lambda a: (order.index(a.role), a.id),
            )
        )
