"""oauth2_core.provider_helpers and fetch_profile, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import requests

import oauth2_core
from oauth2_core import (
    InvalidClient,
    InvalidGrant,
    InvalidScope,
    InvalidToken,
    OAuth2Error,
    Provider,
    TokenResponseError,
)
from oauth2_core.provider_helpers import (
    envelope_object,
    error_message,
    mapped_error,
    raise_for_mapped_error,
    set_user_agent,
    token_fields,
)
from oauth2_core.testing.listener import LoopbackHTTPServer
from oauth2_core.testing.messages import Request, Response
from oauth2_core.userinfo import fetch_profile

ACCESS_TOKEN = "at-4f1c9e2b7d"

#: path -> the canned answer the server gives.
ANSWERS: dict[str, Response] = {
    "/json": Response.json({"access_token": "at", "token_type": "bearer"}),
    "/form": Response.form({"access_token": "at", "scope": "repo,user"}),
    "/html": Response.html("<html><body>Too Many Requests: secret-page-text</body></html>", 429),
    "/list": Response.json([{"access_token": "at"}]),
    "/me": Response.json({"id": "42", "name": "Ada"}),
    "/me-list": Response.json([{"id": "42"}]),
    "/graph-error": Response.json({"error": {
        "message": "Error validating access token: Session has expired",
        "type": "OAuthException", "code": 190}}, status=400),
    "/echo-token": Response.json({"message": f"token {ACCESS_TOKEN} is not valid"}, status=403),
    "/bare": Response(status=500, body=b"oops", headers={"Content-Type": "text/plain"}),
    "/rfc6750": Response.json({"error": "invalid_token"}, status=401, headers={
        "WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'}),
}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, list[Request]]]:
    seen: list[Request] = []

    def answer(request: Request) -> Response:
        seen.append(request)
        return ANSWERS.get(request.path, Response.json({"error": "not_found"}, status=404))

    http = LoopbackHTTPServer(answer, 0)
    thread = threading.Thread(target=http.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_address[1]}", seen
    http.shutdown()
    http.close_connections()
    http.server_close()
    thread.join()


@pytest.fixture
def base(server: tuple[str, list[Request]]) -> str:
    server[1].clear()
    return server[0]


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {ACCESS_TOKEN}"
        yield s


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=10)


# token_fields -------------------------------------------------------------------------
def test_token_fields_reads_a_json_object(base: str) -> None:
    assert token_fields(get(base + "/json")) == {"access_token": "at", "token_type": "bearer"}


def test_token_fields_takes_form_encoded_bodies_only_when_asked(base: str) -> None:
    response = get(base + "/form")
    assert token_fields(response, form_encoded=True) == {"access_token": "at",
                                                         "scope": "repo,user"}
    with pytest.raises(TokenResponseError, match="expected a JSON object"):
        token_fields(response)


def test_token_fields_names_an_html_page_without_quoting_it(base: str) -> None:
    with pytest.raises(TokenResponseError, match="HTML body") as caught:
        token_fields(get(base + "/html"), form_encoded=True)
    assert caught.value.status_code == 429
    assert "expected JSON or form-encoded fields" in str(caught.value)
    assert "secret-page-text" not in str(caught.value)


def test_token_fields_refuses_json_that_is_not_an_object(base: str) -> None:
    with pytest.raises(TokenResponseError, match="not an object"):
        token_fields(get(base + "/list"))


# mapped_error / raise_for_mapped_error -------------------------------------------------
CLASSES = {"bad_verification_code": InvalidGrant, "incorrect_client_credentials": InvalidClient}


def test_mapped_error_keeps_the_providers_code_in_the_rfc_class(base: str) -> None:
    response = get(base + "/json")
    exc = mapped_error("bad_verification_code", CLASSES, "The code is expired.",
                       "https://docs.example/err", response)
    assert type(exc) is InvalidGrant
    assert (exc.error, exc.description, exc.uri) == (
        "bad_verification_code", "The code is expired.", "https://docs.example/err")
    assert exc.status_code == 200 and exc.response is response


def test_mapped_error_falls_back_to_rfc_codes_then_oauth2error() -> None:
    assert type(mapped_error("invalid_scope", CLASSES)) is InvalidScope
    unknown = mapped_error("rate_limited", CLASSES, 503, ["not", "a", "uri"])
    assert type(unknown) is OAuth2Error
    assert (unknown.error, unknown.description, unknown.uri) == ("rate_limited", "503", None)


def test_raise_for_mapped_error_raises_only_for_mapped_codes() -> None:
    with pytest.raises(InvalidClient) as caught:
        raise_for_mapped_error({"error": "incorrect_client_credentials",
                                "error_description": "wrong secret"}, CLASSES)
    assert caught.value.error == "incorrect_client_credentials"
    # RFC codes and successes are the caller's (the core parser's) business.
    raise_for_mapped_error({"error": "invalid_grant"}, CLASSES)
    raise_for_mapped_error({"access_token": "at"}, CLASSES)
    raise_for_mapped_error({"error": {"message": "nested"}}, CLASSES)


# envelope_object -----------------------------------------------------------------------
@pytest.mark.parametrize(("body", "expected"), [
    ({"data": {"id": "1"}}, {"id": "1"}),  # X
    ({"data": [{"id": "1"}, {"id": "2"}]}, {"id": "1"}),  # Twitch Helix
    ({"data": []}, None),
    ({"data": ["1"]}, None),
    ({"errors": [{"message": "denied"}]}, None),
    (["data"], None),
    (None, None),
])
def test_envelope_object(body: object, expected: object) -> None:
    assert envelope_object(body) == expected


def test_envelope_object_nests_and_copies() -> None:
    body = {"data": {"shop": {"id": "gid://shopify/Shop/1"}}}  # GraphQL
    shop = envelope_object(envelope_object(body), "shop")
    assert shop == {"id": "gid://shopify/Shop/1"}
    assert shop is not None
    shop["id"] = "changed"
    assert body["data"]["shop"]["id"] == "gid://shopify/Shop/1"


# error_message -------------------------------------------------------------------------
@pytest.mark.parametrize(("body", "expected"), [
    ({"error": "invalid_token", "error_description": "expired"}, "expired"),  # RFC 6750
    ({"error": {"message": "Session has expired", "code": 190}}, "Session has expired"),
    ({"error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"},
     "Invalid OAuth token"),  # Twitch
    ({"title": "Unauthorized", "detail": "Token revoked"}, "Token revoked"),  # RFC 9457
    ({"errors": [{"message": "Access denied for shop field."}]},
     "Access denied for shop field."),  # GraphQL
    ({"errors": "[API] Invalid API key"}, "[API] Invalid API key"),
    ({"error": "invalid_token"}, "invalid_token"),
    ({"error": True, "status": 400}, None),
    ({"message": ""}, None),
    ("an error", None),
    (None, None),
])
def test_error_message(body: object, expected: object) -> None:
    assert error_message(body) == expected


# set_user_agent ------------------------------------------------------------------------
def prepared(headers: dict[str, str]) -> requests.PreparedRequest:
    with requests.Session() as s:
        return s.prepare_request(requests.Request("GET", "https://api.example/user",
                                                  headers=headers))


def test_set_user_agent_replaces_requests_default() -> None:
    request = prepared({})
    assert str(request.headers["User-Agent"]).startswith("python-requests/")
    set_user_agent(request, None, "app/1.0")
    assert request.headers["User-Agent"] == "app/1.0"


def test_set_user_agent_keeps_the_callers_own() -> None:
    request = prepared({"User-Agent": "mine/2.0"})
    set_user_agent(request, "", "app/1.0")
    assert request.headers["User-Agent"] == "mine/2.0"


def test_set_user_agent_setting_wins() -> None:
    request = prepared({"User-Agent": "mine/2.0"})
    set_user_agent(request, "configured/3.0", "app/1.0")
    assert request.headers["User-Agent"] == "configured/3.0"


# fetch_profile -------------------------------------------------------------------------
def test_fetch_profile_returns_the_object_and_passes_kwargs(
    base: str, server: tuple[str, list[Request]], session: requests.Session
) -> None:
    assert fetch_profile(session, base + "/me", "POST", json={"query": "{ me }"},
                         params={"fields": "id,name"}) == {"id": "42", "name": "Ada"}
    sent = server[1][-1]
    assert (sent.method, sent.query, json.loads(sent.body)) == (
        "POST", {"fields": ["id,name"]}, {"query": "{ me }"})
    assert sent.headers["authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_fetch_profile_adds_the_providers_explanation(base: str,
                                                      session: requests.Session) -> None:
    with pytest.raises(OAuth2Error, match="HTTP 400: .*Session has expired") as caught:
        fetch_profile(session, base + "/graph-error")
    assert caught.value.error == "userinfo_failed"
    assert caught.value.status_code == 400


def test_fetch_profile_masks_a_token_the_provider_echoes(base: str,
                                                         session: requests.Session) -> None:
    with pytest.raises(OAuth2Error, match=r"token \*\*\* is not valid") as caught:
        fetch_profile(session, base + "/echo-token")
    assert ACCESS_TOKEN not in str(caught.value)
    with requests.Session() as query_session, pytest.raises(OAuth2Error) as caught:
        fetch_profile(query_session, base + "/echo-token", params={"access_token": ACCESS_TOKEN})
    assert ACCESS_TOKEN not in str(caught.value)


def test_fetch_profile_without_an_explanation(base: str, session: requests.Session) -> None:
    with pytest.raises(OAuth2Error) as caught:
        fetch_profile(session, base + "/bare")
    assert str(caught.value) == "userinfo_failed: profile endpoint answered HTTP 500 (HTTP 500)"


def test_fetch_profile_refuses_json_that_is_not_an_object(base: str,
                                                           session: requests.Session) -> None:
    with pytest.raises(OAuth2Error, match="not a JSON object") as caught:
        fetch_profile(session, base + "/me-list")
    assert caught.value.error == "userinfo_failed"


def test_fetch_profile_rfc6750_invalid_token(base: str, session: requests.Session) -> None:
    with pytest.raises(InvalidToken):
        fetch_profile(session, base + "/rfc6750")


def test_the_default_userinfo_reports_the_explanation(base: str) -> None:
    client = oauth2_core.client(
        Provider(name="local", token_url=base + "/token", userinfo_url=base + "/graph-error"),
        client_id="id", plugins=oauth2_core.make_plugin_manager())
    with pytest.raises(OAuth2Error, match="Session has expired") as caught:
        client.userinfo(ACCESS_TOKEN)
    assert caught.value.error == "userinfo_failed"
