"""Store throughput: appends (events/s), snapshot loads and the stream, in memory vs SQLite.

The baseline is the in-memory store measured in the same run; SQLite is measured on a WAL file
(``synchronous=NORMAL``) and in ``:memory:``. ``python bench/bench_store.py [complaints]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ccms.model import Complaint, DomainEvent, HandlerAssigned
from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore
from ccms.testing.store_contract import advance, received_event

Command = tuple[Complaint, tuple[DomainEvent, ...]]


def _commands(n: int) -> list[Command]:
    """Two commands per complaint: received, then a handler assigned (two events)."""
    t0 = datetime(2026, 10, 1, tzinfo=UTC)
    out: list[Command] = []
    for i in range(n):
        at = t0 + timedelta(seconds=i)
        first = received_event(f"C{i:07d}", at, code="PRD.DEF")
        c1 = first.apply(None)
        out.append((c1, (first,)))
    for i in range(n):
        c1 = out[i][0]
        c2, e = advance(
            c1, HandlerAssigned, c1.received_at, stage="handler_assigned", handler=f"h{i % 50}"
        )
        out.append((c2, (e,)))
    return out


def _measure(name: str, make: Callable[[], ComplaintStore], commands: list[Command]) -> float:
    events = sum(len(e) for _, e in commands)
    with make() as store:
        start = time.perf_counter()
        for c, e in commands:
            store.append(c, e, expected_version=c.version - 1)
        append_s = time.perf_counter() - start
        start = time.perf_counter()
        loaded = store.query()
        query_s = time.perf_counter() - start
        start = time.perf_counter()
        streamed = sum(1 for _ in store.stream())
        stream_s = time.perf_counter() - start
    assert streamed == events
    rate = events / append_s
    print(
        f"{name:<16} append {rate:>9,.0f} events/s ({len(commands) / append_s:>8,.0f} appends/s)"
        f" | load {len(loaded) / query_s:>9,.0f} complaints/s"
        f" | stream {streamed / stream_s:>9,.0f} events/s",
        flush=True,
    )
    return rate


def main(n: int = 20_000) -> None:
    commands = _commands(n)
    print(f"{n:,} complaints, {len(commands):,} appends, {2 * n:,} events")
    base = _measure("in-memory", InMemoryStore, commands)
    with tempfile.TemporaryDirectory() as tmp:
        file_rate = _measure("sqlite file", lambda: SQLiteStore(Path(tmp) / "b.db"), commands)
    mem_rate = _measure("sqlite :memory:", SQLiteStore, commands)
    print(f"sqlite file / in-memory append throughput: {file_rate / base:.2f}x")
    print(f"sqlite :memory: / in-memory append throughput: {mem_rate / base:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
