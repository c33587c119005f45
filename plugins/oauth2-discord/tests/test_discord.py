"""Discord: request and response shapes from discord-api-docs (docs/topics/oauth2)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_discord
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://discord.com/api/oauth2/token"
REVOKE_URL = "https://discord.com/api/oauth2/token/revoke"
USERS_ME = "https://discord.com/api/users/@me"


def make_client(secret: str | None = "dsecret") -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "discord", client_id="1234567890", client_secret=secret,
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_discord),
    )


@pytest.fixture
def discord() -> oauth2_core.OAuth2Client:
    return make_client()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_discord, entry_point="discord")
    assert provider.name == "discord"


def test_authorize_url(discord) -> None:
    url = discord.authorize_url(state="s1", prompt="none")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://discord.com/oauth2/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["1234567890"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["identify email"],
        "state": ["s1"], "prompt": ["none"],
    }


def test_begin_authorization_sends_s256_pkce(discord) -> None:
    request = discord.begin_authorization()
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(request.code_verifier) >= 43  # Discord enforces RFC 7636's minimum length
    assert "nonce" not in query


def test_code_exchange_uses_basic_auth_and_a_form_body(discord, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    discord.get_token(code="NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee", code_verifier="v" * 43)
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert sent.headers["Authorization"] == basic("1234567890", "dsecret")
    assert parse_qs(sent.text) == {
        "grant_type": ["authorization_code"], "code": ["NhhvTDYsFcdgNLnnLijcl7Ku7bEEeee"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
    }


def test_public_client_sends_its_id_in_the_body(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    make_client(secret=None).get_token(code="c0de", code_verifier="v" * 43)
    assert "Authorization" not in endpoint.last_request.headers
    assert parse_qs(endpoint.last_request.text)["client_id"] == ["1234567890"]


def test_token_and_revocation_bodies_are_form_encoded(discord, requests_mock) -> None:
    # Discord rejects JSON bodies on both endpoints (oauth2.mdx warning).
    token_endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    revoke_endpoint = requests_mock.post(REVOKE_URL, text="{}")
    discord.refresh_token("D43f5y0ahjqew82jZ4NViEr2YafMKhue")
    discord.revoke_token(oauth2_core.Token(access_token="at", refresh_token="D43f5y0a"))
    for endpoint in (token_endpoint, revoke_endpoint):
        sent = endpoint.last_request
        assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert not sent.text.lstrip().startswith("{")
    assert parse_qs(revoke_endpoint.last_request.text) == {
        "token": ["D43f5y0a"], "token_type_hint": ["refresh_token"],
    }
    assert revoke_endpoint.last_request.headers["Authorization"] == basic("1234567890", "dsecret")


def test_token_response_keeps_guild_and_webhook_objects(discord, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "6qrZcUqja7812RVdnEKjpzOL4CvHBFG", "token_type": "Bearer",
        "expires_in": 604800, "refresh_token": "D43f5y0ahjqew82jZ4NViEr2YafMKhue",
        "scope": "identify bot", "guild": {"id": "2909267986263572999", "name": "SomeGuild"},
        "webhook": {"id": "3909", "channel_id": "199737254929760256", "type": 1},
    })
    token = discord.get_token(code="c0de")
    assert token.scopes == ("identify", "bot")
    assert token["guild"]["id"] == "2909267986263572999"
    assert token["webhook"]["channel_id"] == "199737254929760256"
    assert token.lifetime == 604800
    assert "6qrZ" not in repr(token)


def test_error_response_is_typed(discord, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant", "error_description": 'Invalid "code" in request.',
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Invalid") as caught:
        discord.get_token(code="expired-code")
    assert caught.value.status_code == 400
    assert "expired-code" not in str(caught.value)


def test_session_sends_a_bearer_header(discord, requests_mock) -> None:
    api = requests_mock.get("https://discord.com/api/users/@me/guilds", json=[])
    with discord.session(oauth2_core.Token(access_token="6qrZ")) as session:
        session.get("https://discord.com/api/users/@me/guilds")
    assert api.last_request.headers["Authorization"] == "Bearer 6qrZ"
    assert "access_token" not in (api.last_request.query or "")


def test_userinfo_is_normalised(discord, requests_mock) -> None:
    requests_mock.get(USERS_ME, json={
        "id": "80351110224678912", "username": "nelly", "discriminator": "0",
        "global_name": "Nelly", "avatar": "8342729096ea3675442027381ff50dfe",
        "verified": True, "email": "nelly@discord.com", "flags": 64, "mfa_enabled": True,
    })
    user = discord.userinfo(oauth2_core.Token(access_token="6qrZ"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer 6qrZ"
    assert (user.id, user.email, user.email_verified, user.name, user.username) == (
        "80351110224678912", "nelly@discord.com", True, "Nelly", "nelly",
    )
    assert user.raw["flags"] == 64


def test_avatar_hash_becomes_a_cdn_url(discord, requests_mock) -> None:
    requests_mock.get(USERS_ME, json={"id": "80351110224678912", "username": "nelly",
                                      "avatar": "a_8342729096ea3675442027381ff50dfe"})
    user = discord.userinfo(oauth2_core.Token(access_token="6qrZ"))
    assert user.picture == ("https://cdn.discordapp.com/avatars/80351110224678912/"
                            "a_8342729096ea3675442027381ff50dfe.png")


def test_userinfo_without_email_scope(discord, requests_mock) -> None:
    requests_mock.get(USERS_ME, json={"id": "80351110224678912", "username": "nelly",
                                      "global_name": None, "avatar": None})
    user = discord.userinfo(oauth2_core.Token(access_token="6qrZ"))
    assert (user.email, user.email_verified, user.picture, user.name) == (
        None, None, None, "nelly",
    )


def test_userinfo_failure_is_an_oauth2_error(discord, requests_mock) -> None:
    requests_mock.get(USERS_ME, status_code=401, json={"message": "401: Unauthorized", "code": 0})
    with pytest.raises(oauth2_core.OAuth2Error, match=r"userinfo_failed.*401"):
        discord.userinfo(oauth2_core.Token(access_token="revoked"))
