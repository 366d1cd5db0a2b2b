"""``ccms report --db`` opens the store read-only and refuses what is not a ccms store;
``ccms db upgrade --url`` runs the migrations of an SQLite file or a PostgreSQL schema."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ccms.cli import app
from ccms.cli.database import parse_url
from ccms.errors import InvalidInput
from ccms.store import SQLiteStore
from ccms.store.sqlite import SCHEMA_VERSION

runner = CliRunner()
DATA = Path(__file__).parent.parent / "interop" / "data"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def _foreign(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    conn.commit()
    conn.close()
    return path


def _text(path: Path) -> Path:
    path.write_text("date,amount\n2026-10-01,3\n", encoding="utf-8")
    return path


def _empty(path: Path) -> Path:
    sqlite3.connect(path).close()  # a zero-byte file: SQLite's empty database
    return path


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (_foreign, "other tables"),
        (_text, "not an SQLite database"),
        (_empty, "empty SQLite database"),
    ],
)
def test_report_refuses_a_file_that_is_not_a_ccms_store_and_leaves_it_alone(
    tmp_path: Path, make: object, why: str
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = make(folder / "other.db")  # type: ignore[operator]
    before, names = _digest(path), _siblings(path)
    result = runner.invoke(app, ["report", "--db", str(path), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1  # one line, however long
    assert text.startswith(f"error: {path} is not a ccms store")
    assert why in text
    assert "nothing was written" in text
    assert _digest(path) == before  # not one byte changed
    assert _siblings(path) == names  # no journal, WAL or shared-memory file beside it
    assert not (tmp_path / "out").exists()


def test_report_reads_a_ccms_store_without_changing_it(tmp_path: Path) -> None:
    db = tmp_path / "cfpb.db"
    done = runner.invoke(
        app,
        ["import", "cfpb", str(DATA / "cfpb_old.csv"), "--db", str(db), "--as-of", "2025-01-01"],
    )
    assert done.exit_code == 0, done.output
    before = _digest(db)
    result = runner.invoke(
        app, ["report", "--db", str(db), "--period", "all", "-f", "md", "-o", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert _digest(db) == before
    (md,) = tmp_path.glob("*.md")
    text = md.read_text(encoding="utf-8")
    assert "(America/New_York)" in text  # the store's zone, without --zone
    assert "Mortgage" in text  # the code names the import remembered
    # one timely figure, with its definition, and no 15-day line (no SLA table has it)
    assert text.count("timely response (source-reported)") == 1
    assert "within 15 days" not in text
    assert re.search(r"Timely response: \d+% \(\d+ of \d+\); source-reported", text)


def test_report_by_an_imported_field(tmp_path: Path) -> None:
    db = tmp_path / "cfpb.db"
    runner.invoke(
        app,
        ["import", "cfpb", str(DATA / "cfpb_sample.csv"), "--db", str(db), "--as-of",
         "2026-01-01"],
    )  # fmt: skip
    result = runner.invoke(
        app,
        ["report", "--db", str(db), "--period", "all", "-f", "md", "-o", str(tmp_path),
         "--fair-by", "state", "--fair-by", "company", "--min-n", "5"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (md,) = tmp_path.glob("*.md")
    text = " ".join(md.read_text(encoding="utf-8").split())
    assert "remedy\\_rate by state" in text or "remedy_rate by state" in text
    assert "by company" in text
    assert "by channel" not in text  # --fair-by replaces the default groups
    wrong = runner.invoke(app, ["report", "--db", str(db), "--fair-by", "county"])
    assert wrong.exit_code == 2
    assert "fairness_by field 'county' is neither" in " ".join(wrong.output.split())


def test_report_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no complaint store at" in " ".join(result.output.split())
    assert list(tmp_path.iterdir()) == []


# -- ccms db upgrade ---------------------------------------------------------------------------


def test_parse_url() -> None:
    assert parse_url("sqlite:///data/ccms.db").where == "data/ccms.db"
    assert parse_url("sqlite:////srv/ccms.db").where == "/srv/ccms.db"
    assert parse_url("postgres://u@h/db").kind == "postgresql"
    with pytest.raises(InvalidInput, match="cannot read store URL"):
        parse_url("mysql://u@h/db")
    with pytest.raises(InvalidInput, match="cannot read store URL"):
        parse_url("sqlite://")


def test_db_upgrade_creates_then_finds_an_sqlite_store(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    first = runner.invoke(app, ["db", "upgrade", "--url", str(path)])
    assert first.exit_code == 0, first.output
    assert f"created at schema version {SCHEMA_VERSION} (from 0)" in " ".join(first.output.split())
    again = runner.invoke(app, ["db", "upgrade", "--url", f"sqlite:///{path}"])
    assert again.exit_code == 0, again.output
    assert f"already at schema version {SCHEMA_VERSION}" in " ".join(again.output.split())
    with SQLiteStore(path, read_only=True) as store:
        assert len(store) == 0


def test_db_upgrade_refuses_a_foreign_sqlite_file(tmp_path: Path) -> None:
    path = _foreign(tmp_path / "notes.db")
    before = _digest(path)
    result = runner.invoke(app, ["db", "upgrade", "--url", str(path)])
    assert result.exit_code == 2
    assert "is not a ccms store" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert _digest(path) == before


def test_db_upgrade_of_a_postgresql_schema() -> None:
    psycopg = pytest.importorskip("psycopg", reason="the postgres extra is not installed")
    url = os.environ.get("CCMS_POSTGRES_URL")
    if not url:
        pytest.skip("no PostgreSQL server: set CCMS_POSTGRES_URL (scripts/postgres.sh start)")
    from ccms.store.postgres import SCHEMA_VERSION as PG_VERSION

    schema = f"t_cli_{uuid.uuid4().hex[:16]}"
    sep = "&" if "?" in url else "?"
    try:
        first = runner.invoke(app, ["db", "upgrade", "--url", f"{url}{sep}schema={schema}"])
        assert first.exit_code == 0, first.output
        out = " ".join(first.output.split())
        assert f"(schema {schema}): created at schema version {PG_VERSION} (from 0)" in out
        again = runner.invoke(app, ["db", "upgrade", "--url", f"{url}{sep}schema={schema}"])
        assert f"already at schema version {PG_VERSION}" in " ".join(again.output.split())
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
