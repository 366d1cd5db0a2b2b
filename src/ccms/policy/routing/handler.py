"""Handler routers: selectors (least loaded, round robin), filters (skills, language, authority), sticky.

Part of :mod:`ccms.policy.routing`, which re-exports its public names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pydantic

from ccms.errors import PolicyError
from ccms.model import MATERIAL_REMEDIES, Agent, Flag, Money, RemedyKind, Role
from ccms.policy.base import Policy, PolicyContext
from ccms.policy.routing.decisions import (
    Candidate,
    Exclusion,
    HandlerDecision,
    HandlerFilter,
    RoutingVerdict,
)

__all__ = [
    "AuthorityFit",
    "Fallthrough",
    "HandlerSelector",
    "LanguageMatch",
    "LeastLoaded",
    "RoundRobin",
    "SkillsMatch",
    "Sticky",
    "authority_fit",
    "fallthrough",
    "language_match",
    "least_loaded",
    "round_robin",
    "skills_match",
    "sticky",
]

#: The ``ctx.extra`` keys the built-in handler routers read (the Desk passes them).
ASSIGNMENT_COUNTER = "assignment_counter"
PREVIOUS_HANDLER = "previous_handler"
EXPECTED_AMOUNT = "expected_amount"
REQUIRED_SKILLS = "required_skills"

#: Remedies that carry money; an expected amount is checked against these only. The same set as
#: :data:`ccms.model.MATERIAL_REMEDIES` (``RemedyKind.material``), kept under this name.
MONETARY_REMEDIES = MATERIAL_REMEDIES

_ROLE_ORDER = {role: i for i, role in enumerate(Role)}

NOT_A_FILTER = (
    "{selector}: {value!r} ({type}) is not a filter; allowed: language_match(), "
    "skills_match(...), authority_fit() or any object with name and bind(ctx)"
)


@attrs.frozen(slots=True)
class _Entry:
    agent: Agent
    load: int

    @property
    def id(self) -> str:
        return self.agent.id

    @property
    def detail(self) -> str:
        return f"load {self.load}/{self.agent.capacity}"


def _load_key(entry: _Entry) -> tuple[float, int]:
    # A float ratio orders exactly here: capacities are at most 10,000, so distinct ratios of
    # viable agents (load < capacity) differ by at least 1e-8, far above double precision, and
    # equal ratios divide to the same correctly rounded float. Fractions would cost 10x more.
    return entry.load / entry.agent.capacity, entry.load


class HandlerSelector(Policy[HandlerDecision]):
    """Base of the built-in handler routers that pick among candidates.

    The candidates are the members of ``ctx.complaint.department`` (or the agent ids in ``pool``);
    each is checked in this order: known, active, has capacity (``ctx.open_load.get(id, 0) <
    capacity``), then every filter in order. The survivors are ranked by the selector's key and
    the first is chosen; every other candidate is listed with why it lost.
    """

    kind = "handler_router"
    name: ClassVar[str] = "selector"
    #: For each component of the ranking key: the verdict of a candidate that lost on it.
    _key_verdicts: ClassVar[tuple[RoutingVerdict, ...]] = (
        RoutingVerdict.HIGHER_LOAD,
        RoutingVerdict.HIGHER_LOAD,
        RoutingVerdict.TIE_BROKEN_BY_ID,
    )

    def __init__(
        self, *, filters: Iterable[HandlerFilter] = (), pool: Iterable[str] | None = None
    ) -> None:
        checked: list[HandlerFilter] = []
        for f in filters:
            if not callable(getattr(f, "bind", None)) or not isinstance(
                getattr(f, "name", None), str
            ):
                raise PolicyError(
                    NOT_A_FILTER.format(selector=self.name, value=f, type=type(f).__name__)
                )
            checked.append(f)
        self.filters: tuple[HandlerFilter, ...] = tuple(checked)
        if isinstance(pool, str):
            raise PolicyError(f"{self.name}: pool must be a list of agent ids, not a string")
        self.pool: tuple[str, ...] | None = None if pool is None else tuple(sorted(set(pool)))

    # -- what subclasses change ----------------------------------------------------------------

    def _own_filters(self) -> tuple[HandlerFilter, ...]:
        return ()

    def _key(self, entry: _Entry) -> tuple[Any, ...]:
        return (*_load_key(entry), entry.id)

    def _rank(
        self, viable: Sequence[_Entry], keys: Mapping[str, tuple[Any, ...]], ctx: PolicyContext
    ) -> list[_Entry]:
        return sorted(viable, key=lambda e: keys[e.id])

    def _lost(self, winner: tuple[Any, ...], other: tuple[Any, ...]) -> RoutingVerdict:
        for verdict, mine, theirs in zip(self._key_verdicts, winner, other, strict=True):
            if mine != theirs:
                return verdict
        return RoutingVerdict.TIE_BROKEN_BY_ID  # pragma: no cover - ids are unique

    def _detail(self, entry: _Entry) -> str:
        return entry.detail

    def _why_chosen(self, winner: _Entry, ranked: Sequence[_Entry], ctx: PolicyContext) -> str:
        return self._detail(winner)

    # -- the pipeline ----------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """The selector's name with its filters, as shown in rules."""
        names = [f.name for f in self.filters]
        return f"{self.name}[{', '.join(names)}]" if names else self.name

    def decide(self, ctx: PolicyContext) -> HandlerDecision:
        """Choose a handler, or say why nobody can take the complaint (never abstains)."""
        org = ctx.organization
        if self.pool is not None:
            ids: Sequence[str] = self.pool
            if not ids:
                return HandlerDecision.none(self.label, (), ("the pool is empty",))
            agents = [org.agent(i) if org.has_agent(i) else None for i in ids]
        else:
            department = ctx.complaint.department
            if department is None:
                return HandlerDecision.none(
                    self.label, (), ("the complaint has no department yet; assign one first",)
                )
            if not org.has_department(department):
                return HandlerDecision.none(
                    self.label, (), (f"department {department!r} is not in the organization",)
                )
            members = org.members(department, active_only=False)
            agents = list(members)
            ids = [a.id for a in members]
            if not ids:
                return HandlerDecision.none(
                    self.label, (), (f"department {department!r} has no agents",)
                )
        checks = [f.bind(ctx) for f in (*self._own_filters(), *self.filters)]
        verdicts: dict[str, Candidate] = {}
        viable: list[_Entry] = []
        for agent_id, maybe in zip(ids, agents, strict=True):
            if maybe is None:
                verdicts[agent_id] = Candidate(agent_id, RoutingVerdict.UNKNOWN)
                continue
            agent = maybe
            entry = _Entry(agent, ctx.open_load.get(agent_id, 0))
            if not agent.active:
                verdicts[agent_id] = Candidate(agent_id, RoutingVerdict.INACTIVE)
                continue
            if entry.load >= agent.capacity:
                verdicts[agent_id] = Candidate(agent_id, RoutingVerdict.AT_CAPACITY, entry.detail)
                continue
            for check in checks:
                exclusion = check(agent)
                if exclusion is not None:
                    verdicts[agent_id] = Candidate(agent_id, *exclusion)
                    break
            else:
                viable.append(entry)
        if not viable:
            return HandlerDecision.none(self.label, tuple(verdicts[i] for i in ids))
        keys = {e.id: self._key(e) for e in viable}
        ranked = self._rank(viable, keys, ctx)
        winner = ranked[0]
        best = keys[winner.id]
        verdicts[winner.id] = Candidate(winner.id, RoutingVerdict.CHOSEN, self._detail(winner))
        for other in ranked[1:]:
            verdicts[other.id] = Candidate(
                other.id, self._lost(best, keys[other.id]), self._detail(other)
            )
        why = self._why_chosen(winner, ranked, ctx)
        return HandlerDecision(
            winner.id, f"{self.label}: {winner.id} ({why})", tuple(verdicts[i] for i in ids)
        )

    def _params(self) -> list[str]:
        out: list[str] = []
        if self.filters:
            out.append(f"filters=[{', '.join(repr(f) for f in self.filters)}]")
        if self.pool is not None:
            out.append(f"pool={list(self.pool)!r}")
        return out

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(self._params())})"


