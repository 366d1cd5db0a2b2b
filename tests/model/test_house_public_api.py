"""``ccms`` re-exports the API a host uses most, lazily: each name in ``ccms.__all__`` resolves to
the object of its package, and ``import ccms`` alone loads none of them."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import ccms
import ccms.errors


def test_every_name_in_all_resolves_to_its_package_object() -> None:
    assert len(ccms.__all__) == len(set(ccms.__all__))
    for name in ccms.__all__:
        value = getattr(ccms, name)
        if name == "__version__":
            assert isinstance(value, str)
            continue
        home = importlib.import_module(ccms._EXPORTS[name])
        assert value is getattr(home, name), name
        assert name in home.__all__, f"{name} is not public in {home.__name__}"


def test_the_main_names_and_every_error_are_exported() -> None:
    main = {"Desk", "Complaint", "Concern", "Customer", "SQLiteStore", "BusinessCalendar"}
    assert main <= set(ccms.__all__)
    assert set(ccms.errors.__all__) <= set(ccms.__all__)
    assert set(ccms.__all__) <= set(dir(ccms))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'ccms' has no attribute 'Dessk'"):
        _ = ccms.Dessk  # type: ignore[attr-defined]


def test_import_ccms_loads_no_package_until_a_name_is_used() -> None:
    code = (
        "import sys, ccms\n"
        "print(sorted(m for m in sys.modules if m.startswith('ccms.')))\n"
        "ccms.Complaint\n"
        "print('ccms.model' in sys.modules, 'ccms.desk' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split("\n")
    assert out[:2] == ["[]", "True False"]


#: The public packages whose ``__all__`` a host reads side by side.
PUBLIC = (
    "ccms.errors",
    "ccms.model",
    "ccms.model.types",
    "ccms.policy",
    "ccms.policy.routing",
    "ccms.policy.sla",
    "ccms.workflow",
    "ccms.store",
    "ccms.metrics",
    "ccms.report",
    "ccms.desk",
    "ccms.scoring",
    "ccms.notices",
    "ccms.testing.strategies",
    "ccms.testing.conformance",
)
#: Names public in two packages for two things, and why that is kept.
KNOWN_CLASHES = {
    # the metrics function that builds case records, and the strategy that draws them
    "case_records": {"ccms.metrics", "ccms.testing.strategies"},
}


def test_no_public_name_means_two_things() -> None:
    homes: dict[str, dict[int, set[str]]] = {}
    for package in PUBLIC:
        module = importlib.import_module(package)
        for name in module.__all__:
            homes.setdefault(name, {}).setdefault(id(getattr(module, name)), set()).add(package)
    clashes = {
        name: set().union(*by_object.values())
        for name, by_object in homes.items()
        if len(by_object) > 1
    }
    assert clashes == KNOWN_CLASHES


def test_the_old_names_of_renamed_clashes_still_import() -> None:
    from ccms.policy import RoutingVerdict, Verdict
    from ccms.policy.sla import SlaStatus, SlaStatusName
    from ccms.testing.conformance import ScriptStep
    from ccms.testing.conformance import Step as OldScriptStep
    from ccms.testing.strategies import CommandStep
    from ccms.testing.strategies import Step as OldCommandStep

    assert Verdict is RoutingVerdict
    assert SlaStatus == SlaStatusName
    assert OldScriptStep is ScriptStep
    assert OldCommandStep is CommandStep


def test_no_module_outside_the_model_imports_a_private_model_module() -> None:
    import ast
    from pathlib import Path

    src = Path(ccms.__file__).parent
    wrong = []
    for path in src.rglob("*.py"):
        if path.is_relative_to(src / "model"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            wrong += [(path.name, n) for n in names if n.startswith("ccms.model._")]
    assert wrong == []
