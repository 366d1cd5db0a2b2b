"""A stateful test of a workflow, its policies and a store, driven through the Desk.

:class:`ComplaintLifecycleMachine` is a Hypothesis ``RuleBasedStateMachine`` with one rule per
trigger of the workflow it is given. It receives a few complaints, fires the triggers their stages
allow (with arguments the guards accept, and sometimes arguments they refuse), fires triggers the
stages do not allow, retries with a stale version, lets time pass and sweeps; after every step it
checks the invariants every correct set-up keeps:

* **terminal stages are final**: once in a terminal stage, a complaint never leaves it;
* **versions are contiguous**: the stored history starts at version 1, never skips one, and ends
  at the snapshot's version; each accepted command adds exactly one version;
* **the fold of the events is the snapshot** (:func:`ccms.model.fold`);
* **the Desk agrees with the workflow**: a command is stored iff ``Workflow.fire`` accepts it,
  and the stage is the one the workflow chose;
* **a failed command changes nothing**: the whole store (snapshots, histories, the event stream)
  is the same before and after a refused or stale command;
* **no SLA clock is negative** (with an SLA policy): elapsed and paused time never drop below
  zero and no clock starts after ``now``.

Subclass it with your own workflow, organization, taxonomy, policies and store::

    class MyLifecycle(ComplaintLifecycleMachine):
        workflow = Workflow(my_definition, guards=my_guards)

        def make_store(self):
            return MyStore(...)

        def make_sla_policy(self):
            return SlaPolicy(my_table, calendars={"default": my_calendar})

    TestMyLifecycle = MyLifecycle.TestCase
    TestMyLifecycle.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)

``docs/testing-integration.md`` has complete examples.
"""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from ccms.desk import Desk, ManualClock
from ccms.desk.service import Sweeper
from ccms.errors import CCMSError, ConcurrencyConflict
from ccms.model import (
    Agent,
    Authority,
    Complaint,
    Department,
    DomainEvent,
    Money,
    Organization,
    RemedyKind,
    Role,
    Taxonomy,
    fold,
)
from ccms.policy import SlaPolicy
from ccms.policy.sla import evaluate_sla
from ccms.store import ComplaintStore, InMemoryStore
from ccms.testing._strategies_lifecycle import _actor_for, _command
from ccms.testing.strategies import concerns, customer_refs
from ccms.workflow import Command, Workflow, default_workflow

__all__ = ["ComplaintLifecycleMachine", "default_organization", "default_taxonomy"]

_BROAD = Authority(remedies=frozenset(RemedyKind), max_amount=Money(amount="1000000"))


def default_organization() -> Organization:
    """Two departments; three active agents (one with the front line's narrow authority), one not.

    >>> [(a.id, a.department, a.active) for a in default_organization().agents]
    [('kim', 'cs', True), ('lee', 'cs', True), ('park', 'qa', True), ('choi', 'qa', False)]
    """
    return Organization(
        departments=(
            Department(id="cs", name="Customer service"),
            Department(id="qa", name="Quality"),
        ),
        agents=(
            Agent(id="kim", name="Kim", department="cs", authority=_BROAD),
            Agent(id="lee", name="Lee", department="cs", role=Role.FRONT_LINE),
            Agent(id="park", name="Park", department="qa", authority=_BROAD),
            Agent(id="choi", name="Choi", department="qa", active=False),
        ),
    )


def default_taxonomy() -> Taxonomy:
    """A small taxonomy in force from 2020: product (defect), delivery, service.

    >>> [c.code for c in default_taxonomy().codes]
    ['PRD', 'PRD.DEF', 'DLV', 'SVC']
    """
    start = date(2020, 1, 1)
    return (
        Taxonomy()
        .add("PRD", "Product", effective=start)
        .add("PRD.DEF", "Defect", effective=start)
        .add("DLV", "Delivery", effective=start)
        .add("SVC", "Service", effective=start)
    )


