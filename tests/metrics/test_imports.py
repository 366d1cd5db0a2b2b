"""``ccms.metrics`` imports only what the package table allows (model, policy, errors)."""

from __future__ import annotations

import ast
from pathlib import Path

import ccms.metrics

ALLOWED = ("ccms.metrics", "ccms.model", "ccms.policy", "ccms.errors")
FORBIDDEN_THIRD_PARTY = ("hypothesis", "pytest")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_metrics_imports_follow_the_package_table() -> None:
    folder = Path(ccms.metrics.__file__).parent
    wrong = [
        (path.name, name)
        for path in sorted(folder.glob("*.py"))
        for name in _imports(path)
        if ((name == "ccms" or name.startswith("ccms.")) and not name.startswith(ALLOWED))
        or name.split(".")[0] in FORBIDDEN_THIRD_PARTY
    ]
    assert wrong == []
