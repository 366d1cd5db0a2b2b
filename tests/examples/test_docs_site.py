"""The documentation site's configuration: every page is in the navigation, every reference page
names a package, and the docstring extension turns doctests and Sphinx roles into Markdown.
(`make docs` builds the site itself with --strict.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _nav_files(nav: Any) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [f for item in nav for f in _nav_files(item)]
    if isinstance(nav, dict):
        return [f for value in nav.values() for f in _nav_files(value)]
    return []


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return loaded


def test_every_page_is_in_the_navigation_once(config: dict[str, Any]) -> None:
    listed = _nav_files(config["nav"])
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(listed) == pages
    assert len(listed) == len(set(listed))


def test_the_build_is_strict(config: dict[str, Any]) -> None:
    assert config["strict"] is True
    assert config["validation"]["links"]["not_found"] == "warn"  # a warning fails a strict build


def test_each_package_has_a_reference_page(config: dict[str, Any]) -> None:
    public = {
        p.name
        for p in (ROOT / "src" / "ccms").iterdir()
        if (p / "__init__.py").is_file() and p.name not in {"cli", "demo"}
    }
    referenced = {
        line.removeprefix("::: ccms.").strip()
        for page in (DOCS / "reference").glob("*.md")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("::: ccms.")
    }
    assert public <= referenced
    assert "errors" in referenced


@pytest.fixture(scope="module")
def extension() -> ModuleType:
    pytest.importorskip("griffe")
    spec = importlib.util.spec_from_file_location(
        "griffe_docstrings", ROOT / "scripts" / "griffe_docstrings.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bare_doctests_are_fenced(extension: ModuleType) -> None:
    text = "Intro.\n\n>>> 1 + 1\n2\n>>> [('a', 1)][0]\n('a', 1)\n\nAfter."
    assert extension._fence_doctests(text) == (
        "Intro.\n\n```pycon\n>>> 1 + 1\n2\n>>> [('a', 1)][0]\n('a', 1)\n```\n\nAfter."
    )
    # an example at the end is closed; one already fenced is left alone
    assert extension._fence_doctests(">>> x\n1").endswith("1\n```")
    fenced = "```python\n>>> x\n```"
    assert extension._fence_doctests(fenced) == fenced


def test_sphinx_roles_become_optional_cross_references(extension: ModuleType) -> None:
    out = extension._roles("See :class:`~ccms.desk.Clock` and :func:`standard`.", "ccms.desk")
    assert '<autoref identifier="ccms.desk.Clock" optional><code>Clock</code></autoref>' in out
    assert (
        '<autoref identifier="ccms.desk.standard" optional><code>standard</code></autoref>' in out
    )
    inside = "```pycon\n>>> ':class:`X`'\n```"
    assert extension._roles(inside, "ccms") == inside
