"""Scripted complaint histories for the SLA and escalation suites.

A :class:`Script` is a received complaint plus steps (an action and the minutes before it); it
is played into events along the default VOC stages, skipping actions that do not apply in the
current stage, and can let a sweeping policy append its events as it goes, the way the Desk does.

Private module; the public face is :mod:`ccms.testing.conformance`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import attrs
from hypothesis import strategies as st

from ccms.model import (
    Actor,
    Channel,
    Closed,
    Complaint,
    ComplaintReceived,
    Concern,
    CustomerNotified,
    CustomerRef,
    DomainEvent,
    Flag,
    FlagsChanged,
    HandlerAssigned,
    HandlingStarted,
    Organization,
    Reopened,
    Responded,
    Result,
    ResultRegistered,
    Resumed,
    Severity,
    Transferred,
    VocKind,
    WaitingOnCustomer,
    Withdrawn,
)
from ccms.policy.base import PolicyContext
from ccms.testing.conformance._common import T0, ZONES, after

__all__ = ["ACTIONS", "EPISODES", "Script", "ScriptStep", "play", "scripts"]

#: What a step may do (an action that does not fit the stage is skipped).
ACTIONS: Final = (
    "start",
    "assign",
    "wait",
    "resume",
    "respond",
    "result",
    "notify",
    "reopen",
    "supervisor",
    "close",
    "withdraw",
    "transfer",
)
#: Runs of actions where policies break (a pause and its resume, a wait the history ends in, a
#: reopen after a result or a close, a transfer between two assignments, a supervisor request):
#: scripts are built from these as often as from single actions.
EPISODES: Final[tuple[tuple[str, ...], ...]] = (
    ("start", "wait", "resume"),
    ("wait",),
    ("result", "notify", "close", "reopen"),
    ("result", "reopen"),
    ("assign", "transfer", "assign"),
    ("wait", "resume", "wait"),
    ("supervisor",),
    ("respond",),
)
_SYS = Actor.system()
_OPEN_WORK = ("received", "in_progress")


@attrs.frozen(slots=True)
class ScriptStep:
    """One step: ``minutes`` after the previous one, do ``action``; then sweep if ``sweep``."""

    action: str
    minutes: int
    sweep: bool = False

    def __repr__(self) -> str:
        return f"{self.action}@+{self.minutes}m{'+sweep' if self.sweep else ''}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints counterexamples with this (not field by field)."""
        printer.text(repr(self))


#: The old name of :class:`ScriptStep` (``ccms.testing.strategies`` has a step too).
Step = ScriptStep


