"""On the demo month: erasing customers and applying retention leaves the monthly report (every
KPI, fairness figure, CS point, task and idea it shows, as its JSON) exactly as it was, and the
projections (the CS-point ledger, the task board) still catch up."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ccms.demo import demo_calendar, run
from ccms.desk import ExecutionRecords, apply_retention, erase_customer
from ccms.policy.retention import RetentionPolicy
from ccms.report import render_json, report_from_store


def _report(store: object, as_of: object) -> str:
    inputs = ExecutionRecords(store, read_only=True).report_inputs()  # type: ignore[arg-type]
    built = report_from_store(
        store,  # type: ignore[arg-type]
        period="2026-10",
        as_of=as_of,  # type: ignore[arg-type]
        zone="Asia/Seoul",
        calendar=demo_calendar(),
        **inputs,
    )
    return render_json(built)


def test_erasure_and_retention_keep_the_demo_report(tmp_path: Path) -> None:
    month = run(tmp_path / "demo.db", year=2026, month=10, seed=5, contacts=60)
    store = month.desk.store
    try:
        as_of = month.clock.now()
        before = _report(store, as_of)
        customers = sorted({c.customer.id for c in store.query()})
        erased = customers[::4]
        for cid in erased:
            assert erase_customer(store, cid, at=as_of).customer_erased
        retained = apply_retention(store, RetentionPolicy(days=1), now=as_of + timedelta(days=30))
        assert retained.complaints  # some of the month's complaints were closed
        ExecutionRecords(store).catch_up()  # the projections read the new events
        assert _report(store, as_of) == before
        for cid in erased:
            assert store.get_customer(cid).phone is None
    finally:
        store.close()
