"""Hypothesis strategies for whole complaint lifecycles: event histories, complaints made by
a workflow, and command scripts of valid and invalid commands.

Private module; the public face is :mod:`ccms.testing.strategies`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs
from hypothesis import strategies as st

from ccms.errors import CCMSError
from ccms.model import (
    Actor,
    Authority,
    Channel,
    Complaint,
    Concern,
    CustomerRef,
    DomainEvent,
    Feedback,
    Flag,
    Money,
    Organization,
    RemedyKind,
    Result,
    Role,
    Severity,
    Taxonomy,
    VocKind,
    fold,
)
from ccms.testing._strategies_args import (
    InvalidStrategyArgument,
    _choices,
    _Draw,
    _fail,
    _sample,
    _size,
)
from ccms.testing._strategies_values import (
    _AGENT_IDS,
    _DEPARTMENT_IDS,
    _SHORT,
    aware_datetimes,
    concerns,
    customer_refs,
    voc_codes,
)
from ccms.workflow import (
    AssignDepartment,
    AssignHandler,
    Classify,
    Close,
    CloseCcCard,
    Command,
    Escalate,
    Fire,
    Notify,
    Receive,
    RecordFeedback,
    RegisterResult,
    Reject,
    Reopen,
    Respond,
    Resume,
    SetFlags,
    Start,
    Transfer,
    WaitOnCustomer,
    Withdraw,
    Workflow,
    default_workflow,
)

__all__ = ["CommandScript", "CommandStep", "command_sequences", "complaints", "event_histories"]

# --------------------------------------------------------------------------- lifecycles

_GAP: Final = st.integers(0, 48 * 60).map(lambda m: timedelta(minutes=m))


@attrs.frozen(slots=True)
class CommandStep:
    """One generated command: who fires it and when, and whether the workflow accepted it.

    ``accepted`` is what :meth:`Workflow.fire <ccms.workflow.Workflow.fire>` answered when the
    sequence was generated (from the same starting complaint); a store or Desk in front of the
    workflow must agree.
    """

    command: Command
    actor: Actor
    at: datetime
    accepted: bool


#: The old name of :class:`CommandStep` (the conformance scripts have a step too).
Step = CommandStep


@attrs.frozen(slots=True)
class CommandScript:
    """A complaint to open and the commands to send it, valid and invalid mixed."""

    complaint_id: str
    receive: Receive
    steps: tuple[CommandStep, ...]

    def receive_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`ccms.desk.Desk.receive` that open this complaint."""
        r = self.receive
        return {
            "channel": r.channel,
            "customer": r.customer,
            "concerns": r.concerns,
            "received_at": r.received_at,
            "flags": r.flags,
            "tags": r.tags,
            "complaint_id": self.complaint_id,
        }


@attrs.frozen(slots=True)
class _Walk:
    workflow: Workflow
    organization: Organization | None
    taxonomy: Taxonomy | None
    max_commands: int
    triggers: frozenset[str] | None
    distance: Mapping[str, int] | None
    starts: st.SearchStrategy[datetime]
    receipts: st.SearchStrategy[tuple[Channel, CustomerRef, tuple[Concern, ...]]]

    def options(self, stage: str) -> list[str]:
        out = []
        for trigger in self.workflow.allowed_triggers(stage):
            if self.triggers is not None and trigger not in self.triggers:
                continue
            if self.distance is not None:
                rows = self.workflow.table[(stage, trigger)]
                if not any((r.dest or stage) in self.distance for r in rows):
                    continue
            out.append(trigger)
        return out

    def moving(self, stage: str, options: list[str]) -> list[str]:
        """Mostly the triggers that move the complaint on (to another, non-terminal stage).

        Without this bias a uniform choice ends most walks early (withdraw, reject) or in place
        (escalate, flag, respond), and reopenings after a whole handling cycle would be rare.
        """
        terminal = self.workflow.definition.terminal_stages
        moving = [
            t
            for t in options
            if any(
                r.dest is not None and r.dest != stage and r.dest not in terminal
                for r in self.workflow.table[(stage, t)]
            )
        ]
        return options if not moving or len(moving) == len(options) else moving

    def closer(self, stage: str) -> list[str]:
        """Triggers leading nearer an end stage, nearest first."""
        assert self.distance is not None
        here = self.distance.get(stage, 10**9)
        ranked = []
        for trigger in self.options(stage):
            best = min(
                self.distance.get(r.dest or stage, 10**9)
                for r in self.workflow.table[(stage, trigger)]
            )
            if best < here:
                ranked.append((best, trigger))
        return [t for _, t in sorted(ranked)]