class LeastLoaded(HandlerSelector):
    """The candidate with the lowest load/capacity ratio, then the lowest load, then by id."""

    name = "least_loaded"


class RoundRobin(HandlerSelector):
    """Take turns among the candidates (in id order), from a counter the Desk passes."""

    name = "round_robin"

    def _counter(self, ctx: PolicyContext) -> int:
        counter = ctx.extra.get(ASSIGNMENT_COUNTER)
        if counter is None:
            digest = hashlib.blake2b(ctx.complaint.id.encode("utf-8"), digest_size=8).digest()
            return int.from_bytes(digest, "big")
        if isinstance(counter, bool) or not isinstance(counter, int) or counter < 0:
            raise PolicyError(
                f"round_robin: ctx.extra[{ASSIGNMENT_COUNTER!r}] must be a non-negative int, "
                f"got {counter!r}"
            )
        return counter

    def _rank(
        self, viable: Sequence[_Entry], keys: Mapping[str, tuple[Any, ...]], ctx: PolicyContext
    ) -> list[_Entry]:
        ordered = sorted(viable, key=lambda e: e.id)
        start = self._counter(ctx) % len(ordered)
        return ordered[start:] + ordered[:start]

    def _lost(self, winner: tuple[Any, ...], other: tuple[Any, ...]) -> RoutingVerdict:
        return RoutingVerdict.LATER_IN_ROTATION

    def _why_chosen(self, winner: _Entry, ranked: Sequence[_Entry], ctx: PolicyContext) -> str:
        position = sorted(e.id for e in ranked).index(winner.id) + 1
        return f"turn {position} of {len(ranked)}; {winner.detail}"


