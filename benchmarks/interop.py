"""Token endpoint round trips against panva's oidc-provider (tests/interop/server.mjs).

Every library fetches client-credentials tokens for the static ``interop-post`` client
(``client_secret_post``, 600 s tokens) through one session that keeps its connection
open.  The server is started once, the way tests/interop/conftest.py does it (``node
server.mjs <port>`` on 127.0.0.1); the timing runs in fresh worker interpreters
(benchmarks/workers.py).  The baseline is a plain ``requests.Session().post`` of the
same form, and a second plain session is timed as the A/A control.

The libraries take turns token by token, in orders balanced for place and
predecessor, rather than each fetching a batch in turn: the server's slow spells (a
garbage collection in Node, the other core busy) last about as long as a batch, so
batches put them on one library, while single tokens spread them over all.  In the same
session on this machine, one worker's ratio for a library ranged over up to 22 % across
11 workers in batches and up to 9 % token by token.  A round's figure is each library's
mean time per token (tokens per second, slow tokens included); the ratio is the median
over workers of each worker's median ratio within a round.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Callable, Optional

from .measures import CONTROL
from .peers import BASELINE, OURS, PEERS, Library, libraries, loopback_http_allowed
from .table import Row, judged
from .workers import Rounds, in_workers

INTEROP_DIR = Path(__file__).resolve().parents[1] / "tests" / "interop"
sys.path.insert(0, str(INTEROP_DIR))
from launch import ServerUnavailable, oidc_provider  # noqa: E402  (the tests' launcher)

CLIENT_ID, CLIENT_SECRET = "interop-post", "interop-post-secret"
MEASURE = "client-credentials tokens, oidc-provider"
SKIPPED = "skipped: run npm ci --prefix tests/interop"


def balanced_orders(count: int) -> list[list[int]]:
    """Orders of ``count`` items (a Williams design) in which every item comes first
    equally often and straight after every other item equally often.

    Rotating one fixed order does the first but not the second: each item then always
    follows the same one.  Timed that way, the A/A control, which always followed the
    heaviest library, read 0.996 to 1.025 (median 1.012) against the identical baseline
    in six runs; in balanced orders, 0.992 to 1.007 in three.
    """
    first, low, high = [0], 1, count - 1
    while low <= high:
        first.append(low)
        low += 1
        if low <= high:
            first.append(high)
            high -= 1
    orders = [[(item + shift) % count for item in first] for shift in range(count)]
    if count % 2:  # with an odd count, the orders reversed balance the pairs
        orders += [order[::-1] for order in orders]
    return orders


def interleaved_tokens(fetchers: Mapping[str, Callable[[], object]], rounds: int,
                       tokens: int, clock: Callable[[], float] = time.perf_counter,
                       ) -> Rounds:
    """Each fetcher's mean seconds per token in each of ``rounds`` rounds of ``tokens``
    turns.  In every turn each fetcher fetches one token, the turns cycling through
    :func:`balanced_orders`, so over a round no fetcher is favoured by its place or by
    the one that ran before it."""
    names = list(fetchers)
    orders = [[names[i] for i in order] for order in balanced_orders(len(names))]
    results: Rounds = {name: [] for name in names}
    turns = 0
    for _ in range(rounds):
        spent = dict.fromkeys(names, 0.0)
        for _ in range(tokens):
            for name in orders[turns % len(orders)]:
                fetch = fetchers[name]
                began = clock()
                fetch()
                spent[name] += clock() - began
            turns += 1
        for name in names:
            results[name].append(spent[name] / tokens)
    return results


def token_rounds(token_url: str, names: Sequence[str], rounds: int, tokens: int) -> Rounds:
    """In a worker: the named libraries and the A/A control fetching tokens from
    ``token_url`` in interleaved rounds, each checked to get a token first (which warms
    its connection up)."""
    fetchers = {lib.name: lib.token_fetcher(token_url, CLIENT_ID, CLIENT_SECRET)
                for lib in libraries() if lib.name in names}
    fetchers[CONTROL] = BASELINE.token_fetcher(token_url, CLIENT_ID, CLIENT_SECRET)
    try:
        for name, (fetch, _) in fetchers.items():
            if not fetch():
                raise RuntimeError(f"{name} got no access token")
        return interleaved_tokens({name: fetch for name, (fetch, _) in fetchers.items()},
                                  rounds, tokens)
    finally:
        for _, session in fetchers.values():
            session.close()


def _rows(seconds: dict[str, float], ratios: dict[str, float],
          libs: Sequence[Library]) -> list[Row]:
    peers = [lib.name for lib in libs if lib in PEERS]
    rows = []
    for name in [lib.name for lib in libs] + [CONTROL]:
        target = verdict = ""
        if name == OURS.name and peers:
            fastest = min(peers, key=ratios.__getitem__)
            target = f"≥ fastest peer ({fastest}: {ratios[fastest]:.3f})"
            verdict = judged(ratios[name] <= ratios[fastest])
        rows.append(Row(MEASURE, name, f"{1 / seconds[name]:.0f}/s "
                        f"({seconds[name] * 1e3:.2f} ms)", ratios[name], target, verdict))
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
