"""No token lost: 64 threads share one session whose access token expires every 1-2
seconds, against a server that rotates refresh tokens and revokes the whole grant when
a spent one comes back (RFC 9700 section 4.14.2).

One lost rotation (two threads refreshing with the same refresh token, or a new token
used before the application saw it) ends in ``invalid_grant``; these tests run long
enough for dozens of expiries and require none.  Slow: ``tox -e slow``.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from typing import Callable

import pytest
from requests.adapters import HTTPAdapter

from oauth2_core import OAuth2Client, OAuth2Session, RefreshCallbackError, Token
from oauth2_core.testing.server import AuthorizationServer

pytestmark = pytest.mark.slow

THREADS = 64
#: Seconds of traffic; the access token lives 2 s on the server (1-2 s as the client
#: sees it, since both sides round expiry to whole seconds).
DURATION = 30.0
RAISING_DURATION = 10.0
TOKEN_TTL = 2


@pytest.fixture
def server() -> Iterator[AuthorizationServer]:
    with AuthorizationServer(id_tokens=False) as running:
        running.config.access_token_ttl = TOKEN_TTL
        running.config.rotate_refresh_tokens = True
        yield running


def first_token(server: AuthorizationServer, client: OAuth2Client) -> Token:
    request = client.begin_authorization(scope="profile")
    return client.complete_authorization(server.authorize(request.url), request)


class Outcomes:
    """What the threads saw, by kind; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: collections.Counter[str] = collections.Counter()

    def add(self, kind: str) -> None:
        with self.lock:
            self.counts[kind] += 1


def hammer(session: OAuth2Session, url: str, seconds: float, outcomes: Outcomes) -> None:
    """Run ``THREADS`` threads sending requests through ``session`` for ``seconds``."""
    deadline = time.monotonic() + seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            try:
                response = session.get(url)
            except RefreshCallbackError:
                outcomes.add("callback raised")
                continue
            except Exception as exc:  # every other failure is counted and reported
                outcomes.add(f"{type(exc).__name__}: {exc}")
                continue
            outcomes.add(f"HTTP {response.status_code}")

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def shared_session(client: OAuth2Client, token: Token,
                   on_refresh: Callable[[Token], None]) -> OAuth2Session:
    session = client.session(token, on_token_refresh=on_refresh)
    # One pooled connection per thread, as a real multi-threaded service would set up.
    session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=THREADS))
    return session


def test_64_threads_through_30_seconds_of_expiries_lose_no_token(server) -> None:
    client = server.client(timeout=10)
    token = first_token(server, client)
    seen: list[Token] = []
    rejected: list[str] = []

    def save(new: Token) -> None:
        # The application stores the new token here: it must still be good.
        if server.authority.active_token(new.access_token or "", "access_token") is None:
            rejected.append("access_token")
        if server.authority.active_token(new.refresh_token or "", "refresh_token") is None:
            rejected.append("refresh_token")
        seen.append(new)

    outcomes = Outcomes()
    with shared_session(client, token, save) as session:
        hammer(session, server.url("/api/me"), DURATION, outcomes)
        final = session.token

    assert set(outcomes.counts) == {"HTTP 200"}, outcomes.counts
    assert rejected == []
    assert len(seen) >= 5  # tokens really expired, again and again
    refreshes = [r for r in server.requests_to("token") if r.form.get("grant_type")
                 == "refresh_token"]
    assert len(refreshes) == len(seen)  # single-flight: one request per renewal
    assert len({t.refresh_token for t in seen}) == len(seen)  # each rotation kept
    assert final is not None and final is seen[-1]
    assert server.authority.active_token(final.refresh_token or "", "refresh_token")


def test_a_raising_callback_does_not_stop_the_session(server) -> None:
    client = server.client(timeout=10)
    token = first_token(server, client)
    calls: list[Token] = []

    def flaky_save(new: Token) -> None:
        calls.append(new)
        if len(calls) % 2:
            raise OSError("the token database is down")

    outcomes = Outcomes()
    with shared_session(client, token, flaky_save) as session:
        hammer(session, server.url("/api/me"), RAISING_DURATION, outcomes)
        after = session.get(server.url("/api/me"))

    assert after.status_code == 200
    assert outcomes.counts["callback raised"] >= 1
    assert outcomes.counts["HTTP 200"] > outcomes.counts["callback raised"]
    assert set(outcomes.counts) == {"HTTP 200", "callback raised"}, outcomes.counts
    refreshes = [r for r in server.requests_to("token") if r.form.get("grant_type")
                 == "refresh_token"]
    assert len(refreshes) == len(calls)  # no second refresh with a spent token