def _actor_for(draw: _Draw, workflow: Workflow, stage: str, trigger: str) -> Actor:
    rows = workflow.table.get((stage, trigger), ())
    roles: set[str] = set()
    for row in rows:
        if row.roles is None:
            return Actor.system()
        roles |= row.roles
    if not roles or Role.SYSTEM.value in roles:
        return Actor.system()
    role = Role(draw(_sample(sorted(roles))))
    return Actor(id=f"{role.value}-desk", role=role)


def _departments_of(org: Organization | None) -> tuple[str, ...]:
    return (
        tuple(d.id for d in org.departments)
        if org is not None and org.departments
        else _DEPARTMENT_IDS[:3]
    )


def _command(
    draw: _Draw,
    trigger: str,
    complaint: Complaint,
    org: Organization | None,
    taxonomy: Taxonomy | None,
    *,
    sloppy: bool = False,
) -> Command:
    """A command for ``trigger`` that the default guards accept (unless ``sloppy``)."""
    depts = _departments_of(org)
    if trigger == "classify":
        n = len(complaint.concerns) + (
            draw(st.sampled_from((-1, 1))) if sloppy and len(complaint.concerns) > 1 else 0
        )
        try:
            codes = voc_codes(taxonomy, as_of=complaint.received_at.date())
        except InvalidStrategyArgument:  # nothing in force that day: any code will do
            codes = voc_codes()
        chosen = tuple(draw(codes) for _ in range(max(n, 1)))
        sev = draw(st.none() | st.tuples(*[_sample(tuple(Severity))] * len(chosen)))
        return Classify(codes=chosen, severities=sev)
    if trigger == "assign_department":
        return AssignDepartment(department=draw(_sample(depts)))
    if trigger == "assign_handler":
        pool: Sequence[str] = _AGENT_IDS[:3]
        if org is not None and org.agents:
            here = [a.id for a in org.agents if a.active and a.department == complaint.department]
            pool = here if here and not sloppy else [a.id for a in org.agents]
        return AssignHandler(handler=draw(_sample(pool)))
    if trigger == "start":
        return Start()
    if trigger == "resume":
        return Resume()
    if trigger == "wait_on_customer":
        return WaitOnCustomer(reason=draw(_SHORT))
    if trigger == "transfer":
        others = [d for d in depts if d != complaint.department]
        target = complaint.department if sloppy or not others else draw(_sample(others))
        return Transfer(to_department=target or depts[0], reason=draw(_SHORT))
    if trigger == "register_result":
        return RegisterResult(result=draw(_results(complaint, org, sloppy=sloppy)))
    if trigger == "notify":
        return Notify(channel=draw(_sample(tuple(Channel))))
    if trigger == "respond":
        return Respond(channel=draw(_sample(tuple(Channel))), note=draw(_SHORT))
    if trigger == "record_feedback":
        satisfied = draw(st.booleans())
        return RecordFeedback(
            feedback=Feedback(
                satisfied=satisfied,
                csat=draw(st.none() | st.integers(1, 5)),
                wants_reopen=not satisfied and draw(st.booleans()),
            )
        )
    if trigger == "reopen":
        return Reopen(reason=draw(_SHORT))
    if trigger == "close":
        return Close(reason=draw(_SHORT))
    if trigger == "withdraw":
        return Withdraw(reason=draw(_SHORT))
    if trigger == "reject":
        reason = draw(_sample(("out_of_scope", "duplicate", "abusive", "other")))
        return Reject(reason=reason, duplicate_of="C-0" if reason == "duplicate" else None)
    if trigger == "escalate":
        return Escalate(level=draw(st.integers(1, 3)), reason=draw(_SHORT))
    if trigger == "close_cc_card":
        return CloseCcCard(reason=draw(_SHORT))
    if trigger == "flag":
        return SetFlags(
            added=draw(st.frozensets(_sample(tuple(Flag)), max_size=2)),
            removed=draw(st.frozensets(_sample(tuple(Flag)), max_size=1)),
        )
    return Fire(name=trigger, note=draw(_SHORT))


