"""Notion: pinned request and response shapes (developers.notion.com/reference/create-a-token,
/refresh-a-token, /revoke-token, /introspect-token, /authentication, /status-codes)."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import oauth2_notion
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

CLIENT_ID = "1a2b3c4d-0000-4000-8000-00000000c1d0"
TOKEN_URL = "https://api.notion.com/v1/oauth/token"
ME_URL = "https://api.notion.com/v1/users/me"
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:secret_notion".encode()).decode()

TOKEN_RESPONSE = {
    "access_token": "ntn_4567access", "token_type": "bearer", "refresh_token": "nrt_89refresh",
    "bot_id": "b3414d65-1224-4ff7-a7fe-cc9d8773d601",
    "workspace_name": "Ada's Notion Workspace", "workspace_icon": "https://www.notion.so/i.png",
    "workspace_id": "c5f6a7b8-2882-41b5-964a-1a9d9e6c36bf",
    "owner": {"type": "user", "user": {
        "object": "user", "id": "e79a0b74-3aba-4149-9f74-0bb5791a6ee6", "name": "Ada Lovelace",
        "avatar_url": "https://s3.example/ada.png", "type": "person",
        "person": {"email": "ada@example.com"},
    }},
    "duplicated_template_id": None, "request_id": "9f0c6c1e-5f3a-4b5e-9d2a-8f7e6d5c4b3a",
}


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    options: dict[str, object] = {
        "client_id": CLIENT_ID, "client_secret": "secret_notion",
        "redirect_uri": "https://app.example/cb", "plugins": plugin_manager(oauth2_notion),
    }
    options.update(settings)
    return oauth2_core.client("notion", **options)


@pytest.fixture
def notion() -> oauth2_core.OAuth2Client:
    return make_client()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_notion, entry_point="notion")
    assert provider.name == "notion"


def test_authorize_url_asks_for_a_user_owned_connection(notion) -> None:
    request = notion.begin_authorization()
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://api.notion.com/v1/oauth/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": [CLIENT_ID],
        "redirect_uri": ["https://app.example/cb"], "owner": ["user"], "state": [request.state],
    }


def test_pkce_is_not_sent(notion, requests_mock) -> None:
    request = notion.begin_authorization()
    assert "code_challenge" not in request.url
    assert request.code_verifier is None
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, TOKEN_RESPONSE)
    notion.complete_authorization({"code": "c1", "state": request.state}, request)
    assert "code_verifier" not in endpoint.last_request.json()


def test_token_request_is_json_with_basic_auth(notion, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, TOKEN_RESPONSE)
    notion.get_token(code="03b6e4f0-code")
    request = endpoint.last_request
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.json() == {
        "grant_type": "authorization_code", "code": "03b6e4f0-code",
        "redirect_uri": "https://app.example/cb",
    }
    assert request.headers["Authorization"] == BASIC
    assert request.headers["Notion-Version"] == oauth2_notion.DEFAULT_VERSION


def test_token_response_keeps_owner_and_workspace(notion, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, TOKEN_RESPONSE)
    token = notion.get_token(code="03b6e4f0-code")
    assert token.access_token == "ntn_4567access"
    assert token.refresh_token == "nrt_89refresh"
    assert token.expires_at is None  # Notion sends no expires_in
    assert token["workspace_id"] == "c5f6a7b8-2882-41b5-964a-1a9d9e6c36bf"
    assert token["bot_id"] == "b3414d65-1224-4ff7-a7fe-cc9d8773d601"
    assert token["owner"]["user"]["id"] == "e79a0b74-3aba-4149-9f74-0bb5791a6ee6"


def test_redirect_uri_is_left_out_when_the_authorization_had_none(requests_mock) -> None:
    # create-a-token: redirect_uri is *not allowed* in the body when the authorization URL
    # had none and the connection has exactly one redirect URI.
    notion = make_client(redirect_uri=None)
    request = notion.begin_authorization()
    assert "redirect_uri" not in parse_qs(urlsplit(request.url).query)
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, TOKEN_RESPONSE)
    notion.complete_authorization({"code": "c1", "state": request.state}, request)
    assert endpoint.last_request.json() == {"grant_type": "authorization_code", "code": "c1"}


def test_refresh_is_json_on_the_token_endpoint(notion, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        **TOKEN_RESPONSE, "access_token": "ntn_new", "refresh_token": "nrt_new",
    })
    token = notion.refresh_token("nrt_89refresh")
    assert endpoint.last_request.json() == {
        "grant_type": "refresh_token", "refresh_token": "nrt_89refresh",
    }
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert token.refresh_token == "nrt_new"


def test_notion_error_objects_become_typed_errors(notion, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "object": "error", "status": 400, "code": "invalid_grant",
        "message": "Invalid code: this code has been revoked.",
        "request_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="has been revoked") as caught:
        notion.get_token(code="03b6e4f0-code")
    assert caught.value.status_code == 400


def test_unauthorized_client_is_invalid_client(notion, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "object": "error", "status": 401, "code": "unauthorized",
        "message": "API token is invalid.",
    }, status_code=401)
    with pytest.raises(oauth2_core.InvalidClient, match="API token is invalid") as caught:
        notion.get_token(code="03b6e4f0-code")
    assert caught.value.error == "unauthorized"  # Notion's own code is kept


def test_rfc_shaped_errors_still_work(notion, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant", "error_description": "Invalid code.",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Invalid code"):
        notion.get_token(code="03b6e4f0-code")


def test_revocation_sends_only_the_token_as_json(notion, requests_mock) -> None:
    endpoint = requests_mock.post("https://api.notion.com/v1/oauth/revoke",
                                  json={"request_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"})
    notion.revoke_token(oauth2_core.Token(access_token="ntn_4567access"))
    assert endpoint.last_request.json() == {"token": "ntn_4567access"}
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert endpoint.last_request.headers["Notion-Version"] == oauth2_notion.DEFAULT_VERSION


def test_introspection_sends_only_the_token_as_json(notion, requests_mock) -> None:
    endpoint = requests_mock.post("https://api.notion.com/v1/oauth/introspect", json={
        "active": True, "scope": "read_content", "iat": 1727554061,
        "request_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    })
    info = notion.introspect_token("ntn_4567access")
    assert endpoint.last_request.json() == {"token": "ntn_4567access"}
    assert info["active"] is True


def test_notion_version_header_on_api_calls(notion, requests_mock) -> None:
    requests_mock.get("https://api.notion.com/v1/search", json={})
    with notion.session(oauth2_core.Token(access_token="ntn_4567access")) as session:
        session.get("https://api.notion.com/v1/search")
        headers = requests_mock.last_request.headers
        assert headers["Authorization"] == "Bearer ntn_4567access"
        assert headers["Notion-Version"] == oauth2_notion.DEFAULT_VERSION
        session.get("https://api.notion.com/v1/search", headers={"Notion-Version": "2022-06-28"})
        assert requests_mock.last_request.headers["Notion-Version"] == "2022-06-28"


def test_notion_version_setting(requests_mock) -> None:
    notion = make_client(notion_version="2022-06-28")
    requests_mock.get("https://api.notion.com/v1/search", json={})
    with notion.session(oauth2_core.Token(access_token="ntn_4567access")) as session:
        session.get("https://api.notion.com/v1/search")
    assert requests_mock.last_request.headers["Notion-Version"] == "2022-06-28"
    with pytest.raises(oauth2_core.ConfigurationError, match="notion_version"):
        oauth2_notion.notion_version(make_client(notion_version="latest"))


def test_userinfo_comes_from_the_token_owner(notion, requests_mock) -> None:
    user = notion.userinfo(oauth2_core.Token(TOKEN_RESPONSE))
    assert requests_mock.call_count == 0
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        "e79a0b74-3aba-4149-9f74-0bb5791a6ee6", "ada@example.com", None, "Ada Lovelace", None,
        "https://s3.example/ada.png",
    )


def test_userinfo_falls_back_to_the_bot_owner(notion, requests_mock) -> None:
    requests_mock.get(ME_URL, json={
        "object": "user", "id": "b3414d65-1224-4ff7-a7fe-cc9d8773d601", "name": "My Connection",
        "avatar_url": None, "type": "bot",
        "bot": {"owner": {"type": "user", "user": {
            "object": "user", "id": "e79a0b74-3aba-4149-9f74-0bb5791a6ee6",
            "name": "Ada Lovelace", "avatar_url": None, "type": "person", "person": {},
        }}, "workspace_name": "Ada's Notion Workspace"},
    })
    user = notion.userinfo(oauth2_core.Token(access_token="ntn_new"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer ntn_new"
    assert requests_mock.last_request.headers["Notion-Version"] == oauth2_notion.DEFAULT_VERSION
    assert (user.id, user.email, user.name, user.picture) == (
        "e79a0b74-3aba-4149-9f74-0bb5791a6ee6", None, "Ada Lovelace", None,
    )


def test_workspace_owned_connection_has_no_user(notion, requests_mock) -> None:
    token = oauth2_core.Token({**TOKEN_RESPONSE, "owner": {"workspace": True}})
    requests_mock.get(ME_URL, json={"object": "user", "id": "b34", "type": "bot",
                                    "bot": {"owner": {"type": "workspace", "workspace": True}}})
    with pytest.raises(oauth2_core.OAuth2Error, match="owned by a workspace"):
        notion.userinfo(token)


def test_userinfo_failure_is_an_oauth2_error(notion, requests_mock) -> None:
    requests_mock.get(ME_URL, status_code=401, json={
        "object": "error", "status": 401, "code": "unauthorized",
        "message": "API token is invalid.",
    })
    with pytest.raises(oauth2_core.OAuth2Error) as caught:
        notion.userinfo(oauth2_core.Token(access_token="ntn_bad"))
    assert caught.value.error == "userinfo_failed"
    assert "ntn_bad" not in json.dumps(caught.value.args)
