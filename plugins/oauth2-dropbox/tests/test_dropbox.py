"""Dropbox: shapes from the OAuth guide and the HTTP API reference (dropbox.com/developers)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_dropbox
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://api.dropboxapi.com/oauth2/token"
REVOKE_URL = "https://api.dropboxapi.com/2/auth/token/revoke"
ACCOUNT_URL = "https://api.dropboxapi.com/2/users/get_current_account"
CODE_TOKEN = {
    "access_token": "sl.u.AbX9y6Fe3AuH5o66-gmJpR032jwAwQPIVVzWXZNkdzcYT02akC2de",
    "expires_in": 14400, "token_type": "bearer",
    "scope": "account_info.read files.content.read files.metadata.read",
    "refresh_token": "nBiM85CZALsAAAAAAAAAAQXHBoNpNutK4ngsXHsqW4iGz9tisb3JyjGqikMJIYbd",
    "account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", "uid": "12345",
}


@pytest.fixture
def dropbox() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "dropbox", client_id="d6u3mcxvu0lxy4e", client_secret="dsecret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_dropbox),
    )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_dropbox, entry_point="dropbox")
    assert provider.name == "dropbox"


def test_authorize_url_asks_for_offline_access(dropbox) -> None:
    url = dropbox.authorize_url(state="s1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.dropbox.com/oauth2/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["d6u3mcxvu0lxy4e"],
        "redirect_uri": ["https://app.example/cb"], "state": ["s1"],
        "token_access_type": ["offline"],
    }


def test_token_access_type_can_be_overridden_per_call(dropbox) -> None:
    request = dropbox.begin_authorization(scope=["account_info.read"], token_access_type="online")
    query = parse_qs(urlsplit(request.url).query)
    assert query["token_access_type"] == ["online"]
    assert query["scope"] == ["account_info.read"]
    assert query["code_challenge_method"] == ["S256"]


def test_code_exchange_uses_basic_auth(dropbox, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    dropbox.get_token(code="ENTER_THE_CODE_HERE", code_verifier="v" * 43)
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert sent.headers["Authorization"] == basic("d6u3mcxvu0lxy4e", "dsecret")
    assert parse_qs(sent.text) == {
        "grant_type": ["authorization_code"], "code": ["ENTER_THE_CODE_HERE"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
    }


def test_token_response_keeps_uid_and_account_id(dropbox, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    token = dropbox.get_token(code="c0de")
    assert (token["account_id"], token["uid"]) == (
        "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", "12345",
    )
    assert token.scopes == ("account_info.read", "files.content.read", "files.metadata.read")
    assert token.refresh_token == CODE_TOKEN["refresh_token"]
    assert token.lifetime == 14400


def test_refresh_response_has_only_access_token_and_expiry(dropbox, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "sl.u.new", "expires_in": 14400, "token_type": "bearer",
    })
    old = oauth2_core.Token(CODE_TOKEN)
    token = dropbox.refresh_token(old)
    assert token.access_token == "sl.u.new"
    assert token.refresh_token == CODE_TOKEN["refresh_token"]
    assert token.scopes == old.scopes


def test_error_response_is_typed(dropbox, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant", "error_description": "code doesn't exist or has expired",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="has expired"):
        dropbox.get_token(code="old")


def test_session_sends_a_bearer_header(dropbox, requests_mock) -> None:
    api = requests_mock.post("https://api.dropboxapi.com/2/files/list_folder", json={})
    with dropbox.session(oauth2_core.Token(access_token="sl.u.Ab")) as session:
        session.post("https://api.dropboxapi.com/2/files/list_folder", json={"path": ""})
    assert api.last_request.headers["Authorization"] == "Bearer sl.u.Ab"


def test_userinfo_is_a_post_with_an_empty_body(dropbox, requests_mock) -> None:
    requests_mock.post(ACCOUNT_URL, json={
        "account_id": "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc",
        "name": {"given_name": "Franz", "surname": "Ferdinand", "familiar_name": "Franz",
                 "display_name": "Franz Ferdinand (Personal)", "abbreviated_name": "FF"},
        "email": "franz@dropbox.com", "email_verified": True, "disabled": False,
        "locale": "en", "referral_link": "https://db.tt/ZITNuhtI", "is_paired": True,
        "account_type": {".tag": "business"}, "country": "US",
        "profile_photo_url": "https://dl-web.dropbox.com/account_photo/get/dbaphid%3AAAHWGmI",
    })
    user = dropbox.userinfo(oauth2_core.Token(access_token="sl.u.Ab"))
    sent = requests_mock.last_request
    assert sent.method == "POST"
    assert not sent.body
    assert "Content-Type" not in sent.headers
    assert sent.headers["Authorization"] == "Bearer sl.u.Ab"
    assert (user.id, user.email, user.email_verified, user.name, user.username) == (
        "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc", "franz@dropbox.com", True,
        "Franz Ferdinand (Personal)", None,
    )
    assert user.picture == "https://dl-web.dropbox.com/account_photo/get/dbaphid%3AAAHWGmI"


def test_userinfo_without_photo(dropbox, requests_mock) -> None:
    requests_mock.post(ACCOUNT_URL, json={
        "account_id": "dbid:AAB", "name": {"display_name": "Ann"},
        "email": "ann@example.com", "email_verified": False,
    })
    user = dropbox.userinfo(oauth2_core.Token(access_token="sl.u.Ab"))
    assert (user.picture, user.email_verified) == (None, False)


def test_userinfo_failure(dropbox, requests_mock) -> None:
    requests_mock.post(ACCOUNT_URL, status_code=401, json={
        "error_summary": "expired_access_token/", "error": {".tag": "expired_access_token"},
    })
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401"):
        dropbox.userinfo(oauth2_core.Token(access_token="expired"))


def test_revocation_is_authenticated_by_the_access_token(dropbox, requests_mock) -> None:
    endpoint = requests_mock.post(REVOKE_URL, text="null")
    dropbox.revoke_token(oauth2_core.Token(CODE_TOKEN), token_type_hint="access_token")
    sent = endpoint.last_request
    assert sent.headers["Authorization"] == f"Bearer {CODE_TOKEN['access_token']}"
    assert not sent.body
    dropbox.revoke_token("sl.u.other")
    assert endpoint.last_request.headers["Authorization"] == "Bearer sl.u.other"


def test_revoking_a_refresh_token_is_refused_before_sending(dropbox, requests_mock) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="access token"):
        dropbox.revoke_token(oauth2_core.Token(CODE_TOKEN))
    assert requests_mock.call_count == 0
