"""X (Twitter) API v2: shapes from docs.x.com/fundamentals/authentication/oauth-2-0."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import oauth2_x
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://api.x.com/2/oauth2/token"
REVOKE_URL = "https://api.x.com/2/oauth2/revoke"
USERS_ME = "https://api.x.com/2/users/me"
X_TOKEN = {
    "token_type": "bearer", "expires_in": 7200,
    "access_token": "VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVHelJGY2hPUmpCcDZwOjE2MjIxNjA4",
    "scope": "tweet.read users.read offline.access",
    "refresh_token": "bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIxNjA4",
}


def make_client(secret: str | None = "xsecret") -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "x", client_id="rG9n6402A3dbUJKzXTNX4oWHJ", client_secret=secret,
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_x),
    )


@pytest.fixture
def x() -> oauth2_core.OAuth2Client:
    return make_client()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_x, entry_point="x")
    assert (provider.name, provider.pkce) == ("x", oauth2_core.PKCE_REQUIRED)


def test_authorize_url_carries_pkce(x) -> None:
    request = x.begin_authorization()
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://x.com/i/oauth2/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["rG9n6402A3dbUJKzXTNX4oWHJ"],
        "redirect_uri": ["https://app.example/cb"],
        "scope": ["tweet.read users.read offline.access"],
        "state": [request.state], "code_challenge": [s256(request.code_verifier)],
        "code_challenge_method": ["S256"],
    }


def test_pkce_is_required(x) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="requires PKCE"):
        x.authorize_url(state="s1")
    url = x.authorize_url(state="s1", code_challenge=s256("v" * 43),
                          code_challenge_method="S256")
    assert parse_qs(urlsplit(url).query)["code_challenge"] == [s256("v" * 43)]


def test_confidential_client_uses_basic_auth(x, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, X_TOKEN)
    x.get_token(code="VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVH", code_verifier="v" * 43)
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert sent.headers["Authorization"] == basic("rG9n6402A3dbUJKzXTNX4oWHJ", "xsecret")
    assert parse_qs(sent.text) == {
        "grant_type": ["authorization_code"],
        "code": ["VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVH"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
    }


def test_public_client_sends_client_id_in_the_body(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, X_TOKEN)
    make_client(secret=None).refresh_token("bWRWa3gzdnk3WHRGU1o0bmRRcTJ5")
    assert "Authorization" not in endpoint.last_request.headers
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": ["bWRWa3gzdnk3WHRGU1o0bmRRcTJ5"],
        "client_id": ["rG9n6402A3dbUJKzXTNX4oWHJ"],
    }


def test_token_response_with_lowercase_bearer(x, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, X_TOKEN)
    token = x.get_token(code="c0de", code_verifier="v" * 43)
    assert token.scopes == ("tweet.read", "users.read", "offline.access")
    assert token.refresh_token == X_TOKEN["refresh_token"]
    assert token.lifetime == 7200
    assert token.expires_at is not None


@pytest.mark.parametrize(("status", "body", "error_class"), [
    (400, {"error": "invalid_request",
           "error_description": "Value passed for the token was invalid."},
     oauth2_core.InvalidRequest),
    (401, {"error": "unauthorized_client",
           "error_description": "Missing valid authorization header"},
     oauth2_core.UnauthorizedClient),
])
def test_error_response_is_typed(x, requests_mock, status, body, error_class) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, body, status_code=status)
    with pytest.raises(error_class, match=body["error_description"]) as caught:
        x.get_token(code="c0de", code_verifier="v" * 43)
    assert caught.value.status_code == status


def test_session_sends_a_bearer_header(x, requests_mock) -> None:
    api = requests_mock.get("https://api.x.com/2/tweets/20", json={"data": {"id": "20"}})
    with x.session(oauth2_core.Token(access_token="VGNibzFW")) as session:
        session.get("https://api.x.com/2/tweets/20")
    assert api.last_request.headers["Authorization"] == "Bearer VGNibzFW"


def test_userinfo_is_unwrapped_from_data(x, requests_mock) -> None:
    requests_mock.get(USERS_ME, json={"data": {
        "id": "2244994945", "name": "Developers", "username": "XDevelopers",
        "profile_image_url": "https://pbs.twimg.com/profile_images/1/x_normal.jpg",
        "verified": True,
    }})
    user = x.userinfo(oauth2_core.Token(access_token="VGNibzFW"))
    sent = requests_mock.last_request
    assert sent.headers["Authorization"] == "Bearer VGNibzFW"
    assert parse_qs(urlsplit(sent.url).query) == {"user.fields": [oauth2_x.USER_FIELDS]}
    assert (user.id, user.name, user.username, user.picture) == (
        "2244994945", "Developers", "XDevelopers",
        "https://pbs.twimg.com/profile_images/1/x_normal.jpg",
    )
    assert (user.email, user.email_verified) == (None, None)  # never given to OAuth 2.0 apps
    assert user.raw["verified"] is True


def test_userinfo_errors_list_is_a_failure(x, requests_mock) -> None:
    requests_mock.get(USERS_ME, json={"errors": [{
        "title": "Forbidden", "detail": "Forbidden", "type": "about:blank", "status": 403,
    }]})
    with pytest.raises(oauth2_core.OAuth2Error, match="userinfo_failed"):
        x.userinfo(oauth2_core.Token(access_token="VGNibzFW"))


def test_userinfo_http_error(x, requests_mock) -> None:
    requests_mock.get(USERS_ME, status_code=401, json={
        "title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized",
    })
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401"):
        x.userinfo(oauth2_core.Token(access_token="expired"))


def test_revocation_uses_basic_auth(x, requests_mock) -> None:
    endpoint = requests_mock.post(REVOKE_URL, json={"revoked": True})
    x.revoke_token(oauth2_core.Token(access_token="VGNibzFW", refresh_token="bWRWa3gz"))
    assert endpoint.last_request.headers["Authorization"] == basic(
        "rG9n6402A3dbUJKzXTNX4oWHJ", "xsecret")
    assert parse_qs(endpoint.last_request.text) == {
        "token": ["bWRWa3gz"], "token_type_hint": ["refresh_token"],
    }
