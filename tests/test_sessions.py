"""Using tokens: attaching, refreshing before expiry and after a 401, single-flight."""

from __future__ import annotations

import io
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import InsecureTransportError, OAuth2BearerToken, RefreshCallbackError, Token
from oauth2_core.auth import needs_refresh

API = "https://api.acme.test/me"
INVALID = {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}


def expired(**extra: object) -> Token:
    return Token(access_token="old", refresh_token="rt-1", expires_at=time.time() - 1, **extra)


# The refresh decision is a pure function --------------------------------------------
def test_needs_refresh_decision() -> None:
    now = 1_000_000.0
    assert needs_refresh(None, 60, now)
    assert not needs_refresh(Token(access_token="a"), 60, now)  # unknown expiry
    assert needs_refresh(Token(access_token="a", expires_at=now + 30), 60, now)
    assert not needs_refresh(Token(access_token="a", expires_at=now + 120), 60, now)


def test_leeway_is_capped_at_a_fraction_of_the_lifetime() -> None:
    now = 1_000_000.0
    short = Token(access_token="a", expires_in=10, expires_at=now + 5)
    assert not needs_refresh(short, 60, now)  # a 60 s leeway would refresh it at every call
    assert needs_refresh(short, 60, now + 4.5)


# Attaching --------------------------------------------------------------------------
def test_session_attaches_a_bearer_header(acme, requests_mock) -> None:
    requests_mock.get(API, json={})
    acme.session(Token(access_token="at")).get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer at"


def test_query_delivery_and_api_headers_come_from_the_provider(pm, requests_mock) -> None:
    provider = ACME.with_endpoints(name="q", token_delivery="query",
                                   api_headers={"X-Api-Version": "3"})
    requests_mock.get(API, json={})
    oauth2_core.client(provider, client_id="i", plugins=pm).session(
        Token(access_token="at")).get(API, params={"a": "1"})
    sent = requests_mock.last_request
    assert parse_qs(urlsplit(sent.url).query) == {"a": ["1"], "access_token": ["at"]}
    assert "Authorization" not in sent.headers and sent.headers["X-Api-Version"] == "3"


def test_custom_authorization_scheme(pm, requests_mock) -> None:
    provider = ACME.with_endpoints(name="y", authorization_scheme="OAuth")
    requests_mock.get(API, json={})
    oauth2_core.client(provider, client_id="i", plugins=pm).session(
        Token(access_token="at")).get(API)
    assert requests_mock.last_request.headers["Authorization"] == "OAuth at"


def test_a_token_is_never_sent_over_plain_http_to_another_host(acme, requests_mock) -> None:
    requests_mock.get("http://api.acme.test/me", json={})
    with pytest.raises(InsecureTransportError):
        acme.session(Token(access_token="at")).get("http://api.acme.test/me")
    assert requests_mock.call_count == 0


def test_the_session_has_the_clients_timeout(pm, requests_mock) -> None:
    requests_mock.get(API, json={})
    client = oauth2_core.client(ACME, client_id="i", timeout=7, plugins=pm)
    client.session(Token(access_token="at")).get(API)
    assert requests_mock.last_request.timeout == 7


@pytest.mark.parametrize("timeout", [None, 3, (1, 2)])
def test_a_timeout_given_to_a_call_wins_even_none(pm, requests_mock, timeout) -> None:
    requests_mock.post(API, json={})
    session = oauth2_core.client(ACME, client_id="i", timeout=7, plugins=pm).session(
        Token(access_token="at"))
    session.request("POST", API, data={"a": "1"}, headers={"X-A": "b"}, timeout=timeout)
    sent = requests_mock.last_request
    assert sent.timeout == timeout and sent.text == "a=1" and sent.headers["X-A"] == "b"


def test_the_seeds_bearer_helper(requests_mock) -> None:
    requests_mock.get(API, json={})
    with requests.Session() as s:
        s.auth = OAuth2BearerToken("seed-token")
        s.get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer seed-token"
    assert "seed-token" not in repr(OAuth2BearerToken("seed-token"))


