"""The Desk as a host embeds it: ``Desk.standard`` on an SQLite file.

Targets (issue "The Desk is the whole engine"), each printed MET or MISSED from this run's figures:

1. throughput: Desk commands per second >= 0.5x the bare ``SQLiteStore.append`` rate of the same
   run (the same complaints' events appended straight to a fresh file), printed for both
   durability settings, each with the same setting on both sides;
2. flat in history size: the per-command cost with 100,000 complaints stored <= 1.25x the cost
   with 1,000 (the stores preloaded directly, not through the Desk);
3. ``tick`` with 100,000 open complaints of which 10 are due <= 2x a tick with 1,000 open and
   10 due;
4. ``ccms demo`` (default settings) uses >= 4x less CPU than the demo of commit fa8bd13 (checked
   out with ``git archive`` into a temporary folder and run with the same interpreter).

Contenders alternate round by round; each figure is the median of the rounds (min and max shown).
``python bench/bench_desk.py [--quick]`` (``--quick``: smaller sizes, for a smoke run).
"""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from _figures import figure, target
from ccms.demo import demo_calendar, demo_organization, demo_taxonomy
from ccms.desk import Desk, ManualClock
from ccms.model import Concern, CustomerRef, DomainEvent, fold
from ccms.store import SQLiteStore
from ccms.testing.store_contract import received_event

print = functools.partial(print, flush=True)
QUICK = "--quick" in sys.argv
ROUNDS = 3 if QUICK else 5
OLD_COMMIT = "fa8bd13"
T0 = datetime(2026, 10, 5, 0, 0, tzinfo=UTC)
CODES = ("DLV.LATE", "PRD.DEF", "PAY.REFUND", "SVC.ATT", "DLV.DMG", "PRD.QLT")


def _spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):,.1f} (min {min(values):,.1f}, max {max(values):,.1f})"
    )


def _triple(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)


def _desk(store: SQLiteStore, start: datetime) -> tuple[Desk, ManualClock]:
    clock = ManualClock(start)
    desk = Desk.standard(
        store,
        organization=demo_organization(),
        taxonomy=demo_taxonomy(),
        calendar=demo_calendar(),
        clock=clock,
        fallback_department="cs",
    )
    return desk, clock


def _lifecycle(desk: Desk, clock: ManualClock, n: int, seed: int) -> int:
    """``n`` complaints through nine commands each; returns the commands run."""
    commands = 0
    for i in range(n):
        clock.advance(timedelta(minutes=7))
        c = desk.receive(
            channel="phone",
            customer=CustomerRef(id=f"bench-{seed}-{i % 97}"),
            concerns=[Concern(kind="complaint", text="the delivery was late again")],
        )
        cid = c.id
        desk.classify(cid, [CODES[(i + seed) % len(CODES)]])
        desk.assign_department(cid)
        desk.assign_handler(cid)
        desk.start(cid)
        desk.register_result(cid, {"remedy": "refund"})
        desk.notify(cid, "phone")
        desk.record_feedback(cid, {"satisfied": True, "csat": 5})
        desk.close(cid)
        commands += 9
    return commands


DURABILITIES: tuple[Literal["normal", "full"], ...] = ("normal", "full")


def throughput(n: int) -> None:
    for durability in DURABILITIES:
        _throughput(n, durability)


def _throughput(n: int, durability: Literal["normal", "full"]) -> None:
    print(
        f"-- 1. throughput ({durability} durability on both sides): {n} complaints x 9 commands,"
        " Desk.standard vs bare appends"
    )
    desk_rates: list[float] = []
    append_rates: list[float] = []
    for r in range(ROUNDS):
        with tempfile.TemporaryDirectory() as tmp:
            with SQLiteStore(Path(tmp) / "desk.db", durability=durability) as store:
                desk, clock = _desk(store, T0 + timedelta(days=r))
                start = time.perf_counter()
                commands = _lifecycle(desk, clock, n, r)
                desk_rates.append(commands / (time.perf_counter() - start))
                batches = _batches(store)
            with SQLiteStore(Path(tmp) / "bare.db", durability=durability) as bare:
                start = time.perf_counter()
                for snapshot, events, expected in batches:
                    bare.append(snapshot, events, expected_version=expected)
                append_rates.append(len(batches) / (time.perf_counter() - start))
    ratio = statistics.median(desk_rates) / statistics.median(append_rates)
    print(f"   Desk commands/s  {_spread(desk_rates)}")
    print(f"   bare appends/s   {_spread(append_rates)}")
    figure(f"Desk commands/s ({durability})", _triple(desk_rates), "commands/s",
           compares="Desk.standard, 9 commands a complaint")  # fmt: skip
    figure(f"bare appends/s ({durability})", _triple(append_rates), "appends/s",
           compares="SQLiteStore.append of the same events")  # fmt: skip
    target(f"Desk throughput / bare appends ({durability})", ratio, ">=", 0.5,
           compares="median Desk commands/s over median bare appends/s, same durability")  # fmt: skip


def _batches(store: SQLiteStore) -> list[tuple[Any, tuple[DomainEvent, ...], int]]:
    """Every append the Desk made, as (snapshot, events, expected_version), in order."""
    by_version: dict[tuple[str, int], list[DomainEvent]] = {}
    for stored in store.stream():
        by_version.setdefault((stored.complaint_id, stored.event.version), []).append(stored.event)
    out = []
    folded: dict[str, Any] = {}
    for (cid, version), events in by_version.items():
        snapshot = fold(events, folded.get(cid))
        folded[cid] = snapshot
        out.append((snapshot, tuple(events), version - 1))
    return out


