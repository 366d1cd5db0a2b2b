"""Escalation ladders: levels reached by SLA time, repeated reopens, a supervisor request, or a
remedy beyond the handler's authority; each level names the roles to tell.

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
>>> t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
>>> events = [ComplaintReceived(complaint_id="c1", version=1, at=t0, actor=Actor.system(),
...     stage="received", received_at=t0, channel="web", customer=CustomerRef(id="u1"),
...     concerns=(Concern(kind="complaint", text="late delivery"),))]
>>> ladder = EscalationLadder(
...     levels=[Level(threshold=0.5, notify=("handler",)),
...             Level(threshold=1.0, notify=("supervisor",)),
...             Level(threshold="2d", reopen_count=2, notify=("department_head",))],
...     sla=SlaTable(version="v1", rows=[{"targets": {"resolution": "24h"}}]),
... )
>>> ctx = PolicyContext(complaint=fold(events), events=events, now=t0 + timedelta(hours=13))
>>> ladder.decide(ctx)
EscalationDecision(level=1, reasons=('54% of SLA target resolution elapsed (level 1 at 50%)',), notify=())
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Final

import attrs
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ccms._files import validate_mapping
from ccms.errors import PolicyError
from ccms.model import Complaint, DomainEvent, Escalated, Flag, Money, Organization
from ccms.policy._sla_clock import parse_duration
from ccms.policy._sla_notify import check_role, resolve_roles
from ccms.policy.base import Policy, PolicyContext
from ccms.policy.registry import default_registry
from ccms.policy.sla import Calendars, SlaPolicy, SlaState, SlaTable, _clock_for, evaluate_sla

__all__ = [
    "DEFAULT_LEVELS",
    "SLA_STATES",
    "EscalationDecision",
    "EscalationLadder",
    "Level",
    "authority_problem",
]

#: The ``ctx.extra`` key under which the Desk passes the SLA policy's clocks (``{target:
#: SlaState}``) at ``ctx.now``, so a ladder reads them instead of evaluating them again.
SLA_STATES: Final = "sla_states"


class Level(BaseModel):
    """One rung of the ladder: reached when *any* of its triggers holds.

    ``threshold``: a number is a share of the SLA target's duration elapsed on its clock (0.5,
    1.0 = due, 1.5); a duration (timedelta, ``"4h"``, ``"2d"``) is clock time elapsed on the
    target, or the complaint's age when it has no SLA. ``reopen_count``: reopened at least this
    often. ``supervisor_requested``: the complaint carries ``Flag.SUPERVISOR_REQUESTED``.
    ``over_authority``: the registered (or requested) remedy is beyond the handler's authority.
    ``notify``: role names (handler, supervisor, department_head, executive) or ``agent:<id>``.

    >>> Level(threshold="4h").threshold
    datetime.timedelta(seconds=14400)
    >>> Level(notify=("boss",))
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Level
    notify
      Value error, unknown notify role 'boss'; allowed: handler, supervisor, department_head, executive, or 'agent:<id>' ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: Annotated[float, Field(gt=0)] | timedelta | None = None
    reopen_count: Annotated[int, Field(ge=1)] | None = None
    supervisor_requested: bool = False
    over_authority: bool = False
    notify: tuple[str, ...] = ("handler",)
    name: str = ""

    @field_validator("threshold", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value

    @field_validator("notify")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_role(v) for v in value)

    @model_validator(mode="after")
    def _has_trigger(self) -> Level:
        if (
            self.threshold is None
            and self.reopen_count is None
            and not self.supervisor_requested
            and not self.over_authority
        ):
            raise ValueError(
                "a level needs a trigger: threshold, reopen_count, supervisor_requested or "
                "over_authority"
            )
        if isinstance(self.threshold, timedelta) and self.threshold <= timedelta(0):
            raise ValueError("a duration threshold must be positive")
        return self


#: The built-in ladder over the resolution clock (what ``Desk.standard`` uses unless told
#: otherwise): a reminder to the handler at 75% of the target, the supervisor when it is due
#: (or the customer asks for one, or the remedy is beyond the handler's authority), the
#: department head at 150% or on the second reopen, an executive at 300%.
DEFAULT_LEVELS: Final = (
    Level(name="reminder", threshold=0.75, notify=("handler",)),
    Level(
        name="supervisor",
        threshold=1.0,
        supervisor_requested=True,
        over_authority=True,
        notify=("handler", "supervisor"),
    ),
    Level(name="department head", threshold=1.5, reopen_count=2, notify=("department_head",)),
    Level(name="executive", threshold=3.0, notify=("executive",)),
)


