"""The execution-element sections of a report: CS points, idea suggestions and institutional
improvements, read from ledger-like and item-like inputs at the report's cut-off.

The inputs are Protocols (:class:`~ccms.report.LedgerLike`, :class:`~ccms.report.ItemLike`,
:class:`~ccms.report.InstitutionalLike`) that :mod:`ccms.scoring`'s ``Ledger``, ``Idea`` and
``InstitutionalItem`` fit as they are; nothing here imports them. Every figure is *as of* the
cut-off ``cut`` (``min(as_of, period end)``): entries recorded later and moves made later are not
seen, and the period is ``[start, cut)``.

Rules (all documented in ``docs/report.md``):

* **CS points** mirror what ``ccms demo`` prints: ``balances(now=cut)`` (all-time, highest
  first), the first ``shown`` and the last ``shown`` of them (no agent twice), each with its
  ``standing`` and its points by rule (the entries of ``explain(agent, now=cut)`` that count,
  summed per rule in the order first written, then ``cap <period>`` for each cap applied).
  Agents without an entry recorded by ``cut`` are left out. The period's good and bad points sum
  the counted points of the agents' entries effective in ``[start, cut)``.
* **Stage at the cut-off**: an item with ``steps`` is in the stage of its last step at or before
  ``cut`` (its first stage when every step is later); one without is in its current stage.
  Items created after ``cut`` are left out; ``in_period`` / ``before`` split the rest by
  ``created_at``.
* **Ideas of the period**: proposed in ``[start, cut)``, or moved then. An idea is *decided* on
  the step that took it to ``adopted`` or ``declined``.
* **Overdue institutional items**: in stage ``planned`` at ``cut`` with ``due_at < cut``, like
  :meth:`ccms.scoring.InstitutionalItem.overdue`; days late count local dates, as for
  improvement measures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from ccms.errors import InvalidInput, require_aware
from ccms.report.sections import (
    IDEA_STAGES,
    INSTITUTIONAL_STAGES,
    Count,
    CsPoints,
    IdeaRow,
    Ideas,
    Institutional,
    InstitutionalLike,
    InstitutionalRow,
    ItemLike,
    LedgerLike,
    PointsRow,
    RulePoints,
    StageCount,
)

__all__ = ["cs_points", "ideas_section", "institutional_section"]

BAD_SHOWN: Final = "points_shown must be a whole number >= 0, got {value!r}"
_DECIDED: Final = frozenset({"adopted", "declined"})
_PENDING: Final = frozenset({"proposed", "under_review"})
_FINISHED: Final = frozenset({"rejected", "taught"})
_SEC: Final = timedelta(seconds=1)


def _counts(counter: Counter[str]) -> tuple[Count, ...]:
    return tuple(Count(k, v) for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _row(ledger: LedgerLike, agent: str, balance: int, cut: datetime) -> PointsRow:
    standing = ledger.standing(agent, now=cut)
    explanation = ledger.explain(agent, now=cut)
    why: dict[str, int] = {}
    for line in explanation.lines:
        if line.counted:
            why[line.entry.rule] = why.get(line.entry.rule, 0) + line.counted
    for period, cut_points in explanation.capped:
        why[f"cap {period}"] = why.get(f"cap {period}", 0) + cut_points
    return PointsRow(agent, balance, standing.tier, tuple(standing.consequences),
                     tuple(RulePoints(r, p) for r, p in why.items()))  # fmt: skip


def cs_points(ledger: LedgerLike, start: datetime, cut: datetime, *, shown: int = 3) -> CsPoints:
    """The CS-points section of a ledger at ``cut`` (see the module docstring).

    >>> from datetime import datetime, timezone
    >>> from ccms.scoring import DEFAULT_RULES, Activity, Ledger
    >>> ledger = Ledger(DEFAULT_RULES)
    >>> t = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
    >>> _ = ledger.record(Activity(type="training_taken", id="TR-1", agent="kim", at=t))
    >>> p = cs_points(ledger, datetime(2026, 10, 1, tzinfo=timezone.utc),
    ...               datetime(2026, 11, 1, tzinfo=timezone.utc))
    >>> p.entries, p.period_good, p.top[0].agent, p.top[0].by_rule
    (1, 2, 'kim', (RulePoints(rule='training_taken', points=2),))
    """
    if not isinstance(shown, int) or isinstance(shown, bool) or shown < 0:
        raise InvalidInput(BAD_SHOWN.format(value=shown))
    balances: list[tuple[str, int]] = []
    good = bad = 0
    tiers: Counter[str] = Counter()
    consequences: Counter[str] = Counter()
    for agent, balance in ledger.balances(now=cut).items():
        lines = ledger.explain(agent, now=cut).lines
        if not lines:
            continue  # every entry of the agent was recorded after the cut-off
        balances.append((agent, balance))
        for line in lines:
            if start <= line.entry.effective_at < cut:
                if line.counted > 0:
                    good += line.counted
                else:
                    bad += line.counted
        standing = ledger.standing(agent, now=cut)
        if standing.tier is not None:
            tiers[standing.tier] += 1
        consequences.update(standing.consequences)
    top = balances[:shown]
    bottom = [kv for kv in balances[-shown:] if kv not in top] if shown else []
    recorded: Any = getattr(ledger, "entries", None)
    if recorded is not None:
        entries = sum(1 for e in recorded if e.recorded_at <= cut)
    else:
        entries = len(ledger)
    version = getattr(getattr(ledger, "rules", None), "version", None)
    return CsPoints(
        entries=entries,
        agents=len(balances),
        period_good=good,
        period_bad=bad,
        top=tuple(_row(ledger, a, b, cut) for a, b in top),
        bottom=tuple(_row(ledger, a, b, cut) for a, b in bottom),
        tiers=_counts(tiers),
        consequences=_counts(consequences),
        rule_set=version if isinstance(version, str) else None,
    )


def _steps(item: ItemLike) -> Sequence[Any] | None:
    steps = getattr(item, "steps", None)
    return None if steps is None else tuple(steps)


def _stage_at(item: ItemLike, steps: Sequence[Any] | None, cut: datetime, first: str) -> str:
    if steps is None or item.updated_at <= cut:
        return item.stage
    stage = first if steps else item.stage
    for step in steps:
        if step.at > cut:
            break
        stage = step.stage
    return stage


def _moves(
    item: ItemLike, steps: Sequence[Any] | None, start: datetime, cut: datetime
) -> list[tuple[datetime, str]]:
    """The moves ``(at, stage after)`` made in ``[start, cut)``."""
    if steps is None:
        changed = item.updated_at
        moved = changed != item.created_at and start <= changed < cut
        return [(changed, item.stage)] if moved else []
    return [(s.at, s.stage) for s in steps if start <= s.at < cut]


def _by_stage(stages: Iterable[tuple[str, bool]], known: Sequence[str]) -> tuple[StageCount, ...]:
    now: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for stage, in_period in stages:
        (now if in_period else before)[stage] += 1
    seen = set(now) | set(before)
    if not seen:
        return ()
    order = [*known, *sorted(seen - set(known))]
    return tuple(StageCount(s, now[s], before[s], now[s] + before[s]) for s in order)


def _local(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def ideas_section(
    ideas: Iterable[ItemLike], start: datetime, cut: datetime, zone: ZoneInfo
) -> Ideas:
    """The ideas section at ``cut`` (see the module docstring)."""
    stages: list[tuple[str, bool]] = []
    rows: list[tuple[datetime, str, IdeaRow]] = []
    proposed = reviewed = adopted = declined = pending = 0
    for idea in ideas:
        created = require_aware(idea.created_at, "idea created_at")
        if created > cut:
            continue
        steps = _steps(idea)
        stage = _stage_at(idea, steps, cut, IDEA_STAGES[0])
        in_period = created >= start
        stages.append((stage, in_period))
        proposed += in_period
        pending += stage in _PENDING
        moves = _moves(idea, steps, start, cut)
        for _, after in moves:
            reviewed += after == "under_review"
            adopted += after == "adopted"
            declined += after == "declined"
        if in_period or moves:
            if steps is None:
                decided_at = idea.updated_at if stage in _DECIDED else None
            else:
                decided_at = next(
                    (s.at for s in reversed(steps) if s.at <= cut and s.stage in _DECIDED), None
                )
            row = IdeaRow(
                id=idea.id,
                title=idea.title,
                proposer=getattr(idea, "proposer", None),
                department=getattr(idea, "department", None),
                proposed=_local(created, zone),
                stage=stage,
                decided=None if decided_at is None else _local(decided_at, zone),
            )
            rows.append((created, idea.id, row))
    rows.sort(key=lambda r: (r[0], r[1]))
    return Ideas(
        total=len(stages),
        proposed=proposed,
        reviewed=reviewed,
        adopted=adopted,
        declined=declined,
        pending=pending,
        by_stage=_by_stage(stages, IDEA_STAGES),
        rows=tuple(r for _, _, r in rows),
    )


def _institutional_owner(item: InstitutionalLike) -> str:
    department = getattr(item, "department", None)
    owner = getattr(item, "owner", None)
    return " / ".join(x for x in (department, owner) if x) or "-"


def institutional_section(
    items: Iterable[InstitutionalLike], start: datetime, cut: datetime, zone: ZoneInfo
) -> Institutional:
    """The institutional-improvements section at ``cut`` (see the module docstring)."""
    stages: list[tuple[str, bool]] = []
    overdue: list[InstitutionalRow] = []
    discovered = open_items = moved = 0
    for item in items:
        created = require_aware(item.created_at, "institutional item created_at")
        if created > cut:
            continue
        steps = _steps(item)
        stage = _stage_at(item, steps, cut, INSTITUTIONAL_STAGES[0])
        in_period = created >= start
        stages.append((stage, in_period))
        discovered += in_period
        open_items += stage not in _FINISHED
        moved += len(_moves(item, steps, start, cut))
        due = item.due_at
        if stage == "planned" and due is not None and require_aware(due, "due_at") < cut:
            due_day = _local(due, zone)
            overdue.append(
                InstitutionalRow(
                    id=item.id,
                    title=item.title,
                    owner=_institutional_owner(item),
                    horizon=getattr(item, "horizon", None),
                    due=due_day,
                    days_late=(_local(cut - _SEC, zone) - due_day).days,
                )
            )
    overdue.sort(key=lambda r: (-r.days_late, r.due, r.id))
    return Institutional(
        total=len(stages),
        discovered=discovered,
        open=open_items,
        moved=moved,
        by_stage=_by_stage(stages, INSTITUTIONAL_STAGES),
        overdue=tuple(overdue),
    )
