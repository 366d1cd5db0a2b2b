"""CS-point rules (CS 포인트 제도): an event type plus a condition gives points to someone.

A :class:`RuleSet` is data: a version, a list of :class:`PointRule` (event type, ``when``
conditions on the event's fields, who receives the points, how many), which causes reverse earlier
points (``reverse_on``), and the :class:`Limits` that shape balances (period caps, expiry, reward
tiers, bad-point consequences). It loads from TOML, YAML or JSON (:meth:`RuleSet.from_file`) or is
built in Python. Any object with a ``version`` and an ``entries(event, history)`` method is a
:class:`PointRules`; the built-in rule set is one implementation.

Responsibility follows custody, not the final holder: a breach goes to whoever held the complaint
when its deadline passed (``to = "deadline_holder"``), a reopen or a happy call to whoever held it
when the result was registered (``to = "result_registrant"``), walking the ``HandlerAssigned``,
``Transferred`` and ``DepartmentAssigned`` events.

>>> from datetime import datetime, timezone
>>> from ccms.model import Actor, FeedbackRecorded
>>> t = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
>>> rules = RuleSet(version="r1", rules=[PointRule(id="happy", event="feedback_recorded",
...     when={"feedback.satisfied": True}, to="actor", points=3)])
>>> e = FeedbackRecorded(complaint_id="c1", version=9, at=t, actor=Actor(id="kim", role="handler"),
...     feedback={"satisfied": True})
>>> rules.entries(e, [e])
[Award(agent='kim', department=None, points=3, rule='happy', note='')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Protocol, TypeAlias, runtime_checkable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from ccms._files import load_mapping, validate_mapping
from ccms.errors import InvalidInput
from ccms.model import (
    DepartmentAssigned,
    DomainEvent,
    HandlerAssigned,
    ResultRegistered,
    Role,
    Transferred,
    holder_at,
)
from ccms.model.events import ComplaintReceived, FaultAttributed, FaultWithdrawn
from ccms.model.types import AwareDatetime, Frozen, Name, ShortText

__all__ = [
    "DEFAULT_RULES",
    "Activity",
    "Award",
    "Cause",
    "Consequence",
    "Limits",
    "PointRule",
    "PointRules",
    "Reverse",
    "RuleSet",
    "Tier",
    "holder_at",
    "longest_holder",
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Activity(Frozen):
    """Something an employee did outside a complaint's history that earns points.

    Training taken, a prevention action completed, an idea adopted. The host keeps these in its own
    log and feeds them to the ledger (:meth:`~ccms.scoring.Ledger.record`) in order, so a replay
    gives the same ledger.
    """

    type: Name  # e.g. "training_taken", "prevention_completed", "idea_adopted"
    id: Name
    agent: Name
    at: AwareDatetime
    department: Name | None = None
    note: ShortText = ""


@attrs.frozen(slots=True)
class Cause:
    """What caused a ledger entry: a complaint event (id, version, type, index within the version)
    or an :class:`Activity` (its id, version 0)."""

    source: str
    version: int
    type: str
    index: int = 0

    def __str__(self) -> str:
        if self.version == 0:
            return f"{self.type} {self.source}"
        return f"{self.type} on {self.source} v{self.version}"


@attrs.frozen(slots=True)
class Award:
    """Points a rule gives (``points`` > 0) or takes (< 0). ``agent`` None: a department only."""

    agent: str | None
    department: str | None
    points: int
    rule: str
    note: str = ""


@attrs.frozen(slots=True)
class Reverse:
    """Reverse earlier entries of a complaint: all, only bad or only good ones, optionally only
    those caused by one event (``cause_version``/``cause_type``) or given to one ``agent``."""

    complaint_id: str
    rule: str
    only: Literal["bad", "good", "all"] = "all"
    cause_version: int | None = None
    cause_type: str | None = None
    agent: str | None = None


Decision: TypeAlias = Award | Reverse


@runtime_checkable
class PointRules(Protocol):
    """Turns one event (with its complaint's history up to and including it) into awards and
    reversals. ``version`` is recorded on every ledger entry it produces."""

    @property
    def version(self) -> str:
        """The rule-set version recorded on each entry."""
        ...

    def entries(
        self, event: DomainEvent | Activity, history: Sequence[DomainEvent]
    ) -> Sequence[Decision]:
        """The awards and reversals ``event`` causes (often none)."""
        ...


# -- custody ---------------------------------------------------------------------------------------


def longest_holder(
    history: Sequence[DomainEvent], until: datetime
) -> tuple[str | None, str | None]:
    """``(handler, department)`` of the stint that held the complaint longest before ``until``.

    Stints are keyed by handler (else department); time before anyone held it is nobody's. Ties
    go to the earlier stint.

    >>> from datetime import datetime, timedelta, timezone
    >>> from ccms.model import Actor, HandlerAssigned
    >>> t = datetime(2026, 10, 5, tzinfo=timezone.utc)
    >>> h = [HandlerAssigned(complaint_id="c", version=2, at=t, actor=Actor.system(), handler="kim"),
    ...      HandlerAssigned(complaint_id="c", version=3, at=t + timedelta(hours=40),
    ...                      actor=Actor.system(), handler="lee")]
    >>> longest_holder(h, t + timedelta(hours=50))
    ('kim', None)
    """
    held: dict[tuple[str | None, str | None], timedelta] = {}
    home: dict[tuple[str | None, str | None], str | None] = {}  # a handler's department then
    handler: str | None = None
    department: str | None = None
    since: datetime | None = None
    for event in (*history, None):
        at = until if event is None else min(event.at, until)
        if since is not None and (handler or department):
            key = (handler, None if handler else department)
            held[key] = held.get(key, timedelta(0)) + (at - since)
            home[key] = department
        if event is None or event.at > until:
            break
        if isinstance(event, HandlerAssigned):
            handler = event.handler
        elif isinstance(event, Transferred):
            handler, department = None, event.to_department
        elif isinstance(event, DepartmentAssigned):
            department = event.department
        since = at
    if not held:
        return None, None
    best = max(held, key=lambda k: held[k])  # dicts keep first-seen order: ties go earlier
    return best[0], home[best]


def _upto(history: Sequence[DomainEvent], event: DomainEvent) -> Sequence[DomainEvent]:
    for i in range(len(history) - 1, -1, -1):
        if history[i] is event or history[i] == event:
            return history[: i + 1]
    return history


def _holder_through(history: Sequence[DomainEvent]) -> tuple[str | None, str | None]:
    return holder_at(history, datetime.max.replace(tzinfo=ZoneInfo("UTC")))


# -- rules -----------------------------------------------------------------------------------------

Recipient = Annotated[
    str,
    Field(
        pattern=r"^(actor|handler|deadline_holder|longest_holder|result_registrant|agent"
        r"|attribute:[a-z][a-z0-9_]*)$"
    ),
]
_Accepted = JsonValue


class PointRule(_Model):
    """One rule: when an ``event`` of this type meets every ``when`` condition, ``points`` go to
    ``to``.

    ``when`` maps a dotted field path of the event (``"feedback.satisfied"``, ``"status"``,
    ``"concerns.kind"``: a path through a list matches if any element does) to the accepted value
    or a list of accepted values. ``to`` is one of:

    - ``actor``: who fired the command (an agent; the system gets nothing);
    - ``handler``: the handler holding the complaint at the event;
    - ``deadline_holder``: whoever held it when the event's ``due_at`` passed (the stage in which
      the time ran out), else the handler at the event;
    - ``longest_holder``: whoever held it longest between its receipt and the event (the stage in
      which most of the time was spent; a department while no handler held it);
    - ``result_registrant``: whoever held it when the last result was registered;
    - ``agent``: the event's own ``agent`` field (a fault attribution, an activity);
    - ``attribute:<key>``: the agent id in the complaint's received ``attributes[key]``.
    """

    id: Name
    event: Name
    when: dict[str, _Accepted] = {}
    to: Recipient = "handler"
    points: int
    description: ShortText = ""

    @field_validator("points")
    @classmethod
    def _nonzero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("a rule must give or take points (points != 0)")
        return value

    def matches(self, event: DomainEvent | Activity) -> bool:
        """Whether ``event`` is of this rule's type and meets every condition."""
        if event.type != self.event:
            return False
        for path, accepted in self.when.items():
            allowed = accepted if isinstance(accepted, list) else [accepted]
            if not any(v in allowed for v in _resolve(event, path.split("."))):
                return False
        return True