# Refreshing -------------------------------------------------------------------------
def test_an_expired_token_is_refreshed_before_use_and_reported_first(acme, requests_mock):
    requests_mock.post(TOKEN_URL, json=bearer("new", refresh_token="rt-2"))
    requests_mock.get(API, json={})
    seen: list[Token] = []

    def save(token: Token) -> None:
        seen.append(token)
        assert requests_mock.call_count == 1  # only the refresh so far: saved before use

    session = acme.session(expired(), on_token_refresh=save)
    session.get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer new"
    assert [t.refresh_token for t in seen] == ["rt-2"]
    assert session.token is seen[0]


def test_a_fresh_token_is_not_refreshed(acme, requests_mock) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer())
    requests_mock.get(API, json={})
    acme.session(Token(access_token="at", expires_in=3600)).get(API)
    assert refresh.call_count == 0


def test_a_401_invalid_token_refreshes_once_and_retries(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer("new"))
    requests_mock.get(API, [{"status_code": 401, "headers": INVALID},
                            {"json": {"ok": True}}])
    post_body = requests_mock.post(API, [{"status_code": 401, "headers": INVALID},
                                         {"json": {"ok": True}}])
    session = acme.session(Token(access_token="revoked", refresh_token="rt"))
    response = session.get(API)
    assert response.json() == {"ok": True}
    assert response.history[0].status_code == 401
    assert requests_mock.last_request.headers["Authorization"] == "Bearer new"
    session.post(API, data=b"payload")
    assert post_body.last_request.body == b"payload"


def test_a_retry_after_a_401_sends_the_same_body_again(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer("new"))
    bodies: list[bytes] = []

    def answer(request: Any, context: Any) -> dict[str, bool]:
        body = request.body
        bodies.append(body.read() if hasattr(body, "read") else body)  # as it is sent
        if request.headers["Authorization"] != "Bearer new":
            context.status_code, context.headers = 401, INVALID
        return {"ok": True}

    requests_mock.post(API, json=answer)
    session = acme.session(Token(access_token="revoked", refresh_token="rt"))
    assert session.post(API, data=io.BytesIO(b"streamed")).json() == {"ok": True}
    assert bodies == [b"streamed", b"streamed"]
    bodies.clear()
    session.auth._token = Token(access_token="revoked", refresh_token="rt")  # type: ignore[union-attr]
    response = session.post(API, files={"f": ("a.txt", io.BytesIO(b"file body"))})
    assert response.status_code == 200 and len(bodies) == 2
    assert all(b"file body" in body for body in bodies)


def test_a_body_that_cannot_be_sent_again_gets_the_401_back(acme, requests_mock) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new"))
    requests_mock.post(API, status_code=401, headers=INVALID)
    session = acme.session(Token(access_token="revoked", refresh_token="rt"))
    response = session.post(API, data=(chunk for chunk in [b"once ", b"only"]))
    assert response.status_code == 401 and refresh.call_count == 0


def test_a_retried_query_token_replaces_the_rejected_one(pm, requests_mock) -> None:
    provider = ACME.with_endpoints(name="q", token_delivery="query")
    requests_mock.post(TOKEN_URL, json=bearer("new"))
    api = requests_mock.get(API, [{"status_code": 401, "headers": INVALID}, {"json": {}}])
    client = oauth2_core.client(provider, client_id="i", plugins=pm)
    session = client.session(Token(access_token="old", refresh_token="rt"))
    session.params = {"v": "2"}
    session.get(API, params={"a": "1"})
    assert [parse_qs(urlsplit(r.url).query) for r in api.request_history] == [
        {"v": ["2"], "a": ["1"], "access_token": ["old"]},
        {"v": ["2"], "a": ["1"], "access_token": ["new"]}]


