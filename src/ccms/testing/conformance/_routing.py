"""Conformance suites for department routers and handler routers.

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, ClassVar, Final, TypeVar

import attrs
import pytest
from hypothesis import strategies as st
from hypothesis import target

from ccms.errors import PolicyError
from ccms.model import (
    Agent,
    Authority,
    Channel,
    Complaint,
    Concern,
    CustomerRef,
    Department,
    Flag,
    Money,
    Organization,
    RemedyKind,
    Role,
    Severity,
    VocKind,
)
from ccms.policy.base import PolicyContext
from ccms.policy.routing import (
    ASSIGNMENT_COUNTER,
    EXPECTED_AMOUNT,
    PREVIOUS_HANDLER,
    DepartmentDecision,
    HandlerDecision,
    RoutingVerdict,
)
from ccms.testing.conformance._common import T0, broke, run_property

__all__ = ["DepartmentRouterSuite", "HandlerRouterSuite", "RoutingCase", "routing_contexts"]

T = TypeVar("T")


def _complaint(draw: st.DrawFn, suite: _RoutingInputs, department: str | None) -> Complaint:
    received = T0 + timedelta(minutes=draw(st.integers(0, 60 * 24 * 7)))
    concern = Concern(
        kind=_pick(draw, _KINDS),
        code=_pick(draw, suite.codes),
        text="x",
        severity=_pick(draw, _SEVERITIES),
        requested_remedy=_maybe(draw, _REMEDIES),  # monetary ones first: amounts matter
    )
    handler = _maybe(draw, suite.agent_ids) if department else None
    return Complaint(
        id=_pick(draw, ("c1", "c2", "c3")),
        version=3,
        received_at=received,
        updated_at=received,
        channel=_pick(draw, _CHANNELS),
        customer=CustomerRef(
            id="C-1",
            language=_pick(draw, suite.languages),
            segment=_pick(draw, suite.segments),
        ),
        concerns=(concern,),
        stage="department_assigned" if department else "classified",
        department=department,
        handler=handler,
        reopen_count=draw(st.integers(0, 2)),
        flags=_pick(draw, _FLAG_SETS),
    )


class _RoutingInputs:
    """What routing inputs are drawn from; a subclass narrows or widens these to its domain."""

    #: Examples per property (``None``: the active Hypothesis profile's ``max_examples``).
    max_examples: ClassVar[int | None] = None
    #: Department ids an organization is drawn from.
    departments: ClassVar[tuple[str, ...]] = ("cs", "production", "finance")
    #: Agent ids an organization is drawn from.
    agent_ids: ClassVar[tuple[str, ...]] = ("a", "b", "c", "d", "e", "f")
    #: VOC codes complaints carry (``None``: not classified yet).
    codes: ClassVar[tuple[str | None, ...]] = (None, "PRD", "PRD.DEF", "PAY.REFUND", "SVC")
    #: Customer segments and languages.
    segments: ClassVar[tuple[str, ...]] = ("general", "vip")
    languages: ClassVar[tuple[str, ...]] = ("ko", "en")
    #: Agent skills.
    skills: ClassVar[tuple[str, ...]] = ("vip", "billing")

    def organizations(self) -> st.SearchStrategy[Organization]:
        """Organizations: a non-empty subset of :attr:`departments` and up to six agents with any
        role, capacity (0 to 3), activity, languages, skills and authority."""
        return _organizations(self)

    def contexts(self) -> st.SearchStrategy[PolicyContext]:
        """Routing contexts over :meth:`organizations` (see :func:`routing_contexts`)."""
        return routing_contexts(self)

    def classic_contexts(self) -> list[PolicyContext]:
        """Hand-made contexts where routers classically go wrong, run first by every property:
        the only member with room is inactive; the only member is full; an inactive member is
        less loaded than an active one; the customer speaks a language the free member does not;
        a refund above the free member's authority; a less loaded agent in another department."""
        return _classic_contexts(self)

    def _cases(self) -> list[dict[str, Any]]:
        return [{"case": RoutingCase(c)} for c in self.classic_contexts()]


