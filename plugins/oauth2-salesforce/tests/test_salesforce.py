"""Salesforce: shapes from help.salesforce.com (OAuth 2.0 web server flow, refresh token
flow, OpenID Connect userinfo, OAuth errors) pinned against the plugin."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_salesforce
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

LOGIN = "https://login.salesforce.com/services/oauth2"
CLIENT_ID = "3MVG9lKcPoNINVBIPJjdw1J9LLM82HnFVVX19KY1uA5mu0QqEWhqKpoW3svG3X"
TOKEN_RESPONSE = {
    "access_token": "00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX.LVpxezPwuX5VAIrrbbHMuol7",
    "refresh_token": "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJrY3Ci4wBcKb8XAmGuIjlHzgdxR3LrcI3",
    "signature": "SSSbLO/gBhmmyNUvN18ODBDFYHzakxOMgqYtu+hDPsc=",
    "scope": "refresh_token openid api", "id_token": "eyJraWQiOiIyMzAiLCJ0eXAiOiJKV1Qi.x.y",
    "instance_url": "https://acme.my.salesforce.com",
    "id": "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
    "token_type": "Bearer", "issued_at": "1767225600123",
}


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "salesforce", client_id=CLIENT_ID, client_secret="sf-s3cret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_salesforce),
        **settings,
    )


@pytest.fixture
def salesforce() -> oauth2_core.OAuth2Client:
    return make_client()


def base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_salesforce, entry_point="salesforce")
    assert provider.name == "salesforce"


def test_authorize_url_on_the_production_login_host(salesforce) -> None:
    url = salesforce.authorize_url(state="st", prompt="login consent")
    assert base(url) == f"{LOGIN}/authorize"
    assert parse_qs(urlsplit(url).query) == {
        "response_type": ["code"], "client_id": [CLIENT_ID],
        "redirect_uri": ["https://app.example/cb"], "scope": ["api refresh_token openid"],
        "state": ["st"], "prompt": ["login consent"],
    }


def test_begin_authorization_sends_pkce_and_a_nonce(salesforce) -> None:
    req = salesforce.begin_authorization()
    query = parse_qs(urlsplit(req.url).query)
    assert query["code_challenge_method"] == ["S256"] and req.code_verifier
    assert query["nonce"] == [req.nonce]


def test_code_exchange_posts_credentials_and_asks_for_json(salesforce, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, f"{LOGIN}/token", TOKEN_RESPONSE)
    token = salesforce.get_token(code="aPrxsmIEeqM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W",
                                 code_verifier="v" * 43)
    request = endpoint.last_request
    assert "Authorization" not in request.headers
    assert request.headers["Accept"] == "application/json"
    assert parse_qs(request.text) == {
        "grant_type": ["authorization_code"],
        "code": ["aPrxsmIEeqM9PiQroGEWx1UiMQd95_5JUZVEhsOFhS8EVvbfYBBJli2W"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
        "client_id": [CLIENT_ID], "client_secret": ["sf-s3cret"],
    }
    assert token["id"] == TOKEN_RESPONSE["id"]
    assert token["signature"] == TOKEN_RESPONSE["signature"]
    assert token.scopes == ("refresh_token", "openid", "api")


@pytest.mark.parametrize("description", ["authentication failure", "expired authorization code"])
def test_bad_code_is_invalid_grant(salesforce, requests_mock, description) -> None:
    fake_token_endpoint(requests_mock, f"{LOGIN}/token",
                        {"error": "invalid_grant", "error_description": description},
                        status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match=description):
        salesforce.get_token(code="c0de")


def test_rest_calls_carry_a_bearer_header(salesforce, requests_mock) -> None:
    token = oauth2_core.Token(TOKEN_RESPONSE)
    url = f"{oauth2_salesforce.instance_url(token)}/services/data/v62.0/sobjects/Account"
    api = requests_mock.get(url, json={"objectDescribe": {}})
    salesforce.session(token).get(url)
    assert api.last_request.headers["Authorization"] == f"Bearer {TOKEN_RESPONSE['access_token']}"


def test_userinfo_from_the_oidc_endpoint(salesforce, requests_mock) -> None:
    requests_mock.get(f"{LOGIN}/userinfo", json={
        "sub": "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
        "user_id": "005xx000001SwiUAAS", "organization_id": "00Dxx0000001gPLEAY",
        "preferred_username": "ada@acme.example", "nickname": "ada", "name": "Ada Lovelace",
        "email": "ada@acme.example", "email_verified": True, "given_name": "Ada",
        "family_name": "Lovelace", "zoneinfo": "America/Los_Angeles",
        "photos": {"picture": "https://acme.file.force.com/profilephoto/005/F",
                   "thumbnail": "https://acme.file.force.com/profilephoto/005/T"},
        "picture": "https://acme.file.force.com/profilephoto/005/F",
        "user_type": "STANDARD", "active": True, "locale": "en_US",
    })
    user = salesforce.userinfo(oauth2_core.Token(access_token="00Dxx!AR8"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer 00Dxx!AR8"
    assert (user.id, user.email, user.email_verified, user.name, user.username) == (
        "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
        "ada@acme.example", True, "Ada Lovelace", "ada@acme.example")
    assert user.raw["organization_id"] == "00Dxx0000001gPLEAY"


def test_userinfo_without_the_email_scope(salesforce, requests_mock) -> None:
    requests_mock.get(f"{LOGIN}/userinfo", json={
        "sub": "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
        "user_id": "005xx000001SwiUAAS", "preferred_username": "ada@acme.example"})
    user = salesforce.userinfo(oauth2_core.Token(access_token="00Dxx!AR8"))
    assert (user.email, user.email_verified) == (None, None)


# Quirks --------------------------------------------------------------------------------
def test_no_expires_in_means_no_expiry_by_time(salesforce, requests_mock) -> None:
    fake_token_endpoint(requests_mock, f"{LOGIN}/token", TOKEN_RESPONSE)
    token = salesforce.get_token(code="c0de")
    assert token.expires_at is None and token.lifetime is None
    assert not token.is_expired(leeway=10 ** 9)
    assert token["issued_at"] == "1767225600123"  # milliseconds, kept as sent


def test_refresh_answers_only_an_access_token(salesforce, requests_mock) -> None:
    fresh = {k: v for k, v in TOKEN_RESPONSE.items() if k not in ("refresh_token", "id_token")}
    endpoint = fake_token_endpoint(requests_mock, f"{LOGIN}/token", fresh)
    old = oauth2_core.Token(TOKEN_RESPONSE)
    token = salesforce.refresh_token(old)
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": [TOKEN_RESPONSE["refresh_token"]],
        "client_id": [CLIENT_ID], "client_secret": ["sf-s3cret"]}
    assert token.refresh_token == TOKEN_RESPONSE["refresh_token"]
    assert oauth2_salesforce.instance_url(token) == "https://acme.my.salesforce.com"


def test_instance_url_is_the_rest_api_base() -> None:
    token = oauth2_core.Token(TOKEN_RESPONSE, instance_url="https://acme.my.salesforce.com/")
    assert oauth2_salesforce.instance_url(token) == "https://acme.my.salesforce.com"


@pytest.mark.parametrize("value", [None, "http://acme.my.salesforce.com",
                                   "https://user@evil.example", "not a url", 42])
def test_instance_url_must_be_present_and_https(value) -> None:
    token = oauth2_core.Token(access_token="at", instance_url=value)
    with pytest.raises(oauth2_core.TokenResponseError, match="instance_url"):
        oauth2_salesforce.instance_url(token)


@pytest.mark.parametrize(("error", "description"), [
    ("invalid_client_id", "client identifier invalid"),
    ("invalid_client_credentials", "client secret invalid"),
])
def test_salesforce_client_error_codes_are_invalid_client(salesforce, requests_mock, error,
                                                          description) -> None:
    fake_token_endpoint(requests_mock, f"{LOGIN}/token",
                        {"error": error, "error_description": description}, status_code=400)
    with pytest.raises(oauth2_core.InvalidClient, match=description) as info:
        salesforce.get_token(code="c0de")
    assert info.value.error == error and info.value.status_code == 400


def test_sandbox_host() -> None:
    provider = make_client(host="test.salesforce.com").provider
    assert provider.token_url == "https://test.salesforce.com/services/oauth2/token"
    assert provider.issuer == "https://test.salesforce.com"


def test_my_domain_host_fills_every_endpoint() -> None:
    provider = make_client(host="acme--uat.sandbox.my.salesforce.com").provider
    prefix = "https://acme--uat.sandbox.my.salesforce.com"
    assert (provider.authorize_url, provider.token_url, provider.revocation_url,
            provider.userinfo_url, provider.jwks_url) == (
        f"{prefix}/services/oauth2/authorize", f"{prefix}/services/oauth2/token",
        f"{prefix}/services/oauth2/revoke", f"{prefix}/services/oauth2/userinfo",
        f"{prefix}/id/keys")


@pytest.mark.parametrize("host", ["https://login.salesforce.com", "login.salesforce.com/x",
                                  "localhost"])
def test_host_is_a_bare_host_name(host) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="host"):
        make_client(host=host)
