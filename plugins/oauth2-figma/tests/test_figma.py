"""Figma: pinned request and response shapes (developers.figma.com/docs/rest-api/oauth-apps,
the 2025 endpoint migration to api.figma.com, and /v1/me)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_figma
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://api.figma.com/v1/oauth/token"
REFRESH_URL = "https://api.figma.com/v1/oauth/refresh"
ME_URL = "https://api.figma.com/v1/me"
BASIC = "Basic " + base64.b64encode(b"fgm-client:fgm-secret").decode()


@pytest.fixture
def figma() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "figma", client_id="fgm-client", client_secret="fgm-secret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_figma),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_figma, entry_point="figma")
    assert provider.name == "figma"


def test_authorize_url_with_pkce(figma) -> None:
    request = figma.begin_authorization(scope=["current_user:read", "file_content:read"])
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.figma.com/oauth"
    query = parse_qs(parts.query)
    challenge = query.pop("code_challenge")
    assert len(challenge[0]) == 43
    assert query == {
        "response_type": ["code"], "client_id": ["fgm-client"],
        "redirect_uri": ["https://app.example/cb"],
        "scope": ["current_user:read file_content:read"], "state": [request.state],
        "code_challenge_method": ["S256"],
    }


def test_endpoints_are_on_api_figma_com(figma) -> None:
    assert figma.provider.token_url == TOKEN_URL
    assert figma.provider.userinfo_url == ME_URL


def test_code_exchange_uses_basic_auth(figma, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "user_id_string": "1166427116484924636", "access_token": "figu_access",
        "token_type": "bearer", "expires_in": 7776000, "refresh_token": "figur_refresh",
    })
    token = figma.get_token(code="fig-code", code_verifier="v" * 43)
    request = endpoint.last_request
    assert request.method == "POST"
    assert parse_qs(request.text) == {
        "grant_type": ["authorization_code"], "code": ["fig-code"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
    }
    assert request.headers["Authorization"] == BASIC
    assert (token.access_token, token.refresh_token, token.lifetime) == (
        "figu_access", "figur_refresh", 7776000,
    )
    assert token["user_id_string"] == "1166427116484924636"


def test_refresh_goes_to_the_refresh_endpoint(figma, requests_mock) -> None:
    token_endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    refresh_endpoint = fake_token_endpoint(requests_mock, REFRESH_URL, {
        "access_token": "figu_new", "expires_in": 7776000,
    })
    token = figma.refresh_token("figur_refresh")
    assert token_endpoint.call_count == 0
    request = refresh_endpoint.last_request
    assert parse_qs(request.text) == {"refresh_token": ["figur_refresh"]}
    assert request.headers["Authorization"] == BASIC
    # Figma answers only access_token and expires_in: the refresh token is kept.
    assert (token.access_token, token.refresh_token) == ("figu_new", "figur_refresh")


def test_session_refreshes_through_the_refresh_endpoint(figma, requests_mock) -> None:
    refresh_endpoint = fake_token_endpoint(requests_mock, REFRESH_URL, {
        "access_token": "figu_new", "expires_in": 7776000,
    })
    requests_mock.get("https://api.figma.com/v1/files/abc", json={"name": "File"})
    stale = oauth2_core.Token(access_token="figu_old", refresh_token="figur_refresh",
                              expires_at=1)
    with figma.session(stale) as session:
        session.get("https://api.figma.com/v1/files/abc")
    assert refresh_endpoint.call_count == 1
    assert requests_mock.last_request.headers["Authorization"] == "Bearer figu_new"


def test_figma_error_objects_become_oauth2_errors(figma, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": True, "status": 400, "message": "Invalid code", "i18n": "error.bad_request",
    }, status_code=400)
    with pytest.raises(oauth2_core.OAuth2Error, match="Invalid code") as caught:
        figma.get_token(code="fig-code")
    assert caught.value.error == "figma_error"
    assert caught.value.status_code == 400


def test_rfc_shaped_errors_are_typed(figma, requests_mock) -> None:
    fake_token_endpoint(requests_mock, REFRESH_URL, {
        "error": "invalid_grant", "error_description": "Refresh token expired",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Refresh token expired"):
        figma.refresh_token("figur_refresh")


def test_bearer_header_on_api_calls(figma, requests_mock) -> None:
    requests_mock.get("https://api.figma.com/v1/files/abc", json={})
    with figma.session(oauth2_core.Token(access_token="figu_access")) as session:
        session.get("https://api.figma.com/v1/files/abc")
    headers = requests_mock.last_request.headers
    assert headers["Authorization"] == "Bearer figu_access"
    assert "X-Figma-Token" not in headers  # that header is for personal access tokens


def test_userinfo_maps_v1_me(figma, requests_mock) -> None:
    requests_mock.get(ME_URL, json={
        "id": "1166427116484924636", "email": "ada@example.com", "handle": "Ada Lovelace",
        "img_url": "https://s3-alpha.figma.com/profile/ada",
    })
    user = figma.userinfo(oauth2_core.Token(access_token="figu_access"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer figu_access"
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        "1166427116484924636", "ada@example.com", None, "Ada Lovelace", "Ada Lovelace",
        "https://s3-alpha.figma.com/profile/ada",
    )


def test_userinfo_failure_is_an_oauth2_error(figma, requests_mock) -> None:
    requests_mock.get(ME_URL, status_code=403, json={"status": 403, "err": "Invalid token"})
    with pytest.raises(oauth2_core.OAuth2Error) as caught:
        figma.userinfo(oauth2_core.Token(access_token="figu_secret"))
    assert caught.value.error == "userinfo_failed"
    assert "figu_secret" not in str(caught.value)
