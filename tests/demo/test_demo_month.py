"""The demo month (:func:`ccms.demo.run`): it runs into SQLite, the featured cases show in its
figures, the same seed gives the same month, and sweeps are idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ccms.demo import (
    DemoRun,
    build_desk,
    collect,
    demo_calendar,
    demo_early_warning,
    demo_escalation,
    demo_repeats,
    demo_sla,
    featured_contacts,
    run,
    simulate,
)
from ccms.model import CcCardOpened, DepartmentAssigned, EarlyWarningRaised, Flag
from ccms.store import SQLiteStore

CONTACTS = 12
SEED = 11


def _run(folder: Path) -> DemoRun:
    return run(folder / "demo.db", year=2026, month=10, seed=SEED, contacts=CONTACTS)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    result = _run(tmp_path_factory.mktemp("first"))
    yield result
    result.desk.store.close()


def test_the_month_is_stored_in_sqlite(demo: DemoRun) -> None:
    db = Path(demo.desk.store.path)  # type: ignore[attr-defined]
    assert db.is_file()
    with SQLiteStore(db) as reopened:
        assert len(reopened) == CONTACTS + featured_contacts() == demo.stats.contacts


def test_the_featured_cases_show_in_the_figures(demo: DemoRun) -> None:
    summary = demo.summary
    resolution = summary.sla["resolution"]
    assert resolution["breached"] >= 1  # the stalled case at least
    assert resolution["met"] >= 1
    assert summary.sla["timely_response"]["met"] >= 1
    assert summary.sla_were_at_risk["resolution"] >= 1
    causes = {cause for counts in summary.escalations.values() for cause in counts}
    assert {"time", "supervisor request", "authority"} <= causes
    assert max(summary.escalation_levels) == 4  # the stalled case reaches the executives
    assert summary.repeats[("same_customer", "DLV.LATE")] >= 1
    assert summary.repeats[("code_spike", "PRD.DEF.ELEC")] >= 1
    steps = {case.step for case in summary.crisis}
    assert {1, 2, 3} <= steps
    # a CC Card from Step 2 (alert) on; Step 1 (watch) is logged only
    assert all((case.cc_card == "open") == (case.step >= 2) for case in summary.crisis)


def test_the_burn_injury_raises_crisis_step_3_with_an_open_cc_card(demo: DemoRun) -> None:
    (cid,) = demo.stats.featured_ids["burn injury"]
    complaint = demo.desk.get(cid)
    assert complaint.crisis_step == 3
    assert complaint.cc_card == f"CC-{cid}"
    assert Flag.SAFETY in complaint.flags
    history = demo.desk.history(cid)
    first, *relayed = [e for e in history if isinstance(e, EarlyWarningRaised)]
    assert (first.step, first.rules, first.version) == (3, ("injury_or_fire",), 1)
    # Step 3 tells the department head and the executives; raised on receipt, before any
    # department is responsible, it reaches the executives, and the department's head is told
    # (the same step, relayed) when the department is assigned
    assert {"ex-han", "ex-cho"} <= set(first.notify)
    assigned = next(e for e in history if isinstance(e, DepartmentAssigned))
    head = demo.desk.organization.department(assigned.department).head
    assert [(e.step, e.rules, e.version, e.notify) for e in relayed] == [
        (3, first.rules, assigned.version, (head,))
    ]
    assert [e.card_id for e in history if isinstance(e, CcCardOpened)] == [f"CC-{cid}"]
    first = demo.summary.crisis[0]
    assert (first.id, first.step, first.cc_card) == (cid, 3, "open")


def test_a_second_tick_at_the_same_moment_records_nothing(demo: DemoRun) -> None:
    desk = demo.desk
    assert demo.stats.resweep_events == 0
    assert desk.tick(demo.clock.now()) == []
    later = demo.clock.now() + timedelta(days=5)  # into November: deadlines pass
    demo.clock.set(later)
    first = desk.tick(later)
    assert first, "five days on, some clock or ladder has something to say"
    assert desk.tick(later) == []
    assert desk.tick(later) == []


def test_the_same_seed_gives_the_same_summary(demo: DemoRun, tmp_path: Path) -> None:
    second = _run(tmp_path)
    try:
        assert second.stats == demo.stats
        assert second.summary == demo.summary
        assert collect(second.desk, demo.summary.now) == demo.summary
        assert [c.id for c in second.desk.store.query()] == [c.id for c in demo.desk.store.query()]
    finally:
        second.desk.store.close()


def test_throttled_sweeps_record_what_the_policies_record(tmp_path: Path) -> None:
    """The demo wraps the SLA and escalation sweepers to skip complaints with nothing due;
    the same month swept by the bare policies records exactly the same events."""
    histories = []
    for name, bare in (("wrapped", False), ("bare", True)):
        desk, clock = build_desk(tmp_path / f"{name}.db", year=2026, month=10)
        if bare:
            sla = demo_sla(demo_calendar())
            desk.sweepers = (sla, demo_early_warning(), demo_escalation(sla), demo_repeats())
        simulate(desk, clock, year=2026, month=10, contacts=2, seed=5)
        histories.append(
            [e.model_dump(mode="json") for c in desk.store.query() for e in desk.store.events(c.id)]
        )
        desk.store.close()
    wrapped, bare_events = histories
    assert len(wrapped) == len(bare_events)
    assert wrapped == bare_events
