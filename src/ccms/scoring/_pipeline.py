"""What the improvement pipelines share: versioned items moved by a compiled ccms workflow.

Improvement tasks, institutional-improvement items and ideas are not complaints, but their stages
are a :class:`~ccms.workflow.WorkflowDefinition` compiled into a :class:`~ccms.workflow.Workflow`
like the complaint process: :meth:`~ccms.workflow.Workflow.decide` picks the transition (roles
included) or raises the workflow's typed error (``InvalidTransition``, ``NotPermitted``), here
naming the item instead of a complaint. Each move is a new item version with one more :class:`Step`.

A pipeline keeps its items in memory unless it is given an :class:`ItemRepository` (the Desk's
store adapter, :class:`ccms.desk.StoreRecords`): then every new item and every move is written
there first, version-checked, and the pipeline starts from what the repository holds, so a
restarted process gives back every task, item and idea exactly. A move whose write is refused
(another process moved the item) changes nothing here and raises the store's typed error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast, runtime_checkable

from pydantic import Field, JsonValue

from ccms.errors import InvalidInput, InvalidTransition, UnknownItem, require_aware
from ccms.model import Actor, Complaint
from ccms.model.types import AwareDatetime, Frozen, Name, ShortText
from ccms.workflow import Fire, Workflow

__all__ = ["Item", "ItemRepository", "Pipeline", "Step", "UnknownItem"]


class Step(Frozen):
    """One move of an item: the trigger, when, by whom, the stage after it and a note."""

    trigger: Name
    at: AwareDatetime
    actor: Actor
    stage: Name
    note: ShortText = ""
    data: dict[str, JsonValue] = {}


class Item(Frozen):
    """Base of every pipeline item: id, stage, version and the steps that led here."""

    id: Name
    stage: Name
    version: int = Field(default=1, ge=1)
    created_at: AwareDatetime
    updated_at: AwareDatetime
    steps: tuple[Step, ...] = ()


ItemT = TypeVar("ItemT", bound=Item)


@runtime_checkable
class ItemRepository(Protocol):
    """Where a pipeline keeps its items (one stream per item of a ``kind``).

    ``save`` stores ``data`` (the item's JSON) as the item's next version, only if the stored
    version is ``expected_version`` (0 for a new item); otherwise it raises
    :class:`ccms.errors.ConcurrencyConflict` and stores nothing. ``load`` gives ``(stored
    version, latest JSON)`` of every item of ``kind``, in the order they were first saved;
    ``version`` one item's stored version (0 if none, cheap), ``latest`` its version and JSON
    (``None`` if not stored).
    """

    def save(
        self,
        kind: str,
        item_id: str,
        data: Mapping[str, Any],
        *,
        expected_version: int,
        trigger: str,
        at: datetime,
    ) -> None: ...

    def load(self, kind: str) -> Sequence[tuple[int, Mapping[str, Any]]]: ...

    def version(self, kind: str, item_id: str) -> int: ...

    def latest(self, kind: str, item_id: str) -> tuple[int, Mapping[str, Any]] | None: ...


class Pipeline(Generic[ItemT]):
    """A keyed collection of items moved by one workflow; subclasses add the named moves."""

    noun = "item"
    prefix = "ITEM"
    #: The item class (to read items back from a repository) and the repository's stream kind.
    item_type: ClassVar[type[Item]] = Item
    kind: ClassVar[str] = "item"

    def __init__(self, workflow: Workflow, repository: ItemRepository | None = None) -> None:
        self.workflow = workflow
        self.repository = repository
        self._items: dict[str, ItemT] = {}
        self._stored: dict[str, int] = {}  # item id -> the repository's version of it
        if repository is not None:
            self.reload()

    def reload(self) -> None:
        """Read every item back from the repository (what another process may have changed)."""
        if self.repository is None:
            return
        items: dict[str, ItemT] = {}
        stored: dict[str, int] = {}
        for version, data in self.repository.load(self.kind):
            item = cast(ItemT, self.item_type.model_validate(data))
            items[item.id] = item
            stored[item.id] = version
        self._items, self._stored = items, stored

    def _refresh(self, item_id: str) -> None:
        """Bring one item up to the repository's latest version before moving it."""
        if self.repository is None:
            return
        if self.repository.version(self.kind, item_id) == self._stored.get(item_id, 0):
            return  # one cheap read: nobody moved it
        found = self.repository.latest(self.kind, item_id)
        if found is not None and found[0] != self._stored.get(item_id):
            self._items[item_id] = cast(ItemT, self.item_type.model_validate(found[1]))
            self._stored[item_id] = found[0]

    def _save(self, item: ItemT, trigger: str, at: datetime) -> None:
        if self.repository is None:
            return
        expected = self._stored.get(item.id, 0)
        self.repository.save(
            self.kind,
            item.id,
            item.model_dump(mode="json"),
            expected_version=expected,
            trigger=trigger,
            at=at,
        )
        self._stored[item.id] = expected + 1

    def __iter__(self) -> Iterator[ItemT]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def get(self, item_id: str) -> ItemT:
        """The item with this id (its latest stored version), or :class:`UnknownItem`."""
        self._refresh(item_id)
        try:
            return self._items[item_id]
        except KeyError:
            raise UnknownItem(self.noun, item_id, sorted(self._items)) from None

    def _next_id(self) -> str:
        if self.repository is not None:
            self.reload()  # another process may have added items: take the next free number
        return f"{self.prefix}-{len(self._items) + 1}"

    def _add(self, item: ItemT) -> ItemT:
        if item.id in self._items:
            raise InvalidInput(f"{self.noun} {item.id!r} already exists")
        if item.stage != self.workflow.definition.initial:
            raise InvalidInput(f"a new {self.noun} starts in {self.workflow.definition.initial!r}")
        self._save(item, "create", item.created_at)
        self._items[item.id] = item
        return item

    def _fire(
        self,
        item_id: str,
        trigger: str,
        *,
        actor: Actor,
        at: datetime,
        note: str = "",
        data: dict[str, JsonValue] | None = None,
        update: dict[str, Any] | None = None,
    ) -> ItemT:
        item = self.get(item_id)
        require_aware(at, "now")
        if at < item.updated_at:
            raise InvalidInput(
                f"{self.noun} {item.id}: {at.isoformat()} is before its last change at "
                f"{item.updated_at.isoformat()}; moves must not go back in time"
            )
        try:
            row = self.workflow.decide(
                cast(Complaint, item), Fire(name=trigger), actor=actor, at=at
            )  # decide reads only ``id`` and ``stage`` when the transition has no guards
        except InvalidTransition as exc:
            exc.args = (str(exc).replace("complaint ", f"{self.noun} ", 1),)
            raise
        stage = row.dest or item.stage
        step = Step(trigger=trigger, at=at, actor=actor, stage=stage, note=note, data=data or {})
        changes: dict[str, Any] = dict(update or {})
        changes.update(
            stage=stage, version=item.version + 1, updated_at=at, steps=(*item.steps, step)
        )
        new = item.model_copy(update=changes)
        self._save(new, trigger, at)
        self._items[item_id] = new
        return new

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self._items)} {self.noun}s)"
