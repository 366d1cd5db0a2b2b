"""The power of ccms' conformance suites: how often each catches each planted classic bug.

Every mutant of :mod:`ccms.testing.mutants` (an SLA clock counting while the customer is waited
on, a calendar ignoring holidays, a deadline rolling over at closing time, time an hour off
across DST, a router picking inactive agents or ignoring the language, an escalation skipping a
level, ...) is run against its suite over fresh random seeds at Hypothesis' default settings
(100 examples, shrinking on), and the built-in policies they were made from are run once each
(they must pass). Prints, per mutant: the seeds that caught it, the median seconds to detection
(min and max; the property meant to catch it, or with ``--any-property`` the suite's properties
in order until one fails; without shrinking), the most
common size of the shrunk counterexample over the first ``--shrunk`` seeds (agents for a router,
steps for a history) and the property that caught it most often; then MET or MISSED for the targets: every
mutant caught in at least 19 of 20 seeds, every suite run on a built-in under 30 s.

Not part of CI (it takes minutes); CI holds one derandomized run per mutant
(``tests/testing/test_kit_power.py``). Run: ``python bench/power_testing_kit.py [--seeds 20]
[--examples 100] [name ...]`` (names filter the mutants by substring).
"""

from __future__ import annotations

import argparse
import collections
import re
import statistics
import sys
import time

from hypothesis import HealthCheck, Phase, settings

from ccms.testing.conformance import seeded
from ccms.testing.mutants import MUTANTS, Catch, builtins

DETECT = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target)
_AGENT = re.compile(r"^\s+\w+: [\w-]+, (handler|front_line|supervisor|executive)", re.M)


def size(catch: Catch) -> str:
    """The counterexample's size: agents of a routing case, steps of a scripted history."""
    text = catch.example
    if "RoutingCase(" in text:
        return f"{len(_AGENT.findall(text))} agents"
    if "Script(" in text:
        script = text[text.index("Script(") :].split(")", 1)[0]
        steps = 0 if script.rstrip().endswith("-") else script.count("@+")
        return f"{steps} steps"
    return f"{text.count(chr(10)) + 1} lines"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument(
        "--shrunk", type=int, default=3, help="seeds (the first ones) also run with shrinking"
    )
    parser.add_argument(
        "--any-property",
        action="store_true",
        help="run every property in order until one fails (default: the one meant to catch it)",
    )
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    common = {
        "max_examples": args.examples,
        "deadline": None,
        "database": None,
        "derandomize": False,
        "print_blob": False,
        "suppress_health_check": [HealthCheck.too_slow],
    }
    # detection: Hypothesis' defaults but no shrinking (the time to the first failing example);
    # the counterexample's size: the first seeds again, shrunk as by default
    settings.register_profile("power", phases=DETECT, **common)
    settings.register_profile("power-shrunk", **common)
    chosen = [m for m in MUTANTS.values() if not args.names or any(n in m.name for n in args.names)]
    if args.names == ["none"]:
        chosen = []
    print(
        f"{len(chosen)} mutants x {args.seeds} seeds, {args.examples} examples a property",
        flush=True,
    )
    missed = []
    for mutant in chosen:
        catches: list[Catch] = []
        only = None if args.any_property else mutant.expect
        settings.load_profile("power")
        for s in range(args.seeds):
            with seeded(10_007 * s + 17):
                catch = mutant.hunt(only=only)
            if catch is not None:
                catches.append(catch)
        settings.load_profile("power-shrunk")
        shrunk = []
        for s in range(min(args.shrunk, len(catches))):
            with seeded(10_007 * s + 17):
                catch = mutant.hunt(only=only)
            if catch is not None:
                shrunk.append(catch)
        if catches:
            times = [c.seconds for c in catches]
            sizes = collections.Counter(size(c) for c in shrunk or catches)
            prop = collections.Counter(c.test for c in catches).most_common(1)[0][0]
            detail = (
                f"{statistics.median(times):6.1f}s ({min(times):.1f}-{max(times):.1f})  "
                f"{sizes.most_common(1)[0][0]:>9}  {prop.removeprefix('test_')}"
            )
        else:
            detail = "never caught"
        ok = len(catches) >= max(1, args.seeds - args.seeds // 20)
        missed += [] if ok else [mutant.name]
        print(f"{mutant.name:34} {len(catches):2}/{args.seeds}  {detail}", flush=True)
    slow = []
    for name, (suite_class, policy) in builtins().items():
        suite = suite_class()
        began = time.perf_counter()
        for test in sorted(n for n in dir(suite) if n.startswith("test_")):
            try:
                getattr(suite, test)(policy)
            except BaseException as exc:  # a skip, or a built-in failing its suite
                if type(exc).__name__ != "Skipped":
                    print(f"built-in {name} FAILS {test}: {exc}")
                    slow.append(name)
        took = time.perf_counter() - began
        slow += [name] if took >= 30 else []
        print(f"built-in {name:18} whole suite {took:5.1f}s", flush=True)
    print(
        f"target every mutant caught in >= 19 of 20 seeds: {'MISSED' if missed else 'MET'}"
        + (f" ({', '.join(missed)})" if missed else "")
    )
    print(f"target each built-in's suite passes in < 30 s: {'MISSED' if slow else 'MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
