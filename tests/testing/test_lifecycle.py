"""ComplaintLifecycleMachine: ccms' own workflow, stores and SLA pass it; broken ones are caught."""

from __future__ import annotations

import re
import sys
import types
import unittest
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from ccms.model import Actor, Complaint, DomainEvent, Organization
from ccms.policy import BusinessCalendar, SlaPolicy, SlaTable
from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore
from ccms.testing import ComplaintLifecycleMachine
from ccms.workflow import (
    Command,
    ResolvedTransition,
    StageSpec,
    TransitionSpec,
    Workflow,
    WorkflowDefinition,
    default_workflow,
)

#: Modest runs: the whole module stays within a few seconds under the ci profile.
QUICK = settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
#: To show that a broken set-up fails: enough runs to reach the fault, no shrinking needed.
HUNT = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    database=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
#: For a fault that needs a particular step (a valid command retried at a stale version).
HARD_HUNT = settings(HUNT, max_examples=300)


# --------------------------------------------------------------------------- ccms' own set-ups

TestDefaultWorkflowInMemory = ComplaintLifecycleMachine.TestCase
TestDefaultWorkflowInMemory.settings = QUICK


class SQLiteLifecycle(ComplaintLifecycleMachine):
    def make_store(self) -> ComplaintStore:
        return SQLiteStore(":memory:")


TestDefaultWorkflowOnSQLite = SQLiteLifecycle.TestCase
TestDefaultWorkflowOnSQLite.settings = QUICK


class SlaLifecycle(ComplaintLifecycleMachine):
    """Business-hour clocks on a Seoul calendar with a lunch break, swept on every command."""

    def make_sla_policy(self) -> SlaPolicy | None:
        calendar = BusinessCalendar(
            "Asia/Seoul",
            {"mon-fri": [("09:00", "12:00"), ("13:00", "18:00")]},
            holidays="KR",
        )
        table = SlaTable.from_mapping(
            {
                "version": "t1",
                "defaults": {"business": True},
                "rows": [
                    {"targets": {"first_response": "4h", "resolution": "3d"}},
                    {"severity": "critical", "targets": {"resolution": "8h"}},
                ],
            }
        )
        return SlaPolicy(table, calendars={"default": calendar})


TestDefaultWorkflowWithSla = SlaLifecycle.TestCase
TestDefaultWorkflowWithSla.settings = QUICK


TINY = Workflow(
    WorkflowDefinition(
        name="tiny",
        initial="open",
        stages=(
            StageSpec(name="open"),
            StageSpec(name="parked", paused=True),
            StageSpec(name="done", terminal=True, open=False),
        ),
        transitions=(
            TransitionSpec(trigger="park", source=("open",), dest="parked"),
            TransitionSpec(trigger="unpark", source=("parked",), dest="open"),
            TransitionSpec(trigger="finish", source=("open", "parked"), dest="done"),
            TransitionSpec(trigger="note", source=("*",), dest=None),
        ),
    )
)


class TinyLifecycle(ComplaintLifecycleMachine):
    workflow = TINY


TestCustomWorkflow = TinyLifecycle.TestCase
TestCustomWorkflow.settings = QUICK


def test_a_rule_is_made_for_each_trigger_of_the_workflow_given() -> None:
    for trigger in default_workflow().definition.triggers:
        assert callable(getattr(ComplaintLifecycleMachine, f"fire_{trigger}"))
    for trigger in ("park", "unpark", "finish", "note"):
        assert callable(getattr(TinyLifecycle, f"fire_{trigger}"))
    assert TinyLifecycle.fire_classify is None  # type: ignore[attr-defined]
    assert TinyLifecycle.fire_reopen is None  # type: ignore[attr-defined]


def test_the_workflow_must_be_compiled() -> None:
    with pytest.raises(TypeError, match=r"compiled ccms\.workflow\.Workflow"):

        class Wrong(ComplaintLifecycleMachine):
            workflow = TINY.definition  # type: ignore[assignment]


# --------------------------------------------------------------------------- broken set-ups


class ForgetfulStore(InMemoryStore):
    """Loses the latest event of a long history when it is read back."""

    def events(self, complaint_id: str) -> list[DomainEvent]:
        events = super().events(complaint_id)
        return events[:-1] if len(events) >= 4 else events


class ForgetfulLifecycle(ComplaintLifecycleMachine):
    def make_store(self) -> ComplaintStore:
        return ForgetfulStore()


