"""Grants, client authentication, revocation, introspection and userinfo."""

from __future__ import annotations

import base64
import sys
from urllib.parse import parse_qs, unquote_plus

import pytest
import requests
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import ConfigurationError, InvalidToken, Token, TokenResponseError


def form(matcher) -> dict[str, list[str]]:
    return parse_qs(matcher.last_request.text)


def test_client_secret_basic_form_urlencodes_id_and_secret_before_base64(pm, requests_mock):
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    client = oauth2_core.client(ACME, client_id="id:with space", client_secret="a:b%c+d /e",
                                plugins=pm)
    client.client_credentials()
    header = endpoint.last_request.headers["Authorization"]
    raw = base64.b64decode(header.removeprefix("Basic ")).decode()
    assert raw == "id%3Awith+space:a%3Ab%25c%2Bd+%2Fe"
    user, password = raw.split(":")
    assert (unquote_plus(user), unquote_plus(password)) == ("id:with space", "a:b%c+d /e")
    assert "client_secret" not in form(endpoint)


def test_client_secret_post_puts_credentials_in_the_body(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    oauth2_core.client(ACME, client_id="i", client_secret="a:b%c+d /e", plugins=pm,
                       token_endpoint_auth_method="client_secret_post").client_credentials()
    assert form(endpoint)["client_secret"] == ["a:b%c+d /e"]
    assert form(endpoint)["client_id"] == ["i"]
    assert "Authorization" not in endpoint.last_request.headers


def test_provider_default_auth_method_is_used(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    provider = ACME.with_endpoints(name="posty", token_endpoint_auth_method="client_secret_post")
    oauth2_core.client(provider, client_id="i", client_secret="s", plugins=pm).client_credentials()
    assert form(endpoint)["client_secret"] == ["s"]


def test_a_public_client_sends_only_its_id(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    client = oauth2_core.client(ACME, client_id="public-app", plugins=pm)
    assert client.token_endpoint_auth_method == "none"
    client.get_token(code="c", code_verifier="v" * 43)
    assert form(endpoint)["client_id"] == ["public-app"]
    assert "Authorization" not in endpoint.last_request.headers


def test_an_explicit_secret_method_without_a_secret_is_a_clear_error(pm) -> None:
    client = oauth2_core.client(ACME, client_id="i", plugins=pm,
                                token_endpoint_auth_method="client_secret_basic")
    with pytest.raises(ConfigurationError, match="OAUTH2_ACME_CLIENT_SECRET"):
        client.client_credentials()


def test_jwt_auth_methods_without_the_extra_say_what_to_install(pm, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "jwt", None)  # as if PyJWT were not installed
    client = oauth2_core.client(ACME, client_id="i", client_secret="s", plugins=pm,
                                token_endpoint_auth_method="private_key_jwt")
    with pytest.raises(ConfigurationError, match="oauth2-core"):
        client.client_credentials()


def test_client_credentials_sends_scope_and_marks_the_token(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    client = oauth2_core.client(ACME, client_id="i", client_secret="s", scope=["a", "b"],
                                plugins=pm)
    token = client.client_credentials()
    assert form(endpoint) == {"grant_type": ["client_credentials"], "scope": ["a b"]}
    assert token.grant_type == "client_credentials"
    client.client_credentials(scope="c")
    assert form(endpoint)["scope"] == ["c"]


def test_password_grant_works_but_warns_it_is_deprecated(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    with pytest.warns(DeprecationWarning, match="RFC 9700"):
        acme.password("ada", "hunter2", scope=["read"])
    assert form(endpoint) == {"grant_type": ["password"], "username": ["ada"],
                              "password": ["hunter2"], "scope": ["read"]}


def test_refresh_keeps_the_old_refresh_token_when_not_rotated(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer("at-2"))
    token = acme.refresh_token(Token(access_token="at-1", refresh_token="rt-1", scope="x"))
    assert form(endpoint) == {"grant_type": ["refresh_token"], "refresh_token": ["rt-1"]}
    assert (token.access_token, token.refresh_token, token.scopes) == ("at-2", "rt-1", ("x",))


def test_refresh_takes_the_rotated_refresh_token(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer("at-2", refresh_token="rt-2"))
    assert acme.refresh_token("rt-1").refresh_token == "rt-2"


def test_refresh_accepts_the_seeds_keyword_form_and_a_scope(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    acme.refresh_token(refresh_token="rt-1", grant_type="refresh_token", scope=["a"])
    assert form(endpoint) == {"grant_type": ["refresh_token"], "refresh_token": ["rt-1"],
                              "scope": ["a"]}


def test_refresh_without_a_refresh_token_is_a_clear_error(acme) -> None:
    with pytest.raises(ConfigurationError, match="needs a refresh token"):
        acme.refresh_token(Token(access_token="a"))


def test_get_token_runs_other_grants_too(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    acme.get_token(grant_type="client_credentials", scope="x")
    assert form(endpoint) == {"grant_type": ["client_credentials"], "scope": ["x"]}
    with pytest.raises(ConfigurationError, match="code"):
        acme.get_token()


def test_revoke_prefers_the_refresh_token_and_authenticates(acme, requests_mock) -> None:
    endpoint = requests_mock.post(ACME.revocation_url, text="")
    acme.revoke_token(Token(access_token="at", refresh_token="rt"))
    assert form(endpoint) == {"token": ["rt"], "token_type_hint": ["refresh_token"]}
    assert endpoint.last_request.headers["Authorization"].startswith("Basic ")
    acme.revoke_token("raw-token", token_type_hint="access_token")
    assert form(endpoint) == {"token": ["raw-token"], "token_type_hint": ["access_token"]}


def test_revocation_errors_are_typed(acme, requests_mock) -> None:
    requests_mock.post(ACME.revocation_url, status_code=400,
                       json={"error": "unsupported_token_type"})
    with pytest.raises(oauth2_core.UnsupportedTokenType):
        acme.revoke_token("t")
    requests_mock.post(ACME.revocation_url, status_code=503, text="busy")
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 503"):
        acme.revoke_token("t")


def test_endpoints_the_provider_lacks_are_configuration_errors(pm) -> None:
    client = oauth2_core.client(oauth2_core.Provider(name="bare"), client_id="i", plugins=pm)
    for call in (lambda: client.revoke_token("t"), lambda: client.introspect_token("t"),
                 lambda: client.userinfo("t"), client.client_credentials,
                 lambda: client.authorize_url()):
        with pytest.raises(ConfigurationError, match="has no"):
            call()


def test_introspection_returns_the_answer(acme, requests_mock) -> None:
    endpoint = requests_mock.post(ACME.introspection_url, json={"active": True, "sub": "u1"})
    info = acme.introspect_token(Token(access_token="at", refresh_token="rt"))
    assert info == {"active": True, "sub": "u1"}
    assert form(endpoint) == {"token": ["at"], "token_type_hint": ["access_token"]}
    assert endpoint.last_request.headers["Authorization"].startswith("Basic ")


@pytest.mark.parametrize("body", [{"sub": "no active"}, {"active": "yes"}, ["x"]])
def test_a_malformed_introspection_answer_is_a_token_response_error(acme, requests_mock, body):
    requests_mock.post(ACME.introspection_url, json=body)
    with pytest.raises(TokenResponseError, match="active"):
        acme.introspect_token("t")


def test_introspection_errors_are_typed(acme, requests_mock) -> None:
    requests_mock.post(ACME.introspection_url, status_code=401, json={"error": "invalid_client"})
    with pytest.raises(oauth2_core.InvalidClient):
        acme.introspect_token("t")


def test_userinfo_normalises_openid_claims_and_never_refreshes(acme, requests_mock) -> None:
    token_endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    requests_mock.get(ACME.userinfo_url, json={
        "sub": "248289761001", "email": "j@example.test", "email_verified": "true",
        "given_name": "Jane", "family_name": "Doe", "preferred_username": "j.doe",
        "picture": "https://img.test/j.png"})
    expired = Token(access_token="old", refresh_token="rt", expires_at=1)
    user = acme.userinfo(expired)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer old"
    assert token_endpoint.call_count == 0
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        "248289761001", "j@example.test", True, "Jane Doe", "j.doe", "https://img.test/j.png")
    assert user.raw["given_name"] == "Jane"
    assert user.to_dict()["id"] == "248289761001"


@pytest.mark.parametrize(("status", "body"), [(500, {"error": "x"}), (200, ["x"])])
def test_userinfo_failures_are_oauth2_errors(acme, requests_mock, status, body) -> None:
    requests_mock.get(ACME.userinfo_url, status_code=status, json=body)
    with pytest.raises(oauth2_core.OAuth2Error, match="userinfo|profile"):
        acme.userinfo("t")


def test_userinfo_rejecting_the_token_is_invalid_token(acme, requests_mock) -> None:
    requests_mock.get(ACME.userinfo_url, status_code=401,
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    with pytest.raises(InvalidToken, match="rejected the token"):
        acme.userinfo("t")


def test_userinfo_with_a_token_lacking_access_token_is_refused(acme) -> None:
    with pytest.raises(InvalidToken):
        acme.userinfo(Token(refresh_token="rt"))


def test_revoke_sends_the_access_token_where_the_provider_says_so(pm, requests_mock) -> None:
    endpoint = requests_mock.post(ACME.revocation_url, text="")
    provider = ACME.with_endpoints(name="access-only", revoke_refresh_token=False)
    client = oauth2_core.client(provider, client_id="i", client_secret="s", plugins=pm)
    client.revoke_token(Token(access_token="at", refresh_token="rt"))
    assert form(endpoint) == {"token": ["at"], "token_type_hint": ["access_token"]}


def test_client_credentials_do_not_send_the_providers_login_scopes(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    provider = ACME.with_endpoints(name="oidcish", default_scopes=("openid", "email"))
    oauth2_core.client(provider, client_id="i", client_secret="s", plugins=pm).client_credentials()
    assert form(endpoint) == {"grant_type": ["client_credentials"]}


def test_revocation_accepts_any_2xx(acme, requests_mock) -> None:
    requests_mock.post(ACME.revocation_url, status_code=204)
    acme.revoke_token("t")


def test_fake_token_endpoint_takes_the_body_as_token_or_json(requests_mock) -> None:
    from oauth2_core.testing import fake_token_endpoint

    fake_token_endpoint(requests_mock, TOKEN_URL, json={"access_token": "given"})
    assert requests.post(TOKEN_URL, timeout=1).json() == {"access_token": "given"}
