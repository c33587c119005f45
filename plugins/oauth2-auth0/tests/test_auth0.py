"""Auth0: shapes from auth0.com/docs/api/authentication (authorize, oauth/token,
userinfo, oauth/revoke) pinned against the plugin."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import oauth2_auth0
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

DOMAIN = "dev-8xq2k4.us.auth0.com"
TOKEN_URL = f"https://{DOMAIN}/oauth/token"
CLIENT_ID = "aBcD3fGh1JkLmN0pQrStUvWxYz012345"


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    settings.setdefault("domain", DOMAIN)
    return oauth2_core.client(
        "auth0", client_id=CLIENT_ID, client_secret="auth0-s3cret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_auth0), **settings,
    )


@pytest.fixture
def auth0() -> oauth2_core.OAuth2Client:
    return make_client()


def base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_auth0, entry_point="auth0")
    assert provider.name == "auth0"


def test_authorize_url_on_the_tenant_domain(auth0) -> None:
    url = auth0.authorize_url(state="st", connection="google-oauth2")
    assert base(url) == f"https://{DOMAIN}/authorize"
    assert parse_qs(urlsplit(url).query) == {
        "response_type": ["code"], "client_id": [CLIENT_ID],
        "redirect_uri": ["https://app.example/cb"], "scope": ["openid profile email"],
        "state": ["st"], "connection": ["google-oauth2"],
    }


def test_begin_authorization_sends_pkce_and_a_nonce(auth0) -> None:
    req = auth0.begin_authorization()
    query = parse_qs(urlsplit(req.url).query)
    assert query["code_challenge_method"] == ["S256"] and req.code_verifier
    assert query["nonce"] == [req.nonce]
    assert "audience" not in query


def test_code_exchange_posts_credentials_in_the_body(auth0, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "eyJz93a.at", "refresh_token": "GEbRxBNedjnXbL",
        "id_token": "eyJ0XAi.id", "token_type": "Bearer", "expires_in": 86400,
        "scope": "openid profile email offline_access",
    })
    token = auth0.get_token(code="AUTHORIZATION_CODE", code_verifier="v" * 43)
    assert "Authorization" not in endpoint.last_request.headers
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["AUTHORIZATION_CODE"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
        "client_id": [CLIENT_ID], "client_secret": ["auth0-s3cret"],
    }
    assert token.lifetime == 86400 and token.refresh_token == "GEbRxBNedjnXbL"
    assert "offline_access" in token.scopes


def test_invalid_code_is_invalid_grant_with_http_403(auth0, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant", "error_description": "Invalid authorization code"},
        status_code=403)
    with pytest.raises(oauth2_core.InvalidGrant, match="Invalid authorization code") as info:
        auth0.get_token(code="AUTHORIZATION_CODE")
    assert info.value.status_code == 403


def test_unauthorized_client_is_access_denied(auth0, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "access_denied", "error_description": "Unauthorized"}, status_code=401)
    with pytest.raises(oauth2_core.AccessDenied):
        auth0.client_credentials()


def test_api_calls_carry_a_bearer_header(auth0, requests_mock) -> None:
    api = requests_mock.get("https://api.app.example/v1/orders", json=[])
    auth0.session(oauth2_core.Token(access_token="eyJz93a.at")).get(
        "https://api.app.example/v1/orders")
    assert api.last_request.headers["Authorization"] == "Bearer eyJz93a.at"


def test_userinfo_from_the_oidc_endpoint(auth0, requests_mock) -> None:
    requests_mock.get(f"https://{DOMAIN}/userinfo", json={
        "sub": "auth0|5f7c8ec7c33c6c004bbafe82", "nickname": "ada",
        "name": "Ada Lovelace", "picture": "https://s.gravatar.com/avatar/ab12.png",
        "updated_at": "2026-01-12T10:00:00.000Z", "email": "ada@example.com",
        "email_verified": False,
    })
    user = auth0.userinfo(oauth2_core.Token(access_token="eyJz93a.at"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer eyJz93a.at"
    assert (user.id, user.email, user.email_verified, user.name, user.username,
            user.picture) == ("auth0|5f7c8ec7c33c6c004bbafe82", "ada@example.com", False,
                              "Ada Lovelace", "ada", "https://s.gravatar.com/avatar/ab12.png")


def test_userinfo_of_a_social_login_without_email(auth0, requests_mock) -> None:
    requests_mock.get(f"https://{DOMAIN}/userinfo", json={
        "sub": "twitter|1234567", "nickname": "ada", "name": "Ada",
        "picture": "https://pbs.twimg.example/a.png"})
    user = auth0.userinfo(oauth2_core.Token(access_token="at"))
    assert (user.id, user.email, user.email_verified) == ("twitter|1234567", None, None)


# Quirks --------------------------------------------------------------------------------
def test_audience_setting_goes_on_the_authorize_url() -> None:
    client = make_client(audience="https://api.app.example/")
    query = parse_qs(urlsplit(client.begin_authorization().url).query)
    assert query["audience"] == ["https://api.app.example/"]
    # a per-call audience wins
    query = parse_qs(urlsplit(client.authorize_url(audience="urn:other")).query)
    assert query["audience"] == ["urn:other"]


def test_client_credentials_carry_the_audience(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "eyJz93a.m2m", "token_type": "Bearer", "expires_in": 86400,
        "scope": "read:orders"})
    client = make_client(audience="https://api.app.example/")
    token = client.client_credentials(scope=["read:orders"])
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["client_credentials"], "scope": ["read:orders"],
        "audience": ["https://api.app.example/"],
        "client_id": [CLIENT_ID], "client_secret": ["auth0-s3cret"],
    }
    assert token.scopes == ("read:orders",)


def test_the_audience_is_not_added_to_the_code_exchange(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    make_client(audience="https://api.app.example/").get_token(code="c0de")
    assert "audience" not in parse_qs(endpoint.last_request.text)


def test_issuer_keeps_the_trailing_slash(auth0) -> None:
    assert auth0.provider.issuer == f"https://{DOMAIN}/"
    req = auth0.begin_authorization()
    with pytest.raises(oauth2_core.IssuerMismatch):
        auth0.complete_authorization(
            {"state": req.state, "code": "c", "iss": f"https://{DOMAIN}"}, req)


def test_revocation_of_a_refresh_token(auth0, requests_mock) -> None:
    endpoint = requests_mock.post(f"https://{DOMAIN}/oauth/revoke", text="")
    auth0.revoke_token(oauth2_core.Token(access_token="at", refresh_token="GEbRx"))
    assert parse_qs(endpoint.last_request.text) == {
        "token": ["GEbRx"], "token_type_hint": ["refresh_token"],
        "client_id": [CLIENT_ID], "client_secret": ["auth0-s3cret"]}


def test_access_tokens_cannot_be_revoked(auth0, requests_mock) -> None:
    endpoint = requests_mock.post(f"https://{DOMAIN}/oauth/revoke", text="")
    with pytest.raises(oauth2_core.ConfigurationError, match="refresh tokens only"):
        auth0.revoke_token(oauth2_core.Token(access_token="eyJz93a.at"))
    assert endpoint.call_count == 0


def test_revocation_error_is_typed(auth0, requests_mock) -> None:
    requests_mock.post(f"https://{DOMAIN}/oauth/revoke", status_code=400, text=json.dumps({
        "error": "invalid_request", "error_description": "Refresh token is invalid"}))
    with pytest.raises(oauth2_core.InvalidRequest):
        auth0.revoke_token("GEbRx")


@pytest.mark.parametrize("domain", ["https://dev-8xq2k4.us.auth0.com", "auth0.com/x", "tenant"])
def test_domain_is_a_bare_host_name(domain) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="domain"):
        make_client(domain=domain)
