"""Atlassian Cloud 3LO: shapes from developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_atlassian
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://auth.atlassian.com/oauth/token"
ME_URL = "https://api.atlassian.com/me"
RESOURCES_URL = "https://api.atlassian.com/oauth/token/accessible-resources"
CLOUD_ID = "1324a887-45db-1bf4-1e99-ef0ff456d421"
CODE_TOKEN = {
    "access_token": "eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20tQUNDRVNTLTk0ZTczYTkw",
    "expires_in": 3600, "token_type": "Bearer", "refresh_token": "eyJraWQiOiI1MWE2YjE2",
    "scope": "read:me read:jira-work offline_access",
}


@pytest.fixture
def atlassian() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "atlassian", client_id="YQCP4hJyLJBzQ7aGxTrU6QaUAKs6VbF4", client_secret="asecret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_atlassian),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_atlassian, entry_point="atlassian")
    assert provider.name == "atlassian"


def test_audience_and_prompt_consent_are_always_sent(atlassian) -> None:
    url = atlassian.authorize_url(scope=["read:jira-work", "offline_access"], state="s1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://auth.atlassian.com/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["YQCP4hJyLJBzQ7aGxTrU6QaUAKs6VbF4"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["read:jira-work offline_access"],
        "state": ["s1"], "audience": ["api.atlassian.com"], "prompt": ["consent"],
    }


def test_begin_authorization_defaults(atlassian) -> None:
    query = parse_qs(urlsplit(atlassian.begin_authorization().url).query)
    assert query["scope"] == ["read:me offline_access"]
    assert query["audience"] == ["api.atlassian.com"]
    assert query["code_challenge_method"] == ["S256"]


def test_code_exchange_posts_client_credentials_in_the_body(atlassian, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    atlassian.get_token(code="eyJhbGciOiJIUzI1NiJ9.code")
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert "Authorization" not in sent.headers
    assert parse_qs(sent.text) == {
        "grant_type": ["authorization_code"], "code": ["eyJhbGciOiJIUzI1NiJ9.code"],
        "redirect_uri": ["https://app.example/cb"],
        "client_id": ["YQCP4hJyLJBzQ7aGxTrU6QaUAKs6VbF4"], "client_secret": ["asecret"],
    }


def test_token_response(atlassian, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    token = atlassian.get_token(code="c0de")
    assert token.scopes == ("read:me", "read:jira-work", "offline_access")
    assert (token.refresh_token, token.lifetime) == ("eyJraWQiOiI1MWE2YjE2", 3600)


def test_rotating_refresh_token_replaces_the_old_one(atlassian, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {**CODE_TOKEN, "access_token": "new-at",
                                                   "refresh_token": "rotated-rt"})
    token = atlassian.refresh_token(oauth2_core.Token(CODE_TOKEN))
    assert (token.access_token, token.refresh_token) == ("new-at", "rotated-rt")


def test_session_hands_the_rotated_token_to_the_callback(atlassian, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {**CODE_TOKEN, "access_token": "new-at",
                                                   "refresh_token": "rotated-rt"})
    api = requests_mock.get(f"https://api.atlassian.com/ex/jira/{CLOUD_ID}/rest/api/3/myself",
                            json={})
    saved = []
    expired = oauth2_core.Token(CODE_TOKEN, expires_at=1)
    with atlassian.session(expired, on_token_refresh=saved.append) as session:
        session.get(f"https://api.atlassian.com/ex/jira/{CLOUD_ID}/rest/api/3/myself")
    assert [t.refresh_token for t in saved] == ["rotated-rt"]
    assert api.last_request.headers["Authorization"] == "Bearer new-at"


def test_error_response_is_typed(atlassian, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant", "error_description": "Unknown or invalid refresh token.",
    }, status_code=403)
    with pytest.raises(oauth2_core.InvalidGrant, match="invalid refresh token") as caught:
        atlassian.refresh_token("stale-refresh-token")
    assert "stale-refresh-token" not in str(caught.value)


def test_userinfo_is_normalised(atlassian, requests_mock) -> None:
    requests_mock.get(ME_URL, json={
        "account_type": "atlassian", "account_id": "112233aa-bb11-cc22-33dd-445566abcabc",
        "email": "mia@example.com", "email_verified": True, "name": "Mia Krystof",
        "picture": "https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/1.png",
        "account_status": "active", "nickname": "mkrystof", "zoneinfo": "Australia/Sydney",
        "locale": "en-US", "extended_profile": {"job_title": "Designer"},
    })
    user = atlassian.userinfo(oauth2_core.Token(access_token="eyJraWQ"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer eyJraWQ"
    assert (user.id, user.email, user.email_verified, user.name, user.username) == (
        "112233aa-bb11-cc22-33dd-445566abcabc", "mia@example.com", True, "Mia Krystof",
        "mkrystof",
    )
    assert user.picture.endswith("/1.png")


def test_userinfo_with_hidden_email(atlassian, requests_mock) -> None:
    requests_mock.get(ME_URL, json={"account_id": "557058:f0e1", "name": "Mia Krystof",
                                    "account_status": "active"})
    user = atlassian.userinfo(oauth2_core.Token(access_token="eyJraWQ"))
    assert (user.id, user.email, user.email_verified) == ("557058:f0e1", None, None)


def test_userinfo_failure(atlassian, requests_mock) -> None:
    requests_mock.get(ME_URL, status_code=401, json={"code": 401, "message": "Unauthorized"})
    with pytest.raises(oauth2_core.OAuth2Error, match=r"userinfo_failed.*HTTP 401"):
        atlassian.userinfo(oauth2_core.Token(access_token="expired"))


def test_accessible_resources_lists_cloud_ids(atlassian, requests_mock) -> None:
    requests_mock.get(RESOURCES_URL, json=[{
        "id": CLOUD_ID, "name": "your-domain", "url": "https://your-domain.atlassian.net",
        "scopes": ["read:jira-work", "write:jira-work"],
        "avatarUrl": "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/x.png",
    }])
    with atlassian.session(oauth2_core.Token(access_token="eyJraWQ")) as session:
        sites = oauth2_atlassian.accessible_resources(session)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer eyJraWQ"
    assert [site["id"] for site in sites] == [CLOUD_ID]
    assert oauth2_atlassian.api_base_url(sites[0]["id"]) == (
        f"https://api.atlassian.com/ex/jira/{CLOUD_ID}"
    )
    assert oauth2_atlassian.api_base_url(CLOUD_ID, "confluence").endswith(
        f"/ex/confluence/{CLOUD_ID}")


def test_accessible_resources_failure(atlassian, requests_mock) -> None:
    requests_mock.get(RESOURCES_URL, status_code=401, json={"code": 401})
    with atlassian.session(oauth2_core.Token(access_token="bad")) as session, \
            pytest.raises(oauth2_core.OAuth2Error, match="accessible_resources_failed"):
        oauth2_atlassian.accessible_resources(session)


@pytest.mark.parametrize(("cloud_id", "product"), [
    ("../admin", "jira"), (CLOUD_ID + "/x", "jira"), (CLOUD_ID + "\n", "jira"),
    (CLOUD_ID, "jira/../x"), ("", "jira"),
])
def test_api_base_url_refuses_path_tricks(cloud_id, product) -> None:
    with pytest.raises(ValueError, match="not an Atlassian"):
        oauth2_atlassian.api_base_url(cloud_id, product)
