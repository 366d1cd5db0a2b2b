"""A demo month, run and summed up: :func:`run` simulates it into SQLite, :func:`collect` reads
the summary's figures back from the store.

Nothing here prints: ``ccms demo`` (:mod:`ccms.cli`) shows a :class:`DemoRun` as tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import attrs

from ccms.demo.company import TIMEZONE
from ccms.demo.scoring import ScoringSummary, scoring_summary
from ccms.demo.simulation import SimulationStats, simulate
from ccms.demo.wiring import build_desk
from ccms.desk import Desk, ManualClock
from ccms.metrics.notices import NoticeFigures, notice_figures
from ccms.model import (
    CcCardClosed,
    EarlyWarningRaised,
    Escalated,
    RepeatDetected,
    SlaStatusChanged,
    VocKind,
)
from ccms.policy import SlaPolicy, evaluate_sla

__all__ = [
    "CrisisCase",
    "DemoRun",
    "DemoSummary",
    "collect",
    "month_notices",
    "notice_lines",
    "run",
]

P = TypeVar("P")

#: What an escalation's reason says, by the phrase each trigger writes.
_CAUSES = (
    ("asked for a supervisor", "supervisor request"),
    ("authority", "authority"),
    ("reopened", "reopens"),
    ("elapsed", "time"),
)


@attrs.frozen(slots=True, kw_only=True)
class CrisisCase:
    """One complaint under early warning, for the summary."""

    id: str
    received_at: datetime
    channel: str
    code: str
    step: int
    rules: tuple[str, ...]
    cc_card: str  # "open", "closed" or "none"
    stage: str


@attrs.frozen(kw_only=True)
class DemoSummary:
    """The figures the summary prints, as of ``now`` (equal for equal seeds)."""

    now: datetime
    by_stage: Counter[str]
    by_channel: Counter[str]
    codes: Counter[str]
    sla: Mapping[str, Counter[str]]  # target -> status -> complaints, at ``now``
    sla_were_at_risk: Counter[str]  # target -> complaints that went at risk at some point
    escalation_levels: Counter[int]  # highest level reached -> complaints
    escalations: Mapping[int, Counter[str]]  # level -> cause -> escalation events
    crisis: tuple[CrisisCase, ...]
    repeats: Counter[tuple[str, str]]  # (pattern, code) -> events
    spikes: tuple[str, ...]  # the code-spike details


def _first(desk: Desk, kind: type[P]) -> P | None:
    """The first sweeper of type ``kind``, looking inside the wrappers."""
    for sweeper in desk.sweepers:
        inner: object = sweeper
        while inner is not None:
            if isinstance(inner, kind):
                return inner
            inner = getattr(inner, "sweeper", None) or getattr(inner, "ladder", None)
    return None


def _causes(event: Escalated) -> list[str]:
    if event.trigger != "escalation":
        return ["by hand"]
    found: list[str] = []
    for part in event.reason.split("; "):
        cause = next((name for phrase, name in _CAUSES if phrase in part), "other")
        if cause not in found:
            found.append(cause)
    return found


def collect(desk: Desk, now: datetime | None = None) -> DemoSummary:
    """The summary's figures from the store, with SLA clocks evaluated at ``now`` (default: the
    Desk's clock)."""
    now = now or desk.clock.now()
    sla = _first(desk, SlaPolicy)
    taxonomy = desk.taxonomy
    by_stage: Counter[str] = Counter()
    by_channel: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    sla_status: dict[str, Counter[str]] = {}
    were_at_risk: Counter[str] = Counter()
    levels: Counter[int] = Counter()
    escalations: dict[int, Counter[str]] = {}
    crisis: list[CrisisCase] = []
    repeats: Counter[tuple[str, str]] = Counter()
    spikes: list[str] = []
    for c in desk.store.query():
        by_stage[c.stage] += 1
        if c.kind is VocKind.COMPLAINT:  # as the report counts channels (complaints only)
            by_channel[c.channel.value] += 1
        for concern in c.concerns:
            if concern.code is None:
                continue
            name = ""
            if taxonomy is not None:
                name = " " + taxonomy.get(concern.code).name_as_of(c.received_at.date())
            codes[f"{concern.code}{name}"] += 1
        events = desk.store.events(c.id)
        if sla is not None:
            for target, state in evaluate_sla(c, events, now, sla.table, sla.calendars).items():
                sla_status.setdefault(target, Counter())[state.status] += 1
        were_at_risk.update(
            {e.target for e in events if isinstance(e, SlaStatusChanged) and e.status == "at_risk"}
        )
        if c.escalation_level:
            levels[c.escalation_level] += 1
        for e in events:
            if isinstance(e, Escalated):
                escalations.setdefault(e.level, Counter()).update(_causes(e))
            elif isinstance(e, RepeatDetected):
                repeats[(e.pattern, e.code or "")] += 1
                if e.pattern == "code_spike":
                    spikes.append(f"{e.at:%m-%d %H:%M} {e.code}: {e.detail}")
        if c.crisis_step:
            raised = [e for e in events if isinstance(e, EarlyWarningRaised)]
            closed = any(isinstance(e, CcCardClosed) for e in events)
            card = "open" if c.cc_card else ("closed" if closed else "none")
            crisis.append(
                CrisisCase(
                    id=c.id,
                    received_at=c.received_at,
                    channel=c.channel.value,
                    code=c.primary_code or "-",
                    step=c.crisis_step,
                    rules=raised[-1].rules if raised else (),
                    cc_card=card,
                    stage=c.stage,
                )
            )
    crisis.sort(key=lambda k: (-k.step, k.received_at, k.id))
    return DemoSummary(
        now=now,
        by_stage=by_stage,
        by_channel=by_channel,
        codes=codes,
        sla=sla_status,
        sla_were_at_risk=were_at_risk,
        escalation_levels=levels,
        escalations=escalations,
        crisis=tuple(crisis),
        repeats=repeats,
        spikes=tuple(spikes),
    )


