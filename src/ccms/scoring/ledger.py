"""The CS-point ledger: append-only entries, each naming the rule, the rule-set version and the cause.

A :class:`Ledger` is a Desk subscriber (``desk.subscribe(ledger)``): it receives every committed
event, keeps each complaint's history, asks its :class:`~ccms.scoring.PointRules` what the event
is worth and appends :class:`LedgerEntry` values. Nothing is edited or deleted: when a cause is
overturned (an attribution withdrawn, a complaint rejected), a compensating entry reverses the
original, and both stay. Balances apply the :class:`~ccms.scoring.Limits` (period caps, expiry)
when asked, so a reversed entry leaves the balance exactly as if it had never counted.
:meth:`Ledger.replay` rebuilds a ledger from the full event log; it equals the live one.

>>> from datetime import datetime, timezone
>>> from ccms.scoring import DEFAULT_RULES, Activity
>>> ledger = Ledger(DEFAULT_RULES)
>>> t = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
>>> ledger.record(Activity(type="training_taken", id="TR-1", agent="kim", at=t))
[LedgerEntry(seq=0, agent='kim', department=None, points=2, ...)]
>>> ledger.balance("kim", now=t)
2
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

import attrs

from ccms.errors import InvalidInput, require_aware
from ccms.model import Complaint, DomainEvent
from ccms.scoring.rules import Activity, Award, Cause, Limits, PointRules, Reverse, RuleSet

__all__ = ["EntryStatus", "Explanation", "Ledger", "LedgerEntry", "Standing"]


@attrs.frozen(slots=True)
class LedgerEntry:
    """One append-only ledger line.

    ``effective_at`` is when the points count (when they were earned; a reversal carries the
    reversed entry's), ``recorded_at`` when the line was written. ``reverses`` is the ``seq`` of the
    entry a compensating line reverses.
    """

    seq: int
    agent: str | None
    department: str | None
    points: int
    effective_at: datetime
    recorded_at: datetime
    rule: str
    rule_version: str
    cause: Cause
    reverses: int | None = None
    note: str = ""


@attrs.frozen(slots=True)
class EntryStatus:
    """An entry as a balance sees it: ``counted`` points and why not all (reversed, expired)."""

    entry: LedgerEntry
    counted: int
    why: str


@attrs.frozen(slots=True)
class Explanation:
    """Why an agent has the balance they have: every entry, what counted and the caps applied."""

    agent: str
    balance: int
    lines: tuple[EntryStatus, ...]
    capped: tuple[tuple[str, int], ...]  # (period, points cut by the cap)

    def __str__(self) -> str:
        out = [f"{self.agent}: {self.balance:+d} points"]
        for line in self.lines:
            e = line.entry
            label = f"#{e.seq} {e.points:+d} {e.rule} [{e.rule_version}] <- {e.cause}"
            if e.note:
                label += f" ({e.note})"
            if line.why:
                label += f"; {line.why}"
            out.append("  " + label)
        for period, cut in self.capped:
            out.append(f"  cap {period}: {cut:+d} not counted")
        return "\n".join(out)


@attrs.frozen(slots=True)
class Standing:
    """An agent's balance with the reward tier reached and the consequences due."""

    agent: str
    balance: int
    tier: str | None
    consequences: tuple[str, ...]


class _Stored(Protocol):
    @property
    def event(self) -> DomainEvent: ...


LogItem = DomainEvent | Activity | _Stored


class Ledger:
    """The append-only CS-point ledger. See the module docstring.

    ``limits`` defaults to the rule set's own (a :class:`~ccms.scoring.RuleSet` carries them).
    """

    def __init__(self, rules: PointRules, *, limits: Limits | None = None) -> None:
        self.rules = rules
        if limits is None:
            limits = rules.limits if isinstance(rules, RuleSet) else Limits()
        self.limits = limits
        self._entries: list[LedgerEntry] = []
        self._histories: dict[str, list[DomainEvent]] = defaultdict(list)
        self._by_source: dict[str, list[int]] = defaultdict(list)
        self._by_agent: dict[str | None, list[int]] = defaultdict(list)
        self._by_department: dict[str | None, list[int]] = defaultdict(list)
        self._reversed: set[int] = set()
        self._activities: set[str] = set()

    # -- feeding ---------------------------------------------------------------------------------

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        """Every entry, in the order written."""
        return tuple(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __call__(self, complaint: Complaint, events: Sequence[DomainEvent]) -> None:
        """The Desk subscriber: feed the events just committed."""
        self.feed(events)

    def feed(self, events: Iterable[DomainEvent]) -> list[LedgerEntry]:
        """Feed complaint events in commit order; an event already fed is ignored."""
        written: list[LedgerEntry] = []
        for event in events:
            history = self._histories[event.complaint_id]
            index = 0
            if history:
                last = history[-1]
                if event.version < last.version:
                    continue
                if event.version == last.version:
                    same = [e for e in history if e.version == event.version]
                    if event in same:
                        continue
                    index = len(same)
            history.append(event)
            cause = Cause(event.complaint_id, event.version, event.type, index)
            written.extend(self._apply(self.rules.entries(event, history), cause, event.at))
        return written

    def record(self, activity: Activity) -> list[LedgerEntry]:
        """Feed an :class:`~ccms.scoring.Activity` (training, prevention, adopted idea) once."""
        if activity.id in self._activities:
            return []
        self._activities.add(activity.id)
        cause = Cause(activity.id, 0, activity.type)
        return self._apply(self.rules.entries(activity, ()), cause, activity.at)

    def _apply(
        self, decisions: Sequence[Award | Reverse], cause: Cause, at: datetime
    ) -> list[LedgerEntry]:
        written: list[LedgerEntry] = []
        for d in decisions:
            if isinstance(d, Award):
                written.append(
                    self._append(
                        d.agent, d.department, d.points, at, at, d.rule, cause, None, d.note
                    )
                )
                continue
            for seq in list(self._by_source.get(d.complaint_id, ())):
                old = self._entries[seq]
                if seq in self._reversed or old.reverses is not None:
                    continue
                if (d.only == "bad" and old.points > 0) or (d.only == "good" and old.points < 0):
                    continue
                if d.cause_version is not None and old.cause.version != d.cause_version:
                    continue
                if d.cause_type is not None and old.cause.type != d.cause_type:
                    continue
                if d.agent is not None and old.agent != d.agent:
                    continue
                self._reversed.add(seq)
                written.append(
                    self._append(
                        old.agent,
                        old.department,
                        -old.points,
                        old.effective_at,
                        at,
                        d.rule,
                        cause,
                        seq,
                        f"reverses #{seq} ({old.rule})",
                    )
                )
        return written

    def _append(
        self,
        agent: str | None,
        department: str | None,
        points: int,
        effective_at: datetime,
        recorded_at: datetime,
        rule: str,
        cause: Cause,
        reverses: int | None,
        note: str,
    ) -> LedgerEntry:
        entry = LedgerEntry(
            seq=len(self._entries),
            agent=agent,
            department=department,
            points=points,
            effective_at=effective_at,
            recorded_at=recorded_at,
            rule=rule,
            rule_version=self.rules.version,
            cause=cause,
            reverses=reverses,
            note=note,
        )
        self._entries.append(entry)
        self._by_source[cause.source].append(entry.seq)
        self._by_agent[agent].append(entry.seq)
        self._by_department[department].append(entry.seq)
        return entry

    # -- keeping it across restarts -------------------------------------------------------------

    def knows(self, complaint_id: str) -> bool:
        """Whether the ledger holds the complaint's history (it was fed or primed)."""
        return bool(self._histories.get(complaint_id))

    def prime(self, complaint_id: str, events: Iterable[DomainEvent]) -> None:
        """Give the ledger a complaint's earlier events without writing entries for them: the
        rules judge an event against its history, which a ledger restored by
        :meth:`from_state` no longer holds (a durable projection primes it from the store)."""
        history = self._histories[complaint_id]
        if history:
            raise InvalidInput(f"the ledger already holds complaint {complaint_id}'s history")
        history.extend(events)

    def state(self) -> dict[str, Any]:
        """The ledger's own records as JSON-ready data: entries, reversals and activities fed
        (not the complaint histories, which the store holds); :meth:`from_state` reads it."""
        return {
            "rule_version": self.rules.version,
            "entries": [
                {
                    "agent": e.agent,
                    "department": e.department,
                    "points": e.points,
                    "effective_at": e.effective_at.isoformat(),
                    "recorded_at": e.recorded_at.isoformat(),
                    "rule": e.rule,
                    "rule_version": e.rule_version,
                    "cause": [e.cause.source, e.cause.version, e.cause.type, e.cause.index],
                    "reverses": e.reverses,
                    "note": e.note,
                }
                for e in self._entries
            ],
            "reversed": sorted(self._reversed),
            "activities": sorted(self._activities),
        }

    @classmethod
    def from_state(
        cls, rules: PointRules, state: Mapping[str, Any], *, limits: Limits | None = None
    ) -> Ledger:
        """A ledger holding what :meth:`state` wrote; refuses a state of other rules."""
        if state.get("rule_version") != rules.version:
            raise InvalidInput(
                f"the ledger state was written under rule set {state.get('rule_version')!r}, "
                f"not {rules.version!r}; replay the log under the new rules instead"
            )
        ledger = cls(rules, limits=limits)
        for row in state["entries"]:
            source, version, type_, index = row["cause"]
            ledger._append(
                row["agent"],
                row["department"],
                int(row["points"]),
                datetime.fromisoformat(row["effective_at"]),
                datetime.fromisoformat(row["recorded_at"]),
                row["rule"],
                Cause(str(source), int(version), str(type_), int(index)),
                row["reverses"],
                row["note"],
            )
            ledger._entries[-1] = attrs.evolve(
                ledger._entries[-1], rule_version=row["rule_version"]
            )
        ledger._reversed = {int(i) for i in state["reversed"]}
        ledger._activities = {str(a) for a in state["activities"]}
        return ledger

    @classmethod
    def replay(
        cls, rules: PointRules, log: Iterable[LogItem], *, limits: Limits | None = None
    ) -> Ledger:
        """A new ledger fed with ``log`` in order: complaint events (or stored events with an
        ``event`` attribute, as ``store.stream()`` yields) and activities.

        Replaying the full log with the same rules gives the live ledger; with new rules, what
        the history would have earned under them.
        """
        ledger = cls(rules, limits=limits)
        for item in log:
            if isinstance(item, Activity):
                ledger.record(item)
            elif isinstance(item, DomainEvent):
                ledger.feed((item,))
            else:
                ledger.feed((item.event,))
        return ledger

    # -- reading ---------------------------------------------------------------------------------

    def _statuses(self, entries: Iterable[LedgerEntry], now: datetime) -> list[EntryStatus]:
        require_aware(now, "now")
        visible = [e for e in entries if e.recorded_at <= now]
        reversed_by = {e.reverses: e.seq for e in visible if e.reverses is not None}
        expiry = self.limits.expiry
        out: list[EntryStatus] = []
        for e in visible:
            if e.reverses is not None:
                out.append(EntryStatus(e, 0, f"compensates #{e.reverses}"))
            elif e.seq in reversed_by:
                out.append(EntryStatus(e, 0, f"reversed by #{reversed_by[e.seq]}"))
            elif expiry is not None and e.effective_at + expiry <= now:
                out.append(EntryStatus(e, 0, "expired"))
            else:
                out.append(EntryStatus(e, e.points, ""))
        return out

    def _total(
        self, statuses: Sequence[EntryStatus], period: str | None
    ) -> tuple[int, list[tuple[str, int]]]:
        good: dict[tuple[str | None, str], int] = defaultdict(int)
        bad: dict[tuple[str | None, str], int] = defaultdict(int)
        for s in statuses:
            p = self.limits.period_of(s.entry.effective_at)
            if period is not None and p != period:
                continue
            key = (s.entry.agent, p)
            if s.counted > 0:
                good[key] += s.counted
            else:
                bad[key] += s.counted
        total, cuts = 0, []
        cap_good, cap_bad = self.limits.cap_good, self.limits.cap_bad
        for key in sorted(set(good) | set(bad), key=lambda k: (k[0] or "", k[1])):
            g, b = good.get(key, 0), bad.get(key, 0)
            if cap_good is not None and g > cap_good:
                cuts.append((key[1], cap_good - g))
                g = cap_good
            if cap_bad is not None and b < -cap_bad:
                cuts.append((key[1], -cap_bad - b))
                b = -cap_bad
            total += g + b
        return total, cuts

    def balance(self, agent: str, *, now: datetime, period: str | None = None) -> int:
        """The agent's points as of ``now`` (one period's, e.g. ``"2026-10"``, if given)."""
        mine = [self._entries[i] for i in self._by_agent.get(agent, ())]
        return self._total(self._statuses(mine, now), period)[0]

    def department_balance(
        self, department: str, *, now: datetime, period: str | None = None
    ) -> int:
        """The points of entries recorded for ``department`` (caps apply per agent)."""
        theirs = [self._entries[i] for i in self._by_department.get(department, ())]
        return self._total(self._statuses(theirs, now), period)[0]

    def balances(
        self,
        *,
        now: datetime,
        by: Literal["agent", "department"] = "agent",
        period: str | None = None,
    ) -> dict[str, int]:
        """Every agent's (or department's) balance, highest first."""
        index = self._by_agent if by == "agent" else self._by_department
        keys = {k for k in index if k is not None}
        one: Any = self.balance if by == "agent" else self.department_balance
        values = {k: one(k, now=now, period=period) for k in keys}
        return dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))

    def standing(self, agent: str, *, now: datetime) -> Standing:
        """The balance, the highest reward tier reached and the consequences due."""
        balance = self.balance(agent, now=now)
        reached = [t for t in self.limits.tiers if balance >= t.at_least]
        tier = max(reached, key=lambda t: t.at_least).name if reached else None
        due = tuple(c.name for c in self.limits.consequences if balance <= c.at_most)
        return Standing(agent, balance, tier, due)

    def explain(self, agent: str, *, now: datetime, period: str | None = None) -> Explanation:
        """Why ``agent`` has this balance: each entry, its cause, what counted and the caps."""
        if not isinstance(agent, str) or not agent:
            raise InvalidInput(f"explain() needs an agent id, got {agent!r}")
        mine = [self._entries[i] for i in self._by_agent.get(agent, ())]
        statuses = self._statuses(mine, now)
        if period is not None:
            statuses = [
                s for s in statuses if self.limits.period_of(s.entry.effective_at) == period
            ]
        total, cuts = self._total(statuses, period)
        return Explanation(agent, total, tuple(statuses), tuple(cuts))

    def __repr__(self) -> str:
        return f"Ledger(rules={self.rules.version!r}, entries={len(self._entries)})"