_ROLES: Final = (Role.HANDLER, Role.FRONT_LINE, Role.SUPERVISOR)
_KINDS: Final = tuple(VocKind)
_SEVERITIES: Final = tuple(Severity)
_CHANNELS: Final = tuple(Channel)
_REMEDIES: Final = (
    *(r for r in RemedyKind if r.material),
    *(r for r in RemedyKind if not r.material),
)
#: Expected amounts: each authority limit, just below and just above it.
_AMOUNTS: Final = ("0", "50000", "50001", "300000", "300001", "1000000", "5000000")
_FLAG_SETS: Final[tuple[frozenset[Flag], ...]] = (
    frozenset(),
    frozenset({Flag.VIP}),
    frozenset({Flag.SUPERVISOR_REQUESTED}),
)


def _pick(draw: st.DrawFn, options: Sequence[T]) -> T:
    """One of ``options``, shrinking towards the first (an integer draw: strategies built once
    and cached by Hypothesis, so drawing stays cheap while shrinking)."""
    return options[draw(st.integers(0, len(options) - 1))]


def _maybe(draw: st.DrawFn, options: Sequence[T]) -> T | None:
    return None if draw(st.booleans()) else _pick(draw, options)


def _picks(
    draw: st.DrawFn, options: Sequence[T], *, min_size: int = 0, max_size: int | None = None
) -> list[T]:
    indices = st.lists(
        st.integers(0, len(options) - 1), min_size=min_size, max_size=max_size, unique=True
    )
    return [options[i] for i in draw(indices)]


_AUTHORITIES: Final = (
    Authority(),
    Authority(
        remedies=frozenset({RemedyKind.APOLOGY, RemedyKind.REFUND}),
        max_amount=Money(amount="50000", currency="KRW"),
    ),
    Authority(
        remedies=frozenset({RemedyKind.REFUND, RemedyKind.EXCHANGE, RemedyKind.REPAIR}),
        max_amount=Money(amount="300000", currency="KRW"),
    ),
    Authority(remedies=frozenset(RemedyKind), max_amount=Money(amount="1000000", currency="KRW")),
)


@st.composite
def _agent(
    draw: st.DrawFn, suite: _RoutingInputs, departments: tuple[str, ...], agent_id: str
) -> Agent:
    languages = (
        frozenset(suite.languages[:1]),
        frozenset(suite.languages),
        frozenset(suite.languages[1:2] or suite.languages[:1]),
    )
    skills = (frozenset(), *(frozenset({s}) for s in suite.skills), frozenset(suite.skills))
    return Agent(
        id=agent_id,
        name=agent_id.upper(),
        department=_pick(draw, departments),
        role=_pick(draw, _ROLES),
        capacity=draw(st.integers(0, 3)),
        active=_pick(draw, (True, True, False)),
        languages=_pick(draw, languages),
        skills=_pick(draw, skills),
        authority=_pick(draw, _AUTHORITIES),
    )


@st.composite
def _organizations(draw: st.DrawFn, suite: _RoutingInputs) -> Organization:
    departments = tuple(sorted(_picks(draw, suite.departments, min_size=1, max_size=2)))
    # one draw block per agent (its id with everything else about it), so shrinking deletes
    # whole agents and a counterexample keeps only the agents the failure needs
    ids = suite.agent_ids
    indices = st.integers(0, len(ids) - 1)
    agents = draw(
        st.lists(
            indices.flatmap(lambda i: _agent(suite, departments, ids[i])),
            max_size=6,
            unique_by=lambda a: a.id,
        )
    )
    return Organization(
        departments=tuple(Department(id=d, name=d) for d in departments), agents=tuple(agents)
    )


