"""A catalogue of broken policies: the classic bugs each conformance suite must catch.

Each :class:`Mutant` is a built-in policy (or a small custom one) with one classic bug planted:
an SLA clock that counts while the complaint waits on the customer, one that ignores holidays, a
deadline that rolls over to the next morning at closing time, elapsed time off by an hour across
DST, a router that picks inactive or full agents or ignores the customer's language, an
escalation that skips a level or rises while the customer is being waited on, a merge that is
not exact. :meth:`Mutant.hunt` runs the mutant's suite on it and returns the first failure.

ccms' own tests assert that every suite fails on every mutant (and passes on the built-ins), and
``bench/bench_testing_power.py`` measures how often, over fresh random seeds at the default
settings. A suite subclass of your own (narrower inputs, other settings) can be held to the
same catalogue::

    for mutant in MUTANTS.values():
        assert mutant.hunt() is not None, mutant.name

>>> m = MUTANTS["sla_counts_waiting_time"]
>>> m.suite.__name__, m.bug
('SlaPolicySuite', 'counts the time spent waiting on the customer')
"""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import time as _time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

import attrs

from ccms.errors import NaiveDatetimeError
from ccms.model import Agent, DomainEvent, Escalated, HandlerAssigned, SlaStatusChanged
from ccms.policy import (
    BusinessCalendar,
    DepartmentDecision,
    EscalationDecision,
    EscalationLadder,
    HandlerDecision,
    Level,
    PolicyContext,
    SlaPolicy,
    SlaTable,
    authority_fit,
    language_match,
    least_loaded,
)
from ccms.policy.sla import SlaClock, SlaState
from ccms.scoring import Award
from ccms.testing.conformance import (
    AccumulatorSuite,
    CalendarSuite,
    ConformanceError,
    DepartmentRouterSuite,
    EscalationSuite,
    HandlerRouterSuite,
    PointRulesSuite,
    SlaPolicySuite,
)

__all__ = [
    "BASE_CALENDAR",
    "BASE_LADDER",
    "BASE_SLA",
    "MUTANTS",
    "AuthorityRouterSuite",
    "Catch",
    "LanguageRouterSuite",
    "Mutant",
    "builtins",
]

_US: Final = timedelta(microseconds=1)

#: Seoul office hours with a lunch break, Korean public holidays and two short days (the eves of
#: a weekend and of Chuseok): the calendar the business-time mutants are built on.
BASE_CALENDAR: Final = BusinessCalendar(
    "Asia/Seoul",
    {"mon-fri": [("09:00", "12:00"), ("13:00", "18:00")]},
    holidays="KR",
    short_days={date(2026, 3, 6): [("09:00", "13:00")], date(2026, 9, 23): [("09:00", "15:00")]},
)

_TABLE: Final = SlaTable.from_mapping(
    {
        "version": "mutants-1",
        "rows": [
            {"targets": {"first_response": "8h", "resolution": {"duration": "3d", "at_risk": 0.5}}},
            {
                "severity": "critical",
                "targets": {
                    "first_response": "1h",
                    "resolution": {"duration": "1d", "reopen": "resume"},
                },
            },
            {
                "segment": "vip",
                "targets": {
                    "first_response": {"duration": "4h", "business": True},
                    "resolution": {"duration": "6h", "business": True},
                },
            },
        ],
    }
)

#: The SLA policy the SLA mutants break: 24x7 targets, a critical row that resumes on reopen,
#: and business-time targets for VIP customers on :data:`BASE_CALENDAR`.
BASE_SLA: Final = SlaPolicy(_TABLE, {"default": BASE_CALENDAR})

_LEVELS: Final = (
    Level(threshold=0.5, notify=("handler",)),
    Level(threshold=1.0, supervisor_requested=True, notify=("supervisor",)),
    Level(threshold="5d", reopen_count=2, notify=("department_head",)),
)

#: The escalation ladder the escalation mutants break (over :data:`BASE_SLA`'s resolution).
BASE_LADDER: Final = EscalationLadder(_LEVELS, sla=BASE_SLA)


class LanguageRouterSuite(HandlerRouterSuite):
    """:class:`HandlerRouterSuite` for a router that promises the customer's language."""

    requirements = (language_match(),)


class AuthorityRouterSuite(HandlerRouterSuite):
    """:class:`HandlerRouterSuite` for a router that promises the authority for the remedy."""

    requirements = (authority_fit(),)


