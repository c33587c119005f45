"""Token request overhead without a server: the client-credentials path of each library
answered by a canned token response, so only the libraries' own work is timed.

This is the noise-free companion of the oidc-provider round trips (whose ~1 ms of server
time swamps differences of tens of microseconds).  The canned answer is a real
``urllib3.HTTPResponse`` over a byte stream, so streamed and buffered reads both do their
actual work.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from typing import Any, Callable, Optional

import requests
import urllib3
from requests.adapters import HTTPAdapter

from .peers import BASELINE, OURS, PEERS, Library, libraries
from .table import Row, judged
from .workers import in_workers

MEASURE = "token request overhead, canned response"
TOKEN_URL = "https://as.example/token"
TOKEN_BODY = json.dumps({"access_token": "a" * 43, "token_type": "Bearer",
                         "expires_in": 600, "scope": "api:read"}).encode()


class CannedTokenAdapter(HTTPAdapter):
    """Answers every request with :data:`TOKEN_BODY`, as a token endpoint would."""

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             **kwargs: Any) -> requests.Response:
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(TOKEN_BODY), status=200, preload_content=False,
            headers={"Content-Type": "application/json; charset=utf-8",
                     "Content-Length": str(len(TOKEN_BODY))},
        )
        response = self.build_response(request, raw)
        if not stream:
            response.content  # noqa: B018  # read it, as requests does unless streaming
        return response


def time_fetches(fetch: Callable[[], str], fetches: int) -> float:
    """Seconds per token, averaged over ``fetches`` fetches."""
    start = time.perf_counter()
    for _ in range(fetches):
        fetch()
    return (time.perf_counter() - start) / fetches


def fetchers(names: Sequence[str] = ()) -> dict[str, tuple[Callable[[], str],
                                                            requests.Session]]:
    """Each installed library's (or those ``names``') token fetcher against the canned
    answer (run in each worker), checked to parse a token first."""
    chosen = {lib.name: lib.token_fetcher(TOKEN_URL, "bench", "s") for lib in libraries()
              if not names or lib.name in names}
    for name, (fetch, session) in chosen.items():
        session.mount("https://", CannedTokenAdapter())
        if not fetch():
            raise RuntimeError(f"{name} parsed no access token")
    return chosen


def token_overhead(rounds: int, fetches: int, workers: int = 1,
                   libs: Optional[Sequence[Library]] = None) -> list[Row]:
    """Seconds per client-credentials token of each library against a canned answer, in
    ``workers`` fresh interpreters; ratio to a plain ``requests.Session().post``."""
    libs = list(libs) if libs is not None else libraries()
    medians, ratios = in_workers("token-overhead", workers, rounds, fetches,
                                 [lib.name for lib in libs], BASELINE.name)
    best_peer = min((ratios[lib.name] for lib in libs if lib in PEERS), default=None)
    rows = []
    for lib in libs:
        target = verdict = ""
        if lib is OURS and best_peer is not None:
            target, verdict = "≤ fastest peer", judged(ratios[lib.name] <= best_peer)
        rows.append(Row(MEASURE, lib.name, f"{medians[lib.name] * 1e6:.1f} µs",
                        ratios[lib.name], target, verdict))
    return rows
