"""Google: pinned request and response shapes (developers.google.com/identity)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_google
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager


@pytest.fixture
def google() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "google", client_id="cid.apps.googleusercontent.com", client_secret="gsecret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_google),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_google, entry_point="google")
    assert provider.name == "google"


def test_authorize_url_is_google_v2_with_offline_access_when_asked(google) -> None:
    url = google.authorize_url(scope=["email"], access_type="offline", prompt="consent")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://accounts.google.com/o/oauth2/v2/auth"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["cid.apps.googleusercontent.com"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["email"],
        "access_type": ["offline"], "prompt": ["consent"],
    }


def test_code_exchange_posts_credentials_in_the_body(google, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, "https://oauth2.googleapis.com/token", {
        "access_token": "ya29.a0", "expires_in": 3599, "token_type": "Bearer",
        "scope": "openid https://www.googleapis.com/auth/userinfo.email",
        "refresh_token": "1//0g", "id_token": "eyJ.x.y",
    })
    token = google.get_token(code="4/0Ab")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["4/0Ab"],
        "redirect_uri": ["https://app.example/cb"],
        "client_id": ["cid.apps.googleusercontent.com"], "client_secret": ["gsecret"],
    }
    assert "Authorization" not in endpoint.last_request.headers
    assert token.scopes == ("openid", "https://www.googleapis.com/auth/userinfo.email")
    assert token.refresh_token == "1//0g"


def test_error_response_is_typed(google, requests_mock) -> None:
    fake_token_endpoint(requests_mock, "https://oauth2.googleapis.com/token",
                        {"error": "invalid_grant", "error_description": "Bad Request"},
                        status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Bad Request"):
        google.get_token(code="used")


def test_bearer_header_and_userinfo(google, requests_mock) -> None:
    requests_mock.get("https://openidconnect.googleapis.com/v1/userinfo", json={
        "sub": "1070", "email": "a@gmail.com", "email_verified": True,
        "name": "Ada L", "picture": "https://lh3.example/a.jpg",
    })
    user = google.userinfo(oauth2_core.Token(access_token="ya29.a0"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer ya29.a0"
    assert (user.id, user.email, user.email_verified, user.name) == (
        "1070", "a@gmail.com", True, "Ada L"
    )


def test_revocation_posts_the_token(google, requests_mock) -> None:
    endpoint = requests_mock.post("https://oauth2.googleapis.com/revoke", text="")
    google.revoke_token(oauth2_core.Token(access_token="ya29", refresh_token="1//0g"))
    assert parse_qs(endpoint.last_request.text)["token"] == ["1//0g"]