@attrs.frozen
class Catch:
    """A mutant caught: the suite property that failed, its message, the counterexample
    Hypothesis printed, and the seconds it took."""

    test: str
    error: BaseException
    example: str
    seconds: float

    @property
    def message(self) -> str:
        return str(self.error)


@attrs.frozen
class Mutant:
    """One broken policy: ``build()`` makes it (a factory of accumulators for the accumulator
    suite), ``suite`` is the suite that must catch it and ``expect`` the property meant to."""

    name: str
    bug: str
    suite: type
    build: Callable[[], Any]
    expect: str

    def hunt(self, only: str | None = None) -> Catch | None:
        """Run every property of the suite (or ``only`` that one) on a fresh mutant, in name
        order; the first failure, or ``None``."""
        import pytest

        suite = self.suite()
        policy = self.build()
        began = _time.perf_counter()
        names = [only] if only else sorted(n for n in dir(suite) if n.startswith("test_"))
        for name in names:
            try:
                getattr(suite, name)(policy)
            except pytest.skip.Exception:
                continue
            except (ConformanceError, AssertionError, pytest.fail.Exception) as exc:
                notes = "\n".join(getattr(exc, "__notes__", ()))
                return Catch(name, exc, notes, _time.perf_counter() - began)
        return None


# ------------------------------------------------------------------------------------ SLA


def _first_handler(events: Sequence[DomainEvent]) -> str | None:
    return next((e.handler for e in events if isinstance(e, HandlerAssigned)), None)


class _CountsWaiting(SlaPolicy):
    """Counts the time spent waiting on the customer as elapsed."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        return {
            n: attrs.evolve(
                s, elapsed=s.elapsed + s.paused_total, remaining=s.remaining - s.paused_total
            )
            for n, s in super().evaluate(ctx).items()
        }


class _IgnoresHolidays(SlaPolicy):
    """Measures business time on the weekly hours alone: holidays and short days count."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        plain = BusinessCalendar(BASE_CALENDAR.timezone, BASE_CALENDAR.weekly_hours)
        return SlaPolicy(self.table, {"default": plain}).evaluate(ctx)


