"""RFC 8693: token exchange."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import ConfigurationError, InvalidRequest, Token, TokenResponseError
from oauth2_core.extensions import TOKEN_EXCHANGE_GRANT

AT = "urn:ietf:params:oauth:token-type:access_token"
ID = "urn:ietf:params:oauth:token-type:id_token"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"


def exchanged(**extra: Any) -> dict[str, Any]:
    extra.setdefault("issued_token_type", AT)
    return bearer("exchanged-at", **extra)


def form(matcher: Any) -> dict[str, list[str]]:
    return parse_qs(matcher.last_request.text)


@pytest.fixture
def client(pm) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(ACME, client_id="svc", client_secret="s", plugins=pm)


def test_an_access_token_is_exchanged_for_another_audience(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=exchanged())

    token = client.token_exchange("user-at", audience="https://backend.test",
                                  scope=["read", "write"])

    assert form(endpoint) == {
        "grant_type": [TOKEN_EXCHANGE_GRANT], "subject_token": ["user-at"],
        "subject_token_type": [AT], "audience": ["https://backend.test"],
        "scope": ["read write"],
    }
    assert token.access_token == "exchanged-at"
    assert token["issued_token_type"] == AT


def test_delegation_sends_the_actor_and_every_option(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=exchanged())

    client.token_exchange(Token(bearer("user-at")), actor_token="actor-jwt",
                          actor_token_type="jwt", requested_token_type="access_token",
                          audience=["a1", "a2"], resource=["https://r1.test/", "https://r2.test/"])

    sent = form(endpoint)
    assert sent["subject_token"] == ["user-at"]
    assert (sent["actor_token"], sent["actor_token_type"]) == (["actor-jwt"], [JWT_TYPE])
    assert sent["requested_token_type"] == [AT]
    assert sent["audience"] == ["a1", "a2"]
    assert sent["resource"] == ["https://r1.test/", "https://r2.test/"]


def test_a_token_subject_of_type_id_token_sends_its_id_token(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=exchanged())
    client.token_exchange(Token(bearer("at", id_token="the-id-token")), "id_token")
    assert form(endpoint)["subject_token"] == ["the-id-token"]
    assert form(endpoint)["subject_token_type"] == [ID]


def test_a_token_type_uri_is_sent_as_given(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=exchanged())
    client.token_exchange("saml-assertion", "urn:example:custom-type")
    assert form(endpoint)["subject_token_type"] == ["urn:example:custom-type"]


def test_na_token_type_is_accepted_for_a_token_that_is_not_an_access_token(client,
                                                                          requests_mock):
    requests_mock.post(TOKEN_URL, json=exchanged(token_type="N_A", issued_token_type=ID))
    token = client.token_exchange("user-at", requested_token_type="id_token")
    assert token["issued_token_type"] == ID


def test_na_stays_refused_for_other_grants(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer(token_type="N_A"))
    with pytest.raises(TokenResponseError):
        client.client_credentials()


def test_an_answer_without_issued_token_type_is_refused(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer())
    with pytest.raises(TokenResponseError, match="issued_token_type"):
        client.token_exchange("user-at")


def test_errors_are_typed_and_never_show_the_subject_token(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, status_code=400, json={
        "error": "invalid_request", "error_description": "bad subject_token user-at-secret"})
    with pytest.raises(InvalidRequest) as excinfo:
        client.token_exchange("user-at-secret")
    assert "user-at-secret" not in str(excinfo.value)


@pytest.mark.parametrize(("args", "message"), [
    ({"subject_token": "x", "actor_token_type": "jwt"}, "actor_token"),
    ({"subject_token": Token(refresh_token="rt")}, "access_token"),
])
def test_bad_arguments_are_configuration_errors(client, args, message) -> None:
    with pytest.raises(ConfigurationError, match=message):
        client.token_exchange(**args)