def _resolve(value: Any, parts: list[str]) -> list[Any]:
    if not parts:
        if isinstance(value, tuple | list | frozenset | set):
            return [getattr(v, "value", v) for v in value]
        return [getattr(value, "value", value)]
    head, rest = parts[0], parts[1:]
    if isinstance(value, tuple | list | frozenset | set):
        return [r for item in value for r in _resolve(item, parts)]
    if isinstance(value, Mapping):
        return _resolve(value[head], rest) if head in value else []
    if not hasattr(value, head):
        return []
    return _resolve(getattr(value, head), rest)


class Tier(_Model):
    """A reward tier reached at ``at_least`` points (e.g. commendation, benchmarking trip)."""

    name: Name
    at_least: int


class Consequence(_Model):
    """A bad-point consequence at ``at_most`` points or fewer (e.g. mandatory training)."""

    name: Name
    at_most: int


class Limits(_Model):
    """How entries become balances: period caps, expiry, tiers and consequences.

    Caps apply per agent and period (``month``, ``quarter`` or ``year`` in ``timezone``): good
    points above ``cap_good`` and bad points below ``-cap_bad`` in one period do not count. Points
    expire ``expire_after_days`` after they were earned. Both are applied when a balance is asked
    for, so a reversal leaves the balance exactly as if the reversed entry had never counted.
    """

    period: Literal["month", "quarter", "year"] = "month"
    timezone: Name = "Asia/Seoul"
    cap_good: Annotated[int, Field(gt=0)] | None = None
    cap_bad: Annotated[int, Field(gt=0)] | None = None
    expire_after_days: Annotated[int, Field(gt=0)] | None = None
    tiers: tuple[Tier, ...] = ()
    consequences: tuple[Consequence, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def expiry(self) -> timedelta | None:
        """The expiry as a duration (None: points never expire)."""
        return None if self.expire_after_days is None else timedelta(days=self.expire_after_days)

    def period_of(self, moment: datetime) -> str:
        """The period label of ``moment``: ``2026-10``, ``2026-Q4`` or ``2026``.

        >>> from datetime import datetime, timezone
        >>> Limits().period_of(datetime(2026, 10, 31, 16, tzinfo=timezone.utc))  # Seoul: Nov 1
        '2026-11'
        """
        local = moment.astimezone(ZoneInfo(self.timezone))
        if self.period == "month":
            return f"{local.year}-{local.month:02d}"
        if self.period == "quarter":
            return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
        return str(local.year)


class RuleSet(_Model):
    """A versioned rule set: rules, reversing causes and limits. See the module docstring.

    ``reverse_on`` maps an event type to which earlier entries of the same complaint it reverses
    (``bad``, ``good`` or ``all``); a :class:`~ccms.model.events.FaultWithdrawn` always reverses
    the entries caused by the attribution it names.
    """

    version: Name
    rules: tuple[PointRule, ...]
    reverse_on: dict[Name, Literal["bad", "good", "all"]] = {"rejected": "bad", "withdrawn": "bad"}
    limits: Limits = Limits()

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        ids = [r.id for r in self.rules]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"rule ids must be unique; declared twice: {', '.join(twice)}")
        return self

    def entries(
        self, event: DomainEvent | Activity, history: Sequence[DomainEvent]
    ) -> list[Decision]:
        """The awards and reversals ``event`` causes under this rule set."""
        out: list[Decision] = []
        if isinstance(event, FaultWithdrawn):
            out.append(
                Reverse(
                    complaint_id=event.complaint_id,
                    rule="fault_withdrawn",
                    cause_version=event.attributed_version,
                    cause_type="fault_attributed",
                    agent=event.agent,
                )
            )
        elif isinstance(event, DomainEvent) and event.type in self.reverse_on:
            out.append(
                Reverse(
                    complaint_id=event.complaint_id,
                    rule=f"reverse_on.{event.type}",
                    only=self.reverse_on[event.type],
                )
            )
        for rule in self.rules:
            if rule.matches(event):
                award = _award(rule, event, history)
                if award is not None:
                    out.append(award)
        return out

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<mapping>") -> RuleSet:
        """Build from a mapping (as read from a file); errors name the source and the key."""
        return validate_mapping(cls, data, source)

    @classmethod
    def from_file(cls, path: str | Path) -> RuleSet:
        """Load a TOML, YAML or JSON rule set."""
        return cls.from_mapping(load_mapping(path), str(path))


