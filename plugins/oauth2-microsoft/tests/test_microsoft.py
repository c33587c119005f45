"""Microsoft Entra ID (v2.0): shapes from learn.microsoft.com/entra/identity-platform
(v2-oauth2-auth-code-flow, userinfo) pinned against the plugin."""

from __future__ import annotations

import functools
from urllib.parse import parse_qs, urlsplit

import oauth2_microsoft
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://login.microsoftonline.com/common/oauth2/v2.0/token"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "microsoft", client_id="6731de76-14a6-49ae-97bc-6eba6914391e",
        client_secret="sampleCredentia1s", redirect_uri="https://app.example/cb",
        plugins=plugin_manager(oauth2_microsoft), **settings,
    )


@pytest.fixture
def microsoft() -> oauth2_core.OAuth2Client:
    return make_client()


def base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_microsoft, entry_point="microsoft")
    assert provider.name == "microsoft"


def test_authorize_url_uses_the_common_tenant_by_default(microsoft) -> None:
    url = microsoft.authorize_url(state="s1", prompt="select_account")
    assert base(url) == "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
    assert parse_qs(urlsplit(url).query) == {
        "response_type": ["code"], "client_id": ["6731de76-14a6-49ae-97bc-6eba6914391e"],
        "redirect_uri": ["https://app.example/cb"],
        "scope": ["openid profile email offline_access"],
        "state": ["s1"], "prompt": ["select_account"],
    }


def test_begin_authorization_sends_pkce_and_a_nonce(microsoft) -> None:
    req = microsoft.begin_authorization()
    query = parse_qs(urlsplit(req.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert req.code_verifier and req.nonce
    assert query["nonce"] == [req.nonce]
    assert query["scope"] == ["openid profile email offline_access"]


def test_code_exchange_posts_credentials_in_the_body(microsoft, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "token_type": "Bearer", "scope": "openid profile email User.Read",
        "expires_in": 4871, "ext_expires_in": 4871, "access_token": "eyJ0eXAi.at",
        "refresh_token": "1.AR0A.rt", "id_token": "eyJ0eXAi.id",
    })
    token = microsoft.get_token(code="OAAABAAAAiL9Kn2Z27Uu", code_verifier="v" * 43)
    assert endpoint.last_request.method == "POST"
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["OAAABAAAAiL9Kn2Z27Uu"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
        "client_id": ["6731de76-14a6-49ae-97bc-6eba6914391e"],
        "client_secret": ["sampleCredentia1s"],
    }
    assert "Authorization" not in endpoint.last_request.headers
    assert token.scopes == ("openid", "profile", "email", "User.Read")
    assert token.refresh_token == "1.AR0A.rt"
    assert token.id_token == "eyJ0eXAi.id"
    assert token["ext_expires_in"] == 4871
    assert token.lifetime == 4871


def test_expired_code_is_invalid_grant_with_aadsts_details(microsoft, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant",
        "error_description": "AADSTS70008: The provided authorization code or refresh token "
                             "has expired due to inactivity.",
        "error_codes": [70008], "timestamp": "2026-01-12 10:00:00Z",
        "trace_id": "0000aaaa-11bb-cccc-dd22-eeeeee333333",
        "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd",
        "error_uri": "https://login.microsoftonline.com/error?code=70008",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="AADSTS70008") as info:
        microsoft.get_token(code="OAAABAAAAiL9Kn2Z27Uu")
    assert info.value.uri == "https://login.microsoftonline.com/error?code=70008"
    assert info.value.status_code == 400
    assert "OAAABAAAAiL9Kn2Z27Uu" not in str(info.value)


def test_wrong_secret_is_invalid_client(microsoft, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided.",
        "error_codes": [7000215],
    }, status_code=401)
    with pytest.raises(oauth2_core.InvalidClient, match="AADSTS7000215"):
        microsoft.get_token(code="c0de")


def test_graph_calls_carry_a_bearer_header(microsoft, requests_mock) -> None:
    me = requests_mock.get("https://graph.microsoft.com/v1.0/me", json={"id": "48d31887"})
    microsoft.session(oauth2_core.Token(access_token="eyJ0eXAi.at")).get(
        "https://graph.microsoft.com/v1.0/me")
    assert me.last_request.headers["Authorization"] == "Bearer eyJ0eXAi.at"
    assert "access_token" not in me.last_request.qs