class _FilterRouter(HandlerSelector):
    """A filter that is also a router: least loaded among the agents it keeps."""

    def __init__(self) -> None:
        super().__init__()

    def _own_filters(self) -> tuple[HandlerFilter, ...]:
        return (self,)

    def bind(self, ctx: PolicyContext) -> Callable[[Agent], Exclusion | None]:
        """The check of one agent for this context: ``None`` keeps it."""
        raise NotImplementedError


class LanguageMatch(_FilterRouter):
    """Keep agents who speak the customer's language (``customer.language in agent.languages``)."""

    name = "language_match"

    def bind(self, ctx: PolicyContext) -> Callable[[Agent], Exclusion | None]:
        """The check of one agent for this context: ``None`` keeps it."""
        language = ctx.complaint.customer.language

        def check(agent: Agent) -> Exclusion | None:
            if language in agent.languages:
                return None
            spoken = ", ".join(sorted(agent.languages))
            return RoutingVerdict.LACKS_LANGUAGE, f"speaks {spoken}; customer speaks {language}"

        return check

    def __repr__(self) -> str:
        return "language_match()"


def _str_set(value: object, where: str) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    if isinstance(value, Iterable) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise PolicyError(f"{where} must be a skill name or a list of skill names, got {value!r}")


class SkillsMatch(_FilterRouter):
    """Keep agents who have every required skill.

    Required: ``required``, plus for each classified concern the skills of the longest dotted
    prefix of its code in ``skills``, plus ``ctx.extra["required_skills"]``.
    """

    name = "skills_match"

    def __init__(
        self,
        skills: Mapping[str, Iterable[str] | str] | None = None,
        *,
        required: Iterable[str] | str = (),
    ) -> None:
        super().__init__()
        if skills is not None and not isinstance(skills, Mapping):
            raise PolicyError(
                f"skills_match: skills must map VOC codes to skill lists, got {skills!r}"
            )
        self.skills: Mapping[str, frozenset[str]] = {
            str(code): _str_set(names, f"skills_match: skills[{code!r}]")
            for code, names in (skills or {}).items()
        }
        self.required = _str_set(required, "skills_match: required")

    def needed(self, ctx: PolicyContext) -> frozenset[str]:
        """The skills this complaint requires."""
        need = set(self.required)
        for code in ctx.complaint.codes:
            parts = code.split(".")
            for end in range(len(parts), 0, -1):
                found = self.skills.get(".".join(parts[:end]))
                if found is not None:
                    need |= found
                    break
        extra = ctx.extra.get(REQUIRED_SKILLS)
        if extra is not None:
            need |= _str_set(extra, f"ctx.extra[{REQUIRED_SKILLS!r}]")
        return frozenset(need)

    def bind(self, ctx: PolicyContext) -> Callable[[Agent], Exclusion | None]:
        """The check of one agent for this context: ``None`` keeps it."""
        need = self.needed(ctx)

        def check(agent: Agent) -> Exclusion | None:
            missing = need - agent.skills
            if not missing:
                return None
            return RoutingVerdict.LACKS_SKILL, f"lacks {', '.join(sorted(missing))}"

        return check

    def __repr__(self) -> str:
        params = []
        if self.skills:
            params.append(repr({k: sorted(v) for k, v in self.skills.items()}))
        if self.required:
            params.append(f"required={sorted(self.required)!r}")
        return f"skills_match({', '.join(params)})"


