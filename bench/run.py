"""Run every benchmark in this folder (``make bench``); each prints its own ratios.

Each ``bench_*.py`` module has a ``main()`` that measures ccms against a baseline measured in the
same run, and prints the ratios. Pass names to run a subset: ``python bench/run.py calendar``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    wanted = set(argv)
    for path in sorted(here.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"\n=== {name} ===", flush=True)
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