@st.composite
def routing_contexts(draw: st.DrawFn, suite: _RoutingInputs | None = None) -> PolicyContext:
    """Contexts for routing: an organization, open load per agent (some agents unlisted), a
    complaint in one of its departments (or none yet), and sometimes the ``extra`` inputs the
    built-in routers read (assignment counter, previous handler, expected amount).
    """
    inputs = suite if suite is not None else _RoutingInputs()
    # a load per possible agent id, drawn before the agents: deleting an agent while shrinking
    # moves no other draw
    slots = len(inputs.agent_ids)
    loads = draw(st.lists(st.integers(0, 4), min_size=slots, max_size=slots))
    org = draw(inputs.organizations())
    position = {agent_id: i for i, agent_id in enumerate(inputs.agent_ids)}
    load = {
        a.id: loads[position[a.id]]
        for a in org.agents
        if a.id in position and loads[position[a.id]]
    }
    ids = [d.id for d in org.departments]
    department = _pick(draw, (None, *ids, *ids, *ids))  # unassigned one time in four
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        extra[ASSIGNMENT_COUNTER] = draw(st.integers(0, 10))
    if draw(st.booleans()):
        extra[PREVIOUS_HANDLER] = _pick(draw, inputs.agent_ids)
    if draw(st.booleans()):
        extra[EXPECTED_AMOUNT] = _pick(draw, _AMOUNTS)
    return PolicyContext(
        complaint=_complaint(draw, inputs, department),
        now=T0 + timedelta(days=8),
        organization=org,
        open_load=load,
        extra=extra,
    )


def _classic_contexts(suite: _RoutingInputs) -> list[PolicyContext]:
    depts = suite.departments
    home, away = depts[0], (depts[1] if len(depts) > 1 else None)
    a, b = suite.agent_ids[0], suite.agent_ids[1 % len(suite.agent_ids)]
    first, second = suite.languages[0], suite.languages[-1]
    big = Authority(
        remedies=frozenset(RemedyKind), max_amount=Money(amount="1000000", currency="KRW")
    )
    small = _AUTHORITIES[1]

    def ctx(
        agents: list[Agent],
        load: dict[str, int] | None = None,
        *,
        language: str = first,
        remedy: RemedyKind | None = None,
        extra: dict[str, Any] | None = None,
    ) -> PolicyContext:
        departments = sorted({home, *(x.department for x in agents)})
        complaint = Complaint(
            id="c1",
            version=3,
            received_at=T0,
            updated_at=T0,
            channel=Channel.PHONE,
            customer=CustomerRef(id="C-1", language=language, segment=suite.segments[0]),
            concerns=(Concern(kind=VocKind.COMPLAINT, text="x", requested_remedy=remedy),),
            stage="department_assigned",
            department=home,
        )
        org = Organization(
            departments=tuple(Department(id=d, name=d) for d in departments), agents=tuple(agents)
        )
        return PolicyContext(
            complaint=complaint,
            now=T0 + timedelta(days=8),
            organization=org,
            open_load=load or {},
            extra=extra or {},
        )

    def agent(i: str, **kw: Any) -> Agent:
        base: dict[str, Any] = {
            "id": i,
            "name": i.upper(),
            "department": home,
            "capacity": 1,
            "languages": frozenset({first}),
        }
        return Agent(**{**base, **kw})

    out = [
        ctx([agent(a, active=False)]),
        ctx([agent(a)], {a: 1}),
        ctx([agent(a, active=False, capacity=2), agent(b, capacity=2)], {b: 1}),
        ctx(
            [agent(a), agent(b, languages=frozenset({first, second}))],
            {b: 1},
            language=second,
        ),
        ctx(
            [agent(a, authority=small), agent(b, authority=big, capacity=2)],
            {b: 1},
            remedy=RemedyKind.REFUND,
            extra={EXPECTED_AMOUNT: "300001"},
        ),
    ]
    if away is not None and a != b:
        out.append(ctx([agent(a, department=away, capacity=3), agent(b, capacity=3)], {b: 2}))
    return out