def _money(value: object) -> Money:
    if isinstance(value, Money):
        return value
    if isinstance(value, Mapping):
        return Money.model_validate(value)
    if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
        return Money(amount=Decimal(value) if isinstance(value, int) else value)
    raise PolicyError(
        f"authority_fit: ctx.extra[{EXPECTED_AMOUNT!r}] must be a Money, a mapping "
        f"{{amount, currency}}, a str or an int (KRW), got {value!r}"
    )


class AuthorityFit(_FilterRouter):
    """Keep agents whose authority covers the likely remedy; as a router, the lowest role wins.

    The likely remedy: every ``requested_remedy`` of the complaint's concerns and, once a result is
    registered, its remedy. The amount: ``ctx.extra["expected_amount"]``, else the registered
    result's amount; it is checked against the monetary remedies only (refund, exchange, repair,
    compensation). With no remedy known, every agent is kept.
    """

    name = "authority_fit"
    _key_verdicts = (
        RoutingVerdict.HIGHER_ROLE,
        RoutingVerdict.HIGHER_LOAD,
        RoutingVerdict.HIGHER_LOAD,
        RoutingVerdict.TIE_BROKEN_BY_ID,
    )

    def likely_remedy(self, ctx: PolicyContext) -> tuple[tuple[RemedyKind, ...], Money | None]:
        """The remedies and the amount this complaint will likely need."""
        complaint = ctx.complaint
        remedies = {c.requested_remedy for c in complaint.concerns if c.requested_remedy}
        amount: Money | None = None
        if complaint.result is not None:
            remedies.add(complaint.result.remedy)
            amount = complaint.result.amount
        expected = ctx.extra.get(EXPECTED_AMOUNT)
        if expected is not None:
            try:
                amount = _money(expected)
            except pydantic.ValidationError as exc:
                raise PolicyError(
                    f"authority_fit: ctx.extra[{EXPECTED_AMOUNT!r}] is not a valid amount: "
                    f"{exc.errors()[0]['msg']}"
                ) from exc
        return tuple(sorted(remedies)), amount

    def bind(self, ctx: PolicyContext) -> Callable[[Agent], Exclusion | None]:
        """The check of one agent for this context: ``None`` keeps it."""
        remedies, amount = self.likely_remedy(ctx)

        def check(agent: Agent) -> Exclusion | None:
            for remedy in remedies:
                why = agent.authority.why_not(remedy, amount if remedy.material else None)
                if why is not None:
                    return RoutingVerdict.LACKS_AUTHORITY, why
            return None

        return check

    def _key(self, entry: _Entry) -> tuple[Any, ...]:
        return (_ROLE_ORDER[entry.agent.role], *_load_key(entry), entry.id)

    def _detail(self, entry: _Entry) -> str:
        return f"{entry.agent.role.value}; {entry.detail}"

    def __repr__(self) -> str:
        return "authority_fit()"


class Sticky(Policy[HandlerDecision]):
    """A reopened or repeat complaint goes back to its previous handler, if they can take it.

    Applies when ``ctx.extra["previous_handler"]`` is given, or the complaint was reopened
    (``reopen_count > 0``) or is flagged ``Flag.REPEAT``; the previous handler is then the extra's,
    else the complaint's handler, else the last of its ``previous_handlers``. Abstains (``None``)
    when nothing applies or that agent is unknown, inactive, at capacity or no longer in the
    complaint's department.
    """

    kind = "handler_router"
    name: ClassVar[str] = "sticky"

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        """The previous handler, or ``None``."""
        complaint = ctx.complaint
        given = ctx.extra.get(PREVIOUS_HANDLER)
        if given is not None:
            previous: str | None = str(given)
            why = "previous_handler given"
        elif complaint.reopen_count > 0 or Flag.REPEAT in complaint.flags:
            previous = complaint.handler or (
                complaint.previous_handlers[-1] if complaint.previous_handlers else None
            )
            why = "reopened" if complaint.reopen_count > 0 else "repeat"
        else:
            return None
        org = ctx.organization
        if previous is None or not org.has_agent(previous):
            return None
        agent = org.agent(previous)
        load = ctx.open_load.get(previous, 0)
        if not agent.active or load >= agent.capacity:
            return None
        if complaint.department is not None and agent.department != complaint.department:
            return None
        detail = f"load {load}/{agent.capacity}"
        return HandlerDecision(
            previous,
            f"sticky: {why} -> previous handler {previous} ({detail})",
            (Candidate(previous, RoutingVerdict.CHOSEN, detail),),
        )

    def __repr__(self) -> str:
        return "sticky()"


