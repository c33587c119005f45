"""The Flask example without a browser: Flask's test client for the paths a browser test
would only repeat (bad callbacks, server failures, real providers), and the script
itself run as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import oauth2_core
from oauth2_core.testing.server import AuthorizationServer

APP = "http://127.0.0.1:5000"  # the test client's made-up address; any port is accepted
ACME = oauth2_core.Provider(name="acme", title="Acme", authorize_url="https://acme.test/authorize",
                            token_url="https://acme.test/token")


@pytest.fixture
def browser_session(example: ModuleType, auth_server: AuthorizationServer) -> Any:
    """A test client of the example (cookies kept between requests)."""
    return example.create_app(auth_server, providers=[]).test_client()


def start_login(client: Any) -> str:
    response = client.get("/login/testserver", base_url=APP)
    assert response.status_code == 302
    return str(response.location)


def sign_in(client: Any, server: AuthorizationServer) -> None:
    callback = server.authorize(start_login(client))  # presses Allow on the consent page
    assert client.get(callback).location == "/profile"


def test_the_home_page_offers_each_configured_provider(
        example: ModuleType, auth_server: AuthorizationServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAUTH2_ACME_CLIENT_ID", "acme-app")
    client = example.create_app(auth_server, providers=[ACME]).test_client()
    page = client.get("/", base_url=APP).text
    assert 'href="/login/acme"' in page and "Log in with\n          Acme" in page
    assert 'href="/login/testserver"' in page

    location = client.get("/login/acme", base_url=APP).location
    assert location.startswith("https://acme.test/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == ["acme-app"]
    assert query["redirect_uri"] == [APP + "/callback/acme"]
    assert query["code_challenge_method"] == ["S256"] and query["state"]


def test_configured_providers_are_those_with_a_client_id(
        example: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    other = oauth2_core.Provider(name="other", authorize_url="https://other.test/a")
    monkeypatch.setattr(oauth2_core, "providers", lambda: {"other": other, "acme": ACME})
    monkeypatch.delenv("OAUTH2_OTHER_CLIENT_ID", raising=False)
    assert example.configured_providers() == []
    monkeypatch.setenv("OAUTH2_ACME_CLIENT_ID", "acme-app")
    assert example.configured_providers() == [ACME]


def test_signed_in_home_page_names_the_user(browser_session: Any,
                                            auth_server: AuthorizationServer) -> None:
    sign_in(browser_session, auth_server)
    page = browser_session.get("/", base_url=APP).text
    assert "You are signed in as <strong>Alice Liddell</strong>" in page
    assert 'id="logout"' in page and "/login/testserver" not in page


def test_a_callback_used_twice_is_refused_the_second_time(
        browser_session: Any, auth_server: AuthorizationServer) -> None:
    callback = auth_server.authorize(start_login(browser_session))
    assert browser_session.get(callback).status_code == 302
    again = browser_session.get(callback)
    assert again.status_code == 400
    assert "This sign-in link has expired or was already used." in again.text
    assert len(auth_server.requests_to("token")) == 1


def test_a_callback_without_a_started_sign_in_is_refused(
        browser_session: Any, auth_server: AuthorizationServer) -> None:
    response = browser_session.get("/callback/testserver?code=x&state=y", base_url=APP)
    assert response.status_code == 400
    assert "expired or was already used" in response.text
    assert auth_server.requests_to("token") == []


def test_a_wrong_state_is_a_friendly_error(browser_session: Any,
                                           auth_server: AuthorizationServer) -> None:
    callback = auth_server.authorize(start_login(browser_session))
    forged = callback.replace("state=", "state=x", 1)
    response = browser_session.get(forged)
    assert response.status_code == 400
    assert '<code id="error">state_mismatch</code>' in response.text
    assert auth_server.requests_to("token") == []


def test_a_failing_token_endpoint_is_a_friendly_error(
        browser_session: Any, auth_server: AuthorizationServer) -> None:
    callback = auth_server.authorize(start_login(browser_session))
    auth_server.config.fault("token", 503)
    response = browser_session.get(callback)
    assert response.status_code == 400
    assert "oauth2-core test server could not sign you in." in response.text
    assert "Traceback" not in response.text
    assert browser_session.get("/profile", base_url=APP).location == "/"


def test_log_out_signs_out_even_when_revocation_fails(
        browser_session: Any, auth_server: AuthorizationServer) -> None:
    sign_in(browser_session, auth_server)
    auth_server.config.fault("revoke", 503)
    response = browser_session.post("/logout", base_url=APP, follow_redirects=True)
    assert "You have signed out." in response.text
    assert len(auth_server.requests_to("revoke")) == 1
    assert browser_session.get("/profile", base_url=APP).location == "/"


def test_tokens_stay_on_the_server_and_log_out_deletes_them(
        example: ModuleType, auth_server: AuthorizationServer) -> None:
    store = oauth2_core.open_store("memory://")
    client = example.create_app(auth_server, providers=[], token_store=store).test_client()
    sign_in(client, auth_server)
    with client.session_transaction(base_url=APP) as cookie:
        key = cookie["token_key"]
        assert "token" not in cookie
        carried = repr(dict(cookie))
    token = store.load(key)
    assert token is not None and token.access_token and token.refresh_token
    assert token.access_token not in carried and token.refresh_token not in carried
    client.post("/logout", base_url=APP)
    assert store.load(key) is None
    [revocation] = auth_server.requests_to("revoke")
    assert revocation.form["token"] == token.refresh_token


def test_an_unknown_provider_is_not_found(browser_session: Any) -> None:
    assert browser_session.get("/login/nobody", base_url=APP).status_code == 404
    assert browser_session.get("/callback/nobody", base_url=APP).status_code == 404


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def running_script(example: ModuleType, free_port: int) -> Iterator[tuple[str, str]]:
    """``python examples/flask_app.py --port N``; yields (its URL, its first line)."""
    env = {**os.environ, "OAUTH2_CORE_LOAD_PLUGINS": "", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, str(example.__file__), "--port", str(free_port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=env)
    try:
        assert process.stdout is not None
        yield f"http://127.0.0.1:{free_port}", process.stdout.readline()
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_the_script_serves_the_app_and_prints_its_url(running_script: tuple[str, str]) -> None:
    url, first_line = running_script
    assert first_line == f"Open {url}/ in your browser (Ctrl+C to stop)\n"
    with requests.Session() as http:
        home = get_when_listening(http, url + "/")
        login = http.get(url + "/login/testserver", allow_redirects=False, timeout=10)
    assert 'id="login-testserver"' in home.text
    # The in-process test server answers with its consent page.
    consent = requests.get(login.headers["Location"], timeout=10)
    assert 'id="allow"' in consent.text and "oauth2-core Flask example" in consent.text


def get_when_listening(http: requests.Session, url: str) -> requests.Response:
    # The script prints its URL just before it starts listening.
    deadline = time.monotonic() + 60
    while True:
        try:
            return http.get(url, timeout=10)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
