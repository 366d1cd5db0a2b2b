"""The store suite lives in ``ccms.testing.conformance.store``; ``ccms.testing.store_contract``
still offers every name it had, and ``StoreContract`` is a deprecated alias of ``StoreSuite``."""

from __future__ import annotations

import pytest

import ccms.testing.conformance as conformance
import ccms.testing.conformance.store as suite
import ccms.testing.store_contract as old


def test_the_old_module_re_exports_the_same_objects() -> None:
    assert old.__all__
    for name in old.__all__:
        assert getattr(old, name) is getattr(suite, name), name
    assert conformance.StoreSuite is suite.StoreSuite


def test_store_contract_is_a_deprecated_alias_of_store_suite() -> None:
    with pytest.warns(DeprecationWarning, match="subclass ccms.testing.conformance.StoreSuite"):
        alias = old.StoreContract
    assert alias is suite.StoreSuite
    assert "StoreContract" not in conformance.__all__
    assert not hasattr(conformance, "StoreContract")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'StoreSuit'"):
        _ = old.StoreSuit


def test_the_suite_is_its_parts() -> None:
    parts = {
        suite.StoreAppendSuite,
        suite.StoreIdempotencySuite,
        suite.StoreQuerySuite,
        suite.StoreScheduleSuite,
        suite.StoreRecordSuite,
        suite.StoreCheckpointSuite,
        suite.StoreRedactionSuite,
    }
    assert parts <= set(suite.StoreSuite.__mro__)
    tests = {n for n in dir(suite.StoreSuite) if n.startswith("test_")}
    from_parts = {n for p in parts for n in vars(p) if n.startswith("test_")}
    assert tests == from_parts
    assert len(tests) >= 60  # the one class had 60
