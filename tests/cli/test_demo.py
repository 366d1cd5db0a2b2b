"""``ccms demo``: the month runs into SQLite, its summary shows SLA status, escalations, early
warnings and repeats, the same seed gives the same month, and sweeps are idempotent."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from ccms.cli import app
from ccms.cli.demo_output import run_demo
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
    simulate,
)
from ccms.model import CcCardOpened, EarlyWarningRaised, Flag
from ccms.store import SQLiteStore

CONTACTS = 12
SEED = 11


def _run(folder: Path) -> tuple[DemoRun, str]:
    out = io.StringIO()
    console = Console(file=out, width=200, color_system=None, record=False)
    result = run_demo(
        console,
        folder / "demo.db",
        year=2026,
        month=10,
        seed=SEED,
        contacts=CONTACTS,
        progress=False,
    )
    return result, out.getvalue().replace(str(folder), "<dir>")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoRun, str]]:
    result, text = _run(tmp_path_factory.mktemp("first"))
    yield result, text
    result.desk.store.close()


def test_the_month_is_stored_in_sqlite(demo: tuple[DemoRun, str]) -> None:
    result, _ = demo
    db = Path(result.desk.store.path)  # type: ignore[attr-defined]
    assert db.is_file()
    with SQLiteStore(db) as reopened:
        assert len(reopened) == CONTACTS + featured_contacts() == result.stats.contacts


def test_the_summary_has_every_section(demo: tuple[DemoRun, str]) -> None:
    _, text = demo
    for section in (
        "By stage",
        "SLA status at 2026-10-31 23:59",
        "first response",
        "resolution",
        "timely (CFPB, 15 days)",
        "Escalations by level",
        "Serious complaints: early warnings and CC Cards",
        "Repeats and code spikes",
        "the second recorded 0 events",
    ):
        assert section in text, section


def test_the_featured_cases_show_in_the_figures(demo: tuple[DemoRun, str]) -> None:
    summary = demo[0].summary
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


def test_the_burn_injury_raises_crisis_step_3_with_an_open_cc_card(
    demo: tuple[DemoRun, str],
) -> None:
    result, text = demo
    (cid,) = result.stats.featured_ids["burn injury"]
    complaint = result.desk.get(cid)
    assert complaint.crisis_step == 3
    assert complaint.cc_card == f"CC-{cid}"
    assert Flag.SAFETY in complaint.flags
    history = result.desk.history(cid)
    raised = [e for e in history if isinstance(e, EarlyWarningRaised)]
    assert [(e.step, e.rules, e.version) for e in raised] == [(3, ("injury_or_fire",), 1)]
    # Step 3 tells the department head and the executives; raised on receipt, before any
    # department is responsible, it reaches the executives
    assert {"ex-han", "ex-cho"} <= set(raised[0].notify)
    assert [e.card_id for e in history if isinstance(e, CcCardOpened)] == [f"CC-{cid}"]
    first = result.summary.crisis[0]
    assert (first.id, first.step, first.cc_card) == (cid, 3, "open")
    assert cid in text


def test_a_second_tick_at_the_same_moment_records_nothing(demo: tuple[DemoRun, str]) -> None:
    result, _ = demo
    desk = result.desk
    assert result.stats.resweep_events == 0
    assert desk.tick(result.clock.now()) == []
    later = result.clock.now() + timedelta(days=5)  # into November: deadlines pass
    result.clock.set(later)
    first = desk.tick(later)
    assert first, "five days on, some clock or ladder has something to say"
    assert desk.tick(later) == []
    assert desk.tick(later) == []


def test_the_same_seed_gives_the_same_summary(demo: tuple[DemoRun, str], tmp_path: Path) -> None:
    first, text = demo
    second, again = _run(tmp_path)
    try:
        assert again == text
        assert collect(second.desk, first.summary.now) == first.summary
        assert [c.id for c in second.desk.store.query()] == [c.id for c in first.desk.store.query()]
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


def test_the_cli_runs_the_demo(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    outcome = CliRunner().invoke(
        app, ["demo", "--db", str(db), "--contacts", "3", "--seed", "2", "--period", "2026-02"]
    )
    assert outcome.exit_code == 0, outcome.output
    assert db.is_file()
    assert "Serious complaints" in outcome.output
    bad = CliRunner().invoke(app, ["demo", "--db", str(db), "--period", "2026-13"])
    assert bad.exit_code != 0
