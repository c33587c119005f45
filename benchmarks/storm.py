"""Refresh storm: many threads, one shared session, one expired token.

Each library gets its own grant (a real authorization-code flow) from a loopback
:class:`~oauth2_core.testing.server.AuthorizationServer`; the session is told the access
token expired a minute ago, then ``threads`` threads released at once each make one API
call to the server's protected resource.  The figure is how many refresh requests reached
the token endpoint: one is enough, more is wasted work (and, at a server that rotates
refresh tokens and treats reuse as theft, a revoked grant).  Rotation is off here so every
refresh succeeds and the count is not cut short by errors.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time
from collections.abc import Sequence
from typing import Any, Optional

import requests
from requests.adapters import HTTPAdapter

from .peers import TIMEOUT, Library, libraries, loopback_http_allowed
from .table import Row, judged

MEASURE = "refresh storm: token requests"
#: Connections the storm server queues before accepting them; socketserver's default of
#: 5 makes a burst of 64 connects end in resets (a real token endpoint queues hundreds).


@dataclasses.dataclass(frozen=True)
class RefreshSetup:
    """A registered client and its token, whose access token the client thinks expired."""

    token_url: str
    client_id: str
    client_secret: str
    token: dict[str, Any]  # access_token, refresh_token, token_type, expires_at (past)



def _expired_grant(server: object, auth_method: str) -> RefreshSetup:
    """A fresh grant for a new client of ``server``, with the access token marked as
    expired (the server still honours it; only the client's clock says otherwise)."""
    from oauth2_core.testing.server import AuthorizationServer

    assert isinstance(server, AuthorizationServer)
    registered = server.register_client(token_endpoint_auth_method=auth_method)
    client = server.client(registered, token_endpoint_auth_method=auth_method)
    request = client.begin_authorization(scope="profile")
    token = client.complete_authorization(server.authorize(request.url), request)
    if not token.refresh_token:
        raise RuntimeError("the test server issued no refresh token")
    expired = {"access_token": token.access_token, "refresh_token": token.refresh_token,
               "token_type": "Bearer", "expires_in": 3600,
               "expires_at": int(time.time()) - 60}
    return RefreshSetup(server.url("/token"), registered.client_id,
                        registered.client_secret or "", expired)


def hammer(session: requests.Session, url: str, threads: int) -> collections.Counter[str]:
    """Release ``threads`` threads at once, each making one GET; count the outcomes."""
    outcomes: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker() -> None:
        start.wait()
        try:
            outcome = f"HTTP {session.get(url, timeout=TIMEOUT).status_code}"
        except Exception as exc:  # a library's failure is a result to report
            outcome = type(exc).__name__
        with lock:
            outcomes[outcome] += 1

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return outcomes


def _storm_one(server: object, lib: Library, threads: int) -> tuple[int, collections.Counter[str]]:
    from oauth2_core.testing.server import AuthorizationServer

    assert isinstance(server, AuthorizationServer)
    setup = _expired_grant(server, lib.auth_method)
    server.clear_requests()
    session = lib.refreshing_session(setup)
    # One pooled connection per thread, as a multi-threaded service would configure.
    session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=threads))
    with session:
        outcomes = hammer(session, server.url("/api/me"), threads)
    refreshes = [r for r in server.requests_to("token")
                 if r.form.get("grant_type") == "refresh_token"]
    return len(refreshes), outcomes


def _describe(refreshes: int, outcomes: collections.Counter[str], threads: int) -> str:
    ok = outcomes.pop("HTTP 200", 0)
    text = f"{refreshes} refresh request{'s' if refreshes != 1 else ''}; {ok}/{threads} calls OK"
    failures = ", ".join(f"{count} x {what}" for what, count in outcomes.most_common())
    return f"{text} ({failures})" if failures else text


def _row(server: object, lib: Library, threads: int) -> Row:
    from .peers import OURS

    measure = f"{MEASURE} ({threads} threads)"
    if lib.no_refresh:
        return Row(measure, lib.name, lib.no_refresh)
    refreshes, outcomes = _storm_one(server, lib, threads)
    all_ok = outcomes["HTTP 200"] == threads
    value = _describe(refreshes, outcomes, threads)
    target, verdict = (("exactly 1", judged(refreshes == 1 and all_ok))
                       if lib is OURS else ("", ""))
    return Row(measure, lib.name, value, None, target, verdict)


def storm(threads: int, libs: Optional[Sequence[Library]] = None) -> list[Row]:
    """One row per library: refresh requests sent when ``threads`` threads share one
    expired token.  oauth2-core must send exactly one."""
    from oauth2_core.testing.server import AuthorizationServer

    libs = list(libs) if libs is not None else libraries()
    rows = []
    server = AuthorizationServer(id_tokens=False).start()
    try:
        with loopback_http_allowed():
            for lib in libs:
                rows.append(_row(server, lib, threads))
    finally:
        server.stop()
    return rows


def refresh_count(rows: Sequence[Row], library: str) -> Optional[int]:
    """The refresh count in ``library``'s row (for the smoke test)."""
    for row in rows:
        if row.library == library and "refresh request" in row.value:
            return int(row.value.split()[0])
    return None
