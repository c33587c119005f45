"""Bitbucket Cloud: shapes from developer.atlassian.com/cloud/bitbucket (OAuth 2.0, users)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_bitbucket
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://bitbucket.org/site/oauth2/access_token"
USER_URL = "https://api.bitbucket.org/2.0/user"
EMAILS_URL = "https://api.bitbucket.org/2.0/user/emails"
CODE_TOKEN = {
    "access_token": "ZW_Fx2ACjZCk8vGVbwfIXDJ6ojNnZwqF", "scopes": "account email repository",
    "expires_in": 7200, "refresh_token": "wTFf7gjPmRGsyhTQ2d", "token_type": "bearer",
    "state": "authorization_code",
}
USER = {
    "display_name": "Erik van Zijst", "uuid": "{a288a0ab-e13b-43f0-a689-c4ef0a249875}",
    "account_id": "557058:ba8948b2-49da-43a9-9e8b-e7249b8e324a", "nickname": "evzijst",
    "username": "evzijst", "type": "user", "created_on": "2010-07-07T04:55:29+00:00",
    "links": {"avatar": {"href": "https://secure.gravatar.com/avatar/e0ccef6.png"},
              "html": {"href": "https://bitbucket.org/%7Ba288a0ab%7D/"}},
}


@pytest.fixture
def bitbucket() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "bitbucket", client_id="7jfPdx2eN9tGc8NzEq", client_secret="bsecret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_bitbucket),
    )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_bitbucket, entry_point="bitbucket")
    assert provider.name == "bitbucket"


def test_authorize_url_sends_no_scope_by_default(bitbucket) -> None:
    url = bitbucket.authorize_url(state="s1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://bitbucket.org/site/oauth2/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["7jfPdx2eN9tGc8NzEq"],
        "redirect_uri": ["https://app.example/cb"], "state": ["s1"],
    }


def test_begin_authorization_sends_pkce(bitbucket) -> None:
    query = parse_qs(urlsplit(bitbucket.begin_authorization().url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert "scope" not in query


def test_code_exchange_uses_basic_auth(bitbucket, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    bitbucket.get_token(code="Mv9p2cVPjQG2kRjNdW")
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert sent.headers["Authorization"] == basic("7jfPdx2eN9tGc8NzEq", "bsecret")
    assert parse_qs(sent.text) == {
        "grant_type": ["authorization_code"], "code": ["Mv9p2cVPjQG2kRjNdW"],
        "redirect_uri": ["https://app.example/cb"],
    }


def test_scopes_field_becomes_scope(bitbucket, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    token = bitbucket.get_token(code="Mv9p2cVPjQG2kRjNdW")
    assert token.scopes == ("account", "email", "repository")
    assert token["scopes"] == "account email repository"  # the original is kept too
    assert (token.refresh_token, token.lifetime) == ("wTFf7gjPmRGsyhTQ2d", 7200)


def test_scopes_field_wins_over_the_requested_scope(bitbucket, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {**CODE_TOKEN, "scopes": "account"})
    request = bitbucket.begin_authorization(scope=["account", "repository:write"])
    token = bitbucket.complete_authorization(
        {"state": request.state, "code": "Mv9p2cVPjQG2kRjNdW"}, request)
    assert token.scopes == ("account",)


def test_error_response_is_typed(bitbucket, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant", "error_description": "The specified code is not valid.",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="not valid"):
        bitbucket.get_token(code="used")


def test_error_with_a_scopes_field_is_still_an_error(bitbucket, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "unauthorized_client", "error_description": "No such consumer", "scopes": "",
    }, status_code=400)
    with pytest.raises(oauth2_core.UnauthorizedClient):
        bitbucket.get_token(code="c0de")


def test_session_sends_a_bearer_header(bitbucket, requests_mock) -> None:
    api = requests_mock.get("https://api.bitbucket.org/2.0/repositories/evzijst", json={})
    with bitbucket.session(oauth2_core.Token(access_token="ZW_Fx2")) as session:
        session.get("https://api.bitbucket.org/2.0/repositories/evzijst")
    assert api.last_request.headers["Authorization"] == "Bearer ZW_Fx2"


def test_userinfo_reads_the_primary_email(bitbucket, requests_mock) -> None:
    requests_mock.get(USER_URL, json=USER)
    emails = requests_mock.get(EMAILS_URL, json={
        "pagelen": 10, "page": 1, "size": 2,
        "values": [
            {"is_primary": False, "is_confirmed": True, "type": "email",
             "email": "erik@work.example"},
            {"is_primary": True, "is_confirmed": True, "type": "email",
             "email": "evzijst@example.com"},
        ],
    })
    user = bitbucket.userinfo(oauth2_core.Token(access_token="ZW_Fx2"))
    assert emails.last_request.headers["Authorization"] == "Bearer ZW_Fx2"
    assert (user.id, user.email, user.email_verified, user.name, user.username) == (
        "{a288a0ab-e13b-43f0-a689-c4ef0a249875}", "evzijst@example.com", True,
        "Erik van Zijst", "evzijst",
    )
    assert user.picture == "https://secure.gravatar.com/avatar/e0ccef6.png"
    assert user.raw["account_id"] == "557058:ba8948b2-49da-43a9-9e8b-e7249b8e324a"


def test_userinfo_without_email_permission(bitbucket, requests_mock) -> None:
    requests_mock.get(USER_URL, json={**USER, "username": None})
    requests_mock.get(EMAILS_URL, status_code=403, json={
        "type": "error", "error": {"message": "Access denied. You must have write or admin "
                                              "access."},
    })
    user = bitbucket.userinfo(oauth2_core.Token(access_token="ZW_Fx2"))
    assert (user.email, user.email_verified, user.username) == (None, None, "evzijst")


def test_userinfo_failure(bitbucket, requests_mock) -> None:
    requests_mock.get(USER_URL, status_code=401, json={
        "type": "error", "error": {"message": "Access token expired."},
    })
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401"):
        bitbucket.userinfo(oauth2_core.Token(access_token="expired"))
