"""The store suite's former home, kept so that existing imports work: the suite is now
:mod:`ccms.testing.conformance.store` (beside the other conformance suites) and its class is
:class:`~ccms.testing.conformance.StoreSuite`.

Every name the module offered is re-exported from there; ``StoreContract``, the suite's old
name, is a deprecated alias of ``StoreSuite`` (a :class:`DeprecationWarning` on use).

>>> from ccms.testing.store_contract import received_event, StoreSuite
>>> from ccms.testing.conformance.store import received_event as moved
>>> received_event is moved
True
"""

from __future__ import annotations

import warnings
from typing import Any

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
from ccms.testing.conformance.store import (
    RECORD_KINDS,
    RICH_DATA,
    Command,
    LogModel,
    StoreFactory,
    StoreSuite,
    advance,
    append_histories,
    brute_force_query,
    complaint_histories,
    complaint_queries,
    received_event,
    record_batch,
    reference_due,
    rich_history,
)

__all__ = [
    "RECORD_KINDS",
    "RICH_DATA",
    "Command",
    "LogModel",
    "StoreFactory",
    "StoreSuite",
    "advance",
    "append_histories",
    "brute_force_query",
    "complaint_histories",
    "complaint_queries",
    "received_event",
    "record_batch",
    "reference_due",
    "rich_history",
]


def __getattr__(name: str) -> Any:
    if name == "StoreContract":
        warnings.warn(
            "ccms.testing.store_contract.StoreContract is deprecated: subclass "
            "ccms.testing.conformance.StoreSuite (the same suite) instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return StoreSuite
    raise AttributeError(f"module 'ccms.testing.store_contract' has no attribute {name!r}")
