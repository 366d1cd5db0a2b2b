"""``ccms.desk``: the engine a host embeds: the Desk (one method per command), ``Desk.standard``
with every built-in policy wired, the context index the policies read, the clocks, the notice
outbox (``pending_notices``, ``notice_delivered``, ``notice_failed``) and the customer's status.
"""

from __future__ import annotations

from ccms.desk._plumbing import EARLIEST_RECEIPT, RECEIPT_TOLERANCE
from ccms.desk._results import RemedyCase
from ccms.desk.clock import Clock, ManualClock, SystemClock
from ccms.desk.context import ContextIndex, LazyExtra
from ccms.desk.customer_status import CustomerStatus
from ccms.desk.erasure import Erasure, RetentionRun, apply_retention, erase_customer
from ccms.desk.notifications import NoticeOutbox, NoticeState, PendingNotice
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
    "EARLIEST_RECEIPT",
    "RECEIPT_TOLERANCE",
    "Assessment",
    "BoardProjection",
    "Clock",
    "ContextIndex",
    "CustomerStatus",
    "Desk",
    "Erasure",
    "ExecutionRecords",
    "LazyExtra",
    "LedgerProjection",
    "ManualClock",
    "NoDecision",
    "NoticeOutbox",
    "NoticeState",
    "PendingNotice",
    "Projection",
    "Projector",
    "RemedyCase",
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