@st.composite
def _results(
    draw: st.DrawFn, complaint: Complaint, org: Organization | None, *, sloppy: bool
) -> Result:
    authority: Authority | None = None
    if org is not None and complaint.handler is not None and org.has_agent(complaint.handler):
        authority = org.agent(complaint.handler).authority
    remedies = (
        sorted(authority.remedies) if authority is not None and not sloppy else list(RemedyKind)
    )
    if not remedies:
        remedies = [RemedyKind.NONE]
    remedy = RemedyKind(draw(_sample(remedies)))
    amount: Money | None = None
    if remedy.material and draw(st.booleans()):
        cap = Decimal(10**6)
        if authority is not None and not sloppy:
            cap = authority.max_amount.amount if authority.max_amount is not None else Decimal(0)
        amount = Money(
            amount=Decimal(draw(st.integers(0, int(cap) if cap < 10**6 else 10**6))), currency="KRW"
        )
    return Result(remedy=remedy, amount=amount, cause=draw(_SHORT), measures=draw(_SHORT))


def _fire(
    walk: _Walk,
    complaint: Complaint,
    command: Command,
    actor: Actor,
    at: datetime,
    events: Sequence[DomainEvent],
) -> tuple[Complaint, tuple[DomainEvent, ...]] | None:
    try:
        fired = walk.workflow.fire(
            complaint, command, actor=actor, at=at, organization=walk.organization, events=events
        )
    except CCMSError:
        return None
    return fired.complaint, fired.events


@st.composite
def _open(draw: st.DrawFn, walk: _Walk) -> tuple[str, Receive, Complaint, list[DomainEvent]]:
    at = draw(walk.starts)
    channel, customer, items = draw(walk.receipts)
    receive = Receive(channel=channel, customer=customer, concerns=items, received_at=at)
    complaint_id = draw(st.from_regex(r"c[0-9]{1,4}", fullmatch=True))
    fired = walk.workflow.receive(receive, complaint_id=complaint_id, actor=Actor.system(), at=at)
    return complaint_id, receive, fired.complaint, list(fired.events)


@st.composite
def _history(draw: st.DrawFn, walk: _Walk) -> list[DomainEvent]:
    _, _, complaint, events = draw(_open(walk))
    at = complaint.updated_at
    budget = draw(st.integers(0, walk.max_commands))
    done = tried = 0
    while done < budget and tried < 2 * budget + 4:
        tried += 1
        options = walk.options(complaint.stage)
        if not options:
            break
        if draw(st.integers(0, 4)) != 4:  # shrinks to 0: the plain, moving lifecycle
            options = walk.moving(complaint.stage, options)
        trigger = draw(_sample(options))
        at = at + draw(_GAP)
        actor = _actor_for(draw, walk.workflow, complaint.stage, trigger)
        command = _command(draw, trigger, complaint, walk.organization, walk.taxonomy)
        outcome = _fire(walk, complaint, command, actor, at, events)
        if outcome is None:
            continue
        complaint, new = outcome
        events.extend(new)
        done += 1
    if walk.distance is not None:
        for _ in range(4 * len(walk.workflow.definition.stages) + 4):
            if walk.distance.get(complaint.stage) == 0:
                break
            for trigger in walk.closer(complaint.stage):
                at = at + draw(_GAP.map(lambda g: g / 48))  # short gaps: stay inside windows
                actor = _actor_for(draw, walk.workflow, complaint.stage, trigger)
                command = _command(draw, trigger, complaint, walk.organization, walk.taxonomy)
                outcome = _fire(walk, complaint, command, actor, at, events)
                if outcome is not None:
                    complaint, new = outcome
                    events.extend(new)
                    break
        if walk.distance.get(complaint.stage) != 0:
            from hypothesis import reject

            reject()
    return events


