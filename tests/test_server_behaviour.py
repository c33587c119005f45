"""The test server's knobs, faults, consent page, browser helper, log and lifecycle."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from oauth2_core.testing.config import ENDPOINTS
from oauth2_core.testing.server import ROUTES, AuthorizationServer, AuthorizeFailed, ServerClient

TIMEOUT = 10
REDIRECT = "http://127.0.0.1/callback"


@pytest.fixture
def app(oauth2_server: AuthorizationServer) -> ServerClient:
    return oauth2_server.register_client(client_id="app", client_secret="s3cret",
                                         client_name="The App")


def cc(server: AuthorizationServer, **data: str) -> requests.Response:
    return requests.post(server.url("/token"), auth=("app", "s3cret"),
                         data={"grant_type": "client_credentials", **data}, timeout=TIMEOUT)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def start_url(server: AuthorizationServer, **extra: str) -> str:
    return requests.Request("GET", server.url("/authorize"), params={
        "response_type": "code", "client_id": "app", "redirect_uri": REDIRECT,
        "scope": "openid email", "state": "xyz", **extra}).prepare().url or ""


# Faults --------------------------------------------------------------------------------
def test_fault_503_answers_an_html_page_like_a_proxy(oauth2_server, app) -> None:
    oauth2_server.config.fault("token", 503)
    response = cc(oauth2_server)
    assert response.status_code == 503 and "text/html" in response.headers["Content-Type"]


def test_fault_429_with_retry_after_then_recovery(oauth2_server, app) -> None:
    oauth2_server.config.fault("token", 429, retry_after=3, times=1)
    limited = cc(oauth2_server)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3"
    assert cc(oauth2_server).status_code == 200


def test_fault_error_in_http_200(oauth2_server, app) -> None:
    oauth2_server.config.fault("token", 200, error="invalid_grant", error_description="no")
    response = cc(oauth2_server)
    assert response.status_code == 200
    assert response.json() == {"error": "invalid_grant", "error_description": "no"}


def test_fault_only_for_one_grant_type(oauth2_server, app) -> None:
    oauth2_server.config.fault("token", 500, grant_type="refresh_token")
    assert cc(oauth2_server).status_code == 200


def test_fault_delay_answers_normally_but_late(oauth2_server, app) -> None:
    oauth2_server.config.fault("token", delay=2)
    with pytest.raises(requests.Timeout):
        requests.post(oauth2_server.url("/token"), auth=("app", "s3cret"),
                      data={"grant_type": "client_credentials"}, timeout=0.2)


def test_newest_fault_wins_and_faults_can_be_removed(oauth2_server, app) -> None:
    older = oauth2_server.config.fault("*", 502)
    newer = oauth2_server.config.fault("token", 504)
    assert cc(oauth2_server).status_code == 504
    oauth2_server.config.remove_fault(newer)
    assert cc(oauth2_server).status_code == 502
    oauth2_server.config.remove_fault(older)
    assert cc(oauth2_server).status_code == 200


def test_unknown_fault_endpoint_is_refused(oauth2_server) -> None:
    with pytest.raises(ValueError, match="unknown endpoint"):
        oauth2_server.config.fault("tokens", 500)


def test_reset_restores_defaults_and_clears_faults(oauth2_server, app) -> None:
    oauth2_server.config.fault("token", 500)
    oauth2_server.config.access_token_ttl = 2
    oauth2_server.reset()
    body = cc(oauth2_server).json()
    assert body["expires_in"] == 3600
    assert oauth2_server.requests[-1].endpoint == "token" and len(oauth2_server.requests) == 1


# Settings ------------------------------------------------------------------------------
def test_form_encoded_token_responses(oauth2_server, app) -> None:
    oauth2_server.config.token_response_format = "form"
    response = cc(oauth2_server)
    assert response.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert query_of("?" + response.text)["token_type"] == "Bearer"


def test_errors_with_status_200(oauth2_server, app) -> None:
    oauth2_server.config.errors_with_status_200 = True
    response = cc(oauth2_server, scope="x", grant_type="password")
    assert response.status_code == 200 and response.json()["error"] == "invalid_request"


def test_token_lifetime_and_extra_fields(oauth2_server, app) -> None:
    oauth2_server.config.access_token_ttl = 2
    oauth2_server.config.extra_token_fields = {"team": "blue"}
    body = cc(oauth2_server).json()
    assert body["expires_in"] == 2 and body["team"] == "blue"


@pytest.mark.parametrize("setting, expected", [
    (False, None), ("https://evil.example", "https://evil.example")])
def test_iss_in_the_authorization_response_can_be_left_out_or_wrong(
        oauth2_server, app, setting, expected) -> None:
    oauth2_server.config.authorization_response_iss = setting
    assert query_of(oauth2_server.authorize(start_url(oauth2_server))).get("iss") == expected
    meta = requests.get(oauth2_server.url("/.well-known/openid-configuration"),
                        timeout=TIMEOUT).json()
    assert meta["authorization_response_iss_parameter_supported"] is (setting is not False)


def test_require_pkce_for_confidential_clients(oauth2_server, app) -> None:
    oauth2_server.config.require_pkce = True
    assert query_of(oauth2_server.authorize(start_url(oauth2_server)))["error"] == "invalid_request"


def test_expired_code_and_token_with_a_clock_that_jumps() -> None:
    now = [time.time()]
    with AuthorizationServer(clock=lambda: now[0]) as server:
        server.register_client(client_id="app", client_secret="s3cret")
        code = query_of(server.authorize(start_url(server)))["code"]
        access = cc(server).json()["access_token"]
        now[0] += 3600
        me = requests.get(server.url("/api/me"), headers={"Authorization": f"Bearer {access}"},
                          timeout=TIMEOUT)
        assert me.status_code == 401
        exchange = requests.post(server.url("/token"), auth=("app", "s3cret"), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
            timeout=TIMEOUT)
        assert exchange.json()["error"] == "invalid_grant"


def test_without_id_tokens_there_is_no_jwks_and_no_id_token() -> None:
    with AuthorizationServer(id_tokens=False) as server:
        server.register_client(client_id="app", client_secret="s3cret")
        meta = requests.get(server.url("/.well-known/openid-configuration"),
                            timeout=TIMEOUT).json()
        assert "jwks_uri" not in meta and "id_token_signing_alg_values_supported" not in meta
        assert requests.get(server.url("/jwks"), timeout=TIMEOUT).status_code == 404
        code = query_of(server.authorize(start_url(server)))["code"]
        body = requests.post(server.url("/token"), auth=("app", "s3cret"), data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
            timeout=TIMEOUT).json()
        assert "access_token" in body and "id_token" not in body
        assert server.provider().jwks_url is None


def test_key_rotation_publishes_the_new_key(oauth2_server) -> None:
    old = requests.get(oauth2_server.url("/jwks"), timeout=TIMEOUT).json()["keys"]
    kid = oauth2_server.rotate_signing_key(keep_old=False)
    new = requests.get(oauth2_server.url("/jwks"), timeout=TIMEOUT).json()["keys"]
    assert [k["kid"] for k in new] == [kid] and kid not in {k["kid"] for k in old}


# Consent page and the browser helper ------------------------------------------------
def test_consent_page_names_the_client_and_scopes(oauth2_server, app) -> None:
    oauth2_server.config.consent = True
    page = requests.get(start_url(oauth2_server), timeout=TIMEOUT)
    assert page.status_code == 200 and "The App" in page.text
    assert "<li>email</li>" in page.text and 'value="allow"' in page.text


def test_consent_allow_and_deny(oauth2_server, app) -> None:
    oauth2_server.config.consent = True
    oauth2_server.add_user("bob")
    allowed = query_of(oauth2_server.authorize(start_url(oauth2_server), username="bob"))
    assert allowed["state"] == "xyz" and "code" in allowed
    denied = query_of(oauth2_server.authorize(start_url(oauth2_server), approve=False))
    assert denied["error"] == "access_denied" and denied["state"] == "xyz"
    assert denied["iss"] == oauth2_server.issuer


def test_consent_with_prompt_none_is_consent_required(oauth2_server, app) -> None:
    oauth2_server.config.consent = True
    result = query_of(oauth2_server.authorize(start_url(oauth2_server, prompt="none")))
    assert result["error"] == "consent_required"


def test_authorize_helper_signs_in_as_the_user_asked(oauth2_server, app) -> None:
    oauth2_server.add_user("bob")
    code = query_of(oauth2_server.authorize(start_url(oauth2_server), username="bob"))["code"]
    body = requests.post(oauth2_server.url("/token"), auth=("app", "s3cret"), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        timeout=TIMEOUT).json()
    me = requests.get(oauth2_server.url("/api/me"), timeout=TIMEOUT,
                      headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == "bob"


def test_authorize_helper_raises_on_an_error_page(oauth2_server, app) -> None:
    url = start_url(oauth2_server, redirect_uri="http://127.0.0.1:1/elsewhere")
    with pytest.raises(AuthorizeFailed, match="redirect_uri") as info:
        oauth2_server.authorize(url.replace("redirect_uri=http%3A%2F%2F127.0.0.1%2Fcallback&", ""))
    assert info.value.status == 400


# Request log, routing, lifecycle ---------------------------------------------------------
def test_requests_are_recorded_and_their_repr_hides_secrets(oauth2_server, app) -> None:
    cc(oauth2_server, scope="api")
    recorded = oauth2_server.requests_to("token")[0]
    assert recorded.form == {"grant_type": "client_credentials", "scope": "api"}
    assert recorded.headers["authorization"].startswith("Basic ")
    assert "Basic" not in repr(recorded)


def test_every_fault_endpoint_name_is_served() -> None:
    assert {name for name, _, _ in ROUTES.values()} == ENDPOINTS


def test_unknown_path_and_wrong_method(oauth2_server) -> None:
    assert requests.get(oauth2_server.url("/nope"), timeout=TIMEOUT).status_code == 404
    wrong = requests.get(oauth2_server.url("/token"), timeout=TIMEOUT)
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "POST"


def test_stop_frees_the_port_and_a_stopped_server_stays_stopped() -> None:
    server = AuthorizationServer().start()
    port = server.port
    with requests.Session() as keep_alive:  # an open keep-alive connection must not hang
        keep_alive.get(server.url("/jwks"), timeout=TIMEOUT)
        server.stop()
    with AuthorizationServer(port=port) as again:  # the port is free for a new server
        assert again.port == port
    with pytest.raises(RuntimeError):
        server.start()


def test_endpoint_bugs_become_500_and_are_kept(oauth2_server, monkeypatch) -> None:
    def broken(*args: Any) -> None:
        raise KeyError("bug")

    monkeypatch.setattr(oauth2_server.authority, "introspect", broken)
    oauth2_server.register_client(client_id="rs", client_secret="r")
    response = requests.post(oauth2_server.url("/introspect"), auth=("rs", "r"),
                             data={"token": "t"}, timeout=TIMEOUT)
    assert response.status_code == 500 and response.json() == {"error": "server_error"}
    assert isinstance(oauth2_server.errors.pop(), KeyError)  # else the fixture fails the test


def test_register_client_validates() -> None:
    server = AuthorizationServer()
    with pytest.raises(ValueError):
        server.register_client(client_secret=None, token_endpoint_auth_method="client_secret_basic")
    with pytest.raises(ValueError):
        server.register_client(redirect_uris=["http://127.0.0.1/cb#frag"])
    public = server.register_client(client_secret=None)
    assert public.is_public and "client_credentials" not in public.grant_types
    assert "hidden-value" not in repr(server.register_client(client_secret="hidden-value"))
