"""``python -m benchmarks [--quick] [--only NAME,...]``: every measure, one table.

Progress goes to stderr; stdout gets one line of conditions and the Markdown table.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from typing import Callable

from . import instructions, interop, measures, storm, token_overhead
from .peers import missing_peers
from .table import Row, render

#: A measure, sized for the run; it returns its table rows.
Measure = Callable[[], list[Row]]
SCALING_COUNTS = (1, 10, 40, 100)
#: Measures run only when named with --only: instructions needs valgrind and minutes.
OPT_IN = frozenset({"instructions"})


def plan(quick: bool) -> dict[str, Measure]:
    """The measures in table order, sized for a full run (< 4 min on 2 noisy cores) or a
    quick one (< 60 s: the smoke run CI uses)."""
    # Cold starts swing most from run to run (the same code read 1.07 and 1.16 here):
    # many pairs, each ratio taken within a pair.
    calls, pairs, tokens, fetches = (300, 2, 20, 200) if quick else (600, 41, 80, 1000)
    # In-process timings are split over fresh interpreters (see benchmarks/workers.py).
    workers, worker_rounds = (1, 3) if quick else (11, 6)
    return {
        "per-call": lambda: measures.per_call(rounds=worker_rounds, calls=calls,
                                              workers=workers),
        "cold": lambda: measures.cold(pairs=pairs),
        "storm": lambda: storm.storm(threads=64),
        "tokens": lambda: interop.token_round_trips(rounds=worker_rounds, tokens=tokens,
                                                    workers=workers),
        "overhead": lambda: token_overhead.token_overhead(
            rounds=worker_rounds, fetches=fetches // 2, workers=workers),
        "scaling": lambda: measures.scaling(SCALING_COUNTS, rounds=worker_rounds,
                                            calls=calls, workers=max(1, workers // 2)),
        "instructions": lambda: instructions.instructions(calls=20 if quick else 500),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="few rounds, whole run under a minute (smoke test, CI)")
    parser.add_argument("--only", default="",
                        help="comma-separated measures to run: " + ",".join(plan(False))
                        + f" (default: all but {', '.join(sorted(OPT_IN))})")
    args = parser.parse_args(argv)
    chosen = plan(args.quick)
    if args.only:
        names = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = sorted(set(names) - set(chosen))
        if unknown:
            parser.error(f"unknown measure(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(chosen)}")
        chosen = {name: chosen[name] for name in names}
    else:
        chosen = {name: run for name, run in chosen.items() if name not in OPT_IN}
    missing = missing_peers()
    if missing:
        print(f"!!! peers not installed, left out: {', '.join(missing)} "
              "(pip install -r benchmarks/requirements.txt)", file=sys.stderr)
    import oauth2_core

    rows: list[Row] = []
    started = time.perf_counter()
    for name, run in chosen.items():
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.extend(run())
    elapsed = time.perf_counter() - started
    print(f"Python {platform.python_version()} on {platform.machine()}, "
          f"{len(oauth2_core.providers())} oauth2-core providers installed, "
          f"{'quick' if args.quick else 'full'} run in {elapsed:.0f} s; "
          "medians of interleaved rounds; ratio = median, over rounds, of the cost relative "
          "to the measure's baseline in the same round")
    print()
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
