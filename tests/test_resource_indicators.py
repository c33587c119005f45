"""RFC 8707 resource indicators and RFC 9396 authorization_details, in every request."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import ConfigurationError

A, B = "https://api-a.test/", "https://api-b.test/v1"
DETAILS = [{"type": "account_information", "actions": ["read"]}]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def form(matcher: Any) -> dict[str, list[str]]:
    return parse_qs(matcher.last_request.text)


@pytest.fixture
def client(pm) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(ACME, client_id="app", client_secret="s",
                              redirect_uri="https://app.test/cb", plugins=pm)


def test_several_resources_repeat_in_the_authorization_url(client) -> None:
    url = client.begin_authorization(scope="read", resource=[A, B]).url
    assert query(url)["resource"] == [A, B]


def test_one_resource_is_one_parameter(client) -> None:
    assert query(client.authorize_url(resource=A, state="s"))["resource"] == [A]


def test_resources_repeat_in_token_and_refresh_requests(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())

    client.client_credentials(resource=(A, B))
    assert form(endpoint)["resource"] == [A, B]
    client.refresh_token("rt-1", resource=B)
    assert form(endpoint)["resource"] == [B]
    client.get_token(code="c0de", resource=[A])
    assert form(endpoint)["resource"] == [A]


@pytest.mark.parametrize("bad", ["api-a.test/x", "https://api-a.test/#frag", ["ok:x", 3]])
def test_a_resource_must_be_an_absolute_uri_without_fragment(client, requests_mock, bad):
    requests_mock.post(TOKEN_URL, json=bearer())
    with pytest.raises(ConfigurationError, match="RFC 8707"):
        client.client_credentials(resource=bad)
    with pytest.raises(ConfigurationError, match="RFC 8707"):
        client.begin_authorization(resource=bad)


@pytest.mark.parametrize("details", [DETAILS, DETAILS[0]], ids=["list", "one-dict"])
def test_authorization_details_are_sent_as_json(client, requests_mock, details) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer(authorization_details=DETAILS))

    url = client.begin_authorization(authorization_details=details).url
    token = client.client_credentials(authorization_details=details)

    assert json.loads(query(url)["authorization_details"][0]) == DETAILS
    assert json.loads(form(endpoint)["authorization_details"][0]) == DETAILS
    assert token["authorization_details"] == DETAILS


def test_authorization_details_given_as_text_are_sent_as_is(client) -> None:
    text = json.dumps(DETAILS)
    assert query(client.begin_authorization(authorization_details=text).url)[
        "authorization_details"] == [text]


def test_a_json_body_keeps_the_details_structured(pm, requests_mock) -> None:
    class JSONBody:
        @oauth2_core.hookimpl
        def oauth2_prepare_token_request(self, request: oauth2_core.TokenRequest) -> None:
            request.body_format = "json"

    pm.register(JSONBody())
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    oauth2_core.client(ACME, client_id="app", client_secret="s", plugins=pm
                       ).client_credentials(authorization_details=DETAILS[0])
    assert endpoint.last_request.json()["authorization_details"] == DETAILS