@attrs.frozen(slots=True)
class EscalationDecision:
    """The highest level reached, why (every reached level's reasons) and who that level tells."""

    level: int
    reasons: tuple[str, ...]
    notify: tuple[str, ...]


def _requested_amount(complaint: Complaint) -> Money | None:
    raw = complaint.attributes.get("requested_amount")
    if raw is None or isinstance(raw, bool | float) or not isinstance(raw, int | str):
        return None
    currency = complaint.attributes.get("requested_currency", "KRW")
    try:
        return Money(amount=Decimal(str(raw)), currency=str(currency))
    except (ValueError, InvalidOperation):
        return None


def authority_problem(complaint: Complaint, org: Organization) -> str | None:
    """Why the remedy is beyond the handler's authority, or ``None``.

    Checks the registered result (remedy and amount), else the concerns' requested remedies
    with the amount in ``complaint.attributes["requested_amount"]`` (and
    ``"requested_currency"``, default KRW) when given. No handler, or one the organization does
    not know: ``None``.
    """
    handler = complaint.handler
    if handler is None or not org.has_agent(handler):
        return None
    authority = org.agent(handler).authority
    if complaint.result is not None:
        why = authority.why_not(complaint.result.remedy, complaint.result.amount)
        return f"handler {handler}: {why}" if why else None
    amount = _requested_amount(complaint)
    for concern in complaint.concerns:
        if concern.requested_remedy is not None:
            why = authority.why_not(concern.requested_remedy, amount)
            if why:
                return f"handler {handler}: requested {why}"
    return None


