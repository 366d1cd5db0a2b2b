"""The command's conventions: ``--version``, ``python -m ccms``, ``-o -`` for stdout, output
that is not wrapped when piped, and a help that says what ``--contacts`` counts."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ccms
from ccms.cli import app
from ccms.cli._console import UNWRAPPED, make_console

runner = CliRunner()


def test_version() -> None:
    done = runner.invoke(app, ["--version"])
    assert done.exit_code == 0
    assert done.stdout.strip() == f"ccms {ccms.__version__}"


def test_python_dash_m_ccms() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ccms", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ccms {ccms.__version__}"


def test_schema_to_stdout_is_one_json_object(tmp_path: Path) -> None:
    done = runner.invoke(app, ["schema", "-o", "-"])
    assert done.exit_code == 0, done.output
    schemas = json.loads(done.stdout)
    assert {"Complaint", "Customer"} <= set(schemas)
    assert not (Path.cwd() / "-").exists()
    written = runner.invoke(app, ["schema", "-o", str(tmp_path / "s")])
    assert written.exit_code == 0
    on_disk = json.loads((tmp_path / "s" / "Complaint.json").read_text(encoding="utf-8"))
    assert on_disk == schemas["Complaint"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    done = runner.invoke(app, ["demo", "--db", str(db), "--contacts", "5", "--seed", "3"])
    assert done.exit_code == 0, done.output
    return db


def test_report_to_stdout_prints_the_file_it_would_write(store: Path, tmp_path: Path) -> None:
    printed = runner.invoke(app, ["report", "--db", str(store), "-f", "json", "-o", "-"])
    assert printed.exit_code == 0, printed.output
    written = runner.invoke(app, ["report", "--db", str(store), "-f", "json", "-o", str(tmp_path)])
    assert written.exit_code == 0, written.output
    (path,) = tmp_path.glob("ccms-report-*.json")
    assert json.loads(printed.stdout) == json.loads(path.read_text(encoding="utf-8"))


def test_report_to_stdout_takes_one_format(store: Path) -> None:
    done = runner.invoke(app, ["report", "--db", str(store), "-f", "both", "-o", "-"])
    assert done.exit_code == 2
    assert "one format" in done.output


def test_a_piped_console_does_not_wrap() -> None:
    out = io.StringIO()
    console = make_console(out)
    assert console.width == UNWRAPPED
    line = "complaint " + "-".join(["01JC8Z3M4Q5R6S7T8V9W0XYZAB"] * 6)
    console.print(line, highlight=False)
    assert out.getvalue() == line + "\n"


def test_the_demo_help_says_what_contacts_counts() -> None:
    done = runner.invoke(app, ["demo", "--help"], terminal_width=200)
    assert "featured cases" in done.stdout


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["report", "-f", "xyz"], "md, html, json, both, all"),
        (["workflow", "-f", "png"], "mermaid, dot"),
    ],
)
def test_a_bad_choice_is_one_clean_line(args: list[str], allowed: str) -> None:
    done = runner.invoke(app, args, terminal_width=200)
    assert done.exit_code == 2
    text = " ".join(done.output.replace("│", " ").split())  # rich boxes the error at 80 columns
    assert f"is not one of: {allowed}" in text
    assert "Value error" not in text
