"""Yandex ID: shapes from yandex.com/dev/id/doc (code URL, token by code, refresh,
"Yandex user information" at login.yandex.ru/info)."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_yandex
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://oauth.yandex.ru/token"
INFO_URL = "https://login.yandex.ru/info?format=json"
BASIC = "Basic " + base64.b64encode(b"bfbff04a6cb60395ca05ef38be0a86cf:ya-secret").decode()


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "yandex", client_id="bfbff04a6cb60395ca05ef38be0a86cf", client_secret="ya-secret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_yandex),
        **settings,
    )


@pytest.fixture
def yandex() -> oauth2_core.OAuth2Client:
    return make_client()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_yandex, entry_point="yandex")
    assert provider.name == "yandex"


def test_authorize_url_sends_no_scope_by_default(yandex) -> None:
    parts = urlsplit(yandex.authorize_url(state="st", force_confirm="yes",
                                          login_hint="ivan@yandex.ru"))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://oauth.yandex.ru/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["bfbff04a6cb60395ca05ef38be0a86cf"],
        "redirect_uri": ["https://app.example/cb"], "state": ["st"],
        "force_confirm": ["yes"], "login_hint": ["ivan@yandex.ru"],
    }


def test_begin_authorization_sends_pkce_and_a_narrowing_scope(yandex) -> None:
    query = parse_qs(urlsplit(yandex.begin_authorization(
        scope=["login:info", "login:email"]).url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["login:info login:email"]


def test_tld_setting_switches_the_oauth_host(requests_mock) -> None:
    client = make_client(tld="com")
    assert client.authorize_url(state="s").startswith("https://oauth.yandex.com/authorize?")
    endpoint = fake_token_endpoint(requests_mock, "https://oauth.yandex.com/token")
    client.get_token(code="4856231")
    assert endpoint.called


def test_tld_must_be_ru_or_com() -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="tld"):
        make_client(tld="evil.example")


def test_code_exchange_uses_basic_auth(yandex, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "token_type": "bearer", "access_token": "AQAAAACy1C6ZAAAAfa6vDLuItEy8pg-iIpnDxIs",
        "expires_in": 31536000, "refresh_token": "1:GN686QVt0mmakDd9:A4pYuW9LGk0_Unlr",
        "scope": "login:info login:email",
    })
    token = yandex.get_token(code="4856231", code_verifier="v" * 43)
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["4856231"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
    }
    assert token.refresh_token == "1:GN686QVt0mmakDd9:A4pYuW9LGk0_Unlr"
    assert token.scopes == ("login:info", "login:email")


def test_error_response_is_typed(yandex, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error_description": "Code has expired", "error": "invalid_grant"}, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Code has expired"):
        yandex.get_token(code="4856231")


def test_api_calls_use_the_oauth_scheme(yandex, requests_mock) -> None:
    requests_mock.get("https://cloud-api.yandex.net/v1/disk/", json={})
    yandex.session({"access_token": "AQAAAAA", "token_type": "bearer"}).get(
        "https://cloud-api.yandex.net/v1/disk/")
    assert requests_mock.last_request.headers["Authorization"] == "OAuth AQAAAAA"


def test_userinfo_reads_yandex_fields(yandex, requests_mock) -> None:
    requests_mock.get(INFO_URL, json={
        "id": "1000034426", "login": "ivan", "client_id": "4760187d81bc4b7799476b42b5103713",
        "display_name": "Ivan", "real_name": "Ivan Ivanov", "first_name": "Ivan",
        "last_name": "Ivanov", "sex": "male", "default_email": "ivan@yandex.ru",
        "emails": ["ivan@yandex.ru", "other@yandex.ru"], "default_avatar_id": "131652443",
        "is_avatar_empty": False, "psuid": "1.AAceCw.tbHgw5DtJ9_zeqPrk-Ba2w.qPWSRC5v2t2IaksPJgnge",
    })
    user = yandex.userinfo("AQAAAAA")
    assert requests_mock.last_request.headers["Authorization"] == "OAuth AQAAAAA"
    assert parse_qs(urlsplit(requests_mock.last_request.url).query) == {"format": ["json"]}
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        "1000034426", "ivan@yandex.ru", None, "Ivan Ivanov", "ivan",
        "https://avatars.yandex.net/get-yapic/131652443/islands-200",
    )


def test_userinfo_without_email_permission_or_avatar(yandex, requests_mock) -> None:
    requests_mock.get(INFO_URL, json={"id": "1000034426", "login": "ivan",
                                      "client_id": "4760187d", "psuid": "1.AAce",
                                      "default_avatar_id": "0/0-0", "is_avatar_empty": True})
    user = yandex.userinfo("AQAAAAA")
    assert (user.id, user.email, user.name, user.picture) == ("1000034426", None, None, None)


def test_userinfo_failure(yandex, requests_mock) -> None:
    requests_mock.get(INFO_URL, status_code=401, text="")
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401") as caught:
        yandex.userinfo("expired")
    assert caught.value.error == "userinfo_failed"