def _agent_line(a: Agent, ctx: PolicyContext, *, load: bool = True) -> str:
    bits = [a.department, a.role.value, "active" if a.active else "INACTIVE"]
    if load:
        bits.append(f"load {ctx.open_load.get(a.id, 0)}/{a.capacity}")
    bits.append("speaks " + "+".join(sorted(a.languages)))
    if a.skills:
        bits.append("skills " + "+".join(sorted(a.skills)))
    auth = a.authority
    if auth.max_amount is not None or len(auth.remedies) > 3:
        limit = f" up to {auth.max_amount.amount}" if auth.max_amount is not None else ""
        bits.append(f"may {'+'.join(sorted(r.value for r in auth.remedies))}{limit}")
    return f"{a.id}: {', '.join(bits)}"


@attrs.frozen(repr=False)
class RoutingCase:
    """A routing context drawn by the suites, shown in a few lines: the complaint's routing
    fields, then one line per agent (department, role, active, load/capacity, languages, skills,
    authority). Shrinking removes the agents a failure does not need."""

    ctx: PolicyContext

    def lines(self) -> list[str]:
        """The complaint, the extra inputs, the departments, then one line per agent."""
        c = self.ctx.complaint
        concern = c.concerns[0]
        head = [
            f"complaint {c.id} in {c.department or '(no department)'}",
            f"handler {c.handler}" if c.handler else "",
            f"{concern.kind.value}/{concern.severity.value}",
            f"code {concern.code}" if concern.code else "",
            f"wants {concern.requested_remedy.value}" if concern.requested_remedy else "",
            f"customer {c.customer.segment}, speaks {c.customer.language}",
            f"flags {'+'.join(sorted(f.value for f in c.flags))}" if c.flags else "",
        ]
        lines = [", ".join(h for h in head if h)]
        if self.ctx.extra:
            lines.append(f"extra {dict(self.ctx.extra)}")
        depts = ", ".join(d.id for d in self.ctx.organization.departments)
        lines.append(f"departments {depts}")
        lines += [_agent_line(a, self.ctx) for a in self.ctx.organization.agents]
        lines += [
            f"load of {k} (not an agent): {v}"
            for k, v in self.ctx.open_load.items()
            if not self.ctx.organization.has_agent(k)
        ]
        return lines

    def __repr__(self) -> str:
        return "RoutingCase(\n    " + "\n    ".join(self.lines()) + "\n)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints counterexamples with this (not field by field)."""
        with printer.group(4, "RoutingCase(", ""):
            for line in self.lines():
                printer.break_()
                printer.text(line)
        printer.break_()
        printer.text(")")


def _members_of(ctx: PolicyContext) -> list[Agent]:
    department = ctx.complaint.department
    return [a for a in ctx.organization.agents if department is None or a.department == department]


def _unavailable_count(ctx: PolicyContext) -> int:
    """Members of the complaint's department who are inactive or full (what a router must skip)."""
    return sum(
        1 for a in _members_of(ctx) if not a.active or ctx.open_load.get(a.id, 0) >= a.capacity
    )


def _excluded(ctx: PolicyContext, requirements: Sequence[Any]) -> int:
    """Available members of the department whom a requirement excludes."""
    return sum(
        1
        for a in _members_of(ctx)
        if a.active
        and ctx.open_load.get(a.id, 0) < a.capacity
        and any(r.bind(ctx)(a) is not None for r in requirements)
    )


def _copy(ctx: PolicyContext) -> PolicyContext:
    """An equal context built from fresh objects (a policy must not depend on identity)."""
    return ctx.evolve(
        complaint=Complaint.model_validate(ctx.complaint.model_dump()),
        organization=Organization.model_validate(ctx.organization.model_dump()),
        open_load=dict(ctx.open_load),
        extra=dict(ctx.extra),
    )


