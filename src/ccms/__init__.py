"""ccms: the domain core of a consumer-complaint management system (CCMS / VOC).

The names a host uses most are here, imported on first use (PEP 562), so ``import ccms`` stays
as light as the packages it names: the desk, the model, the workflow, the business calendar, the
stores and every error. Everything else lives in its package (``ccms.policy.routing``, ...).

>>> import ccms
>>> ccms.Desk is __import__("ccms.desk", fromlist=["Desk"]).Desk
True
>>> issubclass(ccms.InvalidTransition, ccms.CCMSError)
True
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("ccms")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from ccms.desk import Clock, Desk, ManualClock, SystemClock
    from ccms.errors import (
        AmbiguousLocalTime,
        CalendarError,
        CCMSError,
        CheckpointConflict,
        ComplaintNotFound,
        ConcurrencyConflict,
        ConfigError,
        ConformanceError,
        CustomerNotFound,
        DuplicateComplaint,
        FoldError,
        GuardRejected,
        HeaderNotFound,
        IdempotencyConflict,
        IncompatibleModel,
        InvalidAppend,
        InvalidCheckpoint,
        InvalidInput,
        InvalidRecordAppend,
        InvalidTransition,
        MissingExtra,
        NaiveDatetimeError,
        NoDecision,
        NonexistentLocalTime,
        NotACcmsStore,
        NotPermitted,
        PolicyError,
        RegistryError,
        ReportSourceNotFound,
        RetiredVocCode,
        StoreBusy,
        StoreClosed,
        StoreError,
        StoreReadOnly,
        StoreSchemaError,
        StreamConflict,
        TaxonomyError,
        UnknownItem,
        UnknownMember,
        UnknownVocCode,
        UnknownZone,
        WeakPseudonymKey,
        WorkflowDefinitionError,
        require_aware,
    )
    from ccms.model import (
        Actor,
        Agent,
        Channel,
        Complaint,
        Concern,
        Customer,
        CustomerRef,
        Department,
        DomainEvent,
        Money,
        Organization,
        RemedyKind,
        Role,
        Severity,
        Taxonomy,
        VocCode,
        VocKind,
        fold,
    )
    from ccms.policy import BusinessCalendar, PolicyContext
    from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore
    from ccms.workflow import Workflow, WorkflowDefinition, default_workflow

#: Each public name and the package it comes from.
_EXPORTS: dict[str, str] = {
    "Clock": "ccms.desk",
    "Desk": "ccms.desk",
    "ManualClock": "ccms.desk",
    "SystemClock": "ccms.desk",
    "Actor": "ccms.model",
    "Agent": "ccms.model",
    "Channel": "ccms.model",
    "Complaint": "ccms.model",
    "Concern": "ccms.model",
    "Customer": "ccms.model",
    "CustomerRef": "ccms.model",
    "Department": "ccms.model",
    "DomainEvent": "ccms.model",
    "Money": "ccms.model",
    "Organization": "ccms.model",
    "RemedyKind": "ccms.model",
    "Role": "ccms.model",
    "Severity": "ccms.model",
    "Taxonomy": "ccms.model",
    "VocCode": "ccms.model",
    "VocKind": "ccms.model",
    "fold": "ccms.model",
    "Workflow": "ccms.workflow",
    "WorkflowDefinition": "ccms.workflow",
    "default_workflow": "ccms.workflow",
    "BusinessCalendar": "ccms.policy",
    "PolicyContext": "ccms.policy",
    "ComplaintStore": "ccms.store",
    "InMemoryStore": "ccms.store",
    "SQLiteStore": "ccms.store",
    "CCMSError": "ccms.errors",
    "AmbiguousLocalTime": "ccms.errors",
    "NonexistentLocalTime": "ccms.errors",
    "UnknownZone": "ccms.errors",
    "WeakPseudonymKey": "ccms.errors",
    "CalendarError": "ccms.errors",
    "CheckpointConflict": "ccms.errors",
    "ComplaintNotFound": "ccms.errors",
    "ConcurrencyConflict": "ccms.errors",
    "ConfigError": "ccms.errors",
    "ConformanceError": "ccms.errors",
    "CustomerNotFound": "ccms.errors",
    "DuplicateComplaint": "ccms.errors",
    "FoldError": "ccms.errors",
    "GuardRejected": "ccms.errors",
    "HeaderNotFound": "ccms.errors",
    "IdempotencyConflict": "ccms.errors",
    "IncompatibleModel": "ccms.errors",
    "InvalidAppend": "ccms.errors",
    "InvalidCheckpoint": "ccms.errors",
    "InvalidInput": "ccms.errors",
    "InvalidRecordAppend": "ccms.errors",
    "InvalidTransition": "ccms.errors",
    "MissingExtra": "ccms.errors",
    "NaiveDatetimeError": "ccms.errors",
    "NoDecision": "ccms.errors",
    "NotACcmsStore": "ccms.errors",
    "NotPermitted": "ccms.errors",
    "PolicyError": "ccms.errors",
    "RegistryError": "ccms.errors",
    "ReportSourceNotFound": "ccms.errors",
    "RetiredVocCode": "ccms.errors",
    "StoreBusy": "ccms.errors",
    "StoreClosed": "ccms.errors",
    "StoreError": "ccms.errors",
    "StoreReadOnly": "ccms.errors",
    "StoreSchemaError": "ccms.errors",
    "StreamConflict": "ccms.errors",
    "TaxonomyError": "ccms.errors",
    "UnknownItem": "ccms.errors",
    "UnknownMember": "ccms.errors",
    "UnknownVocCode": "ccms.errors",
    "WorkflowDefinitionError": "ccms.errors",
    "require_aware": "ccms.errors",
}

__all__ = [
    "Actor",
    "Agent",
    "AmbiguousLocalTime",
    "BusinessCalendar",
    "CCMSError",
    "CalendarError",
    "Channel",
    "CheckpointConflict",
    "Clock",
    "Complaint",
    "ComplaintNotFound",
    "ComplaintStore",
    "Concern",
    "ConcurrencyConflict",
    "ConfigError",
    "ConformanceError",
    "Customer",
    "CustomerNotFound",
    "CustomerRef",
    "Department",
    "Desk",
    "DomainEvent",
    "DuplicateComplaint",
    "FoldError",
    "GuardRejected",
    "HeaderNotFound",
    "IdempotencyConflict",
    "InMemoryStore",
    "IncompatibleModel",
    "InvalidAppend",
    "InvalidCheckpoint",
    "InvalidInput",
    "InvalidRecordAppend",
    "InvalidTransition",
    "ManualClock",
    "MissingExtra",
    "Money",
    "NaiveDatetimeError",
    "NoDecision",
    "NonexistentLocalTime",
    "NotACcmsStore",
    "NotPermitted",
    "Organization",
    "PolicyContext",
    "PolicyError",
    "RegistryError",
    "RemedyKind",
    "ReportSourceNotFound",
    "RetiredVocCode",
    "Role",
    "SQLiteStore",
    "Severity",
    "StoreBusy",
    "StoreClosed",
    "StoreError",
    "StoreReadOnly",
    "StoreSchemaError",
    "StreamConflict",
    "SystemClock",
    "Taxonomy",
    "TaxonomyError",
    "UnknownItem",
    "UnknownMember",
    "UnknownVocCode",
    "UnknownZone",
    "VocCode",
    "VocKind",
    "WeakPseudonymKey",
    "Workflow",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
    "__version__",
    "default_workflow",
    "fold",
    "require_aware",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ccms' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
