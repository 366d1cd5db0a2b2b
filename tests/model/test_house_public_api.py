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
