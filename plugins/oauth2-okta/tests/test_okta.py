"""Okta: shapes from developer.okta.com/docs/api/openapi/oauth (authorize, token,
userinfo, revoke) pinned against the plugin, for both authorization-server kinds."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_okta
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

DOMAIN = "dev-133337.okta.com"
CUSTOM = f"https://{DOMAIN}/oauth2/default/v1"
ORG = f"https://{DOMAIN}/oauth2/v1"
BASIC = "Basic " + base64.b64encode(b"0oabucvyc38HLL1ef0h7:okta-s3cret").decode()


def make_client(name: str = "okta", **settings: object) -> oauth2_core.OAuth2Client:
    settings.setdefault("domain", DOMAIN)
    return oauth2_core.client(
        name, client_id="0oabucvyc38HLL1ef0h7", client_secret="okta-s3cret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_okta), **settings,
    )


@pytest.fixture
def okta() -> oauth2_core.OAuth2Client:
    return make_client()


def base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def test_contract() -> None:
    providers = check_plugin_contract(oauth2_okta, entry_point="okta")
    assert {p.name for p in providers} == {"okta", "okta-org"}


def test_authorize_url_of_the_default_custom_server(okta) -> None:
    url = okta.authorize_url(state="st", login_hint="john.doe@example.com")
    assert base(url) == f"{CUSTOM}/authorize"
    assert parse_qs(urlsplit(url).query) == {
        "response_type": ["code"], "client_id": ["0oabucvyc38HLL1ef0h7"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["openid profile email"],
        "state": ["st"], "login_hint": ["john.doe@example.com"],
    }


def test_begin_authorization_sends_pkce_and_a_nonce(okta) -> None:
    req = okta.begin_authorization()
    query = parse_qs(urlsplit(req.url).query)
    assert query["code_challenge_method"] == ["S256"] and req.code_verifier
    assert query["nonce"] == [req.nonce]


def test_code_exchange_uses_basic_auth(okta, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, f"{CUSTOM}/token", {
        "token_type": "Bearer", "expires_in": 3600, "access_token": "eyJraWQi.at",
        "scope": "openid profile email offline_access",
        "refresh_token": "MIOf-U1zQbyfa3MUfJHhvnUqIut9ClH0xjlDXGJAyqo",
        "id_token": "eyJraWQi.id",
    })
    token = okta.get_token(code="splxlOBeZQQYbYS6WxSbIA", code_verifier="v" * 43)
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["splxlOBeZQQYbYS6WxSbIA"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
    }
    assert token.scopes == ("openid", "profile", "email", "offline_access")
    assert token.lifetime == 3600 and token.id_token == "eyJraWQi.id"


def test_expired_code_is_invalid_grant(okta, requests_mock) -> None:
    fake_token_endpoint(requests_mock, f"{CUSTOM}/token", {
        "error": "invalid_grant",
        "error_description": "The authorization code is invalid or has expired.",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="invalid or has expired"):
        okta.get_token(code="splxlOBeZQQYbYS6WxSbIA")


def test_bad_credentials_are_invalid_client(okta, requests_mock) -> None:
    fake_token_endpoint(requests_mock, f"{CUSTOM}/token", {
        "error": "invalid_client",
        "error_description": "Client authentication failed. Either the client or the client "
                             "credentials are invalid.",
    }, status_code=401)
    with pytest.raises(oauth2_core.InvalidClient) as info:
        okta.get_token(code="c0de")
    assert "okta-s3cret" not in str(info.value)


def test_api_calls_carry_a_bearer_header(okta, requests_mock) -> None:
    api = requests_mock.get("https://api.app.example/orders", json=[])
    okta.session(oauth2_core.Token(access_token="eyJraWQi.at")).get(
        "https://api.app.example/orders")
    assert api.last_request.headers["Authorization"] == "Bearer eyJraWQi.at"


def test_userinfo_from_the_oidc_endpoint(okta, requests_mock) -> None:
    requests_mock.get(f"{CUSTOM}/userinfo", json={
        "sub": "00uid4BxXw6I6TV4m0g3", "name": "John Doe", "nickname": "Jimmy",
        "given_name": "John", "family_name": "Doe", "locale": "en-US",
        "updated_at": 1311280970, "email": "john.doe@example.com", "email_verified": True,
        "preferred_username": "john.doe@example.com", "zoneinfo": "America/Los_Angeles",
    })
    user = okta.userinfo(oauth2_core.Token(access_token="eyJraWQi.at"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer eyJraWQi.at"
    assert (user.id, user.email, user.email_verified, user.name, user.username) == (
        "00uid4BxXw6I6TV4m0g3", "john.doe@example.com", True, "John Doe",
        "john.doe@example.com")


def test_userinfo_without_the_email_scope(okta, requests_mock) -> None:
    requests_mock.get(f"{CUSTOM}/userinfo", json={"sub": "00uid4BxXw6I6TV4m0g3"})
    user = okta.userinfo(oauth2_core.Token(access_token="at"))
    assert (user.id, user.email, user.email_verified, user.name) == (
        "00uid4BxXw6I6TV4m0g3", None, None, None)


def test_revocation_posts_the_refresh_token_with_basic_auth(okta, requests_mock) -> None:
    endpoint = requests_mock.post(f"{CUSTOM}/revoke", text="")
    okta.revoke_token(oauth2_core.Token(access_token="at", refresh_token="MIOf"))
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert parse_qs(endpoint.last_request.text) == {
        "token": ["MIOf"], "token_type_hint": ["refresh_token"]}


# Quirks --------------------------------------------------------------------------------
def test_a_named_custom_authorization_server() -> None:
    provider = make_client(authorization_server="aus9o8wzkhckw9TLa0h7").provider
    prefix = f"https://{DOMAIN}/oauth2/aus9o8wzkhckw9TLa0h7"
    assert provider.issuer == prefix
    assert (provider.authorize_url, provider.token_url, provider.jwks_url) == (
        f"{prefix}/v1/authorize", f"{prefix}/v1/token", f"{prefix}/v1/keys")


def test_the_org_authorization_server_has_its_own_issuer_and_paths() -> None:
    provider = make_client("okta-org").provider
    assert provider.issuer == f"https://{DOMAIN}"
    assert (provider.authorize_url, provider.token_url, provider.userinfo_url,
            provider.revocation_url, provider.introspection_url, provider.end_session_url,
            provider.device_authorization_url) == (
        f"{ORG}/authorize", f"{ORG}/token", f"{ORG}/userinfo", f"{ORG}/revoke",
        f"{ORG}/introspect", f"{ORG}/logout", f"{ORG}/device/authorize")


def test_custom_server_issuer_is_checked_on_the_callback(okta) -> None:
    req = okta.begin_authorization()
    with pytest.raises(oauth2_core.IssuerMismatch):
        okta.complete_authorization(
            {"state": req.state, "code": "c", "iss": f"https://{DOMAIN}"}, req)


@pytest.mark.parametrize("settings", [
    {"domain": "https://dev-133337.okta.com"}, {"domain": "dev-133337.okta.com/evil"},
    {"domain": "localhost"}, {"authorization_server": "default/../v1"},
])
def test_domain_and_server_id_are_validated(settings) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="does not match"):
        make_client(**settings)


def test_domain_is_required() -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="domain"):
        oauth2_core.client("okta", client_id="x", plugins=plugin_manager(oauth2_okta))


@pytest.mark.parametrize("name", ["okta", "okta-org"])
def test_refresh_sends_the_scopes_again(name, requests_mock) -> None:
    client = make_client(name, scope=["openid", "email", "offline_access"])
    endpoint = fake_token_endpoint(requests_mock, f"{client.provider.token_url}")
    client.refresh_token("MIOf-U1zQbyfa3MUfJHhvnUqIut9ClH0xjlDXGJAyqo")
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["MIOf-U1zQbyfa3MUfJHhvnUqIut9ClH0xjlDXGJAyqo"],
        "scope": ["openid email offline_access"],
    }


def test_refresh_keeps_a_scope_the_caller_chose(okta, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, f"{CUSTOM}/token")
    okta.refresh_token("MIOf", scope=["openid"])
    assert parse_qs(endpoint.last_request.text)["scope"] == ["openid"]
