"""The tests of the README's plugin tutorial."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_acme

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager


def make_client() -> oauth2_core.OAuth2Client:
    return oauth2_core.client("acme", client_id="my-id", client_secret="my-secret",
                              redirect_uri="https://app.example/cb",
                              plugins=plugin_manager(oauth2_acme))


def test_contract() -> None:
    check_plugin_contract(oauth2_acme)


def test_authorize_url_joins_scopes_with_commas() -> None:
    url = make_client().authorize_url(scope=["profile", "email"])
    assert parse_qs(urlsplit(url).query)["scope"] == ["profile,email"]


def test_token_request_posts_the_secret(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, "https://id.acme.example/oauth/token")
    make_client().get_token(code="the-code")
    assert parse_qs(endpoint.last_request.text)["client_secret"] == ["my-secret"]


def test_userinfo_unwraps_data_and_survives_a_hidden_email(requests_mock) -> None:
    requests_mock.get("https://api.acme.example/v2/me",
                      json={"data": {"id": 42, "handle": "ada", "name": "Ada"}})
    user = make_client().userinfo(oauth2_core.Token(access_token="t"))
    assert (user.id, user.username, user.email) == ("42", "ada", None)
    assert requests_mock.last_request.headers["Acme-Version"] == "2024-01"