def _agent_actor(event: DomainEvent | Activity) -> str | None:
    if isinstance(event, Activity) or event.actor.role == Role.SYSTEM:
        return None
    return event.actor.id


def _award(
    rule: PointRule, event: DomainEvent | Activity, history: Sequence[DomainEvent]
) -> Award | None:
    to = rule.to
    if isinstance(event, Activity):
        if to not in ("agent", "actor"):
            raise InvalidInput(
                f"rule {rule.id!r} gives activity {event.type!r} points to {to!r}; activities "
                "have only an 'agent'"
            )
        return Award(event.agent, event.department, rule.points, rule.id)
    upto = _upto(history, event)
    handler, department = _holder_through(upto)
    agent: str | None
    note = ""
    if to == "actor":
        agent = _agent_actor(event)
    elif to == "handler":
        agent = handler
    elif to == "deadline_holder":
        due = getattr(event, "due_at", None)
        if isinstance(due, datetime):
            agent, department = holder_at(upto, due)
            note = f"held it when the deadline {due.isoformat()} passed"
        else:
            agent = handler
    elif to == "longest_holder":
        agent, department = longest_holder(upto, event.at)
        note = "held it longest"
    elif to == "result_registrant":
        registered = [e for e in upto[:-1] if isinstance(e, ResultRegistered)]
        if not registered:
            return None
        last = registered[-1]
        agent, department = holder_at(_upto(upto, last), last.at)
        agent = agent or _agent_actor(last)
        note = f"registered the result at v{last.version}"
    elif to == "agent":
        value = getattr(event, "agent", None)
        agent = value if isinstance(value, str) else None
    else:  # attribute:<key>
        key = to.split(":", 1)[1]
        received = next((e for e in upto if isinstance(e, ComplaintReceived)), None)
        value = None if received is None else received.attributes.get(key)
        agent = value if isinstance(value, str) else None
    if agent is None and department is None:
        return None
    if isinstance(event, FaultAttributed) and event.reason:
        note = event.reason
    return Award(agent, department, rule.points, rule.id, note)


