"""Keycloak: shapes from keycloak.org/docs (securing apps, OIDC endpoints) and a
Keycloak 26 server's answers, pinned against the plugin."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs, urlsplit

import oauth2_keycloak
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

BASE = "https://sso.example.com"
OIDC = f"{BASE}/realms/acme/protocol/openid-connect"
BASIC = "Basic " + base64.b64encode(b"webapp:kc-s3cret").decode()
TOKEN_RESPONSE = {
    "access_token": "eyJhbGciOiJSUzI1NiJ9.at", "expires_in": 300,
    "refresh_expires_in": 1800, "refresh_token": "eyJhbGciOiJIUzUxMiJ9.rt",
    "token_type": "Bearer", "id_token": "eyJhbGciOiJSUzI1NiJ9.id", "not-before-policy": 0,
    "session_state": "5d3e1c2a-8b7f-4c1e-9a2d-0f6b3e4d5c6a", "scope": "openid profile email",
}


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    settings.setdefault("base", BASE)
    settings.setdefault("realm", "acme")
    return oauth2_core.client(
        "keycloak", client_id="webapp", client_secret="kc-s3cret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_keycloak),
        **settings,
    )


@pytest.fixture
def keycloak() -> oauth2_core.OAuth2Client:
    return make_client()


def base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_keycloak, entry_point="keycloak")
    assert provider.name == "keycloak"


def test_authorize_url_is_in_the_realm(keycloak) -> None:
    url = keycloak.authorize_url(state="st", kc_idp_hint="github")
    assert base(url) == f"{OIDC}/auth"
    assert parse_qs(urlsplit(url).query) == {
        "response_type": ["code"], "client_id": ["webapp"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["openid profile email"],
        "state": ["st"], "kc_idp_hint": ["github"],
    }


def test_begin_authorization_sends_pkce_and_a_nonce(keycloak) -> None:
    req = keycloak.begin_authorization()
    query = parse_qs(urlsplit(req.url).query)
    assert query["code_challenge_method"] == ["S256"] and req.code_verifier
    assert query["nonce"] == [req.nonce]


def test_code_exchange_uses_basic_auth(keycloak, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, f"{OIDC}/token", TOKEN_RESPONSE)
    token = keycloak.get_token(code="b5d4c3a2.6f1e.4d3c", code_verifier="v" * 43)
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["b5d4c3a2.6f1e.4d3c"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
    }
    assert token.lifetime == 300 and token.refresh_token == "eyJhbGciOiJIUzUxMiJ9.rt"
    assert token["session_state"] == "5d3e1c2a-8b7f-4c1e-9a2d-0f6b3e4d5c6a"
    assert token["not-before-policy"] == 0
    assert token.scopes == ("openid", "profile", "email")


@pytest.mark.parametrize(("status", "body", "cls"), [
    (400, {"error": "invalid_grant", "error_description": "Code not valid"},
     oauth2_core.InvalidGrant),
    (401, {"error": "unauthorized_client",
           "error_description": "Invalid client or Invalid client credentials"},
     oauth2_core.UnauthorizedClient),
    (400, {"error": "invalid_grant", "error_description": "Session not active"},
     oauth2_core.InvalidGrant),
])
def test_error_responses_are_typed(keycloak, requests_mock, status, body, cls) -> None:
    fake_token_endpoint(requests_mock, f"{OIDC}/token", body, status_code=status)
    with pytest.raises(cls, match=body["error_description"]):
        keycloak.get_token(code="c0de")


def test_a_proxy_error_page_is_a_token_response_error(keycloak, requests_mock) -> None:
    fake_token_endpoint(requests_mock, f"{OIDC}/token", status_code=502,
                        text="<html><body>Bad Gateway</body></html>",
                        headers={"Content-Type": "text/html"})
    with pytest.raises(oauth2_core.TokenResponseError, match="HTML"):
        keycloak.get_token(code="c0de")


def test_api_calls_carry_a_bearer_header(keycloak, requests_mock) -> None:
    api = requests_mock.get("https://api.app.example/me", json={})
    keycloak.session(oauth2_core.Token(access_token="eyJhbGciOiJSUzI1NiJ9.at")).get(
        "https://api.app.example/me")
    assert api.last_request.headers["Authorization"] == "Bearer eyJhbGciOiJSUzI1NiJ9.at"


def test_userinfo_from_the_oidc_endpoint(keycloak, requests_mock) -> None:
    requests_mock.get(f"{OIDC}/userinfo", json={
        "sub": "f1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "email_verified": True,
        "name": "Ada Lovelace", "preferred_username": "ada", "given_name": "Ada",
        "family_name": "Lovelace", "email": "ada@example.com",
    })
    user = keycloak.userinfo(oauth2_core.Token(access_token="at"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer at"
    assert (user.id, user.email, user.email_verified, user.name, user.username) == (
        "f1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "ada@example.com", True, "Ada Lovelace",
        "ada")


def test_userinfo_of_a_user_without_email(keycloak, requests_mock) -> None:
    requests_mock.get(f"{OIDC}/userinfo", json={
        "sub": "f1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "email_verified": False,
        "preferred_username": "service-account-webapp"})
    user = keycloak.userinfo(oauth2_core.Token(access_token="at"))
    assert (user.email, user.email_verified, user.username) == (
        None, False, "service-account-webapp")


def test_revocation_and_introspection_endpoints(keycloak, requests_mock) -> None:
    revoke = requests_mock.post(f"{OIDC}/revoke", text="")
    keycloak.revoke_token(oauth2_core.Token(access_token="at", refresh_token="rt"))
    assert parse_qs(revoke.last_request.text) == {
        "token": ["rt"], "token_type_hint": ["refresh_token"]}
    introspect = requests_mock.post(f"{OIDC}/token/introspect",
                                    json={"active": True, "sub": "f1b2", "client_id": "webapp"})
    assert keycloak.introspect_token("at")["active"] is True
    assert introspect.last_request.headers["Authorization"] == BASIC


# Quirks --------------------------------------------------------------------------------
def test_refresh_expires_in_becomes_an_absolute_refresh_expires_at(keycloak,
                                                                  requests_mock) -> None:
    fake_token_endpoint(requests_mock, f"{OIDC}/token", TOKEN_RESPONSE)
    before = time.time()
    token = keycloak.get_token(code="c0de")
    assert before + 1800 - 1 <= token["refresh_expires_at"] <= time.time() + 1800
    assert token["refresh_expires_in"] == 1800
    assert token.expires_at is not None and token.expires_at <= time.time() + 300


def test_refreshed_tokens_get_a_new_refresh_expiry(keycloak, requests_mock) -> None:
    fake_token_endpoint(requests_mock, f"{OIDC}/token", {**TOKEN_RESPONSE,
                                                         "refresh_expires_in": 1500})
    old = oauth2_core.Token(access_token="at", refresh_token="rt",
                            refresh_expires_at=int(time.time()) + 10)
    token = keycloak.refresh_token(old)
    assert token["refresh_expires_at"] >= time.time() + 1500 - 1


def test_offline_tokens_have_no_refresh_expiry(keycloak, requests_mock) -> None:
    fake_token_endpoint(requests_mock, f"{OIDC}/token", {
        **TOKEN_RESPONSE, "refresh_expires_in": 0, "scope": "openid offline_access"})
    token = keycloak.get_token(code="c0de")
    assert "refresh_expires_at" not in token


def test_legacy_auth_context_path_goes_in_base() -> None:
    provider = make_client(base="http://localhost:8080/auth/", realm="master").provider
    assert provider.token_url == (
        "http://localhost:8080/auth/realms/master/protocol/openid-connect/token")
    assert provider.issuer == "http://localhost:8080/auth/realms/master"


def test_issuer_is_the_realm_url_and_is_checked_on_the_callback(keycloak) -> None:
    assert keycloak.provider.issuer == f"{BASE}/realms/acme"
    req = keycloak.begin_authorization()
    with pytest.raises(oauth2_core.IssuerMismatch):
        keycloak.complete_authorization(
            {"state": req.state, "code": "c", "iss": f"{BASE}/realms/other"}, req)


@pytest.mark.parametrize("settings", [
    {"realm": "acme/../master"}, {"realm": "a b"}, {"base": "sso.example.com"},
    {"base": "ftp://sso.example.com"},
])
def test_base_and_realm_are_validated(settings) -> None:
    with pytest.raises(oauth2_core.ConfigurationError):
        make_client(**settings)


def test_base_and_realm_are_required() -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="'base'"):
        oauth2_core.client("keycloak", client_id="webapp", realm="acme",
                           plugins=plugin_manager(oauth2_keycloak))