def test_a_store_that_loses_events_is_caught() -> None:
    with pytest.raises(
        AssertionError, match=r"last event at version \d+, snapshot at|fold of its events differs"
    ):
        run_state_machine_as_test(ForgetfulLifecycle, settings=HUNT)


class LeakyWorkflow(Workflow):
    """Lets a withdrawn or rejected complaint be reopened: terminal stages are not final."""

    __slots__ = ()

    def allowed_triggers(self, stage: str) -> tuple[str, ...]:
        base = super().allowed_triggers(stage)
        if stage in self.definition.terminal_stages:
            return (*base, "reopen")
        return base

    def decide(
        self,
        complaint: Complaint,
        command: Command,
        *,
        actor: Actor,
        at: Any,
        organization: Organization | None = None,
        events: Sequence[DomainEvent] = (),
    ) -> ResolvedTransition:
        if complaint.stage in self.definition.terminal_stages and command.trigger_name == "reopen":
            return ResolvedTransition("reopen", complaint.stage, "handler_assigned", (), None)
        return super().decide(
            complaint, command, actor=actor, at=at, organization=organization, events=events
        )


class LeakyLifecycle(ComplaintLifecycleMachine):
    workflow = LeakyWorkflow(default_workflow().definition)


def test_a_workflow_that_leaves_terminal_stages_is_caught() -> None:
    with pytest.raises(AssertionError, match="left the terminal stage"):
        run_state_machine_as_test(LeakyLifecycle, settings=HUNT)


class SwallowingStore(InMemoryStore):
    """Accepts a stale write and records it (last write wins): the concurrency contract broken."""

    def append(self, complaint: Complaint, events: Any, *, expected_version: int, **kw: Any) -> Any:
        return super().append(complaint, events, expected_version=complaint.version - 1, **kw)


class StaleAcceptingLifecycle(ComplaintLifecycleMachine):
    """A Desk that forgets to check the version it was given, over a last-write-wins store."""

    def make_store(self) -> ComplaintStore:
        return SwallowingStore()

    def make_desk(self, store: ComplaintStore) -> Any:
        desk = super().make_desk(store)
        execute = desk.execute

        def no_version_check(complaint_id: str, command: Command, **options: Any) -> Complaint:
            options.pop("expected_version", None)
            return execute(complaint_id, command, **options)

        desk.execute = no_version_check  # type: ignore[method-assign]
        return desk


def test_a_stale_command_that_is_stored_is_caught() -> None:
    with pytest.raises(AssertionError, match="stale version"):
        run_state_machine_as_test(StaleAcceptingLifecycle, settings=HARD_HUNT)


class NegativeClockLifecycle(SlaLifecycle):
    """An SLA calendar that counts business time backwards."""

    def make_sla_policy(self) -> SlaPolicy | None:
        class Backwards:
            def add(self, start: Any, duration: timedelta) -> Any:
                return start + duration

            def between(self, start: Any, end: Any) -> timedelta:
                return start - end

        table = SlaTable.from_mapping(
            {
                "version": "t1",
                "rows": [{"targets": {"resolution": {"duration": "3d", "business": True}}}],
            }
        )
        return SlaPolicy(table, calendars={"default": Backwards()})


def test_a_negative_sla_clock_is_caught() -> None:
    with pytest.raises(AssertionError, match="SLA 'resolution'"):
        run_state_machine_as_test(NegativeClockLifecycle, settings=HUNT)


# --------------------------------------------------------------------------- the docs page

DOCS = Path(__file__).resolve().parents[2] / "docs" / "testing-integration.md"


def test_the_property_testing_page_runs() -> None:
    """Every ```python block of the page, run in order as one module, then its tests."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 6
    module = types.ModuleType("testing_integration_page")
    sys.modules[module.__name__] = module
    try:
        for block in blocks:
            exec(compile(block, str(DOCS), "exec"), module.__dict__)
        tests = [v for k, v in vars(module).items() if k.startswith("test_") and callable(v)]
        cases = [
            v
            for k, v in vars(module).items()
            if k.startswith("Test") and isinstance(v, type) and issubclass(v, unittest.TestCase)
        ]
        assert len(tests) >= 5
        assert len(cases) >= 2
        for test in tests:
            test()
        for case in cases:
            result = unittest.TestResult()
            case("runTest").run(result)
            assert result.wasSuccessful(), (case, result.failures, result.errors)
    finally:
        del sys.modules[module.__name__]
