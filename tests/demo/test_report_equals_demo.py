"""The demo, then ``ccms report`` on its database in a new process: every figure the demo prints
(codes, counts, improvement tasks, CS points) is the one in the report, read back from the store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ccms.demo import run


def test_the_report_of_a_new_process_shows_the_demos_figures(tmp_path: Path) -> None:
    db = tmp_path / "month.db"
    month = run(db, year=2026, month=10, contacts=200, seed=11)
    month.desk.store.close()
    out = tmp_path / "report"
    subprocess.run(
        [sys.executable, "-c", "from ccms.cli import main; main()", "report", "--db", str(db),
         "--period", "2026-10", "--format", "json", "-o", str(out)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    report = json.loads((out / "ccms-report-2026-10.json").read_text())
    summary, scoring = month.summary, month.scoring

    # codes and counts
    printed_codes = {key.split(" ", 1)[0]: n for key, n in summary.codes.items()}
    assert printed_codes == {r["key"]: r["count"] for r in report["issues"]["by_code_all_kinds"]}
    assert sum(summary.by_stage.values()) == report["volume"]["total"]
    assert dict(summary.by_channel) == {
        r["key"]: r["count"] for r in report["volume"]["by_channel"]
    }

    # improvement tasks: the same tasks, in the same stages, overdue alike
    tasks = sorted((t.title, t.stage) for t in scoring.board)
    assert tasks == sorted((r["title"], r["stage"]) for r in report["improvements"]["rows"])
    assert len(tasks) > 0
    overdue = len(scoring.board.overdue(scoring.now))
    assert overdue == report["improvements"]["on_time"]["overdue"]

    # CS points: entries, and the highest and lowest balances
    ledger = scoring.ledger
    points = report["points"]
    assert points["entries"] == len(ledger) > 0
    balances = list(ledger.balances(now=scoring.now).items())
    assert [(r["agent"], r["balance"]) for r in points["top"]] == balances[:3]
    shown_bottom = [kv for kv in balances[-3:] if kv not in balances[:3]]
    assert [(r["agent"], r["balance"]) for r in points["bottom"]] == shown_bottom

    # customer notices and remedy standards: the figures the demo prints
    notices = month.notices
    assert notices is not None
    shown = report["notices"]
    assert shown["total"]["requested"] == notices.total.requested > 0
    assert shown["total"]["delivered"] == notices.total.delivered
    assert shown["total"]["given_up"] == notices.total.given_up
    assert shown["total"]["pending"] == notices.total.pending
    assert {k: v["requested"] for k, v in shown["by_channel"].items()} == {
        k: c.requested for k, c in notices.by_channel.items()
    }
    assert shown["notify"]["notified"] == notices.notify.notified
    assert shown["notify"]["time"]["median"] == notices.notify.time.median
    assert shown["standards"]["below"] == notices.standards.below >= 1
    assert shown["standards"]["at"] == notices.standards.at
