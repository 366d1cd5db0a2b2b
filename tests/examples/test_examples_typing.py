"""Code written the way the docs write it passes ``mypy --strict``, and the tutorial's module does
what the tutorial page shows."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "tutorial"))

import tutorial  # noqa: E402
from ccms.desk import ManualClock  # noqa: E402
from ccms.errors import GuardRejected  # noqa: E402
from ccms.model import Concern, CustomerRef  # noqa: E402


def clock() -> ManualClock:
    return ManualClock(datetime(2026, 10, 12, 9, 30, tzinfo=tutorial.SEOUL))


def test_the_tutorial_module_runs_as_the_page_says() -> None:
    t = clock()
    desk = tutorial.build_desk(t)
    closed = tutorial.handle_one(desk, t)
    assert (closed.stage, closed.version, closed.handler) == ("closed", 10, "han")
    report = tutorial.monthly_report(desk)
    assert report.title == "Monthly VOC report 2026-10"
    assert report.volume.total == 1


def test_the_tutorial_workflow_and_router() -> None:
    t = clock()
    strict = tutorial.build_desk(t, workflow=tutorial.strict_workflow())
    c = strict.receive(
        channel="phone",
        customer=CustomerRef(id="C-3"),
        concerns=[Concern(kind="complaint", text="the lid does not fit")],
    )
    c = strict.classify(c.id, ["PRD.DEF"])
    with pytest.raises(GuardRejected, match="cause_named"):
        strict.register_result(c.id, {"remedy": "apology"})
    assert strict.get(c.id).version == c.version  # refused: nothing written

    routed = tutorial.routed_desk(t)
    p = routed.receive(
        channel="press",
        customer=CustomerRef(id="C-4"),
        concerns=[Concern(kind="complaint", text="a reporter asks")],
    )
    p = routed.assign_department(routed.classify(p.id, ["PRD.DEF"]).id)
    assert p.department == "cs"
    q = routed.receive(
        channel="web",
        customer=CustomerRef(id="C-5"),
        concerns=[Concern(kind="complaint", text="broken")],
    )
    q = routed.assign_department(routed.classify(q.id, ["PRD.DEF"]).id)
    assert q.department == "qa"  # the router abstained; the taxonomy's default decided


def test_host_code_passes_mypy_strict() -> None:
    pytest.importorskip("mypy")
    pytest.importorskip("fastapi")
    # the project's configuration (pyproject.toml: strict, the pydantic plugin) and its cache,
    # which `make lint` shares
    checked = [
        ROOT / "examples" / "tutorial",
        ROOT / "examples" / "fastapi_host" / "ccms_fastapi_host",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *map(str, checked)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success: no issues found" in run.stdout