@attrs.frozen(slots=True)
class Script:
    """A received complaint (kind, severity, channel, segment, zone) and the steps after it."""

    received_at: datetime
    kind: VocKind
    severity: Severity
    channel: Channel
    segment: str
    steps: tuple[ScriptStep, ...]

    def __repr__(self) -> str:
        return (
            f"Script({self.received_at.isoformat()} {self.kind.value}/{self.severity.value}/"
            f"{self.channel.value}/{self.segment}: {' '.join(map(repr, self.steps)) or '-'})"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints counterexamples with this (not field by field)."""
        printer.text(repr(self))


_GAPS: Final = st.one_of(
    st.integers(1, 600),  # minutes: the common case, and what shrinks best
    st.integers(1, 72).map(lambda h: 60 * h),  # whole hours: deadlines on opening and closing edges
    st.integers(1, 3 * 1440),
)


def _step(action: str) -> st.SearchStrategy[ScriptStep]:
    return st.builds(ScriptStep, st.just(action), _GAPS, st.booleans())


_SINGLE: Final = st.sampled_from(ACTIONS).flatmap(lambda a: _step(a).map(lambda s: [s]))
_EPISODE: Final = st.sampled_from(EPISODES).flatmap(
    lambda actions: st.tuples(*(_step(a) for a in actions)).map(list)
)


@st.composite
def scripts(
    draw: st.DrawFn,
    *,
    max_steps: int = 12,
    segments: Sequence[str] = ("general", "vip"),
    landmarks: Sequence[datetime] = (),
) -> Script:
    """Scripts of up to ``max_steps`` steps, 1 minute to 3 days apart, sweeping now and then.

    The steps come one at a time or as :data:`EPISODES` (pause and resume, reopen, transfer),
    half the histories end waiting on the customer, and the complaint is received at any minute
    of a week from :data:`T0`, at a whole hour, or up to three days before one of ``landmarks``
    (DST changes, holidays, short days: see :func:`landmarks`), so its clocks run across it.
    """
    where = draw(st.integers(0, 2 if landmarks else 1))
    if where == 0:
        received = (T0 + timedelta(minutes=draw(st.integers(0, 7 * 1440)))).astimezone(
            draw(st.sampled_from(ZONES))
        )
    elif where == 1:
        received = (T0 + timedelta(hours=draw(st.integers(0, 7 * 24)))).astimezone(
            draw(st.sampled_from(ZONES))
        )
    else:
        mark = draw(st.sampled_from(tuple(landmarks)))
        before = draw(st.one_of(st.integers(0, 72).map(lambda h: 60 * h), st.integers(0, 4320)))
        received = (mark.astimezone(UTC) - timedelta(minutes=before)).astimezone(mark.tzinfo)
    chunks = draw(st.lists(st.one_of(_SINGLE, _EPISODE), max_size=max_steps))
    steps = [step for chunk in chunks for step in chunk][:max_steps]
    if draw(st.booleans()):
        steps = [*steps[: max_steps - 1], draw(_step("wait"))]
    return Script(
        received_at=received,
        kind=draw(st.sampled_from(VocKind)),
        severity=draw(st.sampled_from(Severity)),
        channel=draw(st.sampled_from(Channel)),
        segment=draw(st.sampled_from(tuple(segments))),
        steps=tuple(steps),
    )


def _received(script: Script) -> ComplaintReceived:
    return ComplaintReceived(
        complaint_id="c1",
        version=1,
        at=script.received_at,
        actor=_SYS,
        trigger="receive",
        stage="received",
        received_at=script.received_at,
        channel=script.channel,
        customer=CustomerRef(id="C-1", segment=script.segment),
        concerns=(Concern(kind=script.kind, text="broken", severity=script.severity),),
    )


def _event(action: str, c: Complaint, at: datetime) -> DomainEvent | None:
    """The event of ``action`` for ``c`` at ``at``, or ``None`` if it does not fit the stage."""
    stamp: dict[str, Any] = {"complaint_id": c.id, "version": c.version + 1, "at": at}
    stamp["actor"] = _SYS
    stage = c.stage
    if stage in ("closed", "withdrawn"):
        return Reopened(stage="in_progress", **stamp) if action == "reopen" else None
    if action == "start" and stage == "received":
        return HandlingStarted(stage="in_progress", **stamp)
    if action == "assign":
        handler = "choi" if c.department == "billing" else "kim" if c.handler != "kim" else "lee"
        return HandlerAssigned(handler=handler, **stamp)
    if action == "wait" and stage in _OPEN_WORK:
        return WaitingOnCustomer(stage="waiting_on_customer", **stamp)
    if action == "resume" and stage == "waiting_on_customer":
        return Resumed(stage="in_progress", **stamp)
    if action == "respond":
        return Responded(channel=Channel.PHONE, **stamp)
    if action == "result" and stage in (*_OPEN_WORK, "waiting_on_customer"):
        return ResultRegistered(stage="result_registered", result=Result(remedy="none"), **stamp)
    if action == "notify" and stage == "result_registered":
        return CustomerNotified(channel=Channel.PHONE, **stamp)
    if action == "reopen" and stage == "result_registered":
        return Reopened(stage="in_progress", **stamp)
    if action == "supervisor" and Flag.SUPERVISOR_REQUESTED not in c.flags:
        return FlagsChanged(added=frozenset({Flag.SUPERVISOR_REQUESTED}), **stamp)
    if action == "close" and stage == "result_registered":
        return Closed(stage="closed", **stamp)
    if action == "withdraw":
        return Withdrawn(stage="withdrawn", **stamp)
    if action == "transfer":
        to = "billing" if c.department != "billing" else "cs"
        return Transferred(from_department=c.department, to_department=to, **stamp)
    return None


Sweep = Callable[[PolicyContext], Sequence[DomainEvent]]


def context(
    events: Sequence[DomainEvent], now: datetime, organization: Organization | None = None
) -> PolicyContext:
    """The context of a history at ``now`` (the complaint folded from ``events``)."""
    complaint: Complaint | None = None
    for event in events:
        complaint = event.apply(complaint)
    assert complaint is not None
    return PolicyContext(
        complaint=complaint,
        events=tuple(events),
        now=now,
        organization=organization or Organization(),
    )


def play(
    script: Script, sweep: Sweep | None = None, organization: Organization | None = None
) -> tuple[list[DomainEvent], datetime]:
    """The events of ``script`` (with the events ``sweep`` appended at the steps marked to
    sweep) and the time of the last step.

    >>> s = Script(T0, VocKind.COMPLAINT, Severity.LOW, Channel.WEB, "general",
    ...            (ScriptStep("start", 5), ScriptStep("wait", 60), ScriptStep("close", 1), ScriptStep("resume", 30)))
    >>> events, now = play(s)
    >>> [e.type for e in events], now - T0
    (['received', 'handling_started', 'waiting_on_customer', 'resumed'], datetime.timedelta(seconds=5760))
    """
    first = _received(script)
    events: list[DomainEvent] = [first]
    complaint = first.apply(None)
    now = script.received_at
    for step in script.steps:
        now = after(now, timedelta(minutes=step.minutes))
        event = _event(step.action, complaint, now)
        if event is not None:
            events.append(event)
            complaint = event.apply(complaint)
        if step.sweep and sweep is not None:
            ctx = PolicyContext(
                complaint=complaint,
                events=tuple(events),
                now=now,
                organization=organization or Organization(),
            )
            for proposed in sweep(ctx):
                events.append(proposed)
                complaint = proposed.apply(complaint)
    return events, now