def _store_state(store: ComplaintStore) -> tuple[Any, ...]:
    """Everything a store holds, for before/after comparison."""
    complaints = store.query()
    return (
        tuple(complaints),
        tuple((c.id, tuple(store.events(c.id))) for c in complaints),
        tuple(store.stream()),
    )


def _rule_name(trigger: str) -> str:
    return "fire_" + re.sub(r"\W", "_", trigger)


def _trigger_rule(trigger: str) -> Callable[..., None]:
    def allowed(self: ComplaintLifecycleMachine) -> bool:
        return any(trigger in self._allowed(cid) for cid in self.ids)

    def fire(self: ComplaintLifecycleMachine, data: st.DataObject) -> None:
        ready = [cid for cid in self.ids if trigger in self._allowed(cid)]
        cid = data.draw(st.sampled_from(ready), label="complaint")
        self._fire(cid, trigger, data)

    fire.__name__ = fire.__qualname__ = _rule_name(trigger)
    return precondition(allowed)(rule(data=st.data())(fire))


class ComplaintLifecycleMachine(RuleBasedStateMachine):
    """A stateful test of a workflow, its policies and a store; see the module documentation.

    Class attributes to override: ``workflow`` (a compiled :class:`~ccms.workflow.Workflow`; a
    rule is made for each of its triggers), ``start`` (the clock's first reading),
    ``max_complaints``. Factory hooks to override: :meth:`make_store`,
    :meth:`make_organization`, :meth:`make_taxonomy`, :meth:`make_sla_policy`,
    :meth:`make_sweepers` and :meth:`make_desk`.
    """

    workflow: ClassVar[Workflow] = default_workflow()
    start: ClassVar[datetime] = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Seoul"))
    max_complaints: ClassVar[int] = 3

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _install_rules(cls)

    # -- factory hooks ---------------------------------------------------------------------------

    def make_store(self) -> ComplaintStore:
        """A fresh, empty store for one run (closed in :meth:`teardown`)."""
        return InMemoryStore()

    def make_organization(self) -> Organization:
        """The organization the guards judge by (default: :func:`default_organization`)."""
        return default_organization()

    def make_taxonomy(self) -> Taxonomy | None:
        """The VOC codes commands classify with (default: :func:`default_taxonomy`)."""
        return default_taxonomy()

    def make_sla_policy(self) -> SlaPolicy | None:
        """An SLA policy to sweep with and whose clocks are checked (default: none)."""
        return None

    def make_sweepers(self) -> Sequence[Sweeper]:
        """Other sweepers (escalation, early warning, ...) run with every command and tick."""
        return ()

    def make_desk(self, store: ComplaintStore) -> Desk:
        """The Desk under test, wired from the other hooks."""
        sweepers = [*self.make_sweepers()]
        if self.sla is not None:
            sweepers.append(self.sla)
        return Desk(
            store,
            workflow=self.workflow,
            organization=self.organization,
            taxonomy=self.taxonomy,
            clock=self.clock,
            sweepers=sweepers,
        )

    # -- state -----------------------------------------------------------------------------------

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(self.start)
        self.organization = self.make_organization()
        self.taxonomy = self.make_taxonomy()
        self.sla = self.make_sla_policy()
        self.store = self.make_store()
        self.desk = self.make_desk(self.store)
        self.ids: list[str] = []
        #: complaint id -> (version, stage) as the workflow said they must be
        self.expected: dict[str, tuple[int, str]] = {}
        self.terminal: dict[str, str] = {}

    def teardown(self) -> None:
        self.store.close()

    def _allowed(self, cid: str) -> tuple[str, ...]:
        return self.workflow.allowed_triggers(self.expected[cid][1])

    # -- rules -----------------------------------------------------------------------------------

    @initialize(data=st.data())
    def receive_first(self, data: st.DataObject) -> None:
        self._receive(data)

    @precondition(lambda self: len(self.ids) < self.max_complaints)
    @rule(data=st.data())
    def receive(self, data: st.DataObject) -> None:
        self._receive(data)

    def _receive(self, data: st.DataObject) -> None:
        items = data.draw(
            st.lists(concerns(classified=False), min_size=1, max_size=2), label="concerns"
        )
        cid = f"c{len(self.ids) + 1}"
        stored = self.desk.receive(
            channel="phone",
            customer=data.draw(customer_refs(), label="customer"),
            concerns=items,
            complaint_id=cid,
        )
        assert stored.version == 1, f"a received complaint is at version 1, got {stored.version}"
        assert stored.stage == self.workflow.definition.initial
        self.ids.append(cid)
        self.expected[cid] = (1, stored.stage)

    @rule(minutes=st.integers(1, 3 * 24 * 60))
    def pass_time(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @precondition(lambda self: bool(self.desk.sweepers))
    @rule()
    def tick(self) -> None:
        recorded = self.desk.tick()
        for cid in {e.complaint_id for e in recorded}:
            if cid in self.expected:
                version, stage = self.expected[cid]
                self.expected[cid] = (version + 1, stage)

    @rule(data=st.data())
    def refused_trigger(self, data: st.DataObject) -> None:
        """A trigger the complaint's stage does not allow is refused and changes nothing."""
        cid = data.draw(st.sampled_from(self.ids), label="complaint")
        stage = self.expected[cid][1]
        others = [t for t in self.workflow.definition.triggers if t not in self._allowed(cid)]
        if not others:
            return
        trigger = data.draw(st.sampled_from(others), label="trigger")
        complaint = self.store.get(cid)
        actor = _actor_for(data.draw, self.workflow, stage, trigger)
        command = _command(data.draw, trigger, complaint, self.organization, self.taxonomy)
        before = _store_state(self.store)
        try:
            self.desk.execute(cid, command, actor=actor)
        except CCMSError:
            pass
        else:
            raise AssertionError(
                f"{trigger!r} is not allowed from stage {stage!r}, yet complaint {cid} accepted it"
            )
        assert _store_state(self.store) == before, f"a refused {trigger!r} changed the store"

    @rule(data=st.data())
    def stale_command(self, data: st.DataObject) -> None:
        """A command sent with a version the complaint has moved past is refused, changing nothing."""
        cid = data.draw(st.sampled_from(self.ids), label="complaint")
        version, stage = self.expected[cid]
        triggers = self._allowed(cid)
        if version < 2 or not triggers:
            return
        trigger = data.draw(st.sampled_from(triggers), label="trigger")
        complaint = self.store.get(cid)
        actor = _actor_for(data.draw, self.workflow, stage, trigger)
        command = _command(data.draw, trigger, complaint, self.organization, self.taxonomy)
        before = _store_state(self.store)
        try:
            self.desk.execute(cid, command, actor=actor, expected_version=version - 1)
        except ConcurrencyConflict:
            pass
        except CCMSError:
            pass  # refused for another reason first (the command itself is not acceptable)
        else:
            raise AssertionError(
                f"complaint {cid} accepted a command at stale version {version - 1}"
            )
        assert _store_state(self.store) == before, "a stale command changed the store"

    def _fire(self, cid: str, trigger: str, data: st.DataObject) -> None:
        complaint = self.store.get(cid)
        history = self.store.events(cid)
        stage = complaint.stage
        actor = _actor_for(data.draw, self.workflow, stage, trigger)
        sloppy = data.draw(st.integers(0, 3), label="sloppy") == 0
        command: Command = _command(
            data.draw, trigger, complaint, self.organization, self.taxonomy, sloppy=sloppy
        )
        now = self.clock.now()
        try:
            fired = self.workflow.fire(
                complaint,
                command,
                actor=actor,
                at=now,
                organization=self.organization,
                events=history,
            )
        except CCMSError as exc:
            refusal: CCMSError | None = exc
        else:
            refusal = None
        before = _store_state(self.store) if refusal is not None else None
        failure: CCMSError | None = None
        try:
            stored = self.desk.execute(cid, command, actor=actor)
        except CCMSError as exc:
            failure = exc
        if failure is not None:
            assert refusal is not None, (
                f"the workflow accepts {command!r} on complaint {cid} in stage {stage!r}, but the "
                f"Desk refused it: {failure}"
            )
            assert _store_state(self.store) == before, f"a refused {trigger!r} changed the store"
            return
        assert refusal is None, (
            f"the workflow refuses {command!r} on complaint {cid} in stage {stage!r} "
            f"({refusal}), but the Desk stored it"
        )
        assert stored.version == complaint.version + 1, (
            f"{trigger!r} took complaint {cid} from version {complaint.version} to {stored.version}"
        )
        self.expected[cid] = (complaint.version + 1, fired.complaint.stage)

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def histories_are_sound(self) -> None:
        terminal = self.workflow.definition.terminal_stages
        now = self.clock.now()
        for cid in self.ids:
            snapshot = self.store.get(cid)
            events = self.store.events(cid)
            _check_versions(cid, snapshot, events)
            folded = fold(events)
            assert folded == snapshot, (
                f"complaint {cid}: the fold of its events differs from the snapshot"
            )
            version, stage = self.expected[cid]
            assert (snapshot.version, snapshot.stage) == (version, stage), (
                f"complaint {cid}: stored at version {snapshot.version} in {snapshot.stage!r}; "
                f"the workflow said version {version} in {stage!r}"
            )
            was = self.terminal.get(cid)
            assert was is None or snapshot.stage == was, (
                f"complaint {cid} left the terminal stage {was!r} for {snapshot.stage!r}"
            )
            if snapshot.stage in terminal:
                self.terminal[cid] = snapshot.stage
            if self.sla is not None:
                _check_sla(cid, self.sla, snapshot, events, now)


def _check_versions(cid: str, snapshot: Complaint, events: Sequence[DomainEvent]) -> None:
    versions = [e.version for e in events]
    assert versions, f"complaint {cid} has no events"
    assert versions[0] == 1, f"complaint {cid}: its history starts at version {versions[0]}"
    gaps = [(a, b) for a, b in pairwise(versions) if b - a not in (0, 1)]
    assert not gaps, f"complaint {cid}: versions are not contiguous: {gaps}"
    assert versions[-1] == snapshot.version, (
        f"complaint {cid}: last event at version {versions[-1]}, snapshot at {snapshot.version}"
    )


def _check_sla(
    cid: str, policy: SlaPolicy, snapshot: Complaint, events: Sequence[DomainEvent], now: datetime
) -> None:
    states = evaluate_sla(snapshot, events, now, policy.table, policy.calendars)
    for name, state in states.items():
        assert state.elapsed >= timedelta(0), (
            f"complaint {cid}: SLA {name!r} elapsed {state.elapsed}"
        )
        assert state.paused_total >= timedelta(0), (
            f"complaint {cid}: SLA {name!r} paused for {state.paused_total}"
        )
        assert state.started_at is None or state.started_at <= now, (
            f"complaint {cid}: SLA {name!r} starts at {state.started_at}, after now {now}"
        )


def _install_rules(cls: type[ComplaintLifecycleMachine]) -> None:
    """One rule per trigger of ``cls.workflow``; inherited rules of other triggers are removed."""
    workflow = cls.__dict__.get("workflow")
    if workflow is None:
        return
    if not isinstance(workflow, Workflow):
        raise TypeError(
            f"{cls.__name__}.workflow must be a compiled ccms.workflow.Workflow "
            f"(Workflow(definition)), got {workflow!r}"
        )
    wanted = {_rule_name(t): t for t in workflow.definition.triggers}
    for name in dir(cls):
        if name.startswith("fire_") and name not in wanted and callable(getattr(cls, name, None)):
            setattr(cls, name, None)
    for name, trigger in wanted.items():
        setattr(cls, name, _trigger_rule(trigger))


_install_rules(ComplaintLifecycleMachine)
