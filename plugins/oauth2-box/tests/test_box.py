"""Box: pinned request and response shapes (developer.box.com/reference/get-authorize,
post-oauth2-token, post-oauth2-revoke, get-users-me)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_box
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://api.box.com/oauth2/token"
REVOKE_URL = "https://api.box.com/oauth2/revoke"
ME_URL = "https://api.box.com/2.0/users/me"


@pytest.fixture
def box() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "box", client_id="ly1nj6n11vionaie65emwzk575hnnmrk", client_secret="box-secret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_box),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_box, entry_point="box")
    assert provider.name == "box"


def test_authorize_url_without_scopes(box) -> None:
    parts = urlsplit(box.authorize_url(state="s1"))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://account.box.com/api/oauth2/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["ly1nj6n11vionaie65emwzk575hnnmrk"],
        "redirect_uri": ["https://app.example/cb"], "state": ["s1"],
    }


def test_begin_authorization_sends_pkce(box) -> None:
    request = box.begin_authorization(scope=["root_readwrite"])
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["root_readwrite"]
    assert query["state"] == [request.state]


def test_code_exchange_posts_credentials_in_the_body(box, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "c3FIOG9vSGV4VHz8QzNE5GiMzkNMfTn3", "expires_in": 3600,
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "refresh_token": "J7rxTiWOHMoSC1isKZKBZWizoRXjkQzig5C6jFgCVJ9bUnsUfGMinKBDLZWP9BgR",
        "restricted_to": [{"scope": "item_download", "object": {"type": "folder", "id": "42"}}],
        "token_type": "bearer",
    })
    token = box.get_token(code="n22JPxrh18m4Y0wIZPIqYZK7VRrsMTWW")
    request = endpoint.last_request
    assert request.method == "POST"
    assert parse_qs(request.text) == {
        "grant_type": ["authorization_code"], "code": ["n22JPxrh18m4Y0wIZPIqYZK7VRrsMTWW"],
        "redirect_uri": ["https://app.example/cb"],
        "client_id": ["ly1nj6n11vionaie65emwzk575hnnmrk"], "client_secret": ["box-secret"],
    }
    assert "Authorization" not in request.headers
    assert token.access_token == "c3FIOG9vSGV4VHz8QzNE5GiMzkNMfTn3"
    assert token.lifetime == 3600
    assert token["restricted_to"][0]["scope"] == "item_download"


def test_refresh_rotates_the_refresh_token(box, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "new-access", "expires_in": 3600, "refresh_token": "new-refresh",
        "token_type": "bearer",
    })
    token = box.refresh_token("old-refresh")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": ["old-refresh"],
        "client_id": ["ly1nj6n11vionaie65emwzk575hnnmrk"], "client_secret": ["box-secret"],
    }
    assert token.refresh_token == "new-refresh"


def test_error_response_is_typed(box, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant",
        "error_description": "Auth code doesn't exist or is invalid for the client",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Auth code doesn't exist"):
        box.get_token(code="n22JPxrh18m4Y0wIZPIqYZK7VRrsMTWW")


def test_revocation_sends_client_credentials_in_the_body(box, requests_mock) -> None:
    endpoint = requests_mock.post(REVOKE_URL, text="")
    box.revoke_token(oauth2_core.Token(access_token="acc", refresh_token="ref"))
    assert parse_qs(endpoint.last_request.text) == {
        "token": ["ref"], "token_type_hint": ["refresh_token"],
        "client_id": ["ly1nj6n11vionaie65emwzk575hnnmrk"], "client_secret": ["box-secret"],
    }
    assert "Authorization" not in endpoint.last_request.headers


def test_revocation_error_is_typed(box, requests_mock) -> None:
    requests_mock.post(REVOKE_URL, status_code=400, json={
        "error": "invalid_client", "error_description": "The client credentials are invalid",
    })
    with pytest.raises(oauth2_core.InvalidClient):
        box.revoke_token("acc")


def test_bearer_header_on_api_calls(box, requests_mock) -> None:
    requests_mock.get("https://api.box.com/2.0/folders/0", json={})
    with box.session(oauth2_core.Token(access_token="c3FIOG9v")) as session:
        session.get("https://api.box.com/2.0/folders/0")
    assert requests_mock.last_request.headers["Authorization"] == "Bearer c3FIOG9v"


def test_userinfo_reads_the_login_as_email(box, requests_mock) -> None:
    requests_mock.get(ME_URL, json={
        "type": "user", "id": "11446498", "name": "Aaron Levie", "login": "ceo@example.com",
        "created_at": "2012-12-12T10:53:43-08:00", "language": "en", "status": "active",
        "avatar_url": "https://www.box.com/api/avatar/large/181216415",
    })
    user = box.userinfo(oauth2_core.Token(access_token="c3FIOG9v"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer c3FIOG9v"
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        "11446498", "ceo@example.com", None, "Aaron Levie", None,
        "https://www.box.com/api/avatar/large/181216415",
    )
    assert user.raw["status"] == "active"


def test_userinfo_failure_is_an_oauth2_error(box, requests_mock) -> None:
    requests_mock.get(ME_URL, status_code=401, text="")
    with pytest.raises(oauth2_core.OAuth2Error) as caught:
        box.userinfo(oauth2_core.Token(access_token="box-secret-token"))
    assert caught.value.error == "userinfo_failed"
    assert "box-secret-token" not in str(caught.value)