class Fallthrough(Policy[HandlerDecision]):
    """Turns a "no handler" decision into an abstention, so the next router in a chain decides."""

    kind = "handler_router"
    name: ClassVar[str] = "fallthrough"

    def __init__(self, router: Any) -> None:
        if not callable(getattr(router, "decide", None)):
            raise PolicyError(
                f"fallthrough: {router!r} ({type(router).__name__}) is not a handler router; "
                "allowed: any object with decide(ctx), e.g. least_loaded(filters=[...])"
            )
        self.router = router

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        """The router's decision if it chose a handler, else ``None``."""
        decision: HandlerDecision | None = self.router.decide(ctx)
        if decision is None or decision.handler is None:
            return None
        return decision

    def __repr__(self) -> str:
        return f"fallthrough({self.router!r})"


def fallthrough(router: Any) -> Fallthrough:
    """Abstain instead of answering "no handler": prefer some agents, else fall back to any.

    >>> fallthrough(least_loaded(filters=[language_match()])) | least_loaded()
    first_of(fallthrough(least_loaded(filters=[language_match()])), least_loaded())
    """
    return Fallthrough(router)


def least_loaded(
    *, filters: Iterable[HandlerFilter] = (), pool: Iterable[str] | None = None
) -> LeastLoaded:
    """Pick the candidate with the lowest load/capacity ratio, then lowest load, then by id.

    Candidates are the department's members (or ``pool``) that are active, have capacity and
    pass every filter.

    >>> least_loaded(filters=[language_match(), authority_fit()])
    least_loaded(filters=[language_match(), authority_fit()])
    """
    return LeastLoaded(filters=filters, pool=pool)


def round_robin(
    *, filters: Iterable[HandlerFilter] = (), pool: Iterable[str] | None = None
) -> RoundRobin:
    """Take turns: candidate number ``counter % n`` in agent-id order wins.

    ``counter`` is ``ctx.extra["assignment_counter"]`` (the Desk passes a number that grows by one
    per handler assignment), else a stable hash of the complaint id; never the clock or a global.

    >>> round_robin(pool=["lee", "kim"])
    round_robin(pool=['kim', 'lee'])
    """
    return RoundRobin(filters=filters, pool=pool)


def language_match() -> LanguageMatch:
    """Filter (or router: least loaded among them) keeping agents who speak the customer's language.

    >>> language_match().name
    'language_match'
    """
    return LanguageMatch()


def skills_match(
    skills: Mapping[str, Iterable[str] | str] | None = None,
    *,
    required: Iterable[str] | str = (),
) -> SkillsMatch:
    """Filter (or router: least loaded among them) keeping agents with every required skill.

    ``skills`` maps VOC codes to skills (the longest dotted prefix of each concern's code counts);
    ``required`` and ``ctx.extra["required_skills"]`` add more.

    >>> skills_match({"PRD.DEF": ["product"]}, required=["korean_law"])
    skills_match({'PRD.DEF': ['product']}, required=['korean_law'])
    """
    return SkillsMatch(skills, required=required)


def authority_fit() -> AuthorityFit:
    """Filter keeping agents with the authority for the likely remedy; as a router, lowest role wins.

    >>> authority_fit()
    authority_fit()
    """
    return AuthorityFit()


def sticky() -> Sticky:
    """The previous handler of a reopened or repeat complaint, if still able to take it.

    >>> sticky() | least_loaded()
    first_of(sticky(), least_loaded())
    """
    return Sticky()
