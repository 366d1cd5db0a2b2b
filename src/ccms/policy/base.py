"""What every policy shares: one frozen context in, one decision (or ``None``: abstain) out.

A policy is any object with a ``decide(ctx)`` method (each kind is a :class:`typing.Protocol` in its
own module: routing, SLA, escalation). Policies are pure: they read the context, never a clock or
I/O. Built-ins derive from :class:`Policy`, which adds composition in the manner of tenacity's stop
conditions: ``a | b`` asks ``a`` and falls back to ``b`` when ``a`` abstains (returns ``None``).
Chains are flattened, so long compositions neither recurse deeply nor lose order.

>>> from ccms.policy.base import Policy, PolicyContext
>>> class Const(Policy[str]):
...     kind = "demo"
...     def __init__(self, value: str | None) -> None:
...         self.value = value
...     def decide(self, ctx: PolicyContext) -> str | None:
...         return self.value
>>> chain = Const(None) | Const("b") | Const("c")
>>> chain
first_of(Const, Const, Const)
>>> len(chain.policies)
3
>>> Const(None) | 3
Traceback (most recent call last):
...
ccms.errors.PolicyError: cannot compose demo policy Const with 3 (int): it has no decide(ctx) method
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar, runtime_checkable

import attrs

from ccms.errors import PolicyError, require_aware
from ccms.model import Actor, Complaint, DomainEvent, Organization, Taxonomy

__all__ = ["Decides", "FirstOf", "Policy", "PolicyContext", "first_of", "system_stamp"]

D = TypeVar("D")
D_co = TypeVar("D_co", covariant=True)


def _aware(_: object, attribute: attrs.Attribute[datetime], value: datetime) -> None:
    require_aware(value, f"PolicyContext.{attribute.name}")


@attrs.frozen(slots=True, kw_only=True)
class PolicyContext:
    """Everything a policy may read. New fields get defaults, so adding one breaks nobody.

    - ``complaint``: the complaint as it is now (or as it will be after the command).
    - ``events``: its history, oldest first.
    - ``organization``: departments and agents.
    - ``now``: the injected time (aware); policies never read a clock.
    - ``open_load``: open complaints per agent id, as the store counts them (for load balancing).
    - ``taxonomy``: the VOC code taxonomy, when the host has one.
    - ``extra``: host-specific inputs for custom policies.
    """

    complaint: Complaint
    now: datetime = attrs.field(validator=_aware)
    events: Sequence[DomainEvent] = ()
    organization: Organization = attrs.field(factory=Organization)
    open_load: Mapping[str, int] = attrs.field(factory=dict)
    taxonomy: Taxonomy | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    def evolve(self, **changes: Any) -> PolicyContext:
        """A copy with some fields replaced."""
        return attrs.evolve(self, **changes)

    def system_stamp(self, trigger: str) -> dict[str, Any]:
        """The fields of an event a policy emits on its own: the complaint's next version, at
        ``now``, by the system actor, fired by ``trigger``, leaving the stage unchanged.

        >>> from datetime import datetime, timezone
        >>> from ccms.model import Complaint, Concern, CustomerRef
        >>> now = datetime(2026, 10, 5, tzinfo=timezone.utc)
        >>> c = Complaint(id="c1", version=2, received_at=now, updated_at=now, channel="web",
        ...               customer=CustomerRef(id="u1"), stage="classified",
        ...               concerns=[Concern(kind="complaint", code="PRD.DEF.HANDLE", text="broke")])
        >>> stamp = PolicyContext(complaint=c, now=now).system_stamp("sla")
        >>> stamp["version"] == c.version + 1, stamp["actor"].id, stamp["trigger"], stamp["stage"]
        (True, 'system', 'sla', None)
        """
        return system_stamp(self.complaint, self.now, trigger)


def system_stamp(complaint: Complaint, at: datetime, trigger: str) -> dict[str, Any]:
    """The fields of an event the system emits on its own for ``complaint`` at ``at``: the next
    version, the system actor, ``trigger``, the stage unchanged (:meth:`PolicyContext.system_stamp`
    for a policy; the Desk's notice outbox uses it too)."""
    return {
        "complaint_id": complaint.id,
        "version": complaint.version + 1,
        "at": at,
        "actor": Actor.system(),
        "trigger": trigger,
        "stage": None,
    }


@runtime_checkable
class Decides(Protocol[D_co]):
    """Anything with ``decide(ctx)``: the shape of every policy kind."""

    def decide(self, ctx: PolicyContext) -> D_co | None:
        """Return a decision, or ``None`` to abstain and let the next policy decide."""
        ...


class Policy(Generic[D]):
    """Base of the built-in policies: adds ``|`` (first that decides) and a readable ``repr``.

    Subclasses set ``kind`` (``"department_router"``, ``"handler_router"``, ``"sla"``, ...) so
    that composing policies of different kinds is refused when the operator is used.
    """

    kind: ClassVar[str] = "policy"

    def decide(self, ctx: PolicyContext) -> D | None:
        """Return a decision, or ``None`` to abstain."""
        raise NotImplementedError

    def __or__(self, other: Decides[D]) -> FirstOf[D]:
        return first_of(self, other)

    def __ror__(self, other: Decides[D]) -> FirstOf[D]:
        return first_of(other, self)

    def __repr__(self) -> str:
        return type(self).__name__


def _kind(policy: object) -> str | None:
    kind = getattr(policy, "kind", None)
    return kind if isinstance(kind, str) else None


class FirstOf(Policy[D]):
    """Ask each policy in turn; the first non-``None`` decision wins (a fallback chain)."""

    __slots__ = ("policies",)

    def __init__(self, policies: Sequence[Decides[D]]) -> None:
        if not policies:
            raise PolicyError("first_of() needs at least one policy")
        self.policies: tuple[Decides[D], ...] = tuple(policies)

    @property
    def kind(self) -> str:  # type: ignore[override]
        """The kind of the policies composed (they all share one)."""
        for policy in self.policies:
            kind = _kind(policy)
            if kind is not None and kind != "policy":
                return kind
        return "policy"

    def decide(self, ctx: PolicyContext) -> D | None:
        for policy in self.policies:
            decision = policy.decide(ctx)
            if decision is not None:
                return decision
        return None

    def __repr__(self) -> str:
        return f"first_of({', '.join(repr(p) for p in self.policies)})"


def first_of(*policies: Decides[D]) -> FirstOf[D]:
    """Compose policies of one kind into a fallback chain (flattening nested chains).

    A policy that is not a policy, or is of another kind, is refused with a message naming it.
    """
    flat: list[Decides[D]] = []
    kinds: dict[str, object] = {}
    for policy in policies:
        if not callable(getattr(policy, "decide", None)):
            first = policies[0]
            raise PolicyError(
                f"cannot compose {_kind(first) or 'a'} policy {first!r} with {policy!r} "
                f"({type(policy).__name__}): it has no decide(ctx) method"
            )
        kind = _kind(policy)
        if kind is not None and kind != "policy":
            if kinds and kind not in kinds:
                other_kind, other = next(iter(kinds.items()))
                raise PolicyError(
                    f"cannot compose {other_kind} policy {other!r} with {kind} policy {policy!r}: "
                    "a chain holds policies of one kind"
                )
            kinds.setdefault(kind, policy)
        if isinstance(policy, FirstOf):
            flat.extend(policy.policies)
        else:
            flat.append(policy)
    return FirstOf(flat)
