"""Token endpoint round trips against panva's oidc-provider (tests/interop/server.mjs).

Every library fetches client-credentials tokens for the static ``interop-post`` client
(``client_secret_post``, 600 s tokens) through one session that keeps its connection
open; rounds are interleaved, the figure is the median time per token and the ratio the
median of the ratios taken within a round (so a slow spell of the server hits both
sides of it).  The baseline is a plain ``requests.Session().post`` of the same form.
The server is started the way tests/interop/conftest.py does it: ``node server.mjs
<port>`` on 127.0.0.1.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Optional

from .bench_plugins import interleaved_ratios
from .peers import BASELINE, OURS, PEERS, Library, libraries, loopback_http_allowed
from .table import Row, judged

INTEROP_DIR = Path(__file__).resolve().parents[1] / "tests" / "interop"
sys.path.insert(0, str(INTEROP_DIR))
from launch import ServerUnavailable, oidc_provider  # noqa: E402  (the tests' launcher)

CLIENT_ID, CLIENT_SECRET = "interop-post", "interop-post-secret"
MEASURE = "client-credentials tokens, oidc-provider"
SKIPPED = "skipped: run npm ci --prefix tests/interop"


class TokenTimer:
    """Times ``tokens`` fetches per call: wall seconds per token (returned, for the rate)
    and this thread's CPU seconds per token (kept: the library's own work, without the
    server's, which runs in another process)."""

    def __init__(self, fetch: Callable[[], str], tokens: int) -> None:
        self.fetch, self.tokens = fetch, tokens
        self.cpu: list[float] = []

    def __call__(self) -> float:
        wall, cpu = time.perf_counter(), time.thread_time()
        for _ in range(self.tokens):
            self.fetch()
        self.cpu.append((time.thread_time() - cpu) / self.tokens)
        return (time.perf_counter() - wall) / self.tokens


def measure_tokens(token_url: str, rounds: int, tokens: int,
                   libs: Sequence[Library]) -> dict[str, tuple[float, float, float]]:
    """(median wall seconds, median CPU seconds) per token of each library, and its
    median ratio to the baseline within a round."""
    fetchers = {lib.name: lib.token_fetcher(token_url, CLIENT_ID, CLIENT_SECRET)
                for lib in libs}
    try:
        for name, (fetch, _) in fetchers.items():
            if not fetch():
                raise RuntimeError(f"{name} got no access token")
        timers = {name: TokenTimer(fetch, tokens) for name, (fetch, _) in fetchers.items()}
        walls, ratios = interleaved_ratios(timers, rounds, BASELINE.name)
        return {name: (walls[name], statistics.median(timers[name].cpu), ratios[name])
                for name in timers}
    finally:
        for _, session in fetchers.values():
            session.close()


def _rows(medians: dict[str, tuple[float, float, float]],
          libs: Sequence[Library]) -> list[Row]:
    peers = [lib.name for lib in libs if lib in PEERS]
    rows = []
    for lib in libs:
        seconds, cpu, ratio = medians[lib.name]
        target = verdict = ""
        if lib is OURS and peers:
            fastest = min(peers, key=lambda name: medians[name][2])
            target = f"≥ fastest peer ({fastest}: {medians[fastest][2]:.3f})"
            verdict = judged(ratio <= medians[fastest][2])
        rows.append(Row(MEASURE, lib.name, f"{1 / seconds:.0f}/s ({seconds * 1e3:.2f} ms, "
                        f"client CPU {cpu * 1e3:.2f} ms)", ratio, target, verdict))
    return rows


def token_round_trips(rounds: int, tokens: int,
                      libs: Optional[Sequence[Library]] = None) -> list[Row]:
    """One row per library: client-credentials tokens per second with connection reuse
    (ratio: time per token relative to plain requests).  Without Node.js or
    ``npm ci`` the measure is skipped, loudly."""
    libs = list(libs) if libs is not None else libraries()
    try:
        with oidc_provider() as issuer, loopback_http_allowed():
            medians = measure_tokens(issuer + "/token", rounds, tokens, libs)
    except ServerUnavailable as exc:
        print(f"!!! token round trips SKIPPED: {exc}. Run: npm ci --prefix tests/interop",
              file=sys.stderr)
        return [Row(MEASURE, "all libraries", SKIPPED)]
    return _rows(medians, libs)
