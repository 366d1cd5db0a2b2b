"""The documentation's code passes ``mypy --strict`` *without* the pydantic plugin.

Every page's ```python blocks (their doctest sessions' source, one page a module) and the
examples (``examples/``) are checked with ``tests/docs_typing/mypy-docs.ini``: strict, no
plugin, so each call into ccms is checked against the signatures ccms declares, as a host that
has not turned the plugin on sees them. A signature that refuses what the docs pass (a string
for an enum, a list where a tuple is stored) fails here.

One mypy run for everything, with its own incremental cache (``.mypy_cache/docs-code``, apart
from the plugin's): the first run takes about half a minute, later ones a few seconds. The
page modules are written to ``build/docs-code`` only when their text changed, so the cache
holds. Marked ``docs_typing`` (``-m "not docs_typing"`` leaves it out of a quick local run).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docs_code import page_code, pages_with_code

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OUT = ROOT / "build" / "docs-code"
CACHE = ROOT / ".mypy_cache" / "docs-code"
EXAMPLES = [
    ROOT / "examples" / "tutorial",
    ROOT / "examples" / "fastapi_host" / "ccms_fastapi_host",
    ROOT / "examples" / "ccms_custom_policies" / "src" / "ccms_custom_policies",
    ROOT / "examples" / "ccms_vip_routing" / "src" / "ccms_vip_routing",
]


def _write_pages() -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    pages = pages_with_code(ROOT / "docs")
    for name, code in pages.items():
        path = OUT / f"{name}.py"
        if not path.is_file() or path.read_text(encoding="utf-8") != code:
            path.write_text(code, encoding="utf-8")
        written.append(path)
    for stale in set(OUT.glob("*.py")) - set(written):  # a page that lost its code, or moved
        stale.unlink()
    return written


def test_a_page_is_its_sessions_source_in_order(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(
        "Intro\n\n```python\n>>> x = 1\n>>> for i in range(2):\n...     x += i\n>>> x\n2\n```\n\n"
        "```text\nnot python\n```\n\n```python\nfrom ccms.model import VocKind\n```\n",
        encoding="utf-8",
    )
    assert page_code(page) == (
        "x = 1\nfor i in range(2):\n    x += i\nx\n\nfrom ccms.model import VocKind\n"
    )
    assert page_code(tmp_path / "p.md").count("not python") == 0


@pytest.mark.docs_typing
def test_docs_and_examples_pass_mypy_strict_without_the_pydantic_plugin() -> None:
    pytest.importorskip("mypy")
    pytest.importorskip("fastapi")
    pages = _write_pages()
    assert len(pages) >= 25  # every page with Python is in (a broken extraction finds none)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(HERE / "mypy-docs.ini"),
            "--cache-dir",
            str(CACHE),
            *map(str, EXAMPLES),
            *map(str, pages),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert "pydantic.mypy" not in (HERE / "mypy-docs.ini").read_text(encoding="utf-8")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success: no issues found" in run.stdout
