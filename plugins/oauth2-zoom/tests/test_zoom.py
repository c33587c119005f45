"""Zoom: shapes from developers.zoom.us (OAuth for user-managed apps, users/me, errors)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_zoom
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://zoom.us/oauth/token"
REVOKE_URL = "https://zoom.us/oauth/revoke"
USERS_ME = "https://api.zoom.us/v2/users/me"


def make_client(secret: str | None = "zsecret") -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "zoom", client_id="Fh7qAGg2TtC7pKnGkPrUjQ", client_secret=secret,
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_zoom),
    )


@pytest.fixture
def zoom() -> oauth2_core.OAuth2Client:
    return make_client()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_zoom, entry_point="zoom")
    assert provider.name == "zoom"


def test_authorize_url_sends_no_scope_by_default(zoom) -> None:
    url = zoom.authorize_url(state="s1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://zoom.us/oauth/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["Fh7qAGg2TtC7pKnGkPrUjQ"],
        "redirect_uri": ["https://app.example/cb"], "state": ["s1"],
    }


def test_begin_authorization_sends_pkce(zoom) -> None:
    query = parse_qs(urlsplit(zoom.begin_authorization().url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert "scope" not in query


def test_token_request_uses_basic_auth_and_no_credentials_in_the_body(zoom,
                                                                      requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    zoom.get_token(code="obBEe8ewaL_KdyNjniT4KPd8ffDWt9fGB", code_verifier="v" * 43)
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert sent.headers["Authorization"] == basic("Fh7qAGg2TtC7pKnGkPrUjQ", "zsecret")
    assert parse_qs(sent.text) == {
        "grant_type": ["authorization_code"], "code": ["obBEe8ewaL_KdyNjniT4KPd8ffDWt9fGB"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
    }


def test_refresh_uses_basic_auth(zoom, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    zoom.refresh_token("eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0")
    assert endpoint.last_request.headers["Authorization"] == basic(
        "Fh7qAGg2TtC7pKnGkPrUjQ", "zsecret")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0"],
    }


def test_zoom_has_no_public_clients(requests_mock) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="OAUTH2_ZOOM_CLIENT_SECRET"):
        make_client(secret=None).get_token(code="c0de", code_verifier="v" * 43)
    assert requests_mock.call_count == 0


def test_token_response(zoom, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "eyJhbGciOiJIUzUxMiJ9.eyJ2ZXIiOiI2In0.AbCd", "token_type": "bearer",
        "refresh_token": "eyJhbGciOiJIUzUxMiJ9.eyJ2ZXIiOiI2In0.EfGh", "expires_in": 3599,
        "scope": "meeting:read:meeting user:read:user", "api_url": "https://api.zoom.us",
    })
    token = zoom.get_token(code="c0de")
    assert token.scopes == ("meeting:read:meeting", "user:read:user")
    assert (token.lifetime, token["api_url"]) == (3599, "https://api.zoom.us")


def test_error_reason_becomes_the_description(zoom, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "reason": "Invalid authorization code obBEe8ewaL_KdyNjniT4KPd8ffDWt9fGB",
        "error": "invalid_grant",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant) as caught:
        zoom.get_token(code="obBEe8ewaL_KdyNjniT4KPd8ffDWt9fGB")
    error = caught.value
    assert error.description == "Invalid authorization code ***"
    assert "obBEe8ewaL" not in str(error)
    assert error.status_code == 400


def test_rfc_error_response_is_typed(zoom, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_client", "error_description": "Invalid client_id or client_secret",
    }, status_code=401)
    with pytest.raises(oauth2_core.InvalidClient, match="Invalid client_id"):
        zoom.get_token(code="c0de")


def test_session_sends_a_bearer_header(zoom, requests_mock) -> None:
    api = requests_mock.get("https://api.zoom.us/v2/users/me/meetings", json={"meetings": []})
    with zoom.session(oauth2_core.Token(access_token="eyJhbGci")) as session:
        session.get("https://api.zoom.us/v2/users/me/meetings")
    assert api.last_request.headers["Authorization"] == "Bearer eyJhbGci"


def test_userinfo_is_normalised(zoom, requests_mock) -> None:
    requests_mock.get(USERS_ME, json={
        "id": "KDcuGIm1QgePTO8WbOqwIQ", "first_name": "Jill", "last_name": "Chill",
        "display_name": "Jill Chill", "email": "jchill@example.com", "type": 1,
        "pmi": 3542471135, "timezone": "Asia/Shanghai", "verified": 1, "dept": "",
        "pic_url": "https://example.com/photo.jpg", "account_id": "q6gBJVO5TzexKYTb_I2rpg",
        "status": "active",
    })
    user = zoom.userinfo(oauth2_core.Token(access_token="eyJhbGci"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer eyJhbGci"
    assert (user.id, user.email, user.email_verified, user.name, user.picture) == (
        "KDcuGIm1QgePTO8WbOqwIQ", "jchill@example.com", None, "Jill Chill",
        "https://example.com/photo.jpg",
    )
    assert user.raw["account_id"] == "q6gBJVO5TzexKYTb_I2rpg"


def test_userinfo_without_display_name_or_picture(zoom, requests_mock) -> None:
    requests_mock.get(USERS_ME, json={"id": "z8yC", "first_name": "Jill", "last_name": "Chill",
                                      "email": "jchill@example.com"})
    user = zoom.userinfo(oauth2_core.Token(access_token="eyJhbGci"))
    assert (user.name, user.picture) == ("Jill Chill", None)


def test_userinfo_failure(zoom, requests_mock) -> None:
    requests_mock.get(USERS_ME, status_code=401,
                      json={"code": 124, "message": "Invalid access token."})
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401"):
        zoom.userinfo(oauth2_core.Token(access_token="bad"))


def test_revocation_uses_basic_auth(zoom, requests_mock) -> None:
    endpoint = requests_mock.post(REVOKE_URL, json={"status": "success"})
    zoom.revoke_token("eyJhbGci")
    assert endpoint.last_request.headers["Authorization"] == basic(
        "Fh7qAGg2TtC7pKnGkPrUjQ", "zsecret")
    assert parse_qs(endpoint.last_request.text) == {"token": ["eyJhbGci"]}
