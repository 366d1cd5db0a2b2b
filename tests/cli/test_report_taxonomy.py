"""``ccms report --taxonomy FILE``: the host's code names beside the codes, as they were at the
report's cut-off; a bad file is one clean line."""

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

TAXONOMY = """
[[codes]]
code = "DLV"
name = "배송"

[[codes]]
code = "DLV.LATE"
names = [
  { effective = 1970-01-01, name = "배송 지연" },
  { effective = 2026-11-01, name = "늦은 배송" },
]
"""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "tax.db"
    with SQLiteStore(path) as store:
        for n, (month, day) in enumerate(((10, 3), (10, 9), (11, 21)), start=1):
            concerns = [Concern(kind="complaint", code="DLV.LATE", text="text")]
            at = datetime(2026, month, day, 10, tzinfo=KST)
            e = received_event(f"c{n}", at, concerns=concerns)
            store.append(fold([e]), [e], expected_version=0)
    return path


@pytest.fixture(scope="module")
def taxonomy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tax") / "taxonomy.toml"
    path.write_text(TAXONOMY, encoding="utf-8")
    return path


def report(db: Path, *args: str) -> str:
    result = runner.invoke(app, ["report", "--db", str(db), "-f", "md", "-o", "-", *args])
    assert result.exit_code == 0, result.output
    return result.output.replace("\\>", ">")  # Markdown escapes the level separator


def test_the_taxonomy_names_the_codes_as_of_the_period(db: Path, taxonomy: Path) -> None:
    october = report(db, "--period", "2026-10", "--taxonomy", str(taxonomy))
    assert "배송 > 배송 지연" in october
    assert "늦은 배송" not in october  # renamed only from November
    november = report(db, "--period", "2026-11", "--taxonomy", str(taxonomy))
    assert "배송 > 늦은 배송" in november


def test_without_the_taxonomy_codes_stand_alone(db: Path) -> None:
    plain = report(db, "--period", "2026-10")
    assert "DLV.LATE" in plain
    assert "배송" not in plain


def test_a_bad_taxonomy_file_is_one_clean_line(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[codes]]\ncode = "dlv late"\nname = "x"\n', encoding="utf-8")
    result = runner.invoke(app, ["report", "--db", str(db), "--taxonomy", str(bad), "-o", "-",
                                 "-f", "md"])  # fmt: skip
    assert result.exit_code == 2
    assert "error:" in result.output
    assert "bad.toml" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["report", "--db", str(db), "--taxonomy",
                                  str(tmp_path / "none.toml"), "-o", "-", "-f", "md"])  # fmt: skip
    assert missing.exit_code == 2
    assert "none.toml" in missing.output
    assert "Traceback" not in missing.output