def _unavailable(ctx: PolicyContext, agent_id: str, how: str) -> PolicyContext:
    org = ctx.organization
    if how == "inactive":
        agents = tuple(
            a.model_copy(update={"active": False}) if a.id == agent_id else a for a in org.agents
        )
        # a new organization, not model_copy(update=...): that would keep its cached lookups
        return ctx.evolve(organization=Organization(departments=org.departments, agents=agents))
    load = dict(ctx.open_load)
    load[agent_id] = org.agent(agent_id).capacity
    return ctx.evolve(open_load=load)


# ------------------------------------------------------------------------------- handler routers


class HandlerRouterSuite(_RoutingInputs):
    """What every handler router must do. Subclass it and give a ``handler_router`` fixture::

        class TestMyRouter(HandlerRouterSuite):
            @pytest.fixture
            def handler_router(self):
                return MyRouter()

    (or mark the class ``@pytest.mark.ccms_policy("handler_router", "my_name", **params)`` to
    test a registered router). A router returns ``None`` (abstain), a handler who exists, is
    active and has capacity (in the complaint's department unless :attr:`same_department` is
    false), or ``handler=None`` with reasons; never an unavailable agent; the same decision for
    equal contexts; and it leaves the context as it found it.
    """

    #: Whether the handler chosen must belong to the complaint's department (false for a router
    #: drawing from a pool of agents across departments).
    same_department: ClassVar[bool] = True
    #: What the router promises beyond availability, as handler filters the chosen agent must
    #: pass: e.g. ``(language_match(), authority_fit())`` for a router that promises the
    #: customer's language and the authority for the likely remedy.
    requirements: ClassVar[tuple[Any, ...]] = ()

    def _decide(self, router: Any, ctx: PolicyContext) -> HandlerDecision | None:
        decision = router.decide(ctx)
        if decision is not None and not isinstance(decision, HandlerDecision):
            broke(
                router,
                "returns a HandlerDecision or None",
                f"decide() returned {decision!r} ({type(decision).__name__})",
            )
        return decision

    def _check_chosen(self, router: Any, ctx: PolicyContext, d: HandlerDecision) -> None:
        prop = "a chosen handler exists, is active and has capacity"
        org, handler = ctx.organization, d.handler
        assert handler is not None
        if not org.has_agent(handler):
            known = ", ".join(a.id for a in org.agents) or "none"
            broke(router, prop, f"chose {handler!r}, who is not in the organization ({known})")
        agent = org.agent(handler)
        if not agent.active:
            broke(router, prop, f"chose {handler!r}, who is inactive: {_agent_line(agent, ctx)}")
        load = ctx.open_load.get(handler, 0)
        if load >= agent.capacity:
            broke(
                router,
                prop,
                f"chose {handler!r}, who is at capacity (load {load}/{agent.capacity}; "
                f"{_agent_line(agent, ctx, load=False)})",
            )
        department = ctx.complaint.department
        if self.same_department and department is not None and agent.department != department:
            broke(
                router,
                "a chosen handler belongs to the complaint's department",
                f"chose {handler!r} of {agent.department!r} for a complaint in {department!r} "
                "(set same_department = False if the router draws from a pool)",
            )

    def test_decides_a_handler_decision_or_abstains(self, handler_router: Any) -> None:
        """``decide(ctx)`` returns a :class:`~ccms.policy.HandlerDecision` or ``None``."""

        def prop(case: RoutingCase) -> None:
            ctx = case.ctx
            self._decide(handler_router, ctx)

        run_property(
            prop,
            max_examples=self.max_examples,
            case=self.contexts().map(RoutingCase),
            examples=self._cases(),
        )

    def test_a_chosen_handler_exists_is_active_and_has_capacity(self, handler_router: Any) -> None:
        """The handler chosen is a known, active agent below capacity (``open_load < capacity``)."""

        def prop(case: RoutingCase) -> None:
            ctx = case.ctx
            target(float(_unavailable_count(ctx)), label="unavailable agents")
            d = self._decide(handler_router, ctx)
            if d is not None and d.handler is not None:
                self._check_chosen(handler_router, ctx, d)

        run_property(
            prop,
            max_examples=self.max_examples,
            case=self.contexts().map(RoutingCase),
            examples=self._cases(),
        )

    def test_a_chosen_handler_meets_the_requirements(self, handler_router: Any) -> None:
        """The handler chosen passes every filter in :attr:`requirements` (the customer's
        language, the skills, the authority the router promises)."""
        if not self.requirements:
            pytest.skip("no requirements: set requirements = (language_match(), ...)")

        def prop(case: RoutingCase) -> None:
            ctx = case.ctx
            target(float(_excluded(ctx, self.requirements)), label="able agents excluded")
            d = self._decide(handler_router, ctx)
            if d is None or d.handler is None or not ctx.organization.has_agent(d.handler):
                return
            agent = ctx.organization.agent(d.handler)
            for requirement in self.requirements:
                excluded = requirement.bind(ctx)(agent)
                if excluded is not None:
                    verdict, why = excluded
                    broke(
                        handler_router,
                        f"a chosen handler meets the requirements ({requirement!r})",
                        f"chose {d.handler!r}, who {verdict.value.replace('_', ' ')}: {why} "
                        f"({_agent_line(agent, ctx)})",
                    )

        run_property(
            prop,
            max_examples=self.max_examples,
            case=self.contexts().map(RoutingCase),
            examples=self._cases(),
        )

    def test_no_handler_says_why(self, handler_router: Any) -> None:
        """``handler=None`` comes with at least one reason; candidates agree with the choice."""

        def prop(case: RoutingCase) -> None:
            ctx = case.ctx
            d = self._decide(handler_router, ctx)
            if d is None:
                return
            if d.handler is None and not d.reasons:
                broke(
                    handler_router,
                    "no handler says why",
                    f"returned no handler and no reasons (rule {d.rule!r}); give a reason per "
                    "candidate, or why there were none",
                )
            chosen = [c.agent_id for c in d.considered if c.verdict is RoutingVerdict.CHOSEN]
            if d.considered and chosen != ([d.handler] if d.handler is not None else []):
                broke(
                    handler_router,
                    "the candidates agree with the choice",
                    f"handler {d.handler!r} but candidates marked chosen: {chosen}\n{d.explain()}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            case=self.contexts().map(RoutingCase),
            examples=self._cases(),
        )

    def test_unavailable_agents_are_never_chosen(self, handler_router: Any) -> None:
        """Once the chosen agent is made inactive, or at capacity, someone else is chosen (or
        nobody)."""

        def prop(case: RoutingCase, how: str) -> None:
            ctx = case.ctx
            d = self._decide(handler_router, ctx)
            if d is None or d.handler is None:
                return
            again = self._decide(handler_router, _unavailable(ctx, d.handler, how))
            if again is not None and again.handler == d.handler:
                broke(
                    handler_router,
                    "unavailable agents are never chosen",
                    f"still chose {d.handler!r} after they became {how.replace('_', ' ')}\n"
                    f"{again.explain()}",
                )

        run_property(
            prop,
            max_examples=self.max_examples,
            case=self.contexts().map(RoutingCase),
            examples=[{**c, "how": "at_capacity"} for c in self._cases()],
            how=st.sampled_from(["inactive", "at_capacity"]),
        )

    def test_is_deterministic_and_leaves_the_context_alone(self, handler_router: Any) -> None:
        """Equal contexts give equal decisions, call after call; ``open_load`` and ``extra`` are
        not changed."""

        def prop(case: RoutingCase) -> None:
            ctx = case.ctx
            load, extra = dict(ctx.open_load), dict(ctx.extra)
            first = self._decide(handler_router, ctx)
            if dict(ctx.open_load) != load or dict(ctx.extra) != extra:
                broke(
                    handler_router,
                    "leaves the context alone",
                    f"decide() changed open_load {load} -> {dict(ctx.open_load)} or extra "
                    f"{extra} -> {dict(ctx.extra)}",
                )
            for label, other in (("a second call", ctx), ("an equal context", _copy(ctx))):
                again = self._decide(handler_router, other)
                if again != first:
                    broke(
                        handler_router,
                        "is deterministic",
                        f"{label} decided differently:\n  first: {_show(first)}\n  then:  "
                        f"{_show(again)}",
                    )

        run_property(
            prop,
            max_examples=self.max_examples,
            case=self.contexts().map(RoutingCase),
            examples=self._cases(),
        )


