"""Token endpoint round trips against panva's oidc-provider (tests/interop/server.mjs).

Every library fetches client-credentials tokens for the static ``interop-post`` client
(``client_secret_post``, 600 s tokens) through one session that keeps its connection
open.  The server is started once, the way tests/interop/conftest.py does it (``node
server.mjs <port>`` on 127.0.0.1); the timing runs in fresh worker interpreters
(benchmarks/workers.py), each with interleaved rounds.  The figure is the median time
per token and the ratio the median over workers of each worker's median ratio within a
round (so a slow spell of the server hits both sides of it).  In one process, a
library's ratio swung between runs by more than the gap between libraries (ours read
0.97 to 1.11 across six processes, the same code), as per-call timings did.  The
baseline is a plain ``requests.Session().post`` of the same form.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Optional

import requests

from .peers import BASELINE, OURS, PEERS, Library, libraries, loopback_http_allowed
from .table import Row, judged
from .token_overhead import time_fetches
from .workers import in_workers

INTEROP_DIR = Path(__file__).resolve().parents[1] / "tests" / "interop"
sys.path.insert(0, str(INTEROP_DIR))
from launch import ServerUnavailable, oidc_provider  # noqa: E402  (the tests' launcher)

CLIENT_ID, CLIENT_SECRET = "interop-post", "interop-post-secret"
MEASURE = "client-credentials tokens, oidc-provider"
SKIPPED = "skipped: run npm ci --prefix tests/interop"


def timers(token_url: str, names: Sequence[str], tokens: int,
           ) -> tuple[dict[str, Callable[[], float]], list[requests.Session]]:
    """In a worker: each named library's timer (seconds per token over ``tokens``
    fetches from ``token_url``), checked to get a token first, and its session."""
    fetchers = {lib.name: lib.token_fetcher(token_url, CLIENT_ID, CLIENT_SECRET)
                for lib in libraries() if lib.name in names}
    for name, (fetch, _) in fetchers.items():
        if not fetch():
            raise RuntimeError(f"{name} got no access token")
    return ({name: functools.partial(time_fetches, fetch, tokens)
             for name, (fetch, _) in fetchers.items()},
            [session for _, session in fetchers.values()])


def _rows(seconds: dict[str, float], ratios: dict[str, float],
          libs: Sequence[Library]) -> list[Row]:
    peers = [lib.name for lib in libs if lib in PEERS]
    rows = []
    for lib in libs:
        target = verdict = ""
        if lib is OURS and peers:
            fastest = min(peers, key=ratios.__getitem__)
            target = f"≥ fastest peer ({fastest}: {ratios[fastest]:.3f})"
            verdict = judged(ratios[lib.name] <= ratios[fastest])
        rows.append(Row(MEASURE, lib.name, f"{1 / seconds[lib.name]:.0f}/s "
                        f"({seconds[lib.name] * 1e3:.2f} ms)", ratios[lib.name], target,
                        verdict))
    return rows


def token_round_trips(rounds: int, tokens: int, workers: int = 1,
                      libs: Optional[Sequence[Library]] = None) -> list[Row]:
    """One row per library: client-credentials tokens per second with connection reuse
    (ratio: time per token relative to plain requests), timed in ``workers`` fresh
    interpreters.  Without Node.js or ``npm ci`` the measure is skipped, loudly."""
    libs = list(libs) if libs is not None else libraries()
    try:
        # The workers inherit the permission requests-oauthlib needs for http://.
        with oidc_provider() as issuer, loopback_http_allowed():
            seconds, ratios = in_workers("tokens", workers, rounds, tokens,
                                         [issuer + "/token", *(lib.name for lib in libs)],
                                         BASELINE.name)
    except ServerUnavailable as exc:
        print(f"!!! token round trips SKIPPED: {exc}. Run: npm ci --prefix tests/interop",
              file=sys.stderr)
        return [Row(MEASURE, "all libraries", SKIPPED)]
    return _rows(seconds, ratios, libs)
