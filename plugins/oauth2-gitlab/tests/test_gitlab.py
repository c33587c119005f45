"""GitLab: shapes from docs.gitlab.com (api/oauth2, integration/openid_connect_provider)
pinned against the plugin, for gitlab.com and a self-managed instance."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import oauth2_gitlab
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

APP_ID = "ee2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708"
TOKEN_RESPONSE = {
    "access_token": "de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e54",
    "token_type": "Bearer", "expires_in": 7200,
    "refresh_token": "8257e65c97202ed1726cf9571600918f3bffb2544b26e00a61df9897668c33a1",
    "scope": "openid profile email", "created_at": 1767225600,
}


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "gitlab", client_id=APP_ID, client_secret="gloas-s3cret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_gitlab),
        **settings,
    )


@pytest.fixture
def gitlab() -> oauth2_core.OAuth2Client:
    return make_client()


def base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_gitlab, entry_point="gitlab")
    assert provider.name == "gitlab"


def test_authorize_url_on_gitlab_com(gitlab) -> None:
    url = gitlab.authorize_url(state="st")
    assert base(url) == "https://gitlab.com/oauth/authorize"
    assert parse_qs(urlsplit(url).query) == {
        "response_type": ["code"], "client_id": [APP_ID],
        "redirect_uri": ["https://app.example/cb"], "scope": ["openid profile email"],
        "state": ["st"],
    }


def test_begin_authorization_sends_pkce_and_a_nonce(gitlab) -> None:
    req = gitlab.begin_authorization(scope=["openid", "read_user"])
    query = parse_qs(urlsplit(req.url).query)
    assert query["code_challenge_method"] == ["S256"] and req.code_verifier
    assert query["nonce"] == [req.nonce]
    assert query["scope"] == ["openid read_user"]


def test_code_exchange_posts_credentials_in_the_body(gitlab, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, "https://gitlab.com/oauth/token",
                                   TOKEN_RESPONSE)
    token = gitlab.get_token(code="1f2e3d4c5b6a", code_verifier="v" * 43)
    assert "Authorization" not in endpoint.last_request.headers
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["1f2e3d4c5b6a"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
        "client_id": [APP_ID], "client_secret": ["gloas-s3cret"],
    }
    assert token.lifetime == 7200 and token.refresh_token == TOKEN_RESPONSE["refresh_token"]
    assert token.scopes == ("openid", "profile", "email")


@pytest.mark.parametrize(("status", "body", "cls"), [
    (400, {"error": "invalid_grant",
           "error_description": "The provided authorization grant is invalid, expired, "
                                "revoked, does not match the redirection URI used in the "
                                "authorization request, or was issued to another client."},
     oauth2_core.InvalidGrant),
    (401, {"error": "invalid_client",
           "error_description": "Client authentication failed due to unknown client, no "
                                "client authentication included, or unsupported "
                                "authentication method."}, oauth2_core.InvalidClient),
])
def test_error_responses_are_typed(gitlab, requests_mock, status, body, cls) -> None:
    fake_token_endpoint(requests_mock, "https://gitlab.com/oauth/token", body,
                        status_code=status)
    with pytest.raises(cls) as info:
        gitlab.get_token(code="1f2e3d4c5b6a")
    assert info.value.status_code == status
    assert "gloas-s3cret" not in str(info.value)


def test_api_calls_carry_a_bearer_header(gitlab, requests_mock) -> None:
    api = requests_mock.get("https://gitlab.com/api/v4/user", json={"id": 1234567})
    gitlab.session(oauth2_core.Token(access_token="de6780bc")).get(
        "https://gitlab.com/api/v4/user")
    assert api.last_request.headers["Authorization"] == "Bearer de6780bc"
    assert "access_token" not in api.last_request.qs


def test_userinfo_from_the_oidc_endpoint(gitlab, requests_mock) -> None:
    requests_mock.get("https://gitlab.com/oauth/userinfo", json={
        "sub": "1234567", "sub_legacy": "2f4c6e8a0b1d3f5e7a9c",
        "name": "Ada Lovelace", "nickname": "ada", "preferred_username": "ada",
        "email": "ada@example.com", "email_verified": True,
        "website": "https://ada.example", "profile": "https://gitlab.com/ada",
        "picture": "https://gitlab.com/uploads/-/system/user/avatar/1234567/avatar.png",
        "groups": ["analytical-engines"],
    })
    user = gitlab.userinfo(oauth2_core.Token(access_token="de6780bc"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer de6780bc"
    assert (user.id, user.email, user.email_verified, user.name, user.username,
            user.picture) == (
        "1234567", "ada@example.com", True, "Ada Lovelace", "ada",
        "https://gitlab.com/uploads/-/system/user/avatar/1234567/avatar.png")
    assert user.raw["groups"] == ["analytical-engines"]


def test_userinfo_without_the_email_scope(gitlab, requests_mock) -> None:
    requests_mock.get("https://gitlab.com/oauth/userinfo", json={
        "sub": "1234567", "nickname": "ada", "preferred_username": "ada"})
    user = gitlab.userinfo(oauth2_core.Token(access_token="de6780bc"))
    assert (user.id, user.email, user.email_verified, user.username) == (
        "1234567", None, None, "ada")


def test_revocation_posts_the_client_credentials(gitlab, requests_mock) -> None:
    endpoint = requests_mock.post("https://gitlab.com/oauth/revoke", json={})
    gitlab.revoke_token(oauth2_core.Token(access_token="de67", refresh_token="8257"))
    assert parse_qs(endpoint.last_request.text) == {
        "token": ["8257"], "token_type_hint": ["refresh_token"],
        "client_id": [APP_ID], "client_secret": ["gloas-s3cret"]}


# Quirks --------------------------------------------------------------------------------
def test_self_managed_instance_under_a_path_fills_every_endpoint() -> None:
    provider = make_client(base="https://code.example.org/gitlab/").provider
    prefix = "https://code.example.org/gitlab"
    assert (provider.authorize_url, provider.token_url, provider.revocation_url,
            provider.userinfo_url, provider.jwks_url, provider.issuer) == (
        f"{prefix}/oauth/authorize", f"{prefix}/oauth/token", f"{prefix}/oauth/revoke",
        f"{prefix}/oauth/userinfo", f"{prefix}/oauth/discovery/keys", prefix)


@pytest.mark.parametrize("value", ["gitlab.example.org", "https://gitlab.example.org/a b",
                                   "javascript:alert(1)", "https://u@gitlab.example.org"])
def test_base_must_be_an_http_url(value) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="base"):
        make_client(base=value)


def test_plain_http_base_is_refused_unless_loopback() -> None:
    with pytest.raises(oauth2_core.InsecureTransportError):
        make_client(base="http://gitlab.example.org")
    assert make_client(base="http://localhost:8929").provider.token_url == (
        "http://localhost:8929/oauth/token")


def test_expiry_counts_from_the_answer_not_from_created_at(gitlab, requests_mock) -> None:
    # A token Doorkeeper reused: issued an hour ago, with 3600 s left.
    reused = {**TOKEN_RESPONSE, "created_at": int(time.time()) - 3600, "expires_in": 3600}
    fake_token_endpoint(requests_mock, "https://gitlab.com/oauth/token", reused)
    before = time.time()
    token = gitlab.get_token(code="1f2e3d4c5b6a")
    assert before + 3600 - 1 <= (token.expires_at or 0) <= time.time() + 3600
    assert token["created_at"] == reused["created_at"]


def test_refresh_rotates_the_refresh_token(gitlab, requests_mock) -> None:
    rotated = {**TOKEN_RESPONSE, "refresh_token": "a1b2c3d4e5f6"}
    endpoint = fake_token_endpoint(requests_mock, "https://gitlab.com/oauth/token", rotated)
    token = gitlab.refresh_token(oauth2_core.Token(TOKEN_RESPONSE))
    assert parse_qs(endpoint.last_request.text)["refresh_token"] == [
        TOKEN_RESPONSE["refresh_token"]]
    assert token.refresh_token == "a1b2c3d4e5f6"
