"""Declarative workflow definitions: stages, transitions, guards and the roles that may fire them.

A definition is data (Python objects, or a TOML/YAML/JSON file). It is checked when it is made:
unknown stages, unreachable stages, dead ends and terminal stages with exits are errors, listed all
at once. :class:`~ccms.workflow.Workflow` compiles it (once) into a state machine.

>>> d = WorkflowDefinition(
...     name="tiny",
...     initial="open",
...     stages=[StageSpec(name="open"), StageSpec(name="done", terminal=True)],
...     transitions=[TransitionSpec(trigger="finish", source=["open"], dest="done")],
... )
>>> d.triggers
('finish',)
>>> WorkflowDefinition(name="bad", initial="open",
...     stages=[StageSpec(name="open"), StageSpec(name="lost"), StageSpec(name="done", terminal=True)],
...     transitions=[TransitionSpec(trigger="finish", source=["open"], dest="done")])
Traceback (most recent call last):
...
ccms.errors.WorkflowDefinitionError: workflow 'bad' is invalid: stage 'lost' is unreachable from 'open'; stage 'lost' is a dead end: it is not terminal and no transition leaves it
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, ValidationError, model_validator

from ccms._files import load_mapping, validate_mapping
from ccms.errors import WorkflowDefinitionError
from ccms.model.types import Frozen, Name, ShortText
from ccms.model.values import Role

__all__ = ["ANY", "StageSpec", "TransitionSpec", "WorkflowDefinition"]

#: Source wildcard: every non-terminal stage.
ANY = "*"


class StageSpec(Frozen):
    """A stage of the handling process.

    ``terminal`` stages are final (nothing leaves them); ``paused`` stages stop SLA clocks
    (waiting on the customer); ``open`` is False for stages where the complaint counts as done.
    """

    name: Name
    terminal: bool = False
    paused: bool = False
    open: bool = True
    description: ShortText = ""

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            name: str,
            terminal: bool = False,
            paused: bool = False,
            open: bool = True,
            description: str = "",
        ) -> None: ...


class TransitionSpec(Frozen):
    """A trigger that moves a complaint from one of ``source`` to ``dest``.

    ``dest=None`` is an internal transition (the stage stays; an event is still recorded).
    ``guards`` name guard functions (all must pass); ``roles`` lists who may fire it (None: anyone).
    """

    trigger: Name
    source: Annotated[tuple[Name, ...], Field(min_length=1)]
    dest: Name | None = None
    guards: tuple[Name, ...] = ()
    roles: frozenset[Role] | None = None
    description: ShortText = ""

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            trigger: str,
            source: Iterable[str],
            dest: str | None = None,
            guards: Iterable[str] = (),
            roles: Iterable[Role | str] | None = None,
            description: str = "",
        ) -> None: ...


class WorkflowDefinition(Frozen):
    """A complete, validated workflow definition. See the module docstring."""

    name: Name
    initial: Name
    stages: Annotated[tuple[StageSpec, ...], Field(min_length=1)]
    transitions: tuple[TransitionSpec, ...]
    params: dict[str, Any] = {}

    if TYPE_CHECKING:  # what validation accepts, for mypy without the pydantic plugin

        def __init__(
            self,
            *,
            name: str,
            initial: str,
            stages: Iterable[StageSpec | Mapping[str, Any]],
            transitions: Iterable[TransitionSpec | Mapping[str, Any]],
            params: Mapping[str, Any] = ...,
        ) -> None: ...

    @model_validator(mode="before")
    @classmethod
    def _coerce_sources(cls, data: Any) -> Any:
        # Accept a bare string as a one-stage source ("source = 'received'") in files.
        if isinstance(data, Mapping) and isinstance(data.get("transitions"), list | tuple):
            fixed = []
            for item in data["transitions"]:
                if isinstance(item, Mapping) and isinstance(item.get("source"), str):
                    item = {**item, "source": (item["source"],)}
                fixed.append(item)
            data = {**data, "transitions": fixed}
        return data

    @model_validator(mode="after")
    def _check(self) -> WorkflowDefinition:
        problems = self._problems()
        if problems:
            raise WorkflowDefinitionError(self.name, problems)
        return self

    def _problems(self) -> list[str]:
        problems: list[str] = []
        names = [s.name for s in self.stages]
        known = set(names)
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(f"stage {name!r} is declared twice")
        if self.initial not in known:
            problems.append(f"initial stage {self.initial!r} is not declared")
        terminal = {s.name for s in self.stages if s.terminal}
        for t in self.transitions:
            for src in t.source:
                if src != ANY and src not in known:
                    problems.append(
                        f"transition {t.trigger!r} leaves unknown stage {src!r} "
                        f"(stages: {', '.join(names)})"
                    )
                elif src in terminal:
                    problems.append(f"transition {t.trigger!r} leaves terminal stage {src!r}")
            if t.dest is not None and t.dest not in known:
                problems.append(
                    f"transition {t.trigger!r} goes to unknown stage {t.dest!r} "
                    f"(stages: {', '.join(names)})"
                )
        if problems:
            return problems
        edges = self._edges()
        reachable = {self.initial}
        frontier = [self.initial]
        while frontier:
            here = frontier.pop()
            for there in edges.get(here, ()):
                if there not in reachable:
                    reachable.add(there)
                    frontier.append(there)
        for name in names:
            if name not in reachable:
                problems.append(f"stage {name!r} is unreachable from {self.initial!r}")
        for stage in self.stages:
            if not stage.terminal and not edges.get(stage.name):
                problems.append(
                    f"stage {stage.name!r} is a dead end: it is not terminal and no transition leaves it"
                )
        return problems

    def _edges(self) -> dict[str, set[str]]:
        non_terminal = [s.name for s in self.stages if not s.terminal]
        edges: dict[str, set[str]] = {}
        for t in self.transitions:
            if t.dest is None:
                continue
            for src in self.expand(t.source):
                if src in non_terminal:
                    edges.setdefault(src, set()).add(t.dest)
        return edges

    def expand(self, source: tuple[str, ...]) -> tuple[str, ...]:
        """Source stages with the ``*`` wildcard expanded to every non-terminal stage."""
        out: list[str] = []
        for src in source:
            if src == ANY:
                out.extend(s.name for s in self.stages if not s.terminal)
            else:
                out.append(src)
        return tuple(dict.fromkeys(out))

    @cached_property
    def _stages(self) -> dict[str, StageSpec]:
        return {s.name: s for s in self.stages}

    def stage(self, name: str) -> StageSpec:
        """The stage called ``name``."""
        try:
            return self._stages[name]
        except KeyError:
            raise WorkflowDefinitionError(self.name, [f"unknown stage {name!r}"]) from None

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger, in order of first declaration."""
        return tuple(dict.fromkeys(t.trigger for t in self.transitions))

    @property
    def terminal_stages(self) -> frozenset[str]:
        """Stages that nothing leaves."""
        return frozenset(s.name for s in self.stages if s.terminal)

    @property
    def paused_stages(self) -> frozenset[str]:
        """Stages in which SLA clocks stop."""
        return frozenset(s.name for s in self.stages if s.paused)

    @property
    def guard_names(self) -> frozenset[str]:
        """Every guard name the transitions use."""
        return frozenset(g for t in self.transitions for g in t.guards)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<mapping>") -> WorkflowDefinition:
        """Build from a mapping (as read from a file); errors name the source and the key."""
        try:
            return validate_mapping(cls, data, source)
        except ValidationError as exc:  # pragma: no cover - validate_mapping converts these
            raise WorkflowDefinitionError(str(data.get("name", source)), [str(exc)]) from exc

    @classmethod
    def from_file(cls, path: str | Path) -> WorkflowDefinition:
        """Load a TOML, YAML or JSON workflow definition."""
        return cls.from_mapping(load_mapping(path), str(path))
