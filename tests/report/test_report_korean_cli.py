"""``ccms report --lang ko|en`` over a small SQLite store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccms.cli import app
from ccms.model import Concern, fold
from ccms.store import SQLiteStore
from ccms.testing.store_contract import received_event

runner = CliRunner()
KST = timezone(timedelta(hours=9))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "ko.db"
    with SQLiteStore(path) as store:
        for n, day in enumerate((3, 9, 21), start=1):
            concerns = [Concern(kind="complaint", code="DLV.LATE", text="text")]
            e = received_event(f"c{n}", datetime(2026, 10, day, 10, tzinfo=KST), concerns=concerns)
            store.append(fold([e]), [e], expected_version=0)
    return path


def test_lang_ko_writes_a_korean_report(db: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), "--lang", "ko", "-f", "md", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# 월간 VOC 보고서 2026-10")
    assert "## 접수 현황" in result.output
    assert "자료 없음" in result.output  # September holds no complaint
    assert "## Volume" not in result.output


def test_lang_ko_html_and_console(db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), "--lang", "ko", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "월간 VOC 보고서 2026-10" in result.output
    page = (tmp_path / "ccms-report-2026-10.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in page


def test_default_is_english_and_a_bad_language_is_one_clean_line(db: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(db), "-f", "md", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Monthly VOC report 2026-10")
    bad = runner.invoke(app, ["report", "--db", str(db), "--lang", "fr", "-f", "md", "-o", "-"])
    assert bad.exit_code == 2
    assert "fr" in bad.output
    assert "ko" in bad.output