class _RollsOverAtClosing(SlaPolicy):
    """A deadline that falls exactly at closing time is reported at the next opening."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        out = {}
        for n, s in super().evaluate(ctx).items():
            due = s.due_at
            if s.target.business and due is not None:
                cal = BASE_CALENDAR
                if not cal.is_open(due) and cal.is_open(due - _US):
                    s = attrs.evolve(s, due_at=cal.next_open(due))
            out[n] = s
        return out


@attrs.frozen
class _LocalWallClock:
    """24x7 time as the local clock shows it (Python's ``-`` on datetimes of one zone)."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def between(self, start: datetime, end: datetime) -> timedelta:
        return end.astimezone(start.tzinfo).replace(tzinfo=None) - start.replace(tzinfo=None)


_LOCAL: Final = _LocalWallClock()


class _WallTimeOffAcrossDst(SlaPolicy):
    """Measures 24x7 targets in local wall time: an hour off across a DST change."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        decision = self.decide(ctx)
        if decision is None:
            return {}
        out = {}
        for t in decision.targets:
            clock: Any = BASE_CALENDAR if t.business else _LOCAL
            out[t.name] = SlaClock(t, clock).evaluate(ctx.events, ctx.now)
        return out


class _ReopenResumes(SlaPolicy):
    """A reopen resumes every clock where it stopped, whatever the target says."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        decision = self.decide(ctx)
        if decision is None:
            return {}
        out = {}
        for t in decision.targets:
            clock: Any = BASE_CALENDAR if t.business else None
            resumed = t.model_copy(update={"reopen": "resume"})
            state = SlaClock(resumed, clock) if clock else SlaClock(resumed)
            out[t.name] = attrs.evolve(state.evaluate(ctx.events, ctx.now), target=t)
        return out


class _OwnerIgnoresTransfer(SlaPolicy):
    """Blames the first handler ever assigned, even after a transfer moved the complaint."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        first = _first_handler(ctx.events)
        return {
            n: attrs.evolve(s, owner=first) if s.owner is not None and first else s
            for n, s in super().evaluate(ctx).items()
        }


class _ClampsRemaining(SlaPolicy):
    """Never reports a negative remaining time (hides how overdue a complaint is)."""

    def evaluate(self, ctx: PolicyContext) -> dict[str, SlaState]:
        return {
            n: attrs.evolve(s, remaining=max(s.remaining, timedelta(0)))
            for n, s in super().evaluate(ctx).items()
        }


class _Nags(SlaPolicy):
    """Reports every breach again on every sweep."""

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        out = super().sweep(ctx)
        for name, state in self.evaluate(ctx).items():
            if state.status == "breached" and not any(
                isinstance(e, SlaStatusChanged) and e.target == name for e in out
            ):
                out.append(
                    SlaStatusChanged(
                        complaint_id=ctx.complaint.id,
                        version=ctx.complaint.version + 1,
                        at=ctx.now,
                        actor=ctx.events[0].actor,
                        target=name,
                        status="breached",
                    )
                )
        return out


def _sla(cls: type[SlaPolicy]) -> Callable[[], SlaPolicy]:
    return lambda: cls(_TABLE, {"default": BASE_CALENDAR})


# ------------------------------------------------------------------------------ calendars


@attrs.frozen
class _Shown:
    """A calendar that shows one set of hours (``hours_on``, ``is_open``) and computes business
    time with another: the fast path that forgot a rule."""

    shown: BusinessCalendar
    used: BusinessCalendar
    label: str

    @property
    def zone(self) -> Any:
        return self.shown.zone

    def hours_on(self, day: date) -> list[tuple[str, str]]:
        return self.shown.hours_on(day)

    def is_open(self, moment: datetime) -> bool:
        return self.shown.is_open(moment)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return self.used.add(start, duration)

    def between(self, start: datetime, end: datetime) -> timedelta:
        return self.used.between(start, end)

    def __repr__(self) -> str:
        return self.label


def _ignoring_holidays() -> _Shown:
    cal = BASE_CALENDAR
    short = {d: cal.hours_on(d) for d in (date(2026, 3, 6), date(2026, 9, 23))}
    used = BusinessCalendar(cal.timezone, cal.weekly_hours, short_days=short)
    return _Shown(cal, used, "HolidayBlindCalendar()")


def _ignoring_short_days() -> _Shown:
    cal = BASE_CALENDAR
    used = BusinessCalendar(cal.timezone, cal.weekly_hours, holidays="KR")
    return _Shown(cal, used, "ShortDayBlindCalendar()")


@attrs.frozen
class _LocalDay:
    """Open around the clock in New York, computed on the local wall clock."""

    zone: Any = attrs.field(factory=lambda: BusinessCalendar.always_open("America/New_York").zone)

    def hours_on(self, day: date) -> list[tuple[str, str]]:
        return [("00:00", "24:00")]

    def add(self, start: datetime, duration: timedelta) -> datetime:
        _aware(start)
        local = start.astimezone(self.zone).replace(tzinfo=None)
        return (local + duration).replace(tzinfo=self.zone)

    def between(self, start: datetime, end: datetime) -> timedelta:
        _aware(start)
        _aware(end)
        a = start.astimezone(self.zone).replace(tzinfo=None)
        return end.astimezone(self.zone).replace(tzinfo=None) - a

    def __repr__(self) -> str:
        return "LocalDayCalendar('America/New_York')"


def _aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError("moment", moment)


@attrs.frozen
class _RollsOver:
    """Business time that treats closing time as closed: a deadline landing exactly on it moves
    to the next opening."""

    inner: BusinessCalendar = BASE_CALENDAR

    @property
    def zone(self) -> Any:
        return self.inner.zone

    def hours_on(self, day: date) -> list[tuple[str, str]]:
        return self.inner.hours_on(day)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        end = self.inner.add(start, duration)
        return self.inner.next_open(end) if duration and not self.inner.is_open(end) else end

    def between(self, start: datetime, end: datetime) -> timedelta:
        return self.inner.between(start, end)

    def __repr__(self) -> str:
        return "RollOverCalendar()"


@attrs.frozen
class _Minutes:
    """Rounds business time down to whole minutes: add and between no longer invert."""

    inner: BusinessCalendar = BASE_CALENDAR

    @property
    def zone(self) -> Any:
        return self.inner.zone

    def hours_on(self, day: date) -> list[tuple[str, str]]:
        return self.inner.hours_on(day)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return self.inner.add(start, duration)

    def between(self, start: datetime, end: datetime) -> timedelta:
        d = self.inner.between(start, end)
        return d - d % timedelta(minutes=1)

    def __repr__(self) -> str:
        return "MinuteCalendar()"


@attrs.frozen
class _NaiveTolerant:
    """Plain wall-clock time: accepts naive datetimes."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def between(self, start: datetime, end: datetime) -> timedelta:
        return end - start

    def __repr__(self) -> str:
        return "NaiveTolerantCalendar()"


# -------------------------------------------------------------------------------- routers


def _able(ctx: PolicyContext, agents: Sequence[Agent]) -> list[Agent]:
    return [a for a in agents if ctx.open_load.get(a.id, 0) < a.capacity]


def _members(ctx: PolicyContext, *, active_only: bool = True) -> list[Agent]:
    department = ctx.complaint.department
    if department is None:
        return []
    return list(ctx.organization.members(department, active_only=active_only))


def _least(ctx: PolicyContext, agents: Sequence[Agent], rule: str) -> HandlerDecision:
    if not agents:
        return HandlerDecision.none(rule, (), ("nobody able",))
    best = min(agents, key=lambda a: (ctx.open_load.get(a.id, 0) / a.capacity, a.id))
    return HandlerDecision(best.id, rule)


class _IgnoresCapacity:
    """Least loaded, but blind to the open load: hands work to agents at capacity."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        return least_loaded().decide(ctx.evolve(open_load={}))

    def __repr__(self) -> str:
        return "ignores_capacity()"


class _PicksInactive:
    """The least loaded member with room, active or not (the roster is read without the flag)."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        return _least(ctx, _able(ctx, _members(ctx, active_only=False)), "picks_inactive")

    def __repr__(self) -> str:
        return "picks_inactive()"


class _IgnoresLanguage:
    """Prefers agents who speak the customer's language, but silently falls back to anyone."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        able = _able(ctx, _members(ctx))
        speakers = [a for a in able if ctx.complaint.customer.language in a.languages]
        return _least(ctx, speakers or able, "language_first")

    def __repr__(self) -> str:
        return "language_first()"


class _IgnoresAmount:
    """Checks that the agent may grant the remedy, but not up to which amount."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        remedies, _ = authority_fit().likely_remedy(ctx)
        fit = [
            a
            for a in _able(ctx, _members(ctx))
            if all(a.authority.why_not(r, None) is None for r in remedies)
        ]
        return _least(ctx, fit, "authority_by_kind")

    def __repr__(self) -> str:
        return "authority_by_kind()"


class _OtherDepartment:
    """The least loaded active agent of the whole organization, whatever their department."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        agents = [a for a in ctx.organization.agents if a.active]
        return _least(ctx, _able(ctx, agents), "anyone")

    def __repr__(self) -> str:
        return "anyone()"


class _Rotating:
    """A rotation kept in the router itself: every call moves on, so equal inputs differ."""

    def __init__(self) -> None:
        self.turn = 0

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        able = _able(ctx, _members(ctx))
        if not able:
            return HandlerDecision.none("rotating", (), ("nobody able",))
        self.turn += 1
        return HandlerDecision(able[self.turn % len(able)].id, "rotating")

    def __repr__(self) -> str:
        return "rotating()"


class _Silent:
    """Says "no handler" without saying why."""

    def decide(self, ctx: PolicyContext) -> HandlerDecision | None:
        return HandlerDecision(None, "silent")

    def __repr__(self) -> str:
        return "silent()"


class _Legal:
    """Sends everything to a department that few organizations have, without checking."""

    def decide(self, ctx: PolicyContext) -> DepartmentDecision | None:
        return DepartmentDecision("legal", "everything to legal")

    def __repr__(self) -> str:
        return "everything_to_legal()"


# ---------------------------------------------------------------------------- escalation


class _SkipsALevel(EscalationLadder):
    """Off by one: the rung reached is reported one level up (level 2 at the first rung)."""

    def _reached(self, ctx: PolicyContext) -> list[tuple[int, list[str]]]:
        top = len(self.levels)
        return [(min(i + 1, top), rs) for i, rs in super()._reached(ctx)]


class _RisesWhileWaiting(EscalationLadder):
    """Reads the SLA clock with the waiting time counted: escalates while the customer is
    being waited on."""

    def clock(self, ctx: PolicyContext) -> SlaState | None:
        state = super().clock(ctx)
        if state is None or state.stopped_at is not None:
            return state
        return attrs.evolve(state, elapsed=state.elapsed + state.paused_total)

    def __repr__(self) -> str:
        return "EscalationLadder(counting waits)"


class _WeekdaysOnly(EscalationLadder):
    """Forgets escalations over the weekend: the level falls with time."""

    def decide(self, ctx: PolicyContext) -> EscalationDecision | None:
        return None if ctx.now.weekday() >= 5 else super().decide(ctx)


class _Forgetful(EscalationLadder):
    """Proposes the level it decides without looking at the history."""

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        d = self.decide(ctx)
        if d is None:
            return []
        return [
            Escalated(
                complaint_id=ctx.complaint.id,
                version=ctx.complaint.version + 1,
                at=ctx.now,
                actor=ctx.events[0].actor,
                level=d.level,
            )
        ]


def _ladder(cls: type[EscalationLadder]) -> Callable[[], EscalationLadder]:
    return lambda: cls(_LEVELS, sla=BASE_SLA)


# -------------------------------------------------------------------- accumulators, points


@attrs.define
class _MeanOfMeans:
    """Mean day of the month of receipt, merged by averaging the two means: not exact."""

    n: int = 0
    mean: float = 0.0

    def update(self, record: Any) -> None:
        self.n += 1
        self.mean += (record.received_at.day - self.mean) / self.n

    def merge(self, other: _MeanOfMeans) -> _MeanOfMeans:
        if not self.n or not other.n:
            return _MeanOfMeans(self.n + other.n, self.mean if self.n else other.mean)
        return _MeanOfMeans(self.n + other.n, (self.mean + other.mean) / 2)

    def result(self) -> tuple[int, float]:
        return self.n, round(self.mean, 9)


@attrs.define
class _FirstSeen:
    """The first complaint's channel, merged as "mine if I have one": order-dependent."""

    n: int = 0
    first: str | None = None

    def update(self, record: Any) -> None:
        self.n += 1
        if self.first is None:
            self.first = str(record.channel)

    def merge(self, other: _FirstSeen) -> _FirstSeen:
        return _FirstSeen(self.n + other.n, self.first if self.first is not None else other.first)

    def result(self) -> tuple[int, str | None]:
        return self.n, self.first


class _Escalating:
    """Each breach costs more than the last: the rules count calls, so a replay differs."""

    version = "escalating-1"

    def __init__(self) -> None:
        self.breaches = 0

    def entries(self, event: Any, history: Sequence[DomainEvent]) -> list[Award]:
        if getattr(event, "status", None) != "breached":
            return []
        self.breaches += 1
        return [Award("kim", None, -self.breaches, "breach")]

    def __repr__(self) -> str:
        return "escalating_breach_rules()"


def _mutants() -> dict[str, Mutant]:
    rows = [
        ("sla_counts_waiting_time", "counts the time spent waiting on the customer",
         SlaPolicySuite, _sla(_CountsWaiting), "test_elapsed_is_the_time_the_clock_ran"),
        ("sla_ignores_holidays", "measures business time without holidays and short days",
         SlaPolicySuite, _sla(_IgnoresHolidays), "test_elapsed_is_the_time_the_clock_ran"),
        ("sla_rolls_over_at_closing", "moves a deadline that falls at closing time to the next opening",
         SlaPolicySuite, _sla(_RollsOverAtClosing), "test_due_at_is_when_the_time_runs_out"),
        ("sla_wall_time_across_dst", "measures 24x7 time on the local wall clock (an hour off across DST)",
         SlaPolicySuite, _sla(_WallTimeOffAcrossDst), "test_elapsed_is_the_time_the_clock_ran"),
        ("sla_reopen_resumes", "resumes a clock on reopen where the target says restart",
         SlaPolicySuite, _sla(_ReopenResumes), "test_elapsed_is_the_time_the_clock_ran"),
        ("sla_owner_ignores_transfer", "blames the first handler after a transfer",
         SlaPolicySuite, _sla(_OwnerIgnoresTransfer), "test_the_owner_is_who_held_it_when_it_mattered"),
        ("sla_clamps_remaining", "never reports a negative remaining time",
         SlaPolicySuite, _sla(_ClampsRemaining), "test_states_are_consistent"),
        ("sla_repeats_breaches", "reports every breach again on every sweep",
         SlaPolicySuite, _sla(_Nags), "test_sweep_is_idempotent"),
        ("calendar_ignores_holidays", "computes business time through holidays",
         CalendarSuite, _ignoring_holidays, "test_business_time_agrees_with_the_hours"),
        ("calendar_ignores_short_days", "computes full hours on short days",
         CalendarSuite, _ignoring_short_days, "test_business_time_agrees_with_the_hours"),
        ("calendar_local_time_across_dst", "computes 24x7 time on the local wall clock",
         CalendarSuite, _LocalDay, "test_business_time_agrees_with_the_hours"),
        ("calendar_rolls_over_at_closing", "moves a deadline at closing time to the next opening",
         CalendarSuite, _RollsOver, "test_add_never_ends_in_closed_time"),
        ("calendar_rounds_to_minutes", "rounds business time down to whole minutes",
         CalendarSuite, _Minutes, "test_between_inverts_add"),
        ("calendar_accepts_naive", "accepts naive datetimes",
         CalendarSuite, _NaiveTolerant, "test_naive_datetimes_are_refused"),
        ("router_ignores_capacity", "hands work to agents at capacity",
         HandlerRouterSuite, _IgnoresCapacity, "test_a_chosen_handler_exists_is_active_and_has_capacity"),
        ("router_picks_inactive", "picks inactive agents",
         HandlerRouterSuite, _PicksInactive, "test_a_chosen_handler_exists_is_active_and_has_capacity"),
        ("router_ignores_language", "falls back to agents who do not speak the customer's language",
         LanguageRouterSuite, _IgnoresLanguage, "test_a_chosen_handler_meets_the_requirements"),
        ("router_ignores_authority_amount", "checks the remedy's kind but not its amount",
         AuthorityRouterSuite, _IgnoresAmount, "test_a_chosen_handler_meets_the_requirements"),
        ("router_other_department", "picks agents of other departments",
         HandlerRouterSuite, _OtherDepartment, "test_a_chosen_handler_exists_is_active_and_has_capacity"),
        ("router_keeps_state", "keeps a rotation in the router: equal inputs differ",
         HandlerRouterSuite, _Rotating, "test_is_deterministic_and_leaves_the_context_alone"),
        ("router_silent", "says no handler without saying why",
         HandlerRouterSuite, _Silent, "test_no_handler_says_why"),
        ("department_router_unknown", "routes to a department the organization lacks",
         DepartmentRouterSuite, _Legal, "test_routes_to_a_known_department_abstains_or_says_why"),
        ("escalation_skips_a_level", "reports the first rung as level 2 (off by one)",
         EscalationSuite, _ladder(_SkipsALevel), "test_time_raises_the_level_one_rung_at_a_time"),
        ("escalation_while_waiting", "escalates while the customer is being waited on",
         EscalationSuite, _ladder(_RisesWhileWaiting), "test_waiting_on_the_customer_raises_no_level"),
        ("escalation_falls_back", "forgets escalations over the weekend",
         EscalationSuite, _ladder(_WeekdaysOnly), "test_levels_never_decrease_with_time"),
        ("escalation_forgets_history", "proposes levels already recorded",
         EscalationSuite, _ladder(_Forgetful), "test_sweep_only_raises_the_level_and_is_idempotent"),
        ("accumulator_mean_of_means", "merges by averaging means (not exact)",
         AccumulatorSuite, lambda: _MeanOfMeans, "test_merge_is_exact"),
        ("accumulator_order_dependent", "merges a first-seen value in merge order (not commutative)",
         AccumulatorSuite, lambda: _FirstSeen, "test_merge_is_associative_and_commutative"),
        ("point_rules_keep_state", "count breaches in the rules object (a replay differs)",
         PointRulesSuite, _Escalating, "test_entries_are_awards_or_reversals_and_pure"),
    ]  # fmt: skip
    return {
        name: Mutant(name, bug, suite, build, expect) for name, bug, suite, build, expect in rows
    }


#: Every mutant by name.
MUTANTS: Final[dict[str, Mutant]] = _mutants()


def builtins() -> dict[str, tuple[type, Any]]:
    """The built-in policies the mutants are made from, with their suites: each must pass."""
    return {
        "sla": (SlaPolicySuite, BASE_SLA),
        "calendar": (CalendarSuite, BASE_CALENDAR),
        "router": (HandlerRouterSuite, least_loaded()),
        "language_router": (LanguageRouterSuite, least_loaded(filters=[language_match()])),
        "authority_router": (AuthorityRouterSuite, least_loaded(filters=[authority_fit()])),
        "escalation": (EscalationSuite, BASE_LADDER),
    }
