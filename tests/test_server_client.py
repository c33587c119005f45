"""Our client against the test authorization server, end to end over real HTTP."""

from __future__ import annotations

import time

import pytest

import oauth2_core
from oauth2_core import InvalidGrant, IssuerMismatch, StateMismatch, Token
from oauth2_core.testing.server import AuthorizationServer, ServerClient

SPECIAL = "a:b%c+d /e"


@pytest.fixture
def app(oauth2_server: AuthorizationServer) -> ServerClient:
    return oauth2_server.register_client(client_id="app", client_secret="s3cret",
                                         redirect_uris=["http://127.0.0.1:5000/cb"])


@pytest.fixture
def client(oauth2_server: AuthorizationServer, app: ServerClient) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(oauth2_server.provider(), client_id="app", client_secret="s3cret",
                              redirect_uri="http://127.0.0.1:5000/cb",
                              plugins=oauth2_core.make_plugin_manager())


def sign_in(server: AuthorizationServer, client: oauth2_core.OAuth2Client,
            scope: str = "openid email") -> Token:
    request = client.begin_authorization(scope=scope)
    return client.complete_authorization(server.authorize(request.url), request)


def test_begin_and_complete_authorization(oauth2_server, client) -> None:
    request = client.begin_authorization(scope="openid email")
    token = client.complete_authorization(oauth2_server.authorize(request.url), request)
    assert token.scopes == ("openid", "email") and token.refresh_token
    assert client.validate_id_token(token, nonce=request.nonce)["sub"] == "alice"
    user = client.userinfo(token)
    assert (user.id, user.email, user.email_verified) == ("alice", "alice@example.com", True)
    sent = oauth2_server.requests_to("token")[0]
    assert sent.form["code_verifier"] == request.code_verifier


def test_discovery_finds_the_server(oauth2_server, app) -> None:
    client = oauth2_core.client("oidc", issuer=oauth2_server.issuer, client_id="app",
                                client_secret="s3cret", redirect_uri="http://127.0.0.1:5000/cb",
                                plugins=oauth2_core.make_plugin_manager())
    assert client.provider.token_url == oauth2_server.url("/token")
    assert client.provider.require_iss is True
    assert sign_in(oauth2_server, client).id_token


def test_the_code_cannot_be_used_twice(oauth2_server, client) -> None:
    request = client.begin_authorization(scope="openid")
    callback = oauth2_server.authorize(request.url)
    first = client.complete_authorization(callback, request)
    with pytest.raises(InvalidGrant):
        client.complete_authorization(callback, request)
    assert client.introspect_token(first)["active"] is False


def test_state_and_iss_are_checked(oauth2_server, client) -> None:
    request = client.begin_authorization()
    other = client.begin_authorization()
    with pytest.raises(StateMismatch):
        client.complete_authorization(oauth2_server.authorize(other.url), request)
    oauth2_server.config.authorization_response_iss = "https://evil.example"
    with pytest.raises(IssuerMismatch):
        client.complete_authorization(oauth2_server.authorize(request.url), request)
    oauth2_server.config.authorization_response_iss = False  # the provider requires iss
    with pytest.raises(IssuerMismatch):
        client.complete_authorization(oauth2_server.authorize(request.url), request)


def test_refresh_with_rotation_and_reuse_detection(oauth2_server, client) -> None:
    oauth2_server.config.rotate_refresh_tokens = True
    first = sign_in(oauth2_server, client)
    second = client.refresh_token(first)
    assert second.refresh_token != first.refresh_token and second.id_token
    with pytest.raises(InvalidGrant):
        client.refresh_token(first)  # reuse: the family is revoked
    with pytest.raises(InvalidGrant):
        client.refresh_token(second)


def test_session_refreshes_a_short_lived_token_before_use(oauth2_server, client) -> None:
    oauth2_server.config.access_token_ttl = 2
    saved: list[Token] = []
    with client.session(sign_in(oauth2_server, client), on_token_refresh=saved.append) as session:
        assert session.get(oauth2_server.url("/api/me")).json()["username"] == "alice"
        current, refreshes = session.token, len(saved)
        assert current is not None and current.expires_at is not None
        while time.time() < current.expires_at:  # wait for expiry, however long it takes
            time.sleep(0.1)
        me = session.get(oauth2_server.url("/api/me"))
    assert me.status_code == 200 and len(saved) == refreshes + 1
    assert me.request.headers["Authorization"] == f"Bearer {saved[-1].access_token}"
    assert me.history == []  # renewed before the call, not after a 401
    assert oauth2_server.requests_to("token")[-1].form["grant_type"] == "refresh_token"


def test_session_retries_once_after_a_401(oauth2_server, client) -> None:
    token = sign_in(oauth2_server, client)
    assert oauth2_server.revoke(token.access_token or "")
    saved: list[Token] = []
    with client.session(token, on_token_refresh=saved.append) as session:
        me = session.post(oauth2_server.url("/api/me"), json={"n": 1})
    assert me.status_code == 200 and me.json()["body"] == {"n": 1}
    assert len(saved) == 1 and [r.status_code for r in me.history] == [401]
    assert len(oauth2_server.requests_to("api")) == 2


def test_401_without_a_way_to_renew_reaches_the_caller(oauth2_server, client) -> None:
    token = sign_in(oauth2_server, client)
    oauth2_server.revoke(token.access_token or "")
    with client.session(Token(access_token=token.access_token)) as session:
        assert session.get(oauth2_server.url("/api/me")).status_code == 401


def test_public_client_uses_pkce_and_no_secret(oauth2_server) -> None:
    public = oauth2_server.register_client(client_secret=None)
    client = oauth2_server.client(public)
    assert sign_in(oauth2_server, client).access_token
    sent = oauth2_server.requests_to("token")[0]
    assert sent.form["client_id"] == public.client_id and "authorization" not in sent.headers


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_secret_with_special_characters(oauth2_server, method) -> None:
    registered = oauth2_server.register_client(client_id="id:é", client_secret=SPECIAL,
                                               token_endpoint_auth_method=method)
    client = oauth2_server.client(registered, token_endpoint_auth_method=method)
    assert client.client_credentials(scope="api").scopes == ("api",)


def test_revoke_then_introspect(oauth2_server, client) -> None:
    token = sign_in(oauth2_server, client)
    assert client.introspect_token(token)["active"] is True
    client.revoke_token(token)  # the refresh token: the whole grant ends
    assert client.introspect_token(token)["active"] is False


def test_id_token_after_key_rotation(oauth2_server, client) -> None:
    client.validate_id_token(sign_in(oauth2_server, client))  # caches the old JWKS
    oauth2_server.rotate_signing_key(keep_old=False)
    claims = client.validate_id_token(sign_in(oauth2_server, client))
    assert claims["iss"] == oauth2_server.issuer


def test_token_error_in_http_200_is_still_an_error(oauth2_server, client) -> None:
    oauth2_server.config.fault("token", 200, error="invalid_grant", grant_type="refresh_token")
    token = sign_in(oauth2_server, client)
    with pytest.raises(InvalidGrant):
        client.refresh_token(token)
