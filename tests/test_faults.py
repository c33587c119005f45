"""Fault injection against real loopback servers: every way a token endpoint can fail
gives a clear, typed error, and only safe requests are retried.

Two servers play the token endpoint: the test authorization server
(:mod:`oauth2_core.testing.server`) for HTTP-level faults (status codes, bodies,
``Retry-After``, delays, redirects), and :class:`RawServer` below for faults below HTTP
(a reset connection, a body cut short, a 50 MB body) that no well-behaved HTTP server
library produces.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import tracemalloc
from collections.abc import Iterator
from typing import Callable

import pytest

from oauth2_core import (
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    TokenResponseError,
    TransportError,
)
from oauth2_core.plugins import make_plugin_manager
from oauth2_core.retry import RetryPolicy, retry_after_seconds
from oauth2_core.testing.server import AuthorizationServer, ServerClient

CLIENT_SECRET = "fault-suite-client-secret"
FIFTY_MB = 50 * 1024 * 1024


class Sleeps(list[float]):
    """A ``sleep`` for :class:`RetryPolicy` that records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def policy(sleeps: Sleeps, **changes: object) -> RetryPolicy:
    return RetryPolicy(sleep=sleeps, **changes)  # type: ignore[arg-type]


# The test authorization server: HTTP-level faults ------------------------------------
@pytest.fixture(scope="module")
def server() -> Iterator[AuthorizationServer]:
    with AuthorizationServer(id_tokens=False) as running:
        yield running


@pytest.fixture
def app(server: AuthorizationServer) -> Iterator[ServerClient]:
    server.reset()
    yield server.register_client(client_secret=CLIENT_SECRET)
    server.reset()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(server: AuthorizationServer, app: ServerClient, sleeps: Sleeps,
                **settings: object) -> OAuth2Client:
    settings.setdefault("retry", policy(sleeps))
    return server.client(app, **settings)


def token_with_refresh(server: AuthorizationServer, client: OAuth2Client) -> Token:
    request = client.begin_authorization(scope="profile")
    token = client.complete_authorization(server.authorize(request.url), request)
    assert token.refresh_token
    server.clear_requests()
    return token


def token_requests(server: AuthorizationServer, grant_type: str) -> int:
    return sum(1 for r in server.requests_to("token") if r.form.get("grant_type") == grant_type)


@pytest.mark.parametrize("status", [500, 502])
def test_a_5xx_html_page_is_a_typed_error_and_not_retried(server, app, sleeps, status) -> None:
    client = make_client(server, app, sleeps)
    server.config.fault("token", status)  # an HTML page, as from a proxy
    with pytest.raises(TokenResponseError) as caught:
        client.client_credentials()
    assert caught.value.status_code == status
    assert "HTML body" in str(caught.value)
    assert token_requests(server, "client_credentials") == 1
    assert sleeps == []


def test_429_with_retry_after_is_waited_for_then_succeeds(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps)
    server.config.fault("token", 429, retry_after=3, times=1)
    token = client.client_credentials()
    assert token.access_token
    assert sleeps == [3.0]
    assert token_requests(server, "client_credentials") == 2


def test_429_asking_for_longer_than_the_cap_is_raised_at_once(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps)
    server.config.fault("token", 429, retry_after=3600)
    with pytest.raises(OAuth2Error) as caught:
        client.client_credentials()
    assert caught.value.status_code == 429
    assert caught.value.response is not None
    assert caught.value.response.headers["Retry-After"] == "3600"
    assert sleeps == []


def test_503_without_retry_after_is_not_retried(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps)
    server.config.fault("token", 503)
    with pytest.raises(TokenResponseError, match="HTTP 503"):
        client.client_credentials()
    assert token_requests(server, "client_credentials") == 1


def test_refresh_is_retried_a_bounded_number_of_times(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps, retry=policy(sleeps, max_attempts=4))
    token = token_with_refresh(server, client)
    server.config.fault("token", 503, retry_after=1, grant_type="refresh_token")
    with pytest.raises(TokenResponseError) as caught:
        client.refresh_token(token)
    assert caught.value.status_code == 503
    assert token_requests(server, "refresh_token") == 4
    assert sleeps == [1.0, 1.0, 1.0]


def test_refresh_succeeds_once_the_server_recovers(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps)
    token = token_with_refresh(server, client)
    server.config.fault("token", 503, retry_after=0, grant_type="refresh_token", times=2)
    new = client.refresh_token(token)
    assert new.access_token and new.access_token != token.access_token
    assert token_requests(server, "refresh_token") == 3