def _distances(
    workflow: Workflow, ends: Collection[str], triggers: frozenset[str] | None
) -> dict[str, int]:
    """Stages from which an end stage is reachable, with the number of commands needed."""
    back: dict[str, set[str]] = {}
    for (stage, trigger), rows in workflow.table.items():
        if triggers is not None and trigger not in triggers:
            continue
        for row in rows:
            if row.dest is not None:
                back.setdefault(row.dest, set()).add(stage)
    dist = dict.fromkeys(ends, 0)
    queue = deque(ends)
    while queue:
        here = queue.popleft()
        for before in back.get(here, ()):
            if before not in dist:
                dist[before] = dist[here] + 1
                queue.append(before)
    return dist


def _walk(
    where: str,
    workflow: Workflow | None,
    organization: Organization | None,
    taxonomy: Taxonomy | None,
    max_commands: int,
    triggers: Iterable[str] | None,
    stages: Iterable[str] | None,
    starts: st.SearchStrategy[datetime] | None,
    channels: Iterable[Channel | str] | None = None,
    kinds: Iterable[VocKind | str] | None = None,
    max_concerns: int = 3,
) -> _Walk:
    wf = default_workflow() if workflow is None else workflow
    if not isinstance(wf, Workflow):
        raise _fail(f"{where}(workflow=...)", "give a compiled ccms.workflow.Workflow", workflow)
    if organization is not None and not isinstance(organization, Organization):
        raise _fail(
            f"{where}(organization=...)", "give a ccms.model.Organization or None", organization
        )
    if taxonomy is not None and (not isinstance(taxonomy, Taxonomy) or not len(taxonomy)):
        raise _fail(
            f"{where}(taxonomy=...)", "give a non-empty ccms.model.Taxonomy or None", taxonomy
        )
    _size(f"{where}(max_commands=...)", 0, max_commands)
    _size(f"{where}(max_concerns=...)", 1, max_concerns, floor=1)
    if max_concerns > 20:
        raise _fail(
            f"{where}(max_concerns=...)", "a complaint holds at most 20 concerns", max_concerns
        )
    known = wf.definition.triggers

    def trigger(value: object) -> str:
        if value not in known:
            raise ValueError(value)
        return str(value)

    names = [s.name for s in wf.definition.stages]

    def stage(value: object) -> str:
        if value not in names:
            raise ValueError(value)
        return str(value)

    chosen = _choices(
        f"{where}(triggers=...)", triggers, trigger, f"the workflow's triggers {list(known)}"
    )
    allowed = frozenset(chosen) if chosen is not None else None
    ends = _choices(f"{where}(stages=...)", stages, stage, f"the workflow's stages {names}")
    distance = None
    if ends is not None:
        distance = _distances(wf, ends, allowed)
        if wf.definition.initial not in distance:
            raise _fail(
                f"{where}(stages=...)",
                f"no stage of {list(ends)} can be reached from {wf.definition.initial!r} with the "
                "triggers allowed",
                stages,
            )
    ch = _choices(f"{where}(channels=...)", channels, Channel, "Channel values")
    receipts = st.tuples(
        _sample(ch or (Channel.PHONE, *[c for c in Channel if c is not Channel.PHONE])),
        customer_refs(),
        st.lists(concerns(kinds=kinds, classified=False), min_size=1, max_size=max_concerns).map(
            tuple
        ),
    )
    if starts is None:
        starts = aware_datetimes(
            min_value=datetime(2024, 1, 1, tzinfo=UTC), max_value=datetime(2028, 12, 31, tzinfo=UTC)
        )
    elif not isinstance(starts, st.SearchStrategy):
        raise _fail(
            f"{where}(starts=...)", "give a strategy of aware datetimes (aware_datetimes())", starts
        )
    return _Walk(wf, organization, taxonomy, max_commands, allowed, distance, starts, receipts)


