"""Shared helpers of the benchmarks: interleaved timing, figures, targets, one JSON file.

Every ``bench_*.py`` module measures ccms against baselines *in the same run* and reports what it
measured through this module, so ``bench/run.py`` can write all figures of a run to one JSON file
(runs can then be compared) and every target is judged from that run's own figures:

* :func:`interleaved` times several contenders round-robin (the order rotates every round, so a
  busy machine or a warming cache slows all of them alike) and returns a :class:`Timing` each:
  median, min and max over the rounds;
* :func:`figure` records one measured figure (a rate, a time, a ratio, a size) with what it
  compares;
* :func:`target` records a target with the figure it is judged on, prints it as ``MET`` or
  ``MISSED`` and returns whether it was met.

A bench that is run alone (``python bench/bench_metrics.py``) prints the same lines; the figures
are then simply not written anywhere. Other benches need only these three calls::

    from _figures import figure, interleaved, target

    t = interleaved({"ccms": run_ccms, "peer": run_peer}, rounds=5)
    figure("ccms add", t["ccms"].rate(cases), "calls/s", compares="...")
    target("ccms vs peer", t["peer"].median / t["ccms"].median, ">=", 1.0, unit="x speed")
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Timing",
    "current",
    "figure",
    "interleaved",
    "peak_rss_mib",
    "reset",
    "target",
    "write_json",
]


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of one contender over several rounds."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def max(self) -> float:
        return max(self.seconds)

    def rate(self, work: float) -> tuple[float, float, float]:
        """``work`` per second at the median, the slowest and the fastest round."""
        return work / self.median, work / self.max, work / self.min

    def __str__(self) -> str:
        return (
            f"median {self.median * 1e3:9.1f} ms  (min {self.min * 1e3:.1f}, "
            f"max {self.max * 1e3:.1f}; {len(self.seconds)} rounds)"
        )


def interleaved(
    contenders: Mapping[str, Callable[[], object]], rounds: int = 5, *, warmup: bool = True
) -> dict[str, Timing]:
    """Time each contender ``rounds`` times, round-robin, rotating the order every round."""
    names = list(contenders)
    if warmup:
        for name in names:
            contenders[name]()
    spent: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            t0 = time.perf_counter()
            contenders[name]()
            spent[name].append(time.perf_counter() - t0)
    return {n: Timing(tuple(s)) for n, s in spent.items()}


@dataclass
class _Run:
    bench: str = ""
    figures: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)


_RUN = _Run()


def reset(bench: str) -> None:
    """Start recording the figures of ``bench`` (``bench/run.py`` calls it)."""
    global _RUN
    _RUN = _Run(bench)


def current() -> dict[str, Any]:
    """The figures and targets recorded since the last :func:`reset`."""
    return asdict(_RUN)


def _plain(value: Any) -> Any:
    if isinstance(value, Timing):
        return {"median": value.median, "min": value.min, "max": value.max,
                "rounds": len(value.seconds)}  # fmt: skip
    if isinstance(value, tuple) and len(value) == 3:
        return {"median": value[0], "min": value[1], "max": value[2]}
    return value


def figure(name: str, value: Any, unit: str, *, compares: str = "", **extra: Any) -> None:
    """Record one figure (a number, a :class:`Timing`, or a ``(median, min, max)`` triple)."""
    _RUN.figures.append(
        {"name": name, "value": _plain(value), "unit": unit, "compares": compares, **extra}
    )


_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
}


def target(name: str, value: float, op: str, limit: float, *, unit: str = "x",
           compares: str = "") -> bool:  # fmt: skip
    """Judge ``value op limit``, print ``MET``/``MISSED`` with the figure, record it."""
    met = _OPS[op](value, limit)
    verdict = "MET" if met else "MISSED"
    print(f"  target {name}: {value:.3g}{unit} (target {op} {limit:g}{unit}) {verdict}")
    _RUN.targets.append(
        {"name": name, "value": value, "op": op, "limit": limit, "unit": unit, "met": met,
         "compares": compares}
    )  # fmt: skip
    return met


def write_json(path: Path, runs: list[dict[str, Any]], meta: Mapping[str, Any]) -> None:
    """Write every bench's figures of this run as one JSON document."""
    doc = {**meta, "benches": runs}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def peak_rss_mib() -> float:
    """This process's peak resident size in MiB. On Linux ``VmHWM`` of ``/proc/self/status``:
    ``ru_maxrss`` keeps the parent's peak across fork and exec, so a child of a big process (a
    bench run after another) would report the parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover - not Linux
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)