def test_a_code_exchange_is_never_retried(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps, retry=policy(sleeps, max_attempts=5))
    request = client.begin_authorization(scope="profile")
    callback = server.authorize(request.url)
    server.config.fault("token", 503, retry_after=0)
    with pytest.raises(TokenResponseError, match="HTTP 503"):
        client.complete_authorization(callback, request)
    assert token_requests(server, "authorization_code") == 1
    assert sleeps == []


def test_a_timeout_is_a_transport_error(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps, timeout=0.3, retry=False)
    server.config.fault("token", delay=2)
    with pytest.raises(TransportError, match=r"timed out after 0\.3 s"):
        client.client_credentials()


def test_a_refresh_that_timed_out_is_not_sent_again(server, app, sleeps) -> None:
    # The server may have rotated the refresh token already: resending it would look
    # like reuse of a stolen token and revoke the grant.
    client = make_client(server, app, sleeps, timeout=0.3)
    token = token_with_refresh(server, client)
    server.config.fault("token", delay=2, grant_type="refresh_token")
    with pytest.raises(TransportError, match="timed out"):
        client.refresh_token(token)
    assert token_requests(server, "refresh_token") == 1
    assert sleeps == []


def test_client_credentials_that_timed_out_are_requested_again(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps, timeout=0.3)
    server.config.fault("token", delay=2, times=1)
    assert client.client_credentials().access_token
    assert token_requests(server, "client_credentials") == 2
    assert len(sleeps) == 1


def test_truncated_json_is_a_typed_error(server, app, sleeps) -> None:
    client = make_client(server, app, sleeps)
    server.config.fault("token", 200, body='{"access_token": "abc', content_type="application/json")
    with pytest.raises(TokenResponseError, match="expected a JSON object") as caught:
        client.client_credentials()
    assert caught.value.status_code == 200


def test_a_redirect_on_the_token_endpoint_is_not_followed(server, app, sleeps) -> None:
    with AuthorizationServer(id_tokens=False) as elsewhere:
        client = make_client(server, app, sleeps)
        server.config.fault("token", 307, headers={"Location": elsewhere.url("/token")})
        with pytest.raises(TokenResponseError, match="redirected") as caught:
            client.client_credentials()
        assert caught.value.status_code == 307
        assert elsewhere.requests == []  # the client secret went nowhere else


# Faults below HTTP: a raw socket server ---------------------------------------------
class RawServer:
    """Accepts connections on 127.0.0.1, reads one request each, then runs ``behaviour``
    on the socket.  Counts requests and the bytes it managed to send."""

    def __init__(self, behaviour: Callable[[socket.socket], int]) -> None:
        self.behaviour = behaviour
        self.requests = 0
        self.bytes_sent = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/token"

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                if not _read_request(conn):
                    continue
                self.requests += 1
                with contextlib.suppress(OSError):
                    self.bytes_sent += self.behaviour(conn)


def _read_request(conn: socket.socket) -> bool:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        body += conn.recv(65536)
    return True


def reset(conn: socket.socket, sent: bytes = b"") -> int:
    """Send ``sent``, then abort the connection with a TCP RST (SO_LINGER 0)."""
    if sent:
        conn.sendall(sent)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return len(sent)


def reset_before_answering(conn: socket.socket) -> int:
    return reset(conn)


