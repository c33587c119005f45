"""The cost of having every provider plugin installed (issue: 30 provider packages).

1. Cold start: ``import oauth2_core`` + the first ``client("google", ...)``, in a fresh
   interpreter, against ``python -c "import requests"``; interleaved pairs, bytecode
   allowed, medians.
2. Per authenticated call: a ``client("google").session(token)`` with every installed
   plugin loaded, against a plain ``requests.Session`` with a static header; the transport
   is a null adapter so only library overhead is measured; interleaved rounds, medians.

Run where the plugins are installed (``python tools/install_plugins.py``):
``python benchmarks/bench_plugins.py [--quick]``.  ``python -m benchmarks`` runs these
two and more, side by side with other OAuth 2.0 libraries; the timing helpers here
(:class:`NullAdapter`, :func:`cold_start`, :func:`interleaved_ratios`) serve both.
"""

from __future__ import annotations

import argparse
import atexit
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from typing import Any, Callable

import requests
from requests.adapters import BaseAdapter

COLD_BASELINE = "import requests"
#: What any pluggy host with entry-point discovery pays before running its own code.
COLD_FLOOR = ("import requests, pluggy; from importlib.metadata import entry_points; "
              "entry_points()")
COLD_OURS = ("import oauth2_core; oauth2_core.client('google', client_id='bench', "
             "client_secret='s', redirect_uri='https://app.example/cb')")
#: The API call every per-call measure makes (never sent: a NullAdapter answers it).
API_URL = "https://www.googleapis.com/oauth2/v3/userinfo"


class NullAdapter(BaseAdapter):
    """Answers every request with an empty 200, without touching the network."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.status_code = 200
        response._content = b"{}"
        response.request = request
        response.url = request.url or ""
        response.connection = self
        return response

    def close(self) -> None:
        pass


def bytecode_env() -> dict[str, str]:
    """This process's environment as it is now (a measure may have set a variable, such
    as requests-oauthlib's permission for http://), without PYTHONDONTWRITEBYTECODE:
    with it set, editable installs and source checkouts would be compiled on every
    start and look slower than they are."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@functools.cache
def neutral_dir() -> str:
    """An empty working directory for measured interpreters (removed at exit):
    ``python -c`` puts its directory first on sys.path, and in the repository the
    checkout would shadow the installed oauth2_core."""
    path = tempfile.mkdtemp(prefix="oauth2-bench-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def run_python(code: str) -> float:
    """Seconds a fresh interpreter takes to run ``code`` (start-up included)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=bytecode_env(),
                   cwd=neutral_dir())
    return time.perf_counter() - start


def cold_start(pairs: int, snippets: Sequence[str] = (COLD_BASELINE, COLD_FLOOR, COLD_OURS),
               ) -> tuple[dict[str, float], dict[str, float]]:
    """Median seconds per snippet over interleaved fresh interpreters, and each snippet's
    median ratio to ``import requests`` (the first run of each compiles its bytecode, as
    an installed package has)."""
    timers = {code: functools.partial(run_python, code) for code in snippets}
    return interleaved_ratios(timers, pairs, baseline=COLD_BASELINE)


def time_calls(session: requests.Session, calls: int, url: str = API_URL) -> float:
    """Seconds per ``session.get(url)``, averaged over ``calls`` calls."""
    get: Callable[..., requests.Response] = session.get
    start = time.perf_counter()
    for _ in range(calls):
        get(url)
    return (time.perf_counter() - start) / calls


def _rounds(timers: Mapping[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Each timer's result in each of ``rounds`` rounds, after one warm-up run each.

    Every round runs every timer, so a slow spell on a noisy machine hits all of them
    alike rather than one.  Each round starts one timer further along the list: over
    ``len(timers)`` rounds every timer runs in every position once, and (with three or
    more) never straight after itself.  Alternating forwards and backwards instead
    favoured the two ends of the list, which ran twice in a row every other round:
    with three cold-start snippets, the one in the middle read 2-4 % slower than an
    identical one at an end.
    """
    names = list(timers)
    for name in names:
        timers[name]()
    results: dict[str, list[float]] = {name: [] for name in names}
    for i in range(rounds):
        start = i % len(names)
        for name in names[start:] + names[:start]:
            results[name].append(timers[name]())
    return results


def _medians(results: Mapping[str, Sequence[float]]) -> dict[str, float]:
    return {name: statistics.median(values) for name, values in results.items()}


def interleaved_ratios(timers: Mapping[str, Callable[[], float]], rounds: int,
                       baseline: str) -> tuple[dict[str, float], dict[str, float]]:
    """Each timer's median, and its median ratio to ``baseline`` within one round.

    A ratio of two timings taken side by side cancels the slow spells of a noisy
    machine that a ratio of two separate medians keeps (seen here: 0.98 to 1.10 for the
    same code from run to run, against 1.02 to 1.04 paired).
    """
    results = _rounds(timers, rounds)
    base = results[baseline]
    medians = _medians(results)
    ratios = {name: statistics.median(x / b for x, b in zip(values, base))
              for name, values in results.items()}
    return medians, ratios


def _static_bearer(request: requests.PreparedRequest) -> requests.PreparedRequest:
    request.headers["Authorization"] = "Bearer bench-token"
    return request


def _sessions() -> tuple[requests.Session, requests.Session, int]:
    import oauth2_core

    installed = len(oauth2_core.providers())  # loads every installed plugin
    plain = requests.Session()
    # Through auth, not session.headers: requests reads ~/.netrc for every request that
    # has no auth, a cost the OAuth session (which has one) never pays.
    plain.auth = _static_bearer
    client = oauth2_core.client("google", client_id="bench", client_secret="s")
    ours = client.session(oauth2_core.Token(access_token="bench-token", expires_in=3600))
    for session in (plain, ours):
        session.mount("https://", NullAdapter())
    return plain, ours, installed


def per_call(rounds: int, calls: int) -> tuple[float, float, float, int]:
    """Median seconds per call of plain and ours, and ours' median ratio to plain."""
    plain, ours, installed = _sessions()
    medians, ratios = interleaved_ratios({"plain": lambda: time_calls(plain, calls),
                                          "ours": lambda: time_calls(ours, calls)}, rounds,
                                         baseline="plain")
    return medians["plain"], medians["ours"], ratios["ours"], installed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    args = parser.parse_args(argv)
    pairs, rounds, calls = (4, 3, 500) if args.quick else (21, 45, 1000)

    cold, cold_ratios = cold_start(pairs)
    base_cold, floor_cold, ours_cold = (cold[COLD_BASELINE], cold[COLD_FLOOR],
                                        cold[COLD_OURS])
    base_call, ours_call, call_ratio, installed = per_call(rounds, calls)
    print(f"{installed} providers installed; medians of {pairs} cold pairs and "
          f"{rounds} rounds of {calls} calls")
    print(f"{'measure':<44} {'baseline':>10} {'oauth2-core':>12} {'ratio':>7}")
    print(f"{'cold: requests + pluggy + entry-point scan':<44} "
          f"{base_cold * 1e3:>8.1f}ms {floor_cold * 1e3:>10.1f}ms {cold_ratios[COLD_FLOOR]:>7.3f}")
    print(f"{'cold: import + client(google) vs import requests':<44} "
          f"{base_cold * 1e3:>8.1f}ms {ours_cold * 1e3:>10.1f}ms {cold_ratios[COLD_OURS]:>7.3f}")
    print(f"{'per call: session vs static-header requests':<44} "
          f"{base_call * 1e6:>8.1f}us {ours_call * 1e6:>10.1f}us {call_ratio:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
