"""OpenID Connect and the device flow against a real authorization server on 127.0.0.1
(``oauth2_core.testing.server``): discovery, sign-in with id_token validation, key
rotation, and device polling, over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, Callable

import pytest

import oauth2_core
from oauth2_core.testing.server import AuthorizationServer, ServerClient

REDIRECT = "http://127.0.0.1/callback"


class Clock:
    """The server's clock, moved by the client's fake sleep: polling runs at full speed
    while the server still sees the intervals pass."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(clock: Clock) -> Iterator[AuthorizationServer]:
    with AuthorizationServer(clock=clock) as running:
        yield running
        assert running.errors == []


@pytest.fixture
def app(server: AuthorizationServer) -> ServerClient:
    return server.register_client(client_id="rp", client_secret="rp-secret",
                                  redirect_uris=[REDIRECT])


@pytest.fixture
def client(server: AuthorizationServer, app: ServerClient) -> oauth2_core.OAuth2Client:
    """A client configured by discovery alone."""
    return oauth2_core.client("oidc", issuer=server.issuer, client_id=app.client_id,
                              client_secret=app.client_secret, redirect_uri=REDIRECT,
                              plugins=oauth2_core.make_plugin_manager())


def sign_in(server: AuthorizationServer, client: oauth2_core.OAuth2Client) -> oauth2_core.Token:
    request = client.begin_authorization(scope=["openid", "email", "profile"])
    return client.complete_authorization(server.authorize(request.url), request)


# Discovery and sign-in ----------------------------------------------------------------
def test_discovery_configures_the_client(server, client) -> None:
    provider = client.provider
    assert provider.issuer == server.issuer
    assert provider.token_url == server.url("/token")
    assert provider.jwks_url == server.url("/jwks")
    assert provider.device_authorization_url == server.url("/device_authorization")
    assert provider.require_iss is True
    assert client.token_endpoint_auth_method == "client_secret_basic"
    assert [r.endpoint for r in server.requests] == ["metadata"]


def test_sign_in_validates_the_id_token_and_userinfo_agrees(server, client) -> None:
    token = sign_in(server, client)
    assert [r.endpoint for r in server.requests_to("jwks")] == ["jwks"]  # signature checked
    claims = client.validate_id_token(token)
    assert claims["iss"] == server.issuer and claims["aud"] == "rp"
    assert claims["sub"] == "alice"
    user = client.userinfo(token)
    assert (user.id, user.email, user.name) == ("alice", "alice@example.com", "Alice Liddell")


def test_a_nonce_from_another_sign_in_is_refused(server, client) -> None:
    request = client.begin_authorization(scope=["openid"])
    other = client.begin_authorization(scope=["openid"])
    replayed = oauth2_core.AuthorizationRequest.from_dict(
        {**request.to_dict(), "nonce": other.nonce})
    with pytest.raises(oauth2_core.InvalidIDToken, match="'nonce' failed"):
        client.complete_authorization(server.authorize(request.url), replayed)


def test_a_rotated_signing_key_is_fetched_once(server, client) -> None:
    sign_in(server, client)
    server.rotate_signing_key(keep_old=False)
    token = sign_in(server, client)
    assert client.validate_id_token(token)["sub"] == "alice"
    assert len(server.requests_to("jwks")) == 2


def test_a_public_client_discovers_none_and_signs_in_with_pkce(server) -> None:
    public = server.register_client(client_id="spa", client_secret=None,
                                    redirect_uris=[REDIRECT])
    client = oauth2_core.client("oidc", issuer=server.issuer, client_id=public.client_id,
                                redirect_uri=REDIRECT, plugins=oauth2_core.make_plugin_manager())
    assert client.token_endpoint_auth_method == "none"
    assert sign_in(server, client).id_token


# Device flow ------------------------------------------------------------------------------
def approving_after(polls: int, server: AuthorizationServer, clock: Clock,
                    da: oauth2_core.DeviceAuthorization,
                    decide: Callable[[str], None]) -> Callable[[float], None]:
    """A fake sleep that advances the server's clock and has the user decide after
    ``polls`` polls; records the waits in ``.waits``."""
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        if len(waits) == polls:
            decide(da.user_code)
        waits.append(seconds)
        clock.sleep(seconds)

    sleep.waits = waits  # type: ignore[attr-defined]
    return sleep


def test_device_flow_end_to_end(server, client, clock) -> None:
    shown: list[Any] = []
    da = client.device_authorization(scope=["openid", "profile"])
    assert da.verification_uri == server.url("/device")
    sleep = approving_after(2, server, clock, da, server.approve_device)

    token = client.poll_device_token(da, on_code=shown.append, sleep=sleep)

    assert shown == [da] and sleep.waits == [5, 5, 5]  # type: ignore[attr-defined]
    assert [r.endpoint for r in server.requests_to("token")] == ["token"] * 3
    assert client.validate_id_token(token)["sub"] == "alice"


def test_device_flow_honours_the_servers_slow_down(server, client, clock) -> None:
    da = client.device_authorization()
    impatient: list[float] = []

    def sleep(seconds: float) -> None:
        # The first wait falls a second short, as a drifting device clock would.
        impatient.append(seconds)
        clock.sleep(seconds - 1 if len(impatient) == 2 else seconds)
        if len(impatient) == 3:
            server.approve_device(da.user_code)

    token = client.poll_device_token(da, sleep=sleep)

    assert token.access_token and impatient == [5, 5, 10]


def test_device_flow_refused_by_the_user(server, client, clock) -> None:
    da = client.device_authorization()
    sleep = approving_after(1, server, clock, da, server.deny_device)
    with pytest.raises(oauth2_core.AccessDenied):
        client.poll_device_token(da, sleep=sleep)


def test_device_code_expiry_at_the_server(server, client, clock) -> None:
    da = client.device_authorization()

    def sleep(seconds: float) -> None:
        clock.sleep(seconds + server.config.device_code_ttl)  # the user went away

    with pytest.raises(oauth2_core.ExpiredToken):
        client.poll_device_token(da, sleep=sleep)
