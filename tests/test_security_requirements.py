"""Security requirements of docs/SECURITY.md that no other test proves on its own.

Each test names the requirement it stands for (RFC 9700, RFC 6819, RFC 8252); the
document cites them by name.  Servers here are real, on 127.0.0.1.
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
import os
import re
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

import pytest
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import CallbackError, IssuerMismatch, StateMismatch, Token, TransportError
from oauth2_core.cli.loopback import LoopbackListener
from oauth2_core.testing.server import AuthorizationServer

Handler = Callable[[BaseHTTPRequestHandler], None]


class _Recorder(BaseHTTPRequestHandler):
    """Records each request's path and headers, then lets the test's function answer."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append((self.path, dict(self.headers), body))  # type: ignore[attr-defined]
        self.server.answer(self)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(answer: Handler, tls: Optional[ssl.SSLContext] = None) -> Iterator[Any]:
    """A real HTTP(S) server on 127.0.0.1 and a free port, answering with ``answer``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    server.answer = answer  # type: ignore[attr-defined]
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def reply(status: int, body: bytes = b"", **headers: str) -> Handler:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    return answer


# RFC 9700 §4.7.1, RFC 6819 §5.3.5: state (and iss, nonce) compared in constant time ----
def test_state_and_iss_are_compared_in_constant_time(acme, requests_mock, monkeypatch) -> None:
    requests_mock.post(TOKEN_URL, json=bearer())
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    req = acme.begin_authorization()
    acme.complete_authorization({"code": "c", "state": req.state, "iss": ACME.issuer}, req)
    assert (req.state.encode(), req.state.encode()) in compared
    assert (ACME.issuer.encode(), ACME.issuer.encode()) in compared


def test_a_state_differing_only_in_its_last_character_is_refused(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    req = acme.begin_authorization()
    forged = req.state[:-1] + ("A" if req.state[-1] != "A" else "B")
    with pytest.raises(StateMismatch):
        acme.complete_authorization({"code": "c", "state": forged}, req)
    assert endpoint.call_count == 0


# RFC 9700 §2.1.2, §4.6: no access token is taken from the front channel --------------
def test_an_access_token_in_the_callback_is_never_accepted(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    req = acme.begin_authorization()
    implicit = (f"https://app.test/cb#access_token=injected-token&token_type=Bearer"
                f"&state={req.state}")
    with pytest.raises(CallbackError, match="neither code nor error") as caught:
        acme.complete_authorization(implicit, req)
    assert endpoint.call_count == 0
    assert "injected-token" not in str(caught.value)
    assert parse_qs(urlsplit(req.url).query)["response_type"] == ["code"]


# RFC 9700 §2.1.2: the code flow only; no implicit grant can be started -------------
@pytest.mark.parametrize("response_type", ["token", "code token", "id_token token", "code"])
def test_begin_authorization_refuses_to_change_the_response_type(acme, response_type) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="implicit grant"):
        acme.begin_authorization(response_type=response_type)


# RFC 9700 §4.4: mix-up; a callback is completed only by the provider that started it ---
def test_a_request_started_with_another_provider_is_refused_before_the_exchange(
        acme, requests_mock) -> None:
    other = oauth2_core.client(ACME.with_endpoints(name="other"), client_id="other-id",
                               client_secret="other-secret",
                               redirect_uri="https://app.test/cb", plugins=acme.plugins)
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    req = other.begin_authorization()
    with pytest.raises(IssuerMismatch, match="started with provider 'other', not 'acme'"):
        acme.complete_authorization({"code": "c", "state": req.state}, req)
    with pytest.raises(IssuerMismatch):  # a request kept as a dict in the user's session
        acme.complete_authorization({"code": "c", "state": req.state}, req.to_dict())
    assert endpoint.call_count == 0


# RFC 9700 §4.4.2.1, RFC 9207 §2.4: an iss mismatch stops the flow, in every spelling --
@pytest.mark.parametrize("iss", [ACME.issuer + "/", ACME.issuer.upper(), "", "https://id.acme.test.evil"])
def test_an_iss_that_is_not_exactly_the_issuer_is_refused(acme, requests_mock, iss) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    req = acme.begin_authorization()
    with pytest.raises(IssuerMismatch):
        acme.complete_authorization({"code": "c", "state": req.state, "iss": iss}, req)
    assert endpoint.call_count == 0  # the code never reaches any token endpoint


# RFC 6819 §5.1.2, RFC 9700 §2.6: the server's certificate is verified ----------------
def _self_signed_context(tmp_path: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def test_a_token_endpoint_with_an_untrusted_certificate_gets_no_credentials(tmp_path, pm):
    with serving(reply(200, b'{"access_token": "at", "token_type": "Bearer"}',
                       Content_Type="application/json"),
                 tls=_self_signed_context(tmp_path)) as server:
        url = f"https://127.0.0.1:{server.server_address[1]}/token"
        client = oauth2_core.client(ACME.with_endpoints(token_url=url), client_id="acme-id",
                                    client_secret="acme-secret", plugins=pm, retry=False)
        with pytest.raises(TransportError, match="SSLError"):
            client.client_credentials()
        assert server.seen == []  # the handshake failed: no request, no secret sent


# RFC 9700 §4.9, RFC 6819 §4.6.4, RFC 6750 §5.3: a token goes only where it is sent ----
def test_an_api_redirect_to_another_host_does_not_carry_the_token(acme) -> None:
    with serving(reply(200, b"{}")) as elsewhere:
        target = f"http://localhost:{elsewhere.server_address[1]}/collect"
        with serving(reply(302, Location=target)) as api:
            session = acme.session(Token(bearer("the-access-token")))
            response = session.get(f"http://127.0.0.1:{api.server_address[1]}/me")
        assert response.status_code == 200 and response.history
        assert api.seen[0][1]["Authorization"] == "Bearer the-access-token"
        assert len(elsewhere.seen) == 1
        assert "Authorization" not in elsewhere.seen[0][1]
        assert "the-access-token" not in elsewhere.seen[0][0]


# RFC 6749 §1.5, RFC 6819 §3.3: the refresh token goes to the token endpoint only -------
def test_api_calls_carry_the_access_token_and_never_the_refresh_token(acme, requests_mock):
    api = requests_mock.get("https://api.acme.test/me", json={})
    session = acme.session(Token(bearer("at-1", refresh_token="the-refresh-token")))
    session.get("https://api.acme.test/me")
    sent = api.last_request
    assert sent.headers["Authorization"] == "Bearer at-1"
    assert "the-refresh-token" not in sent.url
    assert all("the-refresh-token" not in value for value in sent.headers.values())
    assert not sent.body


# RFC 8252 §7.3, §8.3: loopback redirect on 127.0.0.1, a port chosen by the OS ---------
def test_the_loopback_listener_binds_127_0_0_1_on_an_os_chosen_port() -> None:
    with LoopbackListener() as first, LoopbackListener() as second:
        host, port = first.server_address[:2]
        assert host == "127.0.0.1" and port != 0
        assert first.redirect_uri == f"http://127.0.0.1:{port}/callback"
        assert second.server_address[1] != port


def test_the_loopback_listener_ignores_other_paths() -> None:
    import requests

    with LoopbackListener() as listener:
        base = f"http://127.0.0.1:{listener.server_address[1]}"
        assert requests.get(f"{base}/other?code=c&state=s", timeout=10).status_code == 404
        assert not listener.received.is_set()
        assert requests.get(f"{base}/callback?code=c&state=s", timeout=10).status_code == 200
        assert listener.wait(10) == f"{listener.redirect_uri}?code=c&state=s"


def _first_match(stream: Any, pattern: str, deadline: float = 20) -> str:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        found = re.search(pattern, stream.readline())
        if found:
            return found.group(1)
    raise AssertionError(f"no line matching {pattern!r}")


def test_cli_login_sends_pkce_s256_and_a_127_0_0_1_redirect_uri() -> None:
    with AuthorizationServer() as server:
        server.register_client(client_id="cli-app", client_secret="cli-secret",
                               redirect_uris=["http://127.0.0.1/callback"])
        process = subprocess.Popen(
            [sys.executable, "-m", "oauth2_core", "login", "--issuer", server.issuer,
             "--client-id", "cli-app", "--no-browser"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "OAUTH2_OIDC_CLIENT_SECRET": "cli-secret"})
        try:
            url = _first_match(process.stderr, r"(http://127\.0\.0\.1:\d+/authorize\?\S+)")
        finally:
            process.kill()
            process.communicate(timeout=30)
        server_port = server.port
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    redirect = urlsplit(query["redirect_uri"][0])
    assert (redirect.scheme, redirect.hostname, redirect.path) == ("http", "127.0.0.1",
                                                                   "/callback")
    assert redirect.port and redirect.port != server_port