def test_the_auth_alone_retries_with_the_new_query_token_only(pm, requests_mock) -> None:
    provider = ACME.with_endpoints(name="q", token_delivery="query")
    requests_mock.post(TOKEN_URL, json=bearer("new"))
    api = requests_mock.get(API, [{"status_code": 401, "headers": INVALID}, {"json": {}}])
    auth = oauth2_core.client(provider, client_id="i", plugins=pm).auth(
        Token(access_token="old", refresh_token="rt"))
    requests.get(API, params={"a": "1"}, auth=auth, timeout=5)
    assert [parse_qs(urlsplit(r.url).query) for r in api.request_history] == [
        {"a": ["1"], "access_token": ["old"]}, {"a": ["1"], "access_token": ["new"]}]


def test_a_prepared_request_sent_by_hand_is_renewed_only_before_expiry(acme, requests_mock):
    # The session renews after a 401 in request(), which session.send() skips.
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new"))
    requests_mock.get(API, status_code=401, headers=INVALID)
    session = acme.session(Token(access_token="revoked", refresh_token="rt"))
    prepared = session.prepare_request(requests.Request("GET", API))
    assert session.send(prepared).status_code == 401 and refresh.call_count == 0


def test_a_401_after_a_cross_host_redirect_does_not_send_the_token_there(acme, requests_mock):
    # requests drops Authorization when a redirect leaves the host; a 401 from the new
    # host must not put the token back on (it would leak to wherever the API redirects).
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new"))
    requests_mock.get(API, status_code=302, headers={"Location": "https://elsewhere.test/x"})
    elsewhere = requests_mock.get("https://elsewhere.test/x", status_code=401, headers=INVALID)
    response = acme.session(Token(access_token="at", refresh_token="rt")).get(API)
    assert response.status_code == 401 and refresh.call_count == 0
    assert elsewhere.call_count == 1
    assert "Authorization" not in elsewhere.last_request.headers


def test_the_auth_on_its_own_renews_after_a_401_through_a_hook(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer("new"))
    requests_mock.get(API, [{"status_code": 401, "headers": INVALID}, {"json": {"ok": True}}])
    auth = acme.auth(Token(access_token="revoked", refresh_token="rt"))
    response = requests.get(API, auth=auth, timeout=5)
    assert response.json() == {"ok": True} and response.history[0].status_code == 401
    assert requests_mock.last_request.headers["Authorization"] == "Bearer new"


def test_a_401_to_a_request_with_its_own_auth_is_not_renewed_by_the_session(
        acme, requests_mock) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new"))
    requests_mock.get(API, status_code=401, headers=INVALID)
    session = acme.session(Token(access_token="session-at", refresh_token="rt"))
    response = session.get(API, auth=oauth2_core.OAuth2BearerToken("other-at"))
    assert response.status_code == 401 and refresh.call_count == 0
    assert requests_mock.last_request.headers["Authorization"] == "Bearer other-at"


def test_a_session_renews_from_send_not_from_a_hook_on_each_request(acme, requests_mock):
    requests_mock.get(API, json={})
    session = acme.session(Token(access_token="at", refresh_token="rt"))
    assert session.get(API).request.hooks["response"] == []  # the hook cost ~1.5 % a call
    standalone = requests.get(API, auth=acme.auth(Token(access_token="at")), timeout=5)
    assert len(standalone.request.hooks["response"]) == 1


def test_another_sessions_auth_is_renewed_by_itself_not_by_this_session(acme, requests_mock):
    # session_a's send sees the 401, but the token on the request was session_b's: only
    # session_b's auth may renew and re-send it, and session_a's token never goes out.
    refresh = requests_mock.post(TOKEN_URL, json=bearer("b-new"))
    api = requests_mock.get(API, [{"status_code": 401, "headers": INVALID},
                                  {"json": {"ok": True}}])
    session_a = acme.session(Token(access_token="a-at", refresh_token="a-rt"))
    session_b = acme.session(Token(access_token="b-old", refresh_token="b-rt"))
    response = session_a.get(API, auth=session_b.auth)
    assert response.json() == {"ok": True}
    assert parse_qs(refresh.last_request.text)["refresh_token"] == ["b-rt"]
    assert [r.headers["Authorization"] for r in api.request_history] == [
        "Bearer b-old", "Bearer b-new"]
    assert session_b.token is not None and session_b.token.access_token == "b-new"
    assert session_a.token is not None and session_a.token.access_token == "a-at"


