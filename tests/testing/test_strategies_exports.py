"""``ccms.testing.strategies`` is the one public face of the strategy modules (split by subject):
every public strategy of a part is exported and documented, as Hypothesis checks its own."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from ccms.testing import strategies as s

PARTS = (
    "ccms.testing._strategies_args",
    "ccms.testing._strategies_values",
    "ccms.testing._strategies_tables",
    "ccms.testing._strategies_lifecycle",
    "ccms.testing._records_strategies",
    "ccms.testing.invalid",
)
DOCS = Path(__file__).parents[2] / "docs" / "testing-integration.md"


def _public(module_name: str) -> dict[str, object]:
    module = importlib.import_module(module_name)
    return {
        name: value
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and getattr(value, "__module__", None) in (module_name, s.__name__)
    }


@pytest.mark.parametrize("part", PARTS)
def test_every_public_strategy_of_a_part_is_exported(part: str) -> None:
    exported = {id(getattr(s, n)) for n in s.__all__}
    for name, value in _public(part).items():
        # under its own name, or (case_record_strategy) under the name the guide gives it
        assert id(value) in exported, f"{part}.{name} is not in ccms.testing.strategies.__all__"
        if name in s.__all__:
            assert getattr(s, name) is value


def test_every_exported_name_resolves_and_has_a_docstring() -> None:
    assert len(s.__all__) == len(set(s.__all__))
    for name in s.__all__:
        value = getattr(s, name)
        if callable(value):
            assert inspect.getdoc(value), f"{name} has no docstring"


def test_every_exported_strategy_is_named_in_the_guide() -> None:
    text = DOCS.read_text(encoding="utf-8")
    named = set(re.findall(r"`(\w+)\(", text)) | set(re.findall(r"`(\w+)`", text))
    strategies = [
        n for n in s.__all__ if n[0].islower() and callable(getattr(s, n)) and n != "case_records"
    ]
    missing = [n for n in strategies if n not in named]
    assert not missing, f"not in {DOCS.name}: {missing}"


def test_no_part_is_over_800_lines() -> None:
    for part in PARTS:
        source = inspect.getsource(importlib.import_module(part))
        assert source.count("\n") <= 800, part
