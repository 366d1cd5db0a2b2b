"""Every error class has one home, ``ccms.errors``; the old import paths name the same class."""

from __future__ import annotations

import importlib

import pytest

import ccms.errors

MOVED = [
    ("ccms.model.organization", "UnknownMember", (ccms.errors.InvalidInput, LookupError)),
    ("ccms.model.events", "FoldError", (ccms.errors.InvalidInput,)),
    ("ccms.model", "FoldError", (ccms.errors.InvalidInput,)),
    ("ccms.store.base", "InvalidAppend", (ccms.errors.InvalidInput,)),
    ("ccms.store", "InvalidAppend", (ccms.errors.InvalidInput,)),
    ("ccms.store.base", "CustomerNotFound", (ccms.errors.CCMSError, KeyError)),
    ("ccms.store.base", "StoreClosed", (ccms.errors.StoreError,)),
    ("ccms.desk.service", "NoDecision", (ccms.errors.CCMSError, LookupError)),
    ("ccms.desk", "NoDecision", (ccms.errors.CCMSError, LookupError)),
    ("ccms.scoring._pipeline", "UnknownItem", (ccms.errors.CCMSError, LookupError)),
    ("ccms.store", "StoreReadOnly", (ccms.errors.StoreError,)),
    ("ccms.store", "NotACcmsStore", (ccms.errors.StoreError,)),
    ("ccms.store", "StoreSchemaError", (ccms.errors.StoreError,)),
    ("ccms.store", "InvalidRecordAppend", (ccms.errors.InvalidAppend,)),
    ("ccms.store", "StreamConflict", (ccms.errors.ConcurrencyConflict,)),
    ("ccms.store", "CheckpointConflict", (ccms.errors.ConcurrencyConflict,)),
    ("ccms.store", "InvalidCheckpoint", (ccms.errors.InvalidInput,)),
    ("ccms.store.base", "StreamConflict", (ccms.errors.ConcurrencyConflict,)),
    ("ccms.report", "ReportSourceNotFound", (ccms.errors.CCMSError, FileNotFoundError)),
    ("ccms.report.source", "ReportSourceNotFound", (ccms.errors.CCMSError, FileNotFoundError)),
    ("ccms.testing.conformance", "ConformanceError", (ccms.errors.CCMSError, AssertionError)),
    ("ccms.interop._csvrows", "HeaderNotFound", (ccms.errors.InvalidInput,)),
    ("ccms.interop", "UnknownZone", (ccms.errors.InvalidInput,)),
    ("ccms.interop.localtime", "AmbiguousLocalTime", (ccms.errors.InvalidInput,)),
    ("ccms.interop.localtime", "NonexistentLocalTime", (ccms.errors.InvalidInput,)),
    ("ccms.interop.export", "WeakPseudonymKey", (ccms.errors.InvalidInput,)),
]


@pytest.mark.parametrize(("module", "name", "bases"), MOVED)
def test_old_import_path_names_the_class_in_ccms_errors(
    module: str, name: str, bases: tuple[type[BaseException], ...]
) -> None:
    old = getattr(importlib.import_module(module), name)
    assert old is getattr(ccms.errors, name)
    assert old.__module__ == "ccms.errors"
    assert name in ccms.errors.__all__
    assert name in importlib.import_module(module).__all__
    assert issubclass(old, bases)


def test_every_exported_error_derives_from_ccms_error_and_a_builtin() -> None:
    for name in ccms.errors.__all__:
        value = getattr(ccms.errors, name)
        if not isinstance(value, type):
            continue
        assert issubclass(value, ccms.errors.CCMSError), name
        if value is not ccms.errors.CCMSError:
            builtin = [b for b in value.__mro__ if b.__module__ == "builtins"]
            assert builtin[0] is not Exception, f"{name} adds no built-in base"
