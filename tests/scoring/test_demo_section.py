"""The demo's CS-points section on a small simulated month, read through the library (the CLI's
rendering of it is covered in tests/cli): the replayed ledger equals the live one."""

from __future__ import annotations

from pathlib import Path

from ccms.demo import build_desk, scoring_summary, simulate
from ccms.scoring import DEFAULT_RULES, ImprovementBoard, Ledger


def test_demo_section_on_a_small_month(tmp_path: Path) -> None:
    desk, clock = build_desk(tmp_path / "demo.db", year=2026, month=10)
    live = desk.subscribe(Ledger(DEFAULT_RULES))
    board = desk.subscribe(ImprovementBoard(due_in_days=10, owners={"PRD": ("rnd", "exec-kang")}))
    simulate(desk, clock, year=2026, month=10, contacts=20, seed=7)
    summary = scoring_summary(desk)
    assert isinstance(live, Ledger)
    assert isinstance(board, ImprovementBoard)
    assert len(live) > 0
    assert summary.ledger.entries == live.entries  # the replay equals the subscriber
    assert [t.codes for t in summary.board] == [t.codes for t in board]
    balances = summary.ledger.balances(now=summary.now)
    assert balances == live.balances(now=summary.now)
    assert sum(balances.values()) == sum(
        summary.ledger.explain(agent, now=summary.now).balance for agent in balances
    )
    bottom = list(balances)[-1]
    why = summary.ledger.explain(bottom, now=summary.now)
    assert (why.agent, why.balance) == (bottom, balances[bottom])
    assert str(why).startswith(f"{bottom}: {balances[bottom]:+d} points")
    if summary.verified is not None:
        assert summary.verified.stage == "verified"
        assert summary.verified.effect is not None
