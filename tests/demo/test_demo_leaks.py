"""A full demo run leaks no personal data: every customer contact detail (and resident number)
the demo stored is searched for, in every common format, in the logs (at DEBUG), stdout and
stderr of ``ccms demo`` and ``ccms report``, the report files, the pseudonymised exports and the
database dump outside the customer rows; none is found.

The store is the system of record: the customer rows hold the contact details in clear, and
only there (the test checks that they are there, so the search could find them).
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from ccms.cli import app
from ccms.interop.export import (
    EVENT_COLUMNS,
    export_complaints,
    export_events,
    write_csv,
    write_jsonl,
)
from ccms.model import Customer, find_personal
from ccms.store import SQLiteStore
from privacy_kit import variants

CONTACTS = 200
KEY = b"demo-analytics-key-0123456789abcdef"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        if record.exc_info:
            self.lines.append(logging.Formatter().formatException(record.exc_info))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run ``ccms demo`` and ``ccms report`` into a folder, with every log at DEBUG; the folder
    and what was printed and logged."""
    folder = tmp_path_factory.mktemp("demo-leaks")
    db = folder / "demo.db"
    handler = _Collect()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        runner = CliRunner()
        outputs = []
        for args in (
            ["demo", "--db", str(db), "--contacts", str(CONTACTS), "--seed", "11"],
            ["report", "--db", str(db), "--out", str(folder), "--format", "all"],
            ["report", "--db", str(db), "--out", str(folder / "all"), "--period", "all"],
        ):
            result = runner.invoke(app, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
            outputs.append(result.output)
            outputs.append(result.stderr or "")
        # A probe through the same capture: DEBUG records reach it (what third-party libraries
        # log at DEBUG depends on what the process loaded before, e.g. matplotlib's fonts).
        logging.getLogger("ccms.probe").debug("captured at DEBUG")
        with SQLiteStore(db) as store:
            write_csv(export_complaints(store, KEY), folder / "complaints.csv")
            write_jsonl(export_complaints(store, KEY), folder / "complaints.jsonl")
            write_csv(export_events(store, KEY), folder / "events.csv", EVENT_COLUMNS)
            write_jsonl(export_events(store, KEY), folder / "events.jsonl")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    return folder, "\n".join([*outputs, *handler.lines])


def _stored(db: Path) -> tuple[list[str], str, str]:
    """The personal values the demo stored (the customer rows' contact details, and any phone,
    e-mail or resident number inside stored texts), the dump of the customer rows and the dump
    of everything else."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        values: set[str] = set()
        for (body,) in conn.execute("SELECT body FROM customers"):
            row = json.loads(body)
            values.update(row[k] for k in ("name", "phone", "email") if row.get(k))
        for (body,) in conn.execute(
            "SELECT body FROM events UNION ALL SELECT body FROM complaints"
        ):
            text = json.loads(body)
            for span in find_personal(json.dumps(text, ensure_ascii=False)):
                values.add(json.dumps(text, ensure_ascii=False)[span.start : span.end])
        customers: list[str] = []
        rest: list[str] = []
        for line in conn.iterdump():
            (customers if line.startswith('INSERT INTO "customers"') else rest).append(line)
    finally:
        conn.close()
    return sorted(values), "\n".join(customers), "\n".join(rest)


def _forms(values: list[str]) -> list[str]:
    return sorted({v for value in values for v in variants(value)}, key=len, reverse=True)


def test_the_demo_stored_contact_details_in_the_customer_rows_only(
    demo_run: tuple[Path, str],
) -> None:
    folder, _ = demo_run
    values, customers, rest = _stored(folder / "demo.db")
    phones = [v for v in values if v.startswith("010")]
    emails = [v for v in values if "@" in v]
    assert len(phones) >= CONTACTS // 2  # the search has something to find
    assert len(emails) >= CONTACTS // 2
    assert all(v in customers for v in values)
    leaked = [v for v in _forms(values) if v in rest]
    assert leaked == []


def test_no_log_output_report_or_export_of_the_demo_holds_personal_data(
    demo_run: tuple[Path, str],
) -> None:
    folder, printed = demo_run
    values, _, _ = _stored(folder / "demo.db")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and ".db" not in p.name)
    names = {p.name for p in files}
    assert {"complaints.csv", "events.jsonl", "demo-report.md", "demo-report.html"} <= names
    assert any(n.endswith(".json") for n in names)
    texts = {"printed and logged": printed}
    texts.update({p.name: p.read_text(encoding="utf-8") for p in files})
    assert "ccms.probe DEBUG captured at DEBUG" in printed  # the logs were captured at DEBUG
    forms = _forms(values)
    leaks = {where: [v for v in forms if v in text] for where, text in texts.items()}
    assert {where: found for where, found in leaks.items() if found} == {}


def test_the_reprs_and_errors_of_what_the_demo_stored_hold_no_personal_data(
    demo_run: tuple[Path, str],
) -> None:
    folder, _ = demo_run
    values, _, _ = _stored(folder / "demo.db")
    shown: list[str] = []
    with SQLiteStore(folder / "demo.db", read_only=True) as store:
        for complaint in store.query():
            customer = store.get_customer(complaint.customer.id)
            shown += [repr(customer), str(customer), customer.model_dump_json()]
            shown += [repr(customer.view("front_line")), repr(customer.view("supervisor"))]
            shown += [repr(complaint), str(complaint)]
            shown += [repr(e) for e in store.events(complaint.id)]
            phone = customer.phone.reveal() if customer.phone else "010-0000-0000"
            try:
                Customer(id=customer.id, phone=phone * 30)
            except ValidationError as exc:
                shown.append(str(exc))
            else:  # pragma: no cover - the phone is too long
                pytest.fail("a 30-fold phone number was accepted")
    text = "\n".join(shown)
    assert [v for v in _forms(values) if v in text] == []
