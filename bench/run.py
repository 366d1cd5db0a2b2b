"""Run every benchmark in this folder (``make bench``) and write all figures to one JSON file.

Each ``bench_*.py`` module has a ``main()`` that measures ccms against baselines measured in the
same run and prints its figures and targets (MET or MISSED, judged from that run's figures).
Figures reported through ``bench/_figures.py`` are collected here and written, with the machine
and the time of the run, to ``bench/results.json`` (or the path in ``CCMS_BENCH_JSON``), so runs
can be compared. A bench that fails is recorded with its error and the others still run; the
exit status is 1 if any failed.

Pass names to run a subset: ``python bench/run.py calendar metrics``.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _figures  # noqa: E402  (the bench folder is on the path only from here on)


def _load_average() -> list[float] | None:
    try:
        return list(os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return None


def main(argv: list[str]) -> int:
    wanted = set(argv)
    runs: list[dict[str, Any]] = []
    failed = False
    started = datetime.now(UTC)
    load_before = _load_average()
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ===", flush=True)
        _figures.reset(name)
        t0 = time.perf_counter()
        error = None
        try:
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec is not None
            assert spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.main()
        except Exception:  # a failing bench is recorded; the others still run
            error = traceback.format_exc()
            print(error, file=sys.stderr)
            failed = True
        run = _figures.current()
        run.update(bench=name, seconds=time.perf_counter() - t0, error=error,
                   load_average_after=_load_average())  # fmt: skip
        runs.append(run)
    out = Path(os.environ.get("CCMS_BENCH_JSON", HERE / "results.json"))
    meta = {
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "argv": argv,
    }
    _figures.write_json(out, runs, meta)
    targets = [t for r in runs for t in r["targets"]]
    met = sum(1 for t in targets if t["met"])
    print(f"\n{met} of {len(targets)} targets met; figures written to {out}")
    for t in targets:
        if not t["met"]:
            print(f"  MISSED: {t['name']} ({t['value']:.3g}{t['unit']}, target {t['op']} "
                  f"{t['limit']:g}{t['unit']})")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
