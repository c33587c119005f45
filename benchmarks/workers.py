"""In-process timings repeated in several fresh interpreters, as pyperf does.

Each interpreter carries its own luck: where address-space randomisation put its code
and objects, how its strings hash.  That luck is fixed for the life of the process, so
more rounds in one process cannot average it out.  Seen here with unchanged code: one
peer's per-call ratio read 1.013 in one process and 1.041 in the next, and the A/A
control (plain requests against itself) 1.000 and 1.021, with the same hash seed.  So a
figure is the median over worker processes of each worker's median paired ratio.

A worker is ``python -m benchmarks.workers KIND ROUNDS CALLS [ARG...]``; it prints one
JSON object, ``{session name: [seconds per call in each round]}``.
"""

from __future__ import annotations

import functools
import json
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Callable

import requests

from .bench_plugins import _rounds, time_calls

#: The directory holding the ``benchmarks`` package, where a worker must start.
ROOT = Path(__file__).resolve().parent.parent
#: A worker's result: each session's seconds per call, one value per round.
Rounds = dict[str, list[float]]


def _timers(kind: str, calls: int, args: Sequence[str],
            ) -> tuple[dict[str, Callable[[], float]], list[requests.Session]]:
    """The timers of ``kind`` built in this interpreter (each returns seconds per call
    over ``calls`` calls), and the sessions to close afterwards."""
    from . import measures, token_overhead

    if kind == "token-overhead":
        fetchers = token_overhead.fetchers(list(args))
        return ({name: functools.partial(token_overhead.time_fetches, fetch, calls)
                 for name, (fetch, _) in fetchers.items()},
                [session for _, session in fetchers.values()])
    if kind == "per-call":
        sessions = measures.per_call_sessions(list(args))
    elif kind == "scaling":
        sessions = measures.scaling_sessions([int(n) for n in args])
    else:
        raise ValueError(f"unknown worker kind {kind!r}")
    return ({name: functools.partial(time_calls, session, calls)
             for name, session in sessions.items()}, list(sessions.values()))


def run_worker(kind: str, rounds: int, calls: int, args: Sequence[str]) -> Rounds:
    """Build the timers of ``kind`` in this interpreter and run them in interleaved
    rounds (after a warm-up).  Token round trips take turns token by token instead
    (``calls`` tokens per round; args: the token endpoint's URL, then the libraries)."""
    if kind == "tokens":
        from . import interop

        return interop.token_rounds(args[0], args[1:], rounds, calls)
    timers, sessions = _timers(kind, calls, args)
    try:
        return _rounds(timers, rounds)
    finally:
        for session in sessions:
            session.close()


def in_workers(kind: str, workers: int, rounds: int, calls: int, args: Sequence[str],
               baseline: str) -> tuple[dict[str, float], dict[str, float]]:
    """Each session's median seconds per call over every round of every worker, and the
    median over workers of its median ratio to ``baseline`` within a round."""
    results = [_spawn(kind, rounds, calls, args) for _ in range(workers)]
    names = list(results[0])
    medians = {name: statistics.median(v for result in results for v in result[name])
               for name in names}
    ratios = {name: statistics.median(_paired_ratio(result, name, baseline)
                                      for result in results) for name in names}
    return medians, ratios


def _paired_ratio(result: Rounds, name: str, baseline: str) -> float:
    return statistics.median(x / b for x, b in zip(result[name], result[baseline]))


def _spawn(kind: str, rounds: int, calls: int, args: Sequence[str]) -> Rounds:
    command = [sys.executable, "-m", "benchmarks.workers", kind, str(rounds), str(calls),
               *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"benchmark worker {kind} failed:\n{done.stderr}")
    result: Rounds = json.loads(done.stdout)
    return result


def main(argv: Sequence[str]) -> int:
    kind, rounds, calls, *args = argv
    print(json.dumps(run_worker(kind, int(rounds), int(calls), args)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
