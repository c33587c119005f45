"""The client's own HTTP: timeouts, your session, no redirects, size caps, redacted logs."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import Provider, TransportError
from oauth2_core.transport import redact, scrub


class FaultyHandler(BaseHTTPRequestHandler):
    """Answers per path: /huge streams 5 MB, /slow sleeps, /reset drops the connection."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                for _ in range(80):
                    self.wfile.write(b" " * 65536)
            except OSError:
                pass  # the client hung up, as it should
        elif self.path == "/slow":
            time.sleep(1.0)
            self.send_response(200)
            self.end_headers()
        elif self.path == "/reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            self.connection.close()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def faulty() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FaultyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client_for(pm, token_url: str, **kwargs: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(Provider(name="local", token_url=token_url), client_id="i",
                              client_secret="s", plugins=pm, **kwargs)


def test_every_call_has_the_default_timeout(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer())
    acme.client_credentials()
    assert requests_mock.last_request.timeout == 30


def test_a_slow_server_times_out_with_a_typed_error(pm, faulty) -> None:
    client = client_for(pm, f"{faulty}/slow", timeout=0.2)
    with pytest.raises(TransportError, match=r"timed out after 0\.2 s"):
        client.client_credentials()


def test_connection_refused_is_a_transport_error(pm) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(TransportError, match="ConnectionError"):
        client_for(pm, f"http://127.0.0.1:{port}/token").client_credentials()


def test_a_reset_connection_is_a_transport_error(pm, faulty) -> None:
    with pytest.raises(TransportError):
        client_for(pm, f"{faulty}/reset").client_credentials()


def test_an_oversized_body_is_refused_without_reading_it_all(pm, faulty) -> None:
    with pytest.raises(TransportError, match="over the 1048576-byte limit"):
        client_for(pm, f"{faulty}/huge").client_credentials()


def test_a_declared_oversized_body_is_refused_at_once(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, text="{}", headers={"Content-Length": str(50 * 2**20)})
    with pytest.raises(TransportError, match="52428800 bytes"):
        acme.client_credentials()


def test_redirects_are_not_followed_with_credentials(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, status_code=307, headers={"Location": "https://evil.test/t"})
    elsewhere = requests_mock.post("https://evil.test/t", json=bearer())
    with pytest.raises(oauth2_core.TokenResponseError, match="redirected"):
        acme.client_credentials()
    assert elsewhere.call_count == 0


def test_the_users_own_session_is_used(pm, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer())
    mine = requests.Session()
    mine.headers["User-Agent"] = "my-app/1.0"
    oauth2_core.client(ACME, client_id="i", client_secret="s", session=mine,
                       plugins=pm).client_credentials()
    assert requests_mock.last_request.headers["User-Agent"] == "my-app/1.0"


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_netrc_and_a_session_auth_never_replace_client_authentication(
        pm, requests_mock, tmp_path, monkeypatch, method) -> None:
    # requests applies ~/.netrc (or session.auth) to a request without auth of its own.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine id.acme.test login netrc-user password netrc-pass\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    mine = requests.Session()
    for session in (None, mine):
        client = oauth2_core.client(ACME, client_id="acme-id", client_secret="acme-secret",
                                    token_endpoint_auth_method=method, plugins=pm,
                                    session=session)
        client.client_credentials()
        sent = endpoint.last_request.headers.get("Authorization")
        if method == "client_secret_basic":
            assert sent == "Basic YWNtZS1pZDphY21lLXNlY3JldA=="  # acme-id:acme-secret
        else:
            assert sent is None and "client_secret=acme-secret" in endpoint.last_request.text
        mine.auth = ("session-user", "session-pass")


def test_plain_http_token_endpoints_are_refused_at_send_time_too(acme) -> None:
    with pytest.raises(oauth2_core.InsecureTransportError):
        acme.transport.request("POST", "http://id.acme.test/token")


def test_debug_logs_show_exchanges_with_secrets_redacted(acme, requests_mock, caplog) -> None:
    requests_mock.post(TOKEN_URL, json=bearer("at-SECRET", refresh_token="rt-SECRET",
                                              id_token="id-SECRET"))
    caplog.set_level(logging.DEBUG, logger="oauth2_core")
    acme.get_token(code="code-SECRET", code_verifier="verifier-SECRET")
    acme.refresh_token("rt-SECRET")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "request POST https://id.acme.test/token" in text and "response 200" in text
    assert "SECRET" not in text and "acme-secret" not in text
    assert "'grant_type': 'authorization_code'" in text and "'code': '***'" in text
    assert "'Authorization': '***'" in text


def test_debug_logs_scrub_values_the_server_echoes(acme, requests_mock, caplog) -> None:
    # The field is "error_description", not a secret name: only the value gives it away.
    requests_mock.post(TOKEN_URL, status_code=400, json={
        "error": "invalid_grant",
        "error_description": "code code-SECRET from acme with acme-secret is unknown"})
    caplog.set_level(logging.DEBUG, logger="oauth2_core")
    with pytest.raises(oauth2_core.InvalidGrant):
        acme.get_token(code="code-SECRET")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "response 400" in text and "code *** from acme with *** is unknown" in text
    assert "SECRET" not in text and "acme-secret" not in text


def test_scrub_replaces_only_values_long_enough_to_mean_something() -> None:
    assert scrub("code abcd and xyz", ["abcd", "xyz", None, 42]) == "code *** and xyz"


def test_redact_handles_nested_values() -> None:
    assert redact({"a": [{"access_token": "x"}], "code": "", "scope": "s"}) == {
        "a": [{"access_token": "***"}], "code": "", "scope": "s"}
