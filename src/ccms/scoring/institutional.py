"""Institutional improvement (제도개선 프로세스) and idea suggestions (우수 아이디어 제안제도).

A customer-unfriendly rule found in VOC becomes an :class:`InstitutionalItem`: discovered ->
decided (accepted with an owning department, or rejected) -> planned (owner, due date, method) ->
executed -> reported -> fed back -> taught, on a short, mid or long horizon. An employee's
:class:`Idea` is proposed, reviewed, and adopted or declined; adoption yields an
:class:`~ccms.scoring.Activity` (``idea_adopted``) that earns CS points in the ledger. Both run on
:class:`ccms.workflow.Workflow` definitions, so a wrong move is the workflow's typed error.

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.model import Actor
>>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> register = InstitutionalRegister()
>>> item = register.discover(title="Return shipping charged to the customer",
...     rule="refund only if the customer pays return shipping", horizon="short",
...     found_in=["c1", "c7"], now=t0)
>>> register.plan(item.id, owner="kim", due_at=t0 + timedelta(days=30), method="policy change",
...     now=t0, actor=Actor(id="kim", role="handler"))
Traceback (most recent call last):
...
ccms.errors.InvalidTransition: institutional item INS-1 in stage 'discovered' cannot fire 'plan'; allowed from there: accept, reject
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Literal

from ccms.errors import require_aware
from ccms.model import Actor, Role
from ccms.model.types import AwareDatetime, Name, ShortText
from ccms.scoring._pipeline import Item, ItemRepository, Pipeline
from ccms.scoring.rules import Activity
from ccms.workflow import StageSpec, TransitionSpec, Workflow, WorkflowDefinition

__all__ = [
    "Idea",
    "IdeaBox",
    "InstitutionalItem",
    "InstitutionalRegister",
    "idea_definition",
    "institutional_definition",
]

_ALL = frozenset(Role)
_DECIDERS = frozenset({Role.SUPERVISOR, Role.EXECUTIVE})


def institutional_definition() -> WorkflowDefinition:
    """The institutional-improvement workflow.

    >>> [s.name for s in institutional_definition().stages][:4]
    ['discovered', 'accepted', 'rejected', 'planned']
    """
    t = TransitionSpec
    return WorkflowDefinition(
        name="institutional_improvement",
        initial="discovered",
        stages=(
            StageSpec(name="discovered", description="a customer-unfriendly rule found in VOC"),
            StageSpec(name="accepted", description="deliberated and accepted; department owns it"),
            StageSpec(name="rejected", terminal=True, open=False),
            StageSpec(name="planned", description="owner, due date and method set"),
            StageSpec(name="executed", description="the rule is changed"),
            StageSpec(name="reported", description="the result is reported"),
            StageSpec(name="fed_back", description="fed back to the departments concerned"),
            StageSpec(name="taught", terminal=True, open=False, description="staff trained"),
        ),
        transitions=(
            t(trigger="accept", source=("discovered",), dest="accepted", roles=_DECIDERS),
            t(trigger="reject", source=("discovered",), dest="rejected", roles=_DECIDERS),
            t(trigger="plan", source=("accepted", "planned"), dest="planned", roles=_ALL),
            t(trigger="execute", source=("planned",), dest="executed", roles=_ALL),
            t(trigger="report", source=("executed",), dest="reported", roles=_ALL),
            t(trigger="feed_back", source=("reported",), dest="fed_back", roles=_ALL),
            t(trigger="teach", source=("fed_back",), dest="taught", roles=_ALL),
        ),
    )


def idea_definition() -> WorkflowDefinition:
    """The idea-suggestion workflow.

    >>> sorted(idea_definition().terminal_stages)
    ['adopted', 'declined']
    """
    t = TransitionSpec
    return WorkflowDefinition(
        name="idea",
        initial="proposed",
        stages=(
            StageSpec(name="proposed"),
            StageSpec(name="under_review"),
            StageSpec(name="adopted", terminal=True, open=False),
            StageSpec(name="declined", terminal=True, open=False),
        ),
        transitions=(
            t(trigger="review", source=("proposed",), dest="under_review", roles=_DECIDERS),
            t(trigger="adopt", source=("under_review",), dest="adopted", roles=_DECIDERS),
            t(trigger="decline", source=("under_review",), dest="declined", roles=_DECIDERS),
        ),
    )


class InstitutionalItem(Item):
    """A customer-unfriendly rule to change, with its decision and its execution plan."""

    title: ShortText
    rule: ShortText
    horizon: Literal["short", "mid", "long"]
    found_in: tuple[Name, ...] = ()
    department: Name | None = None
    owner: Name | None = None
    due_at: AwareDatetime | None = None
    method: ShortText = ""
    decision: ShortText = ""

    def overdue(self, now: datetime) -> bool:
        """Planned but not executed by its due date."""
        return self.stage == "planned" and self.due_at is not None and now > self.due_at


class InstitutionalRegister(Pipeline[InstitutionalItem]):
    """The register of institutional-improvement items. See the module docstring."""

    noun = "institutional item"
    prefix = "INS"
    item_type = InstitutionalItem
    kind = "institutional_item"

    def __init__(
        self, workflow: Workflow | None = None, *, repository: ItemRepository | None = None
    ) -> None:
        super().__init__(workflow or Workflow(institutional_definition()), repository)

    def discover(
        self,
        *,
        title: str,
        rule: str,
        horizon: Literal["short", "mid", "long"],
        now: datetime,
        found_in: Sequence[str] = (),
    ) -> InstitutionalItem:
        """Record a rule found in VOC (stage ``discovered``)."""
        require_aware(now, "now")
        return self._add(
            InstitutionalItem(
                id=self._next_id(),
                stage="discovered",
                created_at=now,
                updated_at=now,
                title=title,
                rule=rule,
                horizon=horizon,
                found_in=tuple(found_in),
            )
        )

    def accept(
        self, item_id: str, *, department: str, now: datetime, actor: Actor, note: str = ""
    ) -> InstitutionalItem:
        """Decide to change the rule; ``department`` owns it (supervisors and executives)."""
        return self._fire(
            item_id,
            "accept",
            actor=actor,
            at=now,
            note=note,
            update={"department": department, "decision": note or "accepted"},
        )

    def reject(self, item_id: str, *, now: datetime, actor: Actor, note: str) -> InstitutionalItem:
        """Decide to keep the rule, saying why (supervisors and executives)."""
        return self._fire(
            item_id, "reject", actor=actor, at=now, note=note, update={"decision": note}
        )

    def plan(
        self,
        item_id: str,
        *,
        owner: str,
        due_at: datetime,
        method: str,
        now: datetime,
        actor: Actor,
    ) -> InstitutionalItem:
        """Set (or change) the owner, the due date and the method."""
        require_aware(due_at, "due_at")
        return self._fire(
            item_id,
            "plan",
            actor=actor,
            at=now,
            note=method,
            update={"owner": owner, "due_at": due_at, "method": method},
        )

    def execute(
        self, item_id: str, *, now: datetime, actor: Actor, note: str = ""
    ) -> InstitutionalItem:
        """The rule has been changed."""
        return self._fire(item_id, "execute", actor=actor, at=now, note=note)

    def report(self, item_id: str, *, now: datetime, actor: Actor, note: str) -> InstitutionalItem:
        """Report the result."""
        return self._fire(item_id, "report", actor=actor, at=now, note=note)

    def feed_back(
        self, item_id: str, *, now: datetime, actor: Actor, note: str
    ) -> InstitutionalItem:
        """Feed the change back to the departments concerned."""
        return self._fire(item_id, "feed_back", actor=actor, at=now, note=note)

    def teach(self, item_id: str, *, now: datetime, actor: Actor, note: str) -> InstitutionalItem:
        """Train the staff on the new rule (the item is complete)."""
        return self._fire(item_id, "teach", actor=actor, at=now, note=note)

    def overdue(self, now: datetime) -> list[InstitutionalItem]:
        """Planned items past their due date."""
        return [i for i in self if i.overdue(now)]


class Idea(Item):
    """An employee's improvement idea."""

    title: ShortText
    text: ShortText = ""
    proposer: Name
    department: Name | None = None
    decision: ShortText = ""