def _r(rule_id: str, event: str, points: int, to: str, description: str, **when: Any) -> PointRule:
    return PointRule(
        id=rule_id,
        event=event,
        points=points,
        to=to,
        description=description,
        when={k.replace("__", "."): v for k, v in when.items()},
    )


#: The built-in rule set (version ``ccms-2026.1``); see ``docs/scoring.md`` for the figures.
DEFAULT_RULES = RuleSet(
    version="ccms-2026.1",
    rules=(
        _r(
            "remedy_within_sla",
            "sla_status_changed",
            2,
            "handler",
            "resolution deadline met",
            status="met",
            target="resolution",
        ),
        _r(
            "happy_call_satisfied",
            "feedback_recorded",
            3,
            "result_registrant",
            "the customer was satisfied with the result",
            feedback__satisfied=True,
        ),
        _r(
            "praise_named",
            "received",
            5,
            "attribute:praised_agent",
            "a praise VOC names the employee",
            concerns__kind="praise",
        ),
        _r("training_taken", "training_taken", 2, "agent", "CS training completed"),
        _r(
            "prevention_completed",
            "prevention_completed",
            10,
            "agent",
            "a prevention action was completed",
        ),
        _r("idea_adopted", "idea_adopted", 20, "agent", "an improvement idea was adopted"),
        _r(
            "fault_upheld",
            "fault_attributed",
            -10,
            "agent",
            "an upheld complaint attributed to the employee",
            category=["handling", "process", "other"],
        ),
        _r(
            "rude_upheld",
            "fault_attributed",
            -15,
            "agent",
            "an upheld complaint about rude behaviour",
            category="attitude",
        ),
        _r(
            "sla_breached",
            "sla_status_changed",
            -5,
            "deadline_holder",
            "the resolution deadline passed in the employee's stage",
            status="breached",
            target="resolution",
        ),
        _r(
            "reopened_after_handling",
            "reopened",
            -3,
            "result_registrant",
            "reopened after the employee registered the result",
        ),
    ),
    limits=Limits(
        cap_good=50,
        expire_after_days=365,
        tiers=(
            Tier(name="commendation", at_least=30),
            Tier(name="benchmarking_trip", at_least=60),
        ),
        consequences=(Consequence(name="mandatory_training", at_most=-20),),
    ),
)
