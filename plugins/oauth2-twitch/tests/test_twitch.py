"""Twitch: shapes from dev.twitch.tv/docs/authentication (authorization code grant,
client credentials, refreshing, validating, revoking) and Helix "Get Users"."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_twitch
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://id.twitch.tv/oauth2/token"
CLIENT_ID = "hof5gwx0su6owfnys0nyan9c87zr6t"


@pytest.fixture
def twitch() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "twitch", client_id=CLIENT_ID, client_secret="41vpdji4e9gif29md0ouet6fktd2",
        redirect_uri="http://localhost:3000", plugins=plugin_manager(oauth2_twitch),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_twitch, entry_point="twitch")
    assert provider.name == "twitch"


def test_authorize_url(twitch) -> None:
    parts = urlsplit(twitch.authorize_url(state="c3ab8aa609ea11e793ae92361f002671",
                                          force_verify="true"))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://id.twitch.tv/oauth2/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": [CLIENT_ID],
        "redirect_uri": ["http://localhost:3000"], "scope": ["user:read:email"],
        "state": ["c3ab8aa609ea11e793ae92361f002671"], "force_verify": ["true"],
    }


def test_begin_authorization_sends_no_pkce_but_a_nonce_for_openid(twitch) -> None:
    request = twitch.begin_authorization(scope=["openid", "user:read:email"])
    query = parse_qs(urlsplit(request.url).query)
    assert "code_challenge" not in query and request.code_verifier is None
    assert query["nonce"] == [request.nonce]


def test_code_exchange_posts_credentials_in_the_body(twitch, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "rfx2uswqe8l4g1mkagrvg5tv0ks3", "expires_in": 14124,
        "refresh_token": "5b93chm6hdve3mycz05zfzatkfdenfspp1h1ar2xxdalen01",
        "scope": ["channel:moderate", "chat:edit", "chat:read"], "token_type": "bearer",
    })
    token = twitch.get_token(code="gulfwdmys5lsm6qyz4xiz9q32l10")
    assert endpoint.last_request.method == "POST"
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["gulfwdmys5lsm6qyz4xiz9q32l10"],
        "redirect_uri": ["http://localhost:3000"],
        "client_id": [CLIENT_ID], "client_secret": ["41vpdji4e9gif29md0ouet6fktd2"],
    }
    assert "Authorization" not in endpoint.last_request.headers
    assert token.lifetime == 14124


def test_scope_arrives_as_a_json_array(twitch, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "rfx2", "expires_in": 14124, "refresh_token": "5b93",
        "scope": ["channel:moderate", "chat:edit", "chat:read"], "token_type": "bearer",
    })
    token = twitch.get_token(code="c")
    assert token["scope"] == "channel:moderate chat:edit chat:read"
    assert token.scopes == ("channel:moderate", "chat:edit", "chat:read")


def test_app_access_token(twitch, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "jostpf5q0uzmxmkba9iyug38kjtgh", "expires_in": 5011271,
        "token_type": "bearer",
    })
    token = twitch.client_credentials(scope=[])
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["client_credentials"], "client_id": [CLIENT_ID],
        "client_secret": ["41vpdji4e9gif29md0ouet6fktd2"],
    }
    assert token.grant_type == "client_credentials"


@pytest.mark.parametrize("body", [
    {"status": 400, "message": "Invalid authorization code"},
    {"error": "Bad Request", "status": 400, "message": "Invalid authorization code"},
])
def test_errors_use_message_instead_of_error_description(twitch, requests_mock, body) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, body, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Invalid authorization code") as caught:
        twitch.get_token(code="c")
    assert caught.value.error == "invalid_grant"
    assert caught.value.status_code == 400


def test_invalid_refresh_token(twitch, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL,
                                   {"error": "Bad Request", "status": 400,
                                    "message": "Invalid refresh token"}, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Invalid refresh token"):
        twitch.refresh_token("5b93")
    assert parse_qs(endpoint.last_request.text)["grant_type"] == ["refresh_token"]


@pytest.mark.parametrize(("message", "cls"), [
    ("invalid client secret", oauth2_core.InvalidClient),
    ("missing client secret", oauth2_core.InvalidClient),
    ("missing code", oauth2_core.InvalidRequest),
    ("invalid grant type", oauth2_core.UnsupportedGrantType),
    ("something new", oauth2_core.OAuth2Error),
])
def test_error_messages_map_to_rfc_classes(twitch, requests_mock, message, cls) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"status": 400, "message": message},
                        status_code=400)
    with pytest.raises(cls, match=message) as caught:
        twitch.get_token(code="c")
    assert type(caught.value) is cls


def test_helix_calls_carry_client_id(twitch, requests_mock) -> None:
    requests_mock.get("https://api.twitch.tv/helix/streams", json={"data": []})
    twitch.session({"access_token": "rfx2", "token_type": "bearer"}).get(
        "https://api.twitch.tv/helix/streams", params={"first": "5"})
    headers = requests_mock.last_request.headers
    assert headers["Authorization"] == "Bearer rfx2"
    assert headers["Client-Id"] == CLIENT_ID


def test_userinfo_from_helix_users(twitch, requests_mock) -> None:
    requests_mock.get("https://api.twitch.tv/helix/users", json={"data": [{
        "id": "141981764", "login": "twitchdev", "display_name": "TwitchDev", "type": "",
        "broadcaster_type": "partner", "description": "Supporting third-party developers",
        "profile_image_url": "https://static-cdn.jtvnw.net/jtv_user_pictures/8a6381c7.png",
        "offline_image_url": "https://static-cdn.jtvnw.net/jtv_user_pictures/3f13ab61.png",
        "view_count": 5980557, "email": "not-real@email.com",
        "created_at": "2016-12-14T20:32:28Z",
    }]})
    user = twitch.userinfo("rfx2")
    assert requests_mock.last_request.headers["Client-Id"] == CLIENT_ID
    assert (user.id, user.username, user.name, user.email, user.email_verified, user.picture) == (
        "141981764", "twitchdev", "TwitchDev", "not-real@email.com", None,
        "https://static-cdn.jtvnw.net/jtv_user_pictures/8a6381c7.png",
    )
    assert user.raw["broadcaster_type"] == "partner"


def test_userinfo_without_the_email_scope(twitch, requests_mock) -> None:
    requests_mock.get("https://api.twitch.tv/helix/users", json={"data": [{
        "id": "141981764", "login": "twitchdev", "display_name": "TwitchDev"}]})
    assert twitch.userinfo("rfx2").email is None


def test_userinfo_failure(twitch, requests_mock) -> None:
    requests_mock.get("https://api.twitch.tv/helix/users", status_code=401, json={
        "error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"})
    with pytest.raises(oauth2_core.OAuth2Error, match="Invalid OAuth token") as caught:
        twitch.userinfo("old")
    assert caught.value.error == "userinfo_failed"


def test_validate_token_uses_the_oauth_scheme(twitch, requests_mock) -> None:
    requests_mock.get(oauth2_twitch.VALIDATE_URL, json={
        "client_id": CLIENT_ID, "login": "twitchdev", "scopes": ["channel:read:subscriptions"],
        "user_id": "141981764", "expires_in": 5520838,
    })
    info = oauth2_twitch.validate_token(twitch, oauth2_core.Token(access_token="rfx2"))
    assert requests_mock.last_request.headers["Authorization"] == "OAuth rfx2"
    assert info["user_id"] == "141981764"


def test_validate_token_rejects_a_dead_token(twitch, requests_mock) -> None:
    requests_mock.get(oauth2_twitch.VALIDATE_URL, status_code=401,
                      json={"status": 401, "message": "invalid access token"})
    with pytest.raises(oauth2_core.InvalidToken, match="invalid access token"):
        oauth2_twitch.validate_token(twitch, "rfx2")


def test_revocation_posts_client_id_and_token(twitch, requests_mock) -> None:
    endpoint = requests_mock.post("https://id.twitch.tv/oauth2/revoke", text="")
    twitch.revoke_token("rfx2", token_type_hint="access_token")
    body = parse_qs(endpoint.last_request.text)
    assert body["client_id"] == [CLIENT_ID]
    assert body["token"] == ["rfx2"]