class EscalationLadder(Policy[EscalationDecision]):
    """Levels 1..n (in the order given) over one SLA target (default ``"resolution"``).

    Time thresholds read the target's clock from the history's ``SlaApplied`` (or from ``sla``,
    a table or :class:`~ccms.policy.sla.SlaPolicy`, before one is recorded); they count only
    while the clock runs (or is paused), not once it stopped. Closed complaints never escalate.

    ``sweep(ctx)`` returns one ``Escalated`` event when the decided level is above every level
    already in the history (``Escalated`` events, automatic or manual): its level is the decided
    one, its reason joins the reasons of the levels newly passed, and ``notify`` holds the agents
    of all of them (skipped rungs included, so nobody who should know is left out). Idempotent.
    """

    kind = "escalation"

    __slots__ = ("calendars", "levels", "table", "target")

    def __init__(
        self,
        levels: Sequence[Level | Mapping[str, Any]],
        *,
        target: str = "resolution",
        sla: SlaTable | SlaPolicy | None = None,
        calendars: Calendars = None,
    ) -> None:
        if not levels:
            raise PolicyError("an escalation ladder needs at least one level")
        self.levels: tuple[Level, ...] = tuple(
            lv if isinstance(lv, Level) else Level.model_validate(lv) for lv in levels
        )
        self.target = target
        if isinstance(sla, SlaPolicy):
            self.table: SlaTable | None = sla.table
            self.calendars: Calendars = calendars if calendars is not None else sla.calendars
        else:
            self.table, self.calendars = sla, calendars

    def __repr__(self) -> str:
        return f"EscalationLadder({len(self.levels)} levels, target={self.target!r})"

    def clock(self, ctx: PolicyContext) -> SlaState | None:
        """The target's clock at ``ctx.now``: the SLA policy's reading when the Desk passes it
        (``ctx.extra["sla_states"]``, see :data:`SLA_STATES`), else evaluated here, once."""
        given = ctx.extra.get(SLA_STATES)
        if isinstance(given, Mapping):
            state = given.get(self.target)
            return state if isinstance(state, SlaState) else None
        return evaluate_sla(ctx.complaint, ctx.events, ctx.now, self.table, self.calendars).get(
            self.target
        )

    def _time_reason(
        self, level: int, spec: Level, ctx: PolicyContext, state: SlaState | None
    ) -> str | None:
        if state is not None and (state.status == "not_started" or state.stopped_at is not None):
            return None  # the clock does not run: time does not escalate
        if isinstance(spec.threshold, timedelta):
            elapsed = state.elapsed if state is not None else ctx.now - ctx.complaint.received_at
            if elapsed >= spec.threshold:
                return f"{elapsed} elapsed on {self.target} (level {level} at {spec.threshold})"
        elif state is not None and spec.threshold is not None:
            share = state.elapsed / state.target.duration
            if share >= spec.threshold:
                return (
                    f"{share:.0%} of SLA target {self.target} elapsed "
                    f"(level {level} at {spec.threshold:.0%})"
                )
        return None

    def _reasons(
        self, level: int, spec: Level, ctx: PolicyContext, state: SlaState | None
    ) -> list[str]:
        complaint = ctx.complaint
        out: list[str] = []
        if spec.threshold is not None:
            timed = self._time_reason(level, spec, ctx, state)
            if timed:
                out.append(timed)
        if spec.reopen_count is not None and complaint.reopen_count >= spec.reopen_count:
            out.append(
                f"reopened {complaint.reopen_count} times (level {level} at {spec.reopen_count})"
            )
        if spec.supervisor_requested and Flag.SUPERVISOR_REQUESTED in complaint.flags:
            out.append("the customer asked for a supervisor")
        if spec.over_authority:
            why = authority_problem(complaint, ctx.organization)
            if why:
                out.append(why)
        return out

    def _reached(self, ctx: PolicyContext) -> list[tuple[int, list[str]]]:
        if ctx.complaint.closed_at is not None:
            return []
        timed = any(spec.threshold is not None for spec in self.levels)
        state = self.clock(ctx) if timed else None
        reached = []
        for i, spec in enumerate(self.levels, start=1):
            reasons = self._reasons(i, spec, ctx, state)
            if reasons:
                reached.append((i, reasons))
        return reached

    def next_wake(self, ctx: PolicyContext) -> datetime | None:
        """The next moment a time threshold above the levels already reached can pass without
        a command (``None``: none can; only a command can raise the level).

        Duration thresholds on a complaint without SLA measure its age; shares and durations
        on a clock count only while it runs.
        """
        if ctx.complaint.closed_at is not None:
            return None
        current = max(
            [ctx.complaint.escalation_level]
            + [e.level for e in ctx.events if isinstance(e, Escalated)]
        )
        state = self.clock(ctx)
        moments: list[datetime] = []
        for i, spec in enumerate(self.levels, start=1):
            threshold = spec.threshold
            if threshold is None or i <= current:
                continue
            if state is None:
                if isinstance(threshold, timedelta):
                    moments.append(max(ctx.now, ctx.complaint.received_at + threshold))
                continue
            if not state.runs:
                continue
            amount = (
                threshold if isinstance(threshold, timedelta) else state.target.duration * threshold
            )
            left = amount - state.elapsed
            if left < timedelta(0):
                continue
            clock = _clock_for(state.target, self.calendars)
            moments.append(clock.add(ctx.now, left))
        return min(moments) if moments else None

    def decide(self, ctx: PolicyContext) -> EscalationDecision | None:
        """The highest level reached now, or ``None``."""
        reached = self._reached(ctx)
        if not reached:
            return None
        level = reached[-1][0]
        reasons = _unique(r for _, rs in reached for r in rs)
        notify = resolve_roles(self.levels[level - 1].notify, ctx.complaint, ctx.organization)
        return EscalationDecision(level=level, reasons=reasons, notify=notify)

    def sweep(self, ctx: PolicyContext) -> list[DomainEvent]:
        """An ``Escalated`` event for a level above any in the history, else nothing."""
        reached = self._reached(ctx)
        current = max(
            [ctx.complaint.escalation_level]
            + [e.level for e in ctx.events if isinstance(e, Escalated)]
        )
        new = [(i, rs) for i, rs in reached if i > current]
        if not new:
            return []
        roles = [role for i, _ in new for role in self.levels[i - 1].notify]
        reason = "; ".join(_unique(r for _, rs in new for r in rs))
        return [
            Escalated(
                **ctx.system_stamp("escalation"),
                level=new[-1][0],
                reason=reason[:2000],
                notify=resolve_roles(roles, ctx.complaint, ctx.organization),
            )
        ]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


class _LadderParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: Annotated[list[Level], Field(min_length=1)]
    target: str = "resolution"
    sla: dict[str, Any] | None = None


def ladder(**params: Any) -> EscalationLadder:
    """Registry factory ``escalation``/``ladder``: ``levels`` (list of level tables), optional
    ``target`` and ``sla`` (an SLA table mapping for time thresholds before ``SlaApplied``).

    >>> default_registry.create("escalation", "ladder", levels=[{"reopen_count": 2}])
    EscalationLadder(1 levels, target='resolution')
    """
    source = "escalation policy 'ladder'"
    checked = validate_mapping(_LadderParams, params, source)
    table = SlaTable.from_mapping(checked.sla, f"{source} sla") if checked.sla else None
    return EscalationLadder(checked.levels, target=checked.target, sla=table)


default_registry.register("escalation", "ladder", ladder)
