"""The inputs of the execution-element sections of a report, as Protocols.

``ccms.report`` reads the objects of :mod:`ccms.scoring` (or a host's own) by their attributes
and never imports them: an improvement task (:class:`ImprovementLike`), a CS-point ledger
(:class:`LedgerLike`), an idea or institutional item (:class:`ItemLike`,
:class:`InstitutionalLike`). :mod:`ccms.report.sections` re-exports them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

__all__ = [
    "EntryLike",
    "EntryStatusLike",
    "ExplanationLike",
    "ImprovementLike",
    "InstitutionalLike",
    "ItemLike",
    "LedgerLike",
    "StandingLike",
    "StepLike",
]


class ImprovementLike(Protocol):
    """What a report reads from an improvement measure: any object with these attributes will
    do, e.g. :class:`ccms.scoring.ImprovementTask` (responsibility improvement).

    ``due_at`` is an aware datetime, or a date (due by the end of that day in the report's zone);
    ``done_at`` is when it was finished (None while open); ``stage`` is shown as it is. Two
    attributes are read when present: ``executive`` (shown beside the department) and
    ``reports``, progress reports whose last ``percent`` is shown as the progress.
    """

    @property
    def title(self) -> str:
        """A short title (shown escaped)."""
        ...

    @property
    def department(self) -> str:
        """The owning department."""
        ...

    @property
    def due_at(self) -> date:
        """The due moment (an aware datetime) or due date."""
        ...

    @property
    def stage(self) -> str:
        """Where the measure stands (e.g. ``planned``, ``in_progress``, ``done``)."""
        ...

    @property
    def done_at(self) -> datetime | None:
        """When it was finished, or None."""
        ...


class EntryLike(Protocol):
    """A CS-point ledger entry as a report reads it (e.g. :class:`ccms.scoring.LedgerEntry`)."""

    @property
    def agent(self) -> str | None:
        """The employee id the points belong to (None: a department only)."""
        ...

    @property
    def points(self) -> int:
        """Good (> 0) or bad (< 0) points."""
        ...

    @property
    def effective_at(self) -> datetime:
        """When the points count (when they were earned)."""
        ...

    @property
    def rule(self) -> str:
        """The id of the rule that gave them."""
        ...


class EntryStatusLike(Protocol):
    """An entry and the points of it a balance counts (e.g. :class:`ccms.scoring.EntryStatus`)."""

    @property
    def entry(self) -> EntryLike:
        """The ledger entry."""
        ...

    @property
    def counted(self) -> int:
        """The points that count at the moment asked (0 when reversed, compensating, expired)."""
        ...


class ExplanationLike(Protocol):
    """Why an agent has a balance (e.g. :class:`ccms.scoring.Explanation`)."""

    @property
    def lines(self) -> Sequence[EntryStatusLike]:
        """Every entry of the agent recorded by the moment asked, in the order written."""
        ...

    @property
    def capped(self) -> Sequence[tuple[str, int]]:
        """``(period, points cut)`` for each period cap applied."""
        ...


class StandingLike(Protocol):
    """An agent's reward tier and consequences due (e.g. :class:`ccms.scoring.Standing`)."""

    @property
    def tier(self) -> str | None:
        """The highest reward tier reached, or None."""
        ...

    @property
    def consequences(self) -> Sequence[str]:
        """The bad-point consequences due."""
        ...


class LedgerLike(Protocol):
    """What a report reads from a CS-point ledger, e.g. :class:`ccms.scoring.Ledger`.

    ``balances`` gives every agent's balance as of ``now``, highest first (ties by agent id);
    ``explain`` the agent's entries recorded by ``now`` with the points each counts; ``len()``
    the entries written. Two attributes are read when present: ``entries`` (each with a
    ``recorded_at``; the report then counts the entries recorded by its cut-off instead of
    ``len()``) and ``rules.version`` (the rule set, shown).
    """

    def __len__(self) -> int: ...

    def balances(self, *, now: datetime, period: str | None = None) -> Mapping[str, int]:
        """Every agent's balance as of ``now``, highest first."""
        ...

    def standing(self, agent: str, *, now: datetime) -> StandingLike:
        """The agent's tier and consequences as of ``now``."""
        ...

    def explain(self, agent: str, *, now: datetime) -> ExplanationLike:
        """The agent's entries as of ``now`` and what each counts."""
        ...


class StepLike(Protocol):
    """One move of a pipeline item (e.g. :class:`ccms.scoring.Step`)."""

    @property
    def at(self) -> datetime:
        """When it moved."""
        ...

    @property
    def stage(self) -> str:
        """The stage after the move."""
        ...


class ItemLike(Protocol):
    """What a report reads from an idea (or any pipeline item), e.g. :class:`ccms.scoring.Idea`.

    Read when present: ``steps`` (each with ``at`` and ``stage``; the report then takes the stage
    an item had at its cut-off, else the current ``stage``), ``proposer`` and ``department``.
    """

    @property
    def id(self) -> str:
        """The item's id (``IDEA-3``)."""
        ...

    @property
    def title(self) -> str:
        """A short title (shown escaped)."""
        ...

    @property
    def stage(self) -> str:
        """The current stage."""
        ...

    @property
    def created_at(self) -> datetime:
        """When it was proposed (found, opened): aware."""
        ...

    @property
    def updated_at(self) -> datetime:
        """When it last moved: aware."""
        ...


class InstitutionalLike(ItemLike, Protocol):
    """An institutional-improvement item, e.g. :class:`ccms.scoring.InstitutionalItem`: an
    :class:`ItemLike` with a ``due_at`` (None until planned). Read when present: ``horizon``,
    ``department`` and ``owner``."""

    @property
    def due_at(self) -> datetime | None:
        """When the planned change is due (aware), or None."""
        ...
