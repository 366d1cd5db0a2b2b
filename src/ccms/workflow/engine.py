"""The compiled workflow: one ``transitions`` machine per definition, shared by every complaint.

:class:`Workflow` hands the definition to a :class:`transitions.Machine` once, which validates it
and resolves its transition table; firing then reads that resolved table (a dict lookup) with the
same semantics (first transition whose guards all pass wins; ``dest=None`` is internal). No machine
is built and no model is registered per complaint: complaints are immutable values, and firing a
trigger returns a new version and its events, or raises a typed error and changes nothing.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import attrs
from transitions import Machine

from ccms.errors import (
    GuardRejected,
    InvalidInput,
    InvalidTransition,
    MissingExtra,
    NotPermitted,
    WorkflowDefinitionError,
    require_aware,
)
from ccms.model import Actor, Complaint, DomainEvent, Organization, Role
from ccms.workflow.commands import Command, Receive
from ccms.workflow.definition import WorkflowDefinition
from ccms.workflow.guards import BUILTIN_GUARDS, GuardContext

__all__ = ["Fired", "ResolvedTransition", "Workflow"]

GuardFn = Callable[[GuardContext], str | None]


@attrs.frozen(slots=True)
class ResolvedTransition:
    """One row of the resolved table: where a trigger leads from a stage, under which guards."""

    trigger: str
    source: str
    dest: str | None
    guards: tuple[str, ...]
    roles: frozenset[str] | None


_EVERY_ROLE: frozenset[Role] = frozenset(Role)


@attrs.frozen(slots=True)
class Fired:
    """The outcome of a command: the new complaint version and the events that produced it."""

    complaint: Complaint
    events: tuple[DomainEvent, ...]


class Workflow:
    """A compiled :class:`WorkflowDefinition`. Build one per definition and share it.

    ``guards`` adds or overrides named guards (the built-ins are ``authority``,
    ``remedy_standard``, ``has_handler``, ``handler_in_department``, ``different_department`` and
    ``reopen_window``).

    >>> from ccms.workflow import default_workflow
    >>> wf = default_workflow()
    >>> wf.allowed_triggers("closed")
    ('close_cc_card', 'escalate', 'flag', 'reopen')
    """

    __slots__ = ("_by_stage", "_guards", "_table", "definition", "machine")

    def __init__(
        self,
        definition: WorkflowDefinition,
        *,
        guards: Mapping[str, GuardFn] | None = None,
    ) -> None:
        self.definition = definition
        resolved_guards: dict[str, GuardFn] = dict(BUILTIN_GUARDS)
        resolved_guards.update(guards or {})
        unknown = sorted(definition.guard_names - set(resolved_guards))
        if unknown:
            raise WorkflowDefinitionError(
                definition.name,
                [
                    f"unknown guard {name!r} (known: {', '.join(sorted(resolved_guards))})"
                    for name in unknown
                ],
            )
        self._guards = resolved_guards
        self.machine = self._build_machine(definition)
        self._table = self._resolve(definition, self.machine)
        by_stage: dict[str, list[str]] = {}
        for stage, trigger in self._table:
            by_stage.setdefault(stage, []).append(trigger)
        self._by_stage = {stage: tuple(sorted(triggers)) for stage, triggers in by_stage.items()}

    # -- compilation (once per definition) -------------------------------------------------------

    @staticmethod
    def _build_machine(definition: WorkflowDefinition) -> Machine:
        transitions: list[dict[str, Any]] = []
        for t in definition.transitions:
            transitions.append(
                {
                    "trigger": t.trigger,
                    "source": list(definition.expand(t.source)),
                    "dest": t.dest,
                    "conditions": list(t.guards),
                }
            )
        try:
            return Machine(
                model=None,
                states=[s.name for s in definition.stages],
                transitions=transitions,
                initial=definition.initial,
                auto_transitions=False,
                send_event=True,
            )
        except (ValueError, AttributeError) as exc:  # transitions' own checks
            raise WorkflowDefinitionError(definition.name, [str(exc)]) from exc

    @staticmethod
    def _resolve(
        definition: WorkflowDefinition, machine: Machine
    ) -> dict[tuple[str, str], tuple[ResolvedTransition, ...]]:
        roles = {t.trigger: [] for t in definition.transitions}  # type: dict[str, list[Any]]
        for t in definition.transitions:
            roles[t.trigger].append(t)
        table: dict[tuple[str, str], tuple[ResolvedTransition, ...]] = {}
        for trigger, event in machine.events.items():
            specs = roles.get(trigger, [])
            for source, rows in event.transitions.items():
                resolved: list[ResolvedTransition] = []
                for row in rows:
                    names = tuple(str(c.func) for c in row.conditions)
                    spec = next(
                        s
                        for s in specs
                        if source in definition.expand(s.source)
                        and s.dest == row.dest
                        and s.guards == names
                    )
                    resolved.append(
                        ResolvedTransition(
                            trigger=trigger,
                            source=source,
                            dest=row.dest,
                            guards=names,
                            roles=None
                            if spec.roles is None or spec.roles >= _EVERY_ROLE
                            else frozenset(r.value for r in spec.roles),
                        )
                    )
                table[(source, trigger)] = tuple(resolved)
        return table

    # -- reading ---------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The definition's name."""
        return self.definition.name

    @property
    def table(self) -> Mapping[tuple[str, str], tuple[ResolvedTransition, ...]]:
        """The resolved table: ``(stage, trigger) -> candidate transitions``, in priority order."""
        return self._table

    def allowed_triggers(self, stage: str) -> tuple[str, ...]:
        """Triggers that have a transition from ``stage`` (guards and roles aside), sorted."""
        return self._by_stage.get(stage, ())

    def can_fire(
        self,
        complaint: Complaint,
        command: Command,
        *,
        actor: Actor,
        at: datetime,
        organization: Organization | None = None,
    ) -> bool:
        """Whether :meth:`fire` would succeed (without building anything)."""
        try:
            self.decide(complaint, command, actor=actor, at=at, organization=organization)
        except InvalidTransition:
            return False
        return True

    # -- firing ----------------------------------------------------------------------------------

    def decide(
        self,
        complaint: Complaint,
        command: Command,
        *,
        actor: Actor,
        at: datetime,
        organization: Organization | None = None,
        events: Sequence[DomainEvent] = (),
    ) -> ResolvedTransition:
        """The transition that ``command`` would take, or the typed error saying why none."""
        # A command class names its trigger as a class attribute; generic ones (Fire) carry it.
        trigger = command.trigger or command.trigger_name
        stage = complaint.stage
        rows = self._table.get((stage, trigger))
        if rows is None:
            detail = None
            if trigger not in self.definition.triggers:
                detail = f"workflow {self.name!r} has no trigger {trigger!r}"
            raise InvalidTransition(
                complaint.id,
                stage=stage,
                trigger=trigger,
                allowed=self.allowed_triggers(stage),
                detail=detail,
            )
        if len(rows) == 1:  # the common case: one row, checked without building anything
            only = rows[0]
            if not only.guards and (only.roles is None or actor.role._value_ in only.roles):
                return only
        role = actor.role._value_  # the plain str (an enum member hashes in Python code)
        last: tuple[str, str] | None = None
        ctx: GuardContext | None = None
        for row in rows:
            if row.roles is not None and role not in row.roles:
                continue
            refused = None
            for name in row.guards:
                if ctx is None:
                    # tuple.__new__ skips the named tuple's Python-level constructor
                    ctx = tuple.__new__(
                        GuardContext, (complaint, command, actor, at, organization, events)
                    )
                reason = self._guards[name](ctx)
                if reason is not None:
                    refused = (name, reason)
                    break
            if refused is None:
                return row
            last = refused
        if last is None:  # no row lets this role fire the trigger
            may = sorted({x for r in rows for x in (r.roles or ())})
            raise NotPermitted(
                complaint.id,
                stage=stage,
                trigger=trigger,
                allowed=self.allowed_triggers(stage),
                role=role,
                roles=may,
            )
        raise GuardRejected(
            complaint.id,
            stage=stage,
            trigger=trigger,
            allowed=self.allowed_triggers(stage),
            guard=last[0],
            reason=last[1],
        )

    def fire(
        self,
        complaint: Complaint,
        command: Command,
        *,
        actor: Actor,
        at: datetime,
        organization: Organization | None = None,
        events: Sequence[DomainEvent] = (),
    ) -> Fired:
        """Apply ``command`` to ``complaint``: the new version and its events, or a typed error.

        ``complaint`` is never mutated. ``at`` must be aware and not before the last update.
        """
        require_aware(at, "at")
        if at < complaint.updated_at:
            raise InvalidInput(
                f"complaint {complaint.id}: command time {at.isoformat()} is before its last "
                f"change at {complaint.updated_at.isoformat()}; commands must not go back in time"
            )
        row = self.decide(
            complaint, command, actor=actor, at=at, organization=organization, events=events
        )
        header = {
            "complaint_id": complaint.id,
            "version": complaint.version + 1,
            "at": at,
            "actor": actor,
            "trigger": row.trigger,
            "stage": row.dest,
        }
        try:
            new_events = command.build(complaint, header)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        current = complaint
        for event in new_events:
            current = event.apply(current)
        return Fired(current, tuple(new_events))

    def receive(self, command: Receive, *, complaint_id: str, actor: Actor, at: datetime) -> Fired:
        """Open a complaint at version 1 in the initial stage."""
        require_aware(at, "at")
        event = command.build(
            {
                "complaint_id": complaint_id,
                "version": 1,
                "at": at,
                "actor": actor,
                "trigger": "receive",
                "stage": self.definition.initial,
            },
            self.name,
        )
        return Fired(event.apply(None), (event,))

    # -- drawing ---------------------------------------------------------------------------------

    def diagram(self, format: Literal["mermaid", "dot"] = "mermaid") -> str:
        """The workflow as Mermaid or Graphviz (DOT) text, drawn by ``transitions``.

        DOT needs the ``graphviz`` package (the ``diagrams`` extra); without it this raises
        :class:`~ccms.errors.MissingExtra` (``transitions`` would quietly draw Mermaid instead).
        """
        from transitions.extensions import GraphMachine

        if format not in ("mermaid", "dot"):
            raise ValueError(f"format must be 'mermaid' or 'dot', got {format!r}")
        if format == "dot" and not _installed("graphviz"):  # transitions' DOT backend
            raise MissingExtra("diagrams", "graphviz")

        class _Model:
            pass

        d = self.definition
        graph = GraphMachine(
            model=_Model(),
            states=[s.name for s in d.stages],
            transitions=[
                {
                    "trigger": t.trigger,
                    "source": list(d.expand(t.source)),
                    "dest": t.dest,
                    "conditions": list(t.guards),
                }
                for t in d.transitions
                if t.dest is not None
            ],
            initial=d.initial,
            auto_transitions=False,
            show_conditions=True,
            title=d.name,
            graph_engine="mermaid" if format == "mermaid" else "graphviz",
        )
        drawn = graph.models[0].get_graph()
        if format == "dot":
            return str(drawn.source)  # type: ignore[attr-defined]  # a graphviz.Digraph
        return str(drawn.draw(None))

    def __repr__(self) -> str:
        return (
            f"Workflow({self.name!r}, stages={len(self.definition.stages)}, "
            f"triggers={len(self.definition.triggers)})"
        )


def _installed(package: str) -> bool:
    """Whether ``package`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(package) is not None
    except ValueError:  # in sys.modules as None: blocked on purpose
        return False