def event_histories(
    workflow: Workflow | None = None,
    *,
    organization: Organization | None = None,
    taxonomy: Taxonomy | None = None,
    max_commands: int = 12,
    triggers: Iterable[str] | None = None,
    stages: Iterable[str] | None = None,
    starts: st.SearchStrategy[datetime] | None = None,
    channels: Iterable[Channel | str] | None = None,
    kinds: Iterable[VocKind | str] | None = None,
) -> st.SearchStrategy[list[DomainEvent]]:
    """Valid event histories of one complaint, made by firing ``workflow`` (default: ccms' own).

    The complaint is received, then up to ``max_commands`` commands are fired, each chosen among
    the triggers the current stage allows (:meth:`Workflow.allowed_triggers`), with arguments the
    guards accept when ``organization`` says who may do what; a command a guard still refuses is
    skipped. So every history folds (:func:`ccms.model.fold`) and reaches reopenings, transfers,
    waits on the customer, escalations and terminal stages as the workflow allows. Time moves
    forward by up to two days a command. ``triggers`` limits the triggers used; ``stages`` makes
    every history end in one of those stages. Shrinks to the single ``received`` event.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(event_histories(stages=["closed"]))
    ... def check(events):
    ...     assert (events[0].type, events[-1].stage) == ("received", "closed")
    >>> check()
    """
    walk = _walk(
        "event_histories",
        workflow,
        organization,
        taxonomy,
        max_commands,
        triggers,
        stages,
        starts,
        channels,
        kinds,
    )
    return _history(walk)


def complaints(
    workflow: Workflow | None = None,
    *,
    organization: Organization | None = None,
    taxonomy: Taxonomy | None = None,
    stages: Iterable[str] | None = None,
    channels: Iterable[Channel | str] | None = None,
    kinds: Iterable[VocKind | str] | None = None,
    max_commands: int = 12,
) -> st.SearchStrategy[Complaint]:
    """Complaints as the workflow makes them: the fold of an :func:`event_histories` history.

    Every field is consistent (stage reachable, counters, timestamps in order, version equal to
    the number of commands); ``stages`` asks for complaints in those stages.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(complaints(stages=["waiting_on_customer"]))
    ... def check(complaint):
    ...     assert complaint.stage == "waiting_on_customer"
    >>> check()
    """
    walk = _walk(
        "complaints",
        workflow,
        organization,
        taxonomy,
        max_commands,
        None,
        stages,
        None,
        channels,
        kinds,
    )
    return _history(walk).map(fold)


@st.composite
def _script(draw: st.DrawFn, walk: _Walk, size: tuple[int, int]) -> CommandScript:
    complaint_id, receive, complaint, events = draw(_open(walk))
    at = complaint.updated_at
    steps: list[CommandStep] = []
    every = walk.workflow.definition.triggers
    for _ in range(draw(st.integers(*size))):
        at = at + draw(_GAP)
        mode = draw(st.integers(0, 2))  # 0: allowed trigger, 1: any trigger, 2: bad arguments
        options = walk.options(complaint.stage)
        trigger = draw(_sample(options)) if mode != 1 and options else draw(_sample(every))
        actor = _actor_for(draw, walk.workflow, complaint.stage, trigger)
        command = _command(
            draw, trigger, complaint, walk.organization, walk.taxonomy, sloppy=mode == 2
        )
        outcome = _fire(walk, complaint, command, actor, at, events)
        steps.append(CommandStep(command, actor, at, outcome is not None))
        if outcome is not None:
            complaint, new = outcome
            events.extend(new)
        at = complaint.updated_at if complaint.updated_at > at else at
    return CommandScript(complaint_id, receive, tuple(steps))


def command_sequences(
    workflow: Workflow | None = None,
    *,
    organization: Organization | None = None,
    taxonomy: Taxonomy | None = None,
    min_size: int = 0,
    max_size: int = 12,
    starts: st.SearchStrategy[datetime] | None = None,
) -> st.SearchStrategy[CommandScript]:
    """A complaint to open and a sequence of commands for it, valid and invalid mixed.

    About a third of the steps fire a trigger the stage allows with good arguments, a third any
    trigger of the workflow (often refused: not allowed from the stage), and a third an allowed
    trigger with arguments a guard or the command refuses (a transfer to the same department, a
    handler from elsewhere, a remedy over the handler's authority, a code count that does not
    match the concerns). Each :class:`CommandStep` says whether the workflow accepted it.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(command_sequences(min_size=3, max_size=3))
    ... def check(script):
    ...     assert len(script.steps) == 3
    ...     assert script.receive.received_at <= script.steps[0].at
    >>> check()
    """
    _size("command_sequences", min_size, max_size)
    walk = _walk("command_sequences", workflow, organization, taxonomy, 0, None, None, starts)
    return _script(walk, (min_size, max_size))