@attrs.frozen(slots=True, kw_only=True)
class DemoRun:
    """What :func:`run` leaves: the Desk (its store still open), the clock, the simulation's
    counts, the summary's figures, the CS-points section's and the month's notice figures (None
    when the Desk sent no notices)."""

    desk: Desk
    clock: ManualClock
    stats: SimulationStats
    summary: DemoSummary
    scoring: ScoringSummary
    notices: NoticeFigures | None = None


def month_notices(desk: Desk, year: int, month: int) -> NoticeFigures:
    """The notice figures of the month (Seoul time) from the store's event log: what the
    month's report shows in its customer-notice section."""
    tz = ZoneInfo(TIMEZONE)
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return notice_figures(desk.store, start, end)


def _share(k: int, n: int) -> str:
    return f"{k / n:.0%}" if n else "-"


def notice_lines(result: DemoRun) -> list[str]:
    """The notice and remedy-standard figures of a demo month in a few sentences (what
    ``ccms demo`` prints); none when the Desk sent no notices."""
    f, stats = result.notices, result.stats
    if f is None:
        return []
    t, n, s = f.total, f.notify, f.standards
    channels = ", ".join(
        f"{ch} {c.delivered}/{c.requested}"
        for ch, c in sorted(f.by_channel.items(), key=lambda kv: -kv[1].requested)
    )
    median = "-" if n.time.median is None else f"{n.time.median // 60}m"
    p90 = "-" if n.time.p90 is None else f"{n.time.p90 // 60}m"
    return [
        f"Notices: {t.requested} requested, {t.delivered} delivered, {t.given_up} given up, "
        f"{t.pending} pending; {t.failed_attempts} failed attempts, {t.retried} notices needed "
        f"a retry. Delivered of requested by channel: {channels}.",
        f"Result notices: {n.notified} of {n.results} results told by notice (median {median}, "
        f"p90 {p90}; {_share(n.within.successes, n.within.n)} within {n.target // 3600} hours); "
        f"{stats.told_by_hand} told by the handler's call instead.",
        f"Remedy standards (example table): {s.checked} results checked, {s.below} below "
        f"({_share(s.below, s.checked)}; {stats.below_standard} registered by a supervisor with "
        f"a reason), {s.at} at, {s.above} above; {stats.raised_to_standard} raised to the "
        "standard remedy by the handler.",
    ]


def run(
    db: Path,
    *,
    year: int,
    month: int,
    seed: int = 7,
    contacts: int = 600,
    progress: Callable[[int], None] | None = None,
) -> DemoRun:
    """Simulate a month into a fresh SQLite file ``db`` (replaced if it exists) and sum it up.

    ``progress(n)`` is called as ``n`` more contacts arrive (``contacts`` plus
    :func:`~ccms.demo.simulation.featured_contacts` in all). Nothing is printed. The same seed
    gives the same month, ids included. The caller closes ``result.desk.store``.
    """
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    desk, clock = build_desk(db, year=year, month=month)
    stats = simulate(
        desk, clock, year=year, month=month, contacts=contacts, seed=seed, progress=progress
    )
    summary = collect(desk)
    return DemoRun(
        desk=desk,
        clock=clock,
        stats=stats,
        summary=summary,
        scoring=scoring_summary(desk),
        notices=month_notices(desk, year, month) if desk.notices is not None else None,
    )
