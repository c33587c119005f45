"""OpenID Connect RP-Initiated Logout 1.0: the end-session URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from acme import ACME

import oauth2_core
from oauth2_core import ConfigurationError, Token

END = "https://id.acme.test/logout"


def make(pm, end_session_url: str = END) -> oauth2_core.OAuth2Client:
    provider = ACME.with_endpoints(name="acme-logout", end_session_url=end_session_url)
    return oauth2_core.client(provider, client_id="app", plugins=pm)


def test_logout_url_carries_the_hint_the_return_address_and_state(pm) -> None:
    url = make(pm).logout_url(Token(access_token="at", id_token="the.id.token"),
                              post_logout_redirect_uri="https://app.test/bye", state="s1",
                              ui_locales="fr")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == END
    assert parse_qs(parts.query) == {
        "id_token_hint": ["the.id.token"], "client_id": ["app"],
        "post_logout_redirect_uri": ["https://app.test/bye"], "state": ["s1"],
        "ui_locales": ["fr"],
    }


def test_a_plain_id_token_and_no_options(pm) -> None:
    url = make(pm).logout_url("raw.id.token")
    assert parse_qs(urlsplit(url).query) == {"id_token_hint": ["raw.id.token"],
                                              "client_id": ["app"]}


def test_an_end_session_url_with_a_query_keeps_it(pm) -> None:
    url = make(pm, END + "?tenant=t1").logout_url(state="s")
    assert parse_qs(urlsplit(url).query) == {"tenant": ["t1"], "client_id": ["app"],
                                              "state": ["s"]}


def test_without_an_end_session_url_it_is_a_configuration_error(pm) -> None:
    client = oauth2_core.client(ACME, client_id="app", plugins=pm)
    with pytest.raises(ConfigurationError, match="end_session_url"):
        client.logout_url()


def test_a_token_without_id_token_is_refused(pm) -> None:
    with pytest.raises(ConfigurationError, match="id_token"):
        make(pm).logout_url(Token(access_token="at"))
