"""The test server's device flow (RFC 8628), by raw ``requests`` calls and through our
client's ``device_authorization`` / ``poll_device_token``."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

import oauth2_core
from oauth2_core.testing.server import AuthorizationServer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TIMEOUT = 10


class Clock:
    """The server's time, moved by hand."""

    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock):
    with AuthorizationServer(clock=clock) as server:
        server.register_client(client_id="tv", client_secret=None)
        yield server


def start(server: AuthorizationServer, **data: str) -> dict[str, Any]:
    response = requests.post(server.url("/device_authorization"),
                             data={"client_id": "tv", "scope": "openid", **data},
                             timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def poll(server: AuthorizationServer, device_code: str) -> requests.Response:
    return requests.post(server.url("/token"), data={
        "grant_type": DEVICE_GRANT, "device_code": device_code, "client_id": "tv"},
        timeout=TIMEOUT)


def error_of(response: requests.Response) -> str:
    assert response.status_code == 400
    return str(response.json()["error"])


def test_device_authorization_response(server) -> None:
    body = start(server)
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", body["user_code"])
    assert body["verification_uri"] == server.url("/device")
    assert body["verification_uri_complete"].endswith("?user_code=" + body["user_code"])
    assert body["expires_in"] == 600 and body["interval"] == 5


def test_pending_then_approved_then_used(server, clock) -> None:
    body = start(server)
    assert error_of(poll(server, body["device_code"])) == "authorization_pending"
    server.approve_device(body["user_code"].lower().replace("-", " "))  # as typed
    clock.now += 5
    tokens = poll(server, body["device_code"]).json()
    assert tokens["scope"] == "openid" and "id_token" in tokens
    clock.now += 5
    assert error_of(poll(server, body["device_code"])) == "invalid_grant"


def test_polling_too_fast_is_slow_down_and_the_interval_grows(server, clock) -> None:
    body = start(server)
    poll(server, body["device_code"])
    clock.now += 4
    assert error_of(poll(server, body["device_code"])) == "slow_down"
    clock.now += 9  # the interval is now 10 s
    assert error_of(poll(server, body["device_code"])) == "slow_down"
    clock.now += 15
    assert error_of(poll(server, body["device_code"])) == "authorization_pending"


def test_denied(server) -> None:
    body = start(server)
    server.deny_device(body["user_code"])
    assert error_of(poll(server, body["device_code"])) == "access_denied"


def test_expired(server, clock) -> None:
    body = start(server)
    clock.now += 601
    assert error_of(poll(server, body["device_code"])) == "expired_token"
    with pytest.raises(LookupError):
        server.approve_device(body["user_code"])


def test_device_code_of_another_client_is_invalid_grant(server) -> None:
    server.register_client(client_id="other", client_secret=None)
    body = start(server)
    response = requests.post(server.url("/token"), data={
        "grant_type": DEVICE_GRANT, "device_code": body["device_code"], "client_id": "other"},
        timeout=TIMEOUT)
    assert error_of(response) == "invalid_grant"


def test_the_verification_page_approves(server) -> None:
    body = start(server)
    page = requests.get(body["verification_uri_complete"], timeout=TIMEOUT)
    assert f'value="{body["user_code"]}"' in page.text
    server.add_user("bob")
    done = requests.post(server.url("/device"), data={
        "user_code": body["user_code"], "username": "bob", "decision": "allow"},
        timeout=TIMEOUT)
    assert done.status_code == 200 and "Device connected" in done.text
    access = poll(server, body["device_code"]).json()["access_token"]
    me = requests.get(server.url("/api/me"), headers={"Authorization": f"Bearer {access}"},
                      timeout=TIMEOUT)
    assert me.json()["username"] == "bob"


def test_the_verification_page_refuses_an_unknown_code(server) -> None:
    response = requests.post(server.url("/device"), data={"user_code": "BCDF-GHJK",
                                                          "decision": "allow"}, timeout=TIMEOUT)
    assert response.status_code == 400


def test_client_without_the_device_grant_is_unauthorized(server) -> None:
    server.register_client(client_id="web", client_secret=None,
                           grant_types=["authorization_code"])
    response = requests.post(server.url("/device_authorization"), data={"client_id": "web"},
                             timeout=TIMEOUT)
    assert error_of(response) == "unauthorized_client"


# Through our client ------------------------------------------------------------------------
def test_client_device_flow_against_the_server(server) -> None:
    client = oauth2_core.client(server.provider(), client_id="tv",
                                plugins=oauth2_core.make_plugin_manager())
    server.config.enforce_device_interval = False  # the fake sleep below takes no time
    da = client.device_authorization(scope="openid profile")
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:  # the user approves while the device waits a second time
            server.approve_device(da.user_code)

    token = client.poll_device_token(da, sleep=sleep)
    assert token.scopes == ("openid", "profile") and waits == [5, 5]
    assert [r.form["grant_type"] for r in server.requests_to("token")] == [DEVICE_GRANT] * 2


def test_client_sees_access_denied(server) -> None:
    client = oauth2_core.client(server.provider(), client_id="tv",
                                plugins=oauth2_core.make_plugin_manager())
    da = client.device_authorization()
    server.deny_device(da.user_code)
    with pytest.raises(oauth2_core.AccessDenied):
        client.poll_device_token(da, sleep=lambda seconds: None)