def _preload(path: Path, count: int) -> None:
    """``count`` open complaints appended straight to the store (one event each, no wake-up)."""
    with SQLiteStore(path, durability="normal") as store:
        for i in range(count):
            at = T0 - timedelta(days=60) + timedelta(seconds=30 * i)
            event = received_event(
                f"PRE{i:07d}", at, code=CODES[i % len(CODES)], customer_id=f"P{i % 7919}"
            )
            store.append(fold([event]), [event], expected_version=0, wake_at=None)


def flatness(small: int, large: int, n: int) -> None:
    print(f"-- 2. per-command cost, {small:,} vs {large:,} complaints stored ({n} x 9 commands)")
    with tempfile.TemporaryDirectory() as tmp:
        paths = {size: Path(tmp) / f"pre{size}.db" for size in (small, large)}
        for size, path in paths.items():
            start = time.perf_counter()
            _preload(path, size)
            print(f"   preloaded {size:,} in {time.perf_counter() - start:.1f} s")
        costs: dict[int, list[float]] = {small: [], large: []}
        desks = {}
        for size, path in paths.items():
            store = SQLiteStore(path, durability="normal")  # the same for both sizes
            desks[size] = (store, *_desk(store, T0))
        for r in range(ROUNDS):
            for size in (small, large):
                _, desk, clock = desks[size]
                start = time.perf_counter()
                commands = _lifecycle(desk, clock, n, r)
                costs[size].append((time.perf_counter() - start) / commands * 1e6)
        for store, _, _ in desks.values():
            store.close()
    for size in (small, large):
        print(f"   {size:>7,} stored: µs/command {_spread(costs[size])}")
    ratio = statistics.median(costs[large]) / statistics.median(costs[small])
    for size in (small, large):
        figure(f"µs/command, {size:,} stored", _triple(costs[size]), "µs")
    target(f"per-command cost {large:,} / {small:,} stored", ratio, "<=", 1.25,
           compares="median µs/command with the large store over the small one")  # fmt: skip


def ticks(small: int, large: int, due: int = 10) -> None:
    print(f"-- 3. tick with {due} due among {small:,} vs {large:,} open complaints")
    with tempfile.TemporaryDirectory() as tmp:
        desks = {}
        for size in (small, large):
            path = Path(tmp) / f"tick{size}.db"
            _preload(path, size)
            store = SQLiteStore(path, durability="normal")  # the same for both sizes
            desk, clock = _desk(store, T0)
            desks[size] = (store, desk, clock)
        times: dict[int, list[float]] = {small: [], large: []}
        for r in range(ROUNDS * 4):
            for size in (small, large):
                store, desk, clock = desks[size]
                clock.advance(timedelta(minutes=1))
                step = size // due
                for k in range(due):
                    cid = f"PRE{(k * step + r) % size:07d}"
                    store.reschedule(cid, version=store.version(cid), wake_at=clock.now())
                start = time.perf_counter()
                desk.tick()
                times[size].append((time.perf_counter() - start) * 1e3)
        for store, _, _ in desks.values():
            store.close()
    for size in (small, large):
        print(f"   {size:>7,} open: ms/tick {_spread(times[size])}")
    ratio = statistics.median(times[large]) / statistics.median(times[small])
    for size in (small, large):
        figure(f"ms/tick, {size:,} open", _triple(times[size]), "ms")
    target(f"tick {large:,} / {small:,} open ({due} due)", ratio, "<=", 2.0,
           compares="median ms/tick with the large store over the small one")  # fmt: skip


def _cpu(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    before = os.times()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    after = os.times()
    return (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def demo_cpu(runs: int) -> None:
    print(f"-- 4. `ccms demo` CPU seconds, this tree vs {OLD_COMMIT} ({runs} runs each)")
    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        old.mkdir()
        archive = subprocess.run(
            ["git", "archive", OLD_COMMIT, "src"], cwd=repo, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        code = "import sys; sys.argv = ['ccms', 'demo']; from ccms.cli import main; main()"
        env = dict(os.environ, NO_COLOR="1", COLUMNS="120")
        contenders: dict[str, tuple[list[str], dict[str, str]]] = {
            "this tree": ([sys.executable, "-c", code], dict(env, PYTHONPATH=str(repo / "src"))),
            OLD_COMMIT: ([sys.executable, "-c", code], dict(env, PYTHONPATH=str(old / "src"))),
        }
        cpu: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(runs):
            for name, (command, cenv) in contenders.items():
                work = Path(tmp) / name.replace(" ", "_")
                work.mkdir(exist_ok=True)
                cpu[name].append(_cpu(command, work, cenv))
    for name, values in cpu.items():
        print(f"   {name:<10} CPU s {_spread(values)}")
    ratio = statistics.median(cpu[OLD_COMMIT]) / statistics.median(cpu["this tree"])
    for name, values in cpu.items():
        figure(f"ccms demo CPU, {name}", _triple(values), "s")
    target(f"ccms demo CPU {OLD_COMMIT} / this tree", ratio, ">=", 4.0, unit="x less CPU",
           compares="median CPU seconds of the old demo over this tree's")  # fmt: skip


def main() -> None:
    sections: list[Callable[[], None]] = [
        lambda: throughput(30 if QUICK else 120),
        lambda: flatness(1_000, 10_000 if QUICK else 100_000, 20 if QUICK else 60),
        lambda: ticks(1_000, 10_000 if QUICK else 100_000),
        lambda: demo_cpu(1 if QUICK else 3),
    ]
    wanted = [a for a in sys.argv[1:] if a.isdigit()]
    for i, section in enumerate(sections, start=1):
        if not wanted or str(i) in wanted:
            section()


if __name__ == "__main__":
    main()
