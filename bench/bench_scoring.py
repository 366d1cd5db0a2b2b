"""CS-point ledger cost against folding the same events, and balance look-ups as the ledger grows.

Measured in one run on a synthetic log of complaint histories (received, assigned, result,
happy call, reopen, second result, happy call, SLA statuses; a fault attribution on one in five,
withdrawn on one in ten):

- floor: folding every complaint's events (``ccms.model.fold``), what any consumer of the log pays;
- ledger replay: ``Ledger.replay`` with the default rules over the same log (custody walks,
  conditions, reversals, entries);
- balance: ``Ledger.balance`` of one agent, with 10x more entries (of other agents) in the ledger;
  the agent index keeps it flat.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ccms.model import (
    Actor,
    ComplaintReceived,
    Concern,
    CustomerRef,
    DomainEvent,
    FeedbackRecorded,
    HandlerAssigned,
    Reopened,
    ResultRegistered,
    SlaStatusChanged,
    fold,
)
from ccms.model.events import FaultAttributed, FaultWithdrawn
from ccms.scoring import DEFAULT_RULES, Ledger

T0 = datetime(2026, 10, 5, 9, tzinfo=UTC)
SYSTEM = Actor.system()
AGENTS = [f"agent-{i}" for i in range(50)]  # the names history() gives


def history(n: int, prefix: str = "agent") -> list[DomainEvent]:
    cid = f"{prefix}-c{n}"
    at = T0 + timedelta(minutes=n % 20_000)
    kim, lee = f"{prefix}-{n % 50}", f"{prefix}-{(n * 7 + 3) % 50}"
    h: dict[str, object] = {"complaint_id": cid, "actor": SYSTEM}
    events: list[DomainEvent] = [
        ComplaintReceived(
            **h,
            version=1,
            at=at,
            stage="received",
            received_at=at,  # type: ignore[arg-type]
            channel="phone",
            customer=CustomerRef(id="u"),
            concerns=(Concern(kind="complaint", text="late"),),
        ),
        HandlerAssigned(**h, version=2, at=at, handler=kim),  # type: ignore[arg-type]
        ResultRegistered(**h, version=3, at=at + timedelta(hours=5), result={"remedy": "apology"}),  # type: ignore[arg-type]
        SlaStatusChanged(
            **h,
            version=3,
            at=at + timedelta(hours=5),
            target="resolution",  # type: ignore[arg-type]
            status="met",
        ),
        FeedbackRecorded(**h, version=4, at=at + timedelta(hours=6), feedback={"satisfied": False}),  # type: ignore[arg-type]
        Reopened(**h, version=5, at=at + timedelta(hours=6)),  # type: ignore[arg-type]
        HandlerAssigned(**h, version=6, at=at + timedelta(hours=7), handler=lee),  # type: ignore[arg-type]
        ResultRegistered(**h, version=7, at=at + timedelta(hours=9), result={"remedy": "refund"}),  # type: ignore[arg-type]
        FeedbackRecorded(**h, version=8, at=at + timedelta(hours=10), feedback={"satisfied": True}),  # type: ignore[arg-type]
    ]
    if n % 5 == 0:
        events.append(FaultAttributed(**h, version=9, at=at + timedelta(hours=11), agent=kim))  # type: ignore[arg-type]
        if n % 10 == 0:
            events.append(
                FaultWithdrawn(
                    **h,
                    version=10,
                    at=at + timedelta(hours=12),  # type: ignore[arg-type]
                    agent=kim,
                    attributed_version=9,
                )
            )
    return events


def _time(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(complaints: int = 2_000) -> None:
    histories = [history(n) for n in range(complaints)]
    log = [e for h in histories for e in h]
    floor = _time(lambda: [fold(h) for h in histories])
    replay = _time(lambda: Ledger.replay(DEFAULT_RULES, log))
    ledger = Ledger.replay(DEFAULT_RULES, log)
    print(f"{len(log)} events, {len(ledger)} ledger entries")
    print(f"  fold (floor)      {len(log) / floor:>10,.0f} events/s")
    print(
        f"  ledger replay     {len(log) / replay:>10,.0f} events/s  ({replay / floor:.1f}x the fold)"
    )
    now = T0 + timedelta(days=30)
    small = _time(lambda: ledger.balance(AGENTS[0], now=now))
    others = [e for n in range(complaints * 9) for e in history(n, "other")]
    big = Ledger.replay(DEFAULT_RULES, [*log, *others])
    large = _time(lambda: big.balance(AGENTS[0], now=now))
    print(
        f"  balance of one agent: {small * 1e3:.2f} ms at {len(ledger)} entries, "
        f"{large * 1e3:.2f} ms at {len(big)} ({large / small:.1f}x for 10x entries; "
        "the agent's own entries unchanged)"
    )


if __name__ == "__main__":
    main()
