"""The pytest plugin end to end, in fresh pytest processes: the marker, the missing-fixture
message, the "20 lines" of docs/testing-policies.md, and the example package
``examples/ccms_custom_policies`` (its suites pass, its wrong variants fail).

The example package is not installed: like ``tests/policy/test_policy_registry.py`` does, a
``*.dist-info`` folder declaring its entry points (read from its ``pyproject.toml``) is put on
``PYTHONPATH`` with its ``src``, which is what ``pip install`` would give ``importlib.metadata``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ccms_custom_policies"
DOCS = ROOT / "docs" / "testing-policies.md"


def run_pytest(
    cwd: Path, *args: str, path: tuple[Path, ...] = (), **environ: str
) -> tuple[int, str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **environ)
    env["PYTHONPATH"] = os.pathsep.join(map(str, (*path, env.get("PYTHONPATH", ""))))
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def counts(output: str) -> dict[str, int]:
    last = output.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", last)}


def fake_install(site: Path) -> Path:
    """A dist-info for the example package with the entry points its pyproject declares."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dist = site / "ccms_custom_policies-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    lines = [
        f"{name} = {target}" for name, target in project["entry-points"]["ccms.policies"].items()
    ]
    (dist / "entry_points.txt").write_text(
        "[ccms.policies]\n" + "\n".join(lines) + "\n", encoding="utf-8"
    )
    return site


def test_the_example_package_passes_and_its_wrong_variants_fail(tmp_path: Path) -> None:
    code, out = run_pytest(
        EXAMPLE,
        "-p",
        "no:benchmark",
        path=(fake_install(tmp_path / "site"), EXAMPLE / "src"),
        HYPOTHESIS_STORAGE_DIRECTORY=str(tmp_path / "hypothesis"),  # nothing written in examples/
    )
    assert code == 0, out
    # 6 router properties (no requirements: skipped), 6 SLA properties (no sweep: skipped), the
    # registry, the wrong variants
    assert counts(out) == {"passed": 13, "skipped": 2}, out
    assert "has no sweep(ctx)" in out


def code_blocks(markdown: str) -> dict[str, str]:
    """The ```python blocks whose first line is ``# <file name>``."""
    blocks = re.findall(r"```python\n# (\S+\.py)\n(.*?)```", markdown, flags=re.S)
    return dict(blocks)


def test_the_twenty_lines_of_the_docs_run_and_pass(tmp_path: Path) -> None:
    blocks = code_blocks(DOCS.read_text(encoding="utf-8"))
    assert set(blocks) == {"my_router.py", "test_my_router.py"}
    test_lines = [line for line in blocks["test_my_router.py"].splitlines() if line.strip()]
    assert len(test_lines) <= 20
    for name, text in blocks.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    code, out = run_pytest(tmp_path, "test_my_router.py", path=(tmp_path,))
    assert code == 0, out
    assert counts(out) == {"passed": 5, "skipped": 1}, out  # no requirements: skipped


SUITES = textwrap.dedent(
    """
    import pytest
    from ccms.testing.conformance import HandlerRouterSuite, SlaPolicySuite


    @pytest.mark.ccms_policy("handler_router", "least_loaded")
    class TestRegistered(HandlerRouterSuite):
        max_examples = 5


    @pytest.mark.ccms_policy("sla", "cfpb_timely", days=10)
    class TestRegisteredSla(SlaPolicySuite):
        max_examples = 5


    class TestForgotTheFixture(HandlerRouterSuite):
        pass


    @pytest.mark.ccms_policy("sla", "cfpb_timely")
    class TestWrongKind(HandlerRouterSuite):
        pass
    """
)


def test_the_marker_builds_registered_policies_and_mistakes_are_explained(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_suites.py").write_text(SUITES, encoding="utf-8")
    # as documented for runs without plugin autoloading
    code, out = run_pytest(
        tmp_path,
        "-p",
        "ccms.testing.plugin",
        "--strict-markers",
        "-rE",
        PYTEST_DISABLE_PLUGIN_AUTOLOAD="1",
    )
    assert code == 1, out
    assert counts(out) == {"passed": 12, "skipped": 1, "errors": 12}, out
    assert (
        "TestForgotTheFixture needs a 'handler_router' fixture returning the handler router "
        "policy to test; define one in the class or a conftest.py, or mark the class "
        '@pytest.mark.ccms_policy("handler_router", "<registered name>")'
    ) in out
    assert (
        "TestWrongKind needs a 'handler_router' (handler_router), but @pytest.mark.ccms_policy "
        "names a sla policy"
    ) in out


def test_importing_the_plugin_imports_no_policy_code() -> None:
    probe = (
        "import sys, ccms.testing.plugin; "
        "print(sorted(m for m in sys.modules if m.startswith('ccms')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['ccms', 'ccms.testing', 'ccms.testing.plugin']"
