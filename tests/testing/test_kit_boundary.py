"""``BoundarySuite`` runs on the Desk: every invalid command is a typed error, nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import find

from ccms.demo.company import demo_calendar, demo_organization, demo_taxonomy
from ccms.desk import Desk, ManualClock
from ccms.errors import InvalidInput
from ccms.store import InMemoryStore, SQLiteStore
from ccms.testing.boundary import BoundarySuite, DeskBoundary
from ccms.testing.strategies import INVALID_VALUES, invalid_commands

T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)


class TestTheStandardDeskBoundary(BoundarySuite):
    """The whole engine (taxonomy, organization, calendar, every built-in policy) on both
    embedded stores."""

    @pytest.fixture(params=["memory", "sqlite"])
    def boundary(self, request: pytest.FixtureRequest) -> Any:
        store = InMemoryStore() if request.param == "memory" else SQLiteStore()
        desk = Desk.standard(
            store,
            organization=demo_organization(),
            taxonomy=demo_taxonomy(),
            calendar=demo_calendar(),
            clock=ManualClock(T0),
        )
        yield DeskBoundary(desk)
        store.close()


def test_every_kind_of_invalid_value_is_drawn() -> None:
    """Each kind of invalid value reaches some command (the strategy is not narrower than its
    table)."""
    for kind, values in INVALID_VALUES.items():
        for _value, why in values:
            found = find(invalid_commands(), lambda c, why=why: c.why == why)
            assert found.why == why, kind


def test_a_command_shows_the_invalid_argument_briefly() -> None:
    command = find(
        invalid_commands(names=["wait_on_customer"], fields=["0"]),
        lambda c: c.why == "huge string",
    )
    assert repr(command) == (
        "wait_on_customer(<complaint>, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...<100002 "
        "characters>)  # 0: huge string"
    )


def test_bad_filters_fail_when_the_strategy_is_built() -> None:
    with pytest.raises(InvalidInput, match="unknown command names"):
        invalid_commands(names=["launch"])
    with pytest.raises(InvalidInput, match="has a field in"):
        invalid_commands(names=["start"], fields=["channel"])


class Accepting:
    """A host wrapper that swallows errors and reports success: what the suite must catch."""

    def __init__(self, inner: DeskBoundary) -> None:
        self.inner = inner

    def submit(self, command: Any) -> Any:
        try:
            return self.inner.submit(command)
        except Exception:
            return {"ok": True}

    def state(self) -> Any:
        return self.inner.state()


def test_a_wrapper_swallowing_errors_is_caught() -> None:
    desk = Desk(InMemoryStore(), clock=ManualClock(T0))
    with pytest.raises(AssertionError, match="was accepted"):
        BoundarySuite().test_every_invalid_command_is_a_typed_error_and_changes_nothing(
            Accepting(DeskBoundary(desk, names=["start"]))
        )
