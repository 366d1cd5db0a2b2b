"""The demo's CS-points section on a small simulated month: live ledger equals the replayed one."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from ccms.cli.demo_output import print_scoring
from ccms.demo import build_desk, scoring_summary, simulate
from ccms.scoring import DEFAULT_RULES, ImprovementBoard, Ledger


def test_demo_section_on_a_small_month(tmp_path: Path) -> None:
    desk, clock = build_desk(tmp_path / "demo.db", year=2026, month=10)
    live = desk.subscribe(Ledger(DEFAULT_RULES))
    board = desk.subscribe(ImprovementBoard(due_in_days=10, owners={"PRD": ("rnd", "exec-kang")}))
    simulate(desk, clock, year=2026, month=10, contacts=20, seed=7)
    console = Console(record=True, width=160)
    summary = scoring_summary(desk)
    print_scoring(console, summary)
    assert isinstance(live, Ledger)
    assert isinstance(board, ImprovementBoard)
    assert summary.ledger.entries == live.entries  # the replay equals the subscriber
    assert [t.codes for t in summary.board] == [t.codes for t in board]
    text = console.export_text()
    assert "CS points: top and bottom balances" in text
    assert "Responsibility-improvement tasks" in text
    assert f"{len(live)} ledger entries" in text
