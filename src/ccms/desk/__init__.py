"""``ccms.desk``: the engine a host embeds: the Desk (one method per command), ``Desk.standard``
with every built-in policy wired, the context index the policies read, and the clocks.
"""

from __future__ import annotations

from ccms.desk.clock import Clock, ManualClock, SystemClock
from ccms.desk.context import ContextIndex, LazyExtra
from ccms.desk.erasure import Erasure, RetentionRun, apply_retention, erase_customer
from ccms.desk.records import (
    BoardProjection,
    ExecutionRecords,
    LedgerProjection,
    Projection,
    Projector,
    StoreRecords,
)
from ccms.desk.service import Assessment, Desk, NoDecision, Scheduled, Subscriber, Sweeper
from ccms.desk.standard import standard

__all__ = [
    "Assessment",
    "BoardProjection",
    "Clock",
    "ContextIndex",
    "Desk",
    "Erasure",
    "ExecutionRecords",
    "LazyExtra",
    "LedgerProjection",
    "ManualClock",
    "NoDecision",
    "Projection",
    "Projector",
    "RetentionRun",
    "Scheduled",
    "StoreRecords",
    "Subscriber",
    "Sweeper",
    "SystemClock",
    "apply_retention",
    "erase_customer",
    "standard",
]
