"""``ccms.desk``: the application service hosts call (one method per command) and its clocks."""

from __future__ import annotations

from ccms.desk.clock import Clock, ManualClock, SystemClock
from ccms.desk.service import Desk, NoDecision, Subscriber, Sweeper

__all__ = ["Clock", "Desk", "ManualClock", "NoDecision", "Subscriber", "Sweeper", "SystemClock"]
