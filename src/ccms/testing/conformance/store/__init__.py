"""The store suite: a pytest class that every :class:`~ccms.store.ComplaintStore` must pass.

Subclass :class:`StoreSuite` in a test module and give it a ``make_store`` fixture that returns a
factory of fresh, empty stores; override :meth:`StoreSuite.second_handle` if your store can open a
second, independent handle on the same data (another connection), so the race tests pit two real
writers against each other::

    import pytest
    from ccms.testing.conformance import StoreSuite

    class TestMyStore(StoreSuite):
        @pytest.fixture
        def make_store(self, tmp_path):
            return lambda: MyStore(tmp_path / f"{uuid.uuid4()}.db")

        def second_handle(self, store):
            return MyStore(store.path)

The suite is made of parts, one a subject, each a class of its own that a store can also run
alone (:class:`StoreAppendSuite`, :class:`StoreIdempotencySuite`, :class:`StoreQuerySuite`,
:class:`StoreScheduleSuite`, :class:`StoreRecordSuite`, :class:`StoreCheckpointSuite`,
:class:`StoreRedactionSuite`). The package also offers small builders that other tests reuse:
:func:`received_event`, :func:`advance`, :func:`append_histories`, :func:`record_batch`, the
Hypothesis strategies :func:`complaint_histories` and :func:`complaint_queries`, and
:class:`LogModel`, the reference semantics of record streams, the global log and checkpoints.

>>> from datetime import datetime, timezone
>>> from ccms.model import HandlingStarted
>>> e = received_event("c1", datetime(2026, 10, 1, 9, tzinfo=timezone.utc), code="PRD.DEF")
>>> c1 = e.apply(None)
>>> c2, started = advance(c1, HandlingStarted, datetime(2026, 10, 1, 10, tzinfo=timezone.utc),
...                       stage="in_progress")
>>> (c1.version, c1.codes), (started.version, c2.version, c2.stage)
((1, ('PRD.DEF',)), (2, 2, 'in_progress'))
"""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
from ccms.testing.conformance.store._appends import StoreAppendSuite
from ccms.testing.conformance.store._base import StoreSuiteBase
from ccms.testing.conformance.store._builders import (
    RECORD_KINDS,
    RICH_DATA,
    Command,
    StoreFactory,
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
from ccms.testing.conformance.store._checkpoints import StoreCheckpointSuite
from ccms.testing.conformance.store._idempotency import StoreIdempotencySuite
from ccms.testing.conformance.store._queries import StoreQuerySuite
from ccms.testing.conformance.store._records import StoreRecordSuite
from ccms.testing.conformance.store._redaction import StoreRedactionSuite
from ccms.testing.conformance.store._reference import LogModel
from ccms.testing.conformance.store._schedule import StoreScheduleSuite

__all__ = [
    "RECORD_KINDS",
    "RICH_DATA",
    "Command",
    "LogModel",
    "StoreAppendSuite",
    "StoreCheckpointSuite",
    "StoreFactory",
    "StoreIdempotencySuite",
    "StoreQuerySuite",
    "StoreRecordSuite",
    "StoreRedactionSuite",
    "StoreScheduleSuite",
    "StoreSuite",
    "StoreSuiteBase",
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


class StoreSuite(
    StoreAppendSuite,
    StoreIdempotencySuite,
    StoreQuerySuite,
    StoreScheduleSuite,
    StoreRecordSuite,
    StoreCheckpointSuite,
    StoreRedactionSuite,
):
    """The behaviour every complaint store must show, every part at once; subclass it with a
    ``make_store`` fixture (see the package's docs)."""