def _show(decision: HandlerDecision | DepartmentDecision | None) -> str:
    return "None (abstained)" if decision is None else decision.explain().replace("\n", "\n  ")


# ---------------------------------------------------------------------------- department routers


@st.composite
def _department_contexts(draw: st.DrawFn, suite: _RoutingInputs) -> PolicyContext:
    ctx = draw(suite.contexts())
    complaint = ctx.complaint.model_copy(
        update={"department": None, "handler": None, "stage": "classified"}
    )
    return ctx.evolve(complaint=complaint)


class DepartmentRouterSuite(_RoutingInputs):
    """What every department router must do. Subclass it and give a ``department_router``
    fixture (or mark the class ``@pytest.mark.ccms_policy("department_router", name)``).

    A router returns ``None`` (abstain), a department the organization has with a rule saying
    why, or raises :class:`~ccms.errors.PolicyError` naming the department it does not find
    (organizations are drawn from subsets of :attr:`departments`); and it decides the same for
    equal contexts.
    """

    def department_contexts(self) -> st.SearchStrategy[PolicyContext]:
        """Contexts of complaints not yet assigned to a department."""
        return _department_contexts(self)

    def _decide(self, router: Any, ctx: PolicyContext) -> DepartmentDecision | PolicyError | None:
        try:
            decision = router.decide(ctx)
        except PolicyError as exc:
            return exc
        if decision is None:
            return None
        if not isinstance(decision, DepartmentDecision):
            broke(
                router,
                "returns a DepartmentDecision or None",
                f"decide() returned {decision!r} ({type(decision).__name__})",
            )
        return decision

    def test_routes_to_a_known_department_abstains_or_says_why(
        self, department_router: Any
    ) -> None:
        """The department decided is one the organization has, and the rule is not empty."""

        def prop(case: RoutingCase) -> None:
            ctx = case.ctx
            d = self._decide(department_router, ctx)
            if isinstance(d, PolicyError):
                if not str(d):
                    broke(department_router, "says why", "raised PolicyError without a message")
                return
            if d is None:
                return
            org = ctx.organization
            if not org.has_department(d.department):
                known = ", ".join(x.id for x in org.departments)
                broke(
                    department_router,
                    "routes to a known department",
                    f"routed to {d.department!r}, which the organization does not have "
                    f"(it has {known}); raise PolicyError or abstain instead",
                )
            if not isinstance(d.rule, str) or not d.rule.strip():
                broke(department_router, "says which rule decided", f"empty rule in {d!r}")

        run_property(
            prop, max_examples=self.max_examples, case=self.department_contexts().map(RoutingCase)
        )

    def test_is_deterministic(self, department_router: Any) -> None:
        """Equal contexts give equal decisions (or the same error), call after call."""

        def prop(case: RoutingCase) -> None:
            ctx = case.ctx
            first = _key(self._decide(department_router, ctx))
            for label, other in (("a second call", ctx), ("an equal context", _copy(ctx))):
                again = _key(self._decide(department_router, other))
                if again != first:
                    broke(
                        department_router,
                        "is deterministic",
                        f"{label} decided differently: first {first}, then {again}",
                    )

        run_property(
            prop, max_examples=self.max_examples, case=self.department_contexts().map(RoutingCase)
        )


def _key(outcome: DepartmentDecision | PolicyError | None) -> object:
    if isinstance(outcome, PolicyError):
        return f"PolicyError({outcome})"
    return attrs.astuple(outcome) if outcome is not None else None
