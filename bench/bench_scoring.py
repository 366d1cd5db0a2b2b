"""CS-point ledger cost against folding the same events, and balance look-ups as the ledger grows.

Measured in one run on a synthetic log of complaint histories (received, assigned, result,
happy call, reopen, second result, happy call, SLA statuses; a fault attribution on one in five,
withdrawn on one in ten):

- floor: folding every complaint's events (``ccms.model.fold``), what any consumer of the log pays;
- ledger replay: ``Ledger.replay`` with the default rules over the same log (custody walks,
  conditions, reversals, entries);
- balance: ``Ledger.balance`` of one agent, with 10x more entries (of other agents) in the ledger;
  the agent index keeps it flat (target: at most 2x, MET or MISSED from this run).

Contenders are interleaved round by round; every figure is a median with its min and max.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from _figures import figure, interleaved, target
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


def main(complaints: int = 2_000) -> None:
    histories = [history(n) for n in range(complaints)]
    log = [e for h in histories for e in h]
    others = [e for n in range(complaints * 9) for e in history(n, "other")]
    ledger = Ledger.replay(DEFAULT_RULES, log)
    big = Ledger.replay(DEFAULT_RULES, [*log, *others])
    now = T0 + timedelta(days=30)
    # The fold and the replay read the same log; rounds interleaved, medians with min and max.
    t = interleaved(
        {
            "fold (floor)": lambda: [fold(h) for h in histories],
            "ledger replay": lambda: Ledger.replay(DEFAULT_RULES, log),
        },
        rounds=5,
    )
    print(f"{len(log)} events, {len(ledger)} ledger entries; 5 interleaved rounds")
    for name, timing in t.items():
        med, lo, hi = timing.rate(len(log))
        print(f"  {name:16s} {med:>10,.0f} events/s  ({lo:,.0f} .. {hi:,.0f})")
        figure(name, timing.rate(len(log)), "events/s", compares=f"{len(log)} events")
    replay_ratio = t["ledger replay"].median / t["fold (floor)"].median
    print(f"  ledger replay takes {replay_ratio:.1f}x the fold")
    figure("replay / fold", replay_ratio, "x")
    # One agent's balance in a ledger of its own entries, and in one with 10x more entries of
    # other agents: 200 balance calls per round, interleaved.
    agent = AGENTS[0]
    b = interleaved(
        {
            "small": lambda: [ledger.balance(agent, now=now) for _ in range(200)],
            "large": lambda: [big.balance(agent, now=now) for _ in range(200)],
        },
        rounds=5,
    )
    small, large = b["small"].median / 200, b["large"].median / 200
    print(f"  balance of one agent: {small * 1e3:.3f} ms at {len(ledger):,} entries "
          f"({b['small'].min / 200 * 1e3:.3f} .. {b['small'].max / 200 * 1e3:.3f}), "
          f"{large * 1e3:.3f} ms at {len(big):,} ({b['large'].min / 200 * 1e3:.3f} .. "
          f"{b['large'].max / 200 * 1e3:.3f}); the agent's own entries unchanged")  # fmt: skip
    figure("balance, small ledger", b["small"], "s per 200 calls", entries=len(ledger))
    figure("balance, 10x ledger", b["large"], "s per 200 calls", entries=len(big))
    target(
        "balance flat for 10x the entries of other agents",
        large / small,
        "<=",
        2.0,
        compares="median balance time in the 10x ledger / in the small one",
    )


if __name__ == "__main__":
    main()
