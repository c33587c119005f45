"""Spotify: shapes from developer.spotify.com (authorization code and PKCE guides)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_spotify
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://accounts.spotify.com/api/token"
ME_URL = "https://api.spotify.com/v1/me"


def make_client(secret: str | None = "ssecret") -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "spotify", client_id="5fe01282e44241328a84e7c5cc169165", client_secret=secret,
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_spotify),
    )


@pytest.fixture
def spotify() -> oauth2_core.OAuth2Client:
    return make_client()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_spotify, entry_point="spotify")
    assert provider.name == "spotify"


def test_authorize_url(spotify) -> None:
    url = spotify.authorize_url(scope=["user-read-private", "user-read-email"], state="s1",
                                show_dialog="true")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://accounts.spotify.com/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["5fe01282e44241328a84e7c5cc169165"],
        "redirect_uri": ["https://app.example/cb"],
        "scope": ["user-read-private user-read-email"], "state": ["s1"],
        "show_dialog": ["true"],
    }


def test_begin_authorization_sends_pkce_and_default_scope(spotify) -> None:
    query = parse_qs(urlsplit(spotify.begin_authorization().url).query)
    assert query["scope"] == ["user-read-email"]
    assert query["code_challenge_method"] == ["S256"]
    assert "code_challenge" in query


def test_confidential_client_uses_basic_auth(spotify, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    spotify.get_token(code="NApCCgBkWtQ")
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert sent.headers["Authorization"] == basic("5fe01282e44241328a84e7c5cc169165", "ssecret")
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.text) == {
        "grant_type": ["authorization_code"], "code": ["NApCCgBkWtQ"],
        "redirect_uri": ["https://app.example/cb"],
    }


def test_public_client_sends_client_id_and_verifier(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    make_client(secret=None).get_token(code="NApCCgBkWtQ", code_verifier="v" * 64)
    assert "Authorization" not in endpoint.last_request.headers
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["NApCCgBkWtQ"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 64],
        "client_id": ["5fe01282e44241328a84e7c5cc169165"],
    }


def test_token_response(spotify, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "NgCXRK...MzYjw", "token_type": "Bearer",
        "scope": "user-read-private user-read-email", "expires_in": 3600,
        "refresh_token": "NgAagA...Um_SHo",
    })
    token = spotify.get_token(code="NApCCgBkWtQ")
    assert token.scopes == ("user-read-private", "user-read-email")
    assert (token.refresh_token, token.lifetime) == ("NgAagA...Um_SHo", 3600)


def test_refresh_without_a_new_refresh_token_keeps_the_old_one(spotify, requests_mock) -> None:
    # Confidential clients usually get no new refresh token; PKCE clients get a rotated one.
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "BQBLuPRYBQ", "token_type": "Bearer", "expires_in": 3600,
        "scope": "user-read-email",
    })
    old = oauth2_core.Token(access_token="old", refresh_token="AQDE4Rm", scope="user-read-email")
    assert spotify.refresh_token(old).refresh_token == "AQDE4Rm"


def test_error_response_is_typed(spotify, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant", "error_description": "Invalid authorization code",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Invalid authorization code"):
        spotify.get_token(code="used")


def test_no_revocation_endpoint(spotify, requests_mock) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="has no revocation_url"):
        spotify.revoke_token("NgCXRK")
    assert requests_mock.call_count == 0


def test_session_sends_a_bearer_header(spotify, requests_mock) -> None:
    api = requests_mock.get("https://api.spotify.com/v1/me/playlists", json={"items": []})
    with spotify.session(oauth2_core.Token(access_token="NgCXRK")) as session:
        session.get("https://api.spotify.com/v1/me/playlists")
    assert api.last_request.headers["Authorization"] == "Bearer NgCXRK"


def test_userinfo_is_normalised(spotify, requests_mock) -> None:
    requests_mock.get(ME_URL, json={
        "country": "SE", "display_name": "JM Wizzler", "email": "email@example.com",
        "external_urls": {"spotify": "https://open.spotify.com/user/wizzler"},
        "followers": {"href": None, "total": 3829}, "id": "wizzler",
        "images": [
            {"url": "https://i.scdn.co/image/ab6775700000ee85small", "height": 64, "width": 64},
            {"url": "https://i.scdn.co/image/ab6775700000ee85large", "height": 300,
             "width": 300},
        ],
        "product": "premium", "type": "user", "uri": "spotify:user:wizzler",
    })
    user = spotify.userinfo(oauth2_core.Token(access_token="NgCXRK"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer NgCXRK"
    assert (user.id, user.email, user.email_verified, user.name, user.username) == (
        "wizzler", "email@example.com", None, "JM Wizzler", "wizzler",
    )
    assert user.picture == "https://i.scdn.co/image/ab6775700000ee85large"


def test_userinfo_without_email_scope_or_images(spotify, requests_mock) -> None:
    requests_mock.get(ME_URL, json={"display_name": None, "id": "31l77y", "images": [],
                                    "type": "user"})
    user = spotify.userinfo(oauth2_core.Token(access_token="NgCXRK"))
    assert (user.id, user.email, user.name, user.picture) == ("31l77y", None, None, None)


def test_userinfo_failure(spotify, requests_mock) -> None:
    requests_mock.get(ME_URL, status_code=401,
                      json={"error": {"status": 401, "message": "The access token expired"}})
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401"):
        spotify.userinfo(oauth2_core.Token(access_token="expired"))