def reset_mid_response(conn: socket.socket) -> int:
    return reset(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 120\r\n\r\n{\"access_token\": \"abc")


def body_cut_short(conn: socket.socket) -> int:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n"
    conn.sendall(head + b'{"access_token": "abc", "tok')
    return len(head) + 28  # then a clean close, short of the declared length


def fifty_mb_chunked(conn: socket.socket) -> int:
    """50 MB of JSON-ish bytes with no Content-Length: only counting can stop it."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 65536
    frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    sent = 0
    while sent < FIFTY_MB:
        try:
            conn.sendall(frame)
        except OSError:
            break  # the client hung up: what we want
        sent += len(chunk)
    return sent


def fifty_mb_declared(conn: socket.socket) -> int:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % FIFTY_MB)
    chunk = b" " * 65536
    sent = 0
    while sent < FIFTY_MB:
        try:
            conn.sendall(chunk)
        except OSError:
            break
        sent += len(chunk)
    return sent


def raw_client(token_url: str, sleeps: Sleeps, **settings: object) -> OAuth2Client:
    provider = Provider(name="raw", authorize_url="http://127.0.0.1:1/authorize",
                        token_url=token_url)
    settings.setdefault("retry", policy(sleeps))
    return OAuth2Client(provider, "raw-client", CLIENT_SECRET,  # type: ignore[arg-type]
                        redirect_uri="http://127.0.0.1/cb", plugins=make_plugin_manager(),
                        timeout=5, **settings)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/token"  # nothing listens there any more


def test_connection_refused_is_a_typed_error_after_bounded_retries(sleeps) -> None:
    client = raw_client(closed_port_url(), sleeps)
    with pytest.raises(TransportError, match="ConnectionError on POST") as caught:
        client.refresh_token("a-refresh-token-value")
    assert caught.value.status_code is None
    assert len(sleeps) == 2  # three attempts in all (the default policy)
    assert 0 < sleeps[0] <= 0.5 and 0 < sleeps[1] <= 1.0  # exponential, with jitter


def test_connection_refused_on_a_code_exchange_is_not_retried(sleeps) -> None:
    client = raw_client(closed_port_url(), sleeps)
    with pytest.raises(TransportError, match="ConnectionError"):
        client.get_token(code="an-authorization-code")
    assert sleeps == []


@pytest.mark.parametrize("behaviour", [reset_before_answering, reset_mid_response])
def test_a_reset_connection_is_a_typed_error(sleeps, behaviour) -> None:
    with RawServer(behaviour) as raw:
        client = raw_client(raw.url, sleeps)
        with pytest.raises(TransportError, match=r"on POST http://127\.0\.0\.1"):
            client.refresh_token("a-refresh-token-value")
        # The refresh may have been processed before the reset: never sent twice.
        assert raw.requests == 1
        assert sleeps == []


def test_client_credentials_are_requested_again_after_a_reset(sleeps) -> None:
    with RawServer(reset_mid_response) as raw:
        client = raw_client(raw.url, sleeps, retry=policy(sleeps, max_attempts=3))
        with pytest.raises(TransportError):
            client.client_credentials()
        assert raw.requests == 3
        assert len(sleeps) == 2


def test_a_body_cut_short_is_a_typed_error(sleeps) -> None:
    with RawServer(body_cut_short) as raw:
        client = raw_client(raw.url, sleeps, retry=False)
        with pytest.raises(TransportError, match="on POST"):
            client.client_credentials()
        assert raw.requests == 1


@pytest.mark.parametrize("behaviour", [fifty_mb_chunked, fifty_mb_declared])
def test_a_50_mb_body_is_refused_without_being_read(sleeps, behaviour) -> None:
    with RawServer(behaviour) as raw:
        client = raw_client(raw.url, sleeps)
        tracemalloc.start()
        try:
            with pytest.raises(TransportError, match="byte limit"):
                client.client_credentials()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert raw.requests == 1  # an oversize answer is not worth asking for again
    assert peak < 8 * 1024 * 1024
    # The client hung up after about the 1 MB cap; loopback socket buffers hold a few MB.
    assert raw.bytes_sent < FIFTY_MB / 4


# The policy's small parts ---------------------------------------------------------
def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT",
                               now=1445412480.0 - 10) == 10.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 + 5) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds("-3") is None
    assert retry_after_seconds(None) is None


def test_a_policy_that_would_retry_code_exchanges_is_refused() -> None:
    with pytest.raises(ValueError, match="single-use"):
        RetryPolicy(grant_types=frozenset({"authorization_code"}))


def test_a_policy_needs_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)


def test_a_policy_is_immutable_and_compares_by_value_but_not_by_sleep() -> None:
    policy = RetryPolicy(max_attempts=2, grant_types={"refresh_token"})  # type: ignore[arg-type]
    with pytest.raises(AttributeError, match="immutable"):
        policy.max_attempts = 5  # type: ignore[misc]
    same = RetryPolicy(max_attempts=2, grant_types=frozenset({"refresh_token"}),
                       sleep=lambda seconds: None)
    assert policy == same and hash(policy) == hash(same)
    assert policy != RetryPolicy(max_attempts=3) and policy.grant_types == {"refresh_token"}
    assert "max_attempts=2" in repr(policy) and "grant_types=['refresh_token']" in repr(policy)


def test_retry_false_sends_once(sleeps) -> None:
    client = raw_client(closed_port_url(), sleeps, retry=False)
    with pytest.raises(TransportError):
        client.client_credentials()
    assert client.retry.max_attempts == 1


@pytest.mark.parametrize(("setting", "attempts"), [(None, 3), (True, 3), (False, 1), (5, 5)])
def test_retry_settings_become_policies_on_first_use(setting, attempts) -> None:
    client = raw_client("https://auth.test/token", [], retry=setting)
    assert client.retry.max_attempts == attempts
    assert client.retry is client.retry  # made once
    mine = RetryPolicy(max_attempts=7)
    client.retry = mine
    assert client.retry is mine


def test_a_bad_retry_setting_fails_when_the_client_is_built() -> None:
    with pytest.raises(TypeError, match="retry= takes a RetryPolicy"):
        raw_client("https://auth.test/token", [], retry="often")
