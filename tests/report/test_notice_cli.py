"""``ccms report --lang ko|en`` shows the customer-notice section of an SQLite store: its figures,
and "no data" for a store whose complaints were never told anything."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccms.cli import app
from ccms.model import (
    Actor,
    Concern,
    DomainEvent,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    fold,
)
from ccms.store import SQLiteStore
from ccms.testing.store_contract import received_event

runner = CliRunner()
KST = timezone(timedelta(hours=9))


def _notice(cid: str, at: datetime, nid: str) -> NotificationRequested:
    return NotificationRequested(complaint_id=cid, version=1, at=at, actor=Actor.system(),
                                 notification_id=nid, template="receipt", cause="received",
                                 language="ko", channel="sms", recipient="K", subject="접수",
                                 body="접수되었습니다")  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "notices.db"
    with SQLiteStore(path) as store:
        for n, day in enumerate((3, 9), start=1):
            at = datetime(2026, 10, day, 10, tzinfo=KST)
            cid = f"c{n}"
            concerns = [Concern(kind="complaint", code="DLV.LATE", text="text")]
            first: list[DomainEvent] = [received_event(cid, at, concerns=concerns),
                                        _notice(cid, at, f"{cid}.1.receipt")]  # fmt: skip
            store.append(fold(first), first, expected_version=0)
            head = {"complaint_id": cid, "version": 2, "at": at + timedelta(minutes=5),
                    "actor": Actor.system(), "notification_id": f"{cid}.1.receipt"}  # fmt: skip
            report: DomainEvent = (
                NotificationDelivered(**head)
                if n == 1
                else NotificationFailed(**head, attempt=1, gave_up=True, retryable=False)
            )
            store.append(fold([*first, report]), [report], expected_version=1)
    return path


@pytest.fixture(scope="module")
def quiet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "quiet.db"
    with SQLiteStore(path) as store:
        e = received_event("q1", datetime(2026, 10, 5, 10, tzinfo=KST))
        store.append(fold([e]), [e], expected_version=0)
    return path


def test_korean_section_from_the_store(db: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), "--lang", "ko", "-f", "md", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "## 고객 안내 및 분쟁해결기준" in result.output
    assert "2026-10 고객 안내 요청 2건: 전달 1건, 발송 포기 1건" in result.output
    assert "| sms | 2 | 1 | 1 | 0 | 1 | 0 | 50% (2건 중 1건) |" in result.output
    assert "| 접수 안내 | 2 |" in result.output


def test_english_json_from_the_store(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), "-f", "json", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "ccms-report-2026-10.json").read_text(encoding="utf-8"))
    total = data["notices"]["total"]
    assert (total["requested"], total["delivered"], total["given_up"], total["pending"]) == (
        2, 1, 1, 0,
    )  # fmt: skip
    assert any(line.startswith("Notices: 2 requested") for line in data["highlights"])


@pytest.mark.parametrize(
    ("lang", "none"),
    [("ko", "2026-10에 요청된 고객 안내가 없습니다 (자료 없음)."),
     ("en", "No notice was requested in 2026-10 (no data).")],
)  # fmt: skip
def test_no_data_when_nothing_was_sent(quiet: Path, lang: str, none: str) -> None:
    result = runner.invoke(app, ["report", "--db", str(quiet), "--lang", lang, "-f", "md",
                                 "-o", "-"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert none in result.output