def test_a_second_401_is_returned_not_looped(acme, requests_mock) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new"))
    api = requests_mock.get(API, status_code=401, headers=INVALID)
    response = acme.session(Token(access_token="x", refresh_token="rt")).get(API)
    assert response.status_code == 401
    assert (refresh.call_count, api.call_count) == (1, 2)


@pytest.mark.parametrize("challenge", ['Bearer error="insufficient_scope"', "Basic realm=x", ""])
def test_other_401s_do_not_refresh(acme, requests_mock, challenge) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer())
    requests_mock.get(API, status_code=401, headers={"WWW-Authenticate": challenge})
    assert acme.session(Token(access_token="x", refresh_token="rt")).get(API).status_code == 401
    assert refresh.call_count == 0


def test_a_401_for_a_token_that_cannot_be_renewed_is_handed_back(acme, requests_mock) -> None:
    requests_mock.get(API, status_code=401, headers=INVALID)
    assert acme.session(Token(access_token="x")).get(API).status_code == 401


def test_client_credentials_tokens_are_refetched_not_refreshed(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer("cc-1", expires_in=1))
    requests_mock.get(API, json={})
    session = acme.session()  # no token: client credentials on demand
    session.get(API)
    assert parse_qs(endpoint.last_request.text)["grant_type"] == ["client_credentials"]
    session.auth._token["expires_at"] = time.time() - 1  # type: ignore[union-attr]
    endpoint = requests_mock.post(TOKEN_URL, json=bearer("cc-2"))
    session.get(API)
    assert parse_qs(endpoint.last_request.text)["grant_type"] == ["client_credentials"]
    assert requests_mock.last_request.headers["Authorization"] == "Bearer cc-2"


def test_an_expired_token_without_refresh_token_is_a_clear_error(acme, requests_mock) -> None:
    with pytest.raises(oauth2_core.InvalidToken, match="no refresh_token"):
        acme.session(Token(access_token="a", expires_at=1)).get(API)


def test_a_failing_callback_is_surfaced_and_the_new_token_still_used(acme, requests_mock):
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new", refresh_token="rt-2"))
    requests_mock.get(API, json={})

    def broken_store(token: Token) -> None:
        raise OSError("disk full")

    session = acme.session(expired(), on_token_refresh=broken_store)
    with pytest.raises(RefreshCallbackError) as info:
        session.get(API)
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.token.refresh_token == "rt-2"
    assert "rt-2" not in str(info.value) and "new" not in str(info.value)
    session.get(API)  # the session kept the new token: no second refresh
    assert refresh.call_count == 1
    assert requests_mock.last_request.headers["Authorization"] == "Bearer new"


def test_refresh_is_single_flight_across_threads(acme, requests_mock) -> None:
    """32 threads share one expired token: exactly one refresh, all use the new token."""
    lock = threading.Lock()
    refreshes: list[int] = []

    def slow_refresh(request, context):  # keep the refresh in flight while others arrive
        with lock:
            refreshes.append(1)
        time.sleep(0.2)
        return bearer("new", refresh_token="rt-2")

    requests_mock.post(TOKEN_URL, json=slow_refresh)
    requests_mock.get(API, json={})
    saved: list[Token] = []
    auth = acme.auth(expired(), on_token_refresh=saved.append)
    barrier = threading.Barrier(32)
    used: list[str] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            with requests.Session() as s:
                s.auth = auth
                barrier.wait()
                response = s.get(API, timeout=10)
                used.append(response.request.headers["Authorization"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(refreshes) == 1 and len(saved) == 1
    assert used == ["Bearer new"] * 32


def test_auth_repr_shows_no_token(acme) -> None:
    auth = acme.auth(Token(access_token="secret-at", refresh_token="secret-rt"))
    assert "secret" not in repr(auth)
    assert "acme-secret" not in repr(acme)