def test_userinfo_from_the_graph_oidc_endpoint(microsoft, requests_mock) -> None:
    requests_mock.get("https://graph.microsoft.com/oidc/userinfo", json={
        "sub": "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA", "name": "Mikah Ollenburg",
        "family_name": "Ollenburg", "given_name": "Mikah",
        "picture": "https://graph.microsoft.com/v1.0/me/photo/$value",
        "email": "mikoll@contoso.com",
    })
    user = microsoft.userinfo(oauth2_core.Token(access_token="eyJ0eXAi.at"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer eyJ0eXAi.at"
    assert (user.id, user.email, user.email_verified, user.name) == (
        "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA", "mikoll@contoso.com", None,
        "Mikah Ollenburg",
    )
    assert user.raw["given_name"] == "Mikah"


def test_userinfo_without_an_email_claim(microsoft, requests_mock) -> None:
    requests_mock.get("https://graph.microsoft.com/oidc/userinfo", json={
        "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", "name": "Ada",
    })
    user = microsoft.userinfo(oauth2_core.Token(access_token="at"))
    assert user.email is None and user.email_verified is None


def test_userinfo_error_is_an_oauth2_error(microsoft, requests_mock) -> None:
    requests_mock.get("https://graph.microsoft.com/oidc/userinfo", status_code=401, json={
        "error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}})
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401"):
        microsoft.userinfo(oauth2_core.Token(access_token="at"))


# Quirks --------------------------------------------------------------------------------
def test_tenant_setting_fills_every_login_endpoint() -> None:
    provider = make_client(tenant="contoso.onmicrosoft.com").provider
    prefix = "https://login.microsoftonline.com/contoso.onmicrosoft.com/"
    assert provider.authorize_url == prefix + "oauth2/v2.0/authorize"
    assert provider.token_url == prefix + "oauth2/v2.0/token"
    assert provider.device_authorization_url == prefix + "oauth2/v2.0/devicecode"
    assert provider.end_session_url == prefix + "oauth2/v2.0/logout"
    assert provider.jwks_url == prefix + "discovery/v2.0/keys"


@pytest.mark.parametrize("tenant", ["organizations", "consumers", TENANT])
def test_well_known_tenants_are_accepted(tenant: str) -> None:
    assert f"/{tenant}/oauth2/" in (make_client(tenant=tenant).provider.token_url or "")


@pytest.mark.parametrize("tenant", ["common/../evil", "a b", "https://evil.example", "-x"])
def test_tenant_must_be_a_single_path_segment(tenant: str) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="tenant"):
        make_client(tenant=tenant)


def test_issuer_keeps_microsofts_tenantid_placeholder(microsoft) -> None:
    assert microsoft.provider.issuer == "https://login.microsoftonline.com/{tenantid}/v2.0"
    # ... whatever tenant the endpoints use: the id_token's tid fills it.
    assert make_client(tenant=TENANT).provider.issuer == microsoft.provider.issuer


def test_issuer_can_be_pinned_to_a_tenant_guid() -> None:
    provider = make_client(tenant=TENANT, tenantid=TENANT).provider
    assert provider.issuer == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    with pytest.raises(oauth2_core.ConfigurationError, match="tenantid"):
        make_client(tenantid="contoso.com")


def test_refresh_sends_the_scope(microsoft, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    microsoft.refresh_token("1.AR0A.rt")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": ["1.AR0A.rt"],
        "scope": ["openid profile email offline_access"],
        "client_id": ["6731de76-14a6-49ae-97bc-6eba6914391e"],
        "client_secret": ["sampleCredentia1s"],
    }


def test_refresh_keeps_an_explicit_scope(microsoft, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    microsoft.refresh_token("1.AR0A.rt", scope=["https://graph.microsoft.com/Mail.Read"])
    assert parse_qs(endpoint.last_request.text)["scope"] == [
        "https://graph.microsoft.com/Mail.Read"]


def test_code_exchange_does_not_get_the_refresh_scope(microsoft, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    microsoft.get_token(code="c0de")
    assert "scope" not in parse_qs(endpoint.last_request.text)


@functools.cache
def _signing_key() -> object:  # one key: the client caches Microsoft's JWKS per process
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _signed_id_token(tid: str, iss_tid: str, nonce: str) -> tuple[str, dict[str, object]]:
    import json
    import time

    import jwt

    key = _signing_key()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    now = int(time.time())
    claims = {"iss": f"https://login.microsoftonline.com/{iss_tid}/v2.0", "tid": tid,
              "aud": "6731de76-14a6-49ae-97bc-6eba6914391e", "sub": "s-1", "iat": now,
              "exp": now + 600, "nonce": nonce, "name": "Ada"}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"}), {"keys": [jwk]}


OTHER_TENANT = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(("iss_tid", "ok"), [(TENANT, True), (OTHER_TENANT, False)])
def test_multi_tenant_id_token_iss_is_checked_against_its_own_tid(microsoft, requests_mock,
                                                                    iss_tid, ok) -> None:
    req = microsoft.begin_authorization(scope=["openid"])
    id_token, jwks = _signed_id_token(TENANT, iss_tid, req.nonce)
    requests_mock.get(microsoft.provider.jwks_url, json=jwks)
    requests_mock.post(microsoft.provider.token_url, json={
        "access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": id_token})
    callback = {"code": "c", "state": req.state}
    if ok:
        assert microsoft.complete_authorization(callback, req).id_token == id_token
    else:
        with pytest.raises(oauth2_core.InvalidIDToken, match="iss"):
            microsoft.complete_authorization(callback, req)