class IdeaBox(Pipeline[Idea]):
    """Idea suggestions. ``on_adopt`` receives the ``idea_adopted`` activity (e.g.
    ``ledger.record``), so adoption earns the proposer CS points.

    >>> from datetime import datetime, timezone
    >>> from ccms.scoring import DEFAULT_RULES, Ledger
    >>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> ledger = Ledger(DEFAULT_RULES)
    >>> box = IdeaBox(on_adopt=ledger.record)
    >>> lead = Actor(id="choi", role="supervisor")
    >>> idea = box.propose(title="Photo upload for damage claims", proposer="kim", now=t0)
    >>> _ = box.review(idea.id, now=t0, actor=lead)
    >>> box.adopt(idea.id, now=t0, actor=lead).stage, ledger.balance("kim", now=t0)
    ('adopted', 20)
    """

    noun = "idea"
    prefix = "IDEA"
    item_type = Idea
    kind = "idea"

    def __init__(
        self,
        *,
        on_adopt: Callable[[Activity], object] | None = None,
        workflow: Workflow | None = None,
        repository: ItemRepository | None = None,
    ) -> None:
        super().__init__(workflow or Workflow(idea_definition()), repository)
        self.on_adopt = on_adopt

    def propose(
        self,
        *,
        title: str,
        proposer: str,
        now: datetime,
        text: str = "",
        department: str | None = None,
    ) -> Idea:
        """Record a proposal (stage ``proposed``)."""
        require_aware(now, "now")
        return self._add(
            Idea(
                id=self._next_id(),
                stage="proposed",
                created_at=now,
                updated_at=now,
                title=title,
                text=text,
                proposer=proposer,
                department=department,
            )
        )

    def review(self, idea_id: str, *, now: datetime, actor: Actor) -> Idea:
        """Take the idea up for review."""
        return self._fire(idea_id, "review", actor=actor, at=now)

    def adopt(self, idea_id: str, *, now: datetime, actor: Actor, note: str = "") -> Idea:
        """Adopt it; the proposer's ``idea_adopted`` activity goes to ``on_adopt``."""
        idea = self._fire(
            idea_id, "adopt", actor=actor, at=now, note=note, update={"decision": note}
        )
        if self.on_adopt is not None:
            self.on_adopt(self.activity(idea))
        return idea

    def decline(self, idea_id: str, *, now: datetime, actor: Actor, note: str) -> Idea:
        """Decline it, saying why."""
        return self._fire(
            idea_id, "decline", actor=actor, at=now, note=note, update={"decision": note}
        )

    @staticmethod
    def activity(idea: Idea) -> Activity:
        """The ``idea_adopted`` activity of an adopted idea (for the ledger or its replay log)."""
        return Activity(
            type="idea_adopted",
            id=f"idea:{idea.id}",
            agent=idea.proposer,
            at=idea.updated_at,
            department=idea.department,
            note=idea.title,
        )
