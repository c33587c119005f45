"""The authorization code flow (RFC 6749 4.1) with state, PKCE (RFC 7636), nonce, iss."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import (
    PKCE_UNSUPPORTED,
    AccessDenied,
    AuthorizationRequest,
    CallbackError,
    IssuerMismatch,
    StateMismatch,
)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def callback(req: AuthorizationRequest, **params: str) -> str:
    params.setdefault("state", req.state)
    return "https://app.test/cb?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_begin_authorization_adds_state_pkce_s256_and_no_nonce_without_openid(acme) -> None:
    req = acme.begin_authorization(scope=["email"], prompt="consent")
    q = query(req.url)
    assert q["state"] == [req.state] and len(req.state) >= 32
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(req.code_verifier.encode()).digest()).rstrip(b"=").decode()
    assert q["code_challenge"] == [challenge] and q["code_challenge_method"] == ["S256"]
    assert 43 <= len(req.code_verifier) <= 128
    assert "nonce" not in q and req.nonce is None
    assert q["prompt"] == ["consent"] and q["scope"] == ["email"]
    assert q["redirect_uri"] == ["https://app.test/cb"] and q["client_id"] == ["acme-id"]


def test_begin_authorization_adds_a_nonce_for_openid(acme) -> None:
    req = acme.begin_authorization(scope=["openid", "email"])
    assert query(req.url)["nonce"] == [req.nonce] and req.nonce


def test_each_authorization_gets_fresh_secrets(acme) -> None:
    a, b = acme.begin_authorization(), acme.begin_authorization()
    assert a.state != b.state and a.code_verifier != b.code_verifier


def test_pkce_is_left_out_when_the_provider_forbids_it(pm) -> None:
    provider = ACME.with_endpoints(name="nopkce", pkce=PKCE_UNSUPPORTED)
    client = oauth2_core.client(provider, client_id="i", plugins=pm)
    req = client.begin_authorization()
    assert "code_challenge" not in query(req.url) and req.code_verifier is None


def test_complete_authorization_exchanges_the_code_with_the_verifier(acme, requests_mock):
    endpoint = requests_mock.post(TOKEN_URL, json=bearer(refresh_token="rt"))
    req = acme.begin_authorization(scope=["email"])
    token = acme.complete_authorization(callback(req, code="the-code"), req)
    sent = parse_qs(endpoint.last_request.text)
    assert sent == {"grant_type": ["authorization_code"], "code": ["the-code"],
                    "redirect_uri": ["https://app.test/cb"],
                    "code_verifier": [req.code_verifier]}
    assert token.access_token == "at-1" and token.scopes == ("email",)


def test_complete_authorization_accepts_params_and_a_stored_request(acme, requests_mock):
    requests_mock.post(TOKEN_URL, json=bearer())
    req = acme.begin_authorization(scope=["email"])
    stored = json.loads(json.dumps(req.to_dict()))
    assert set(stored) >= {"url", "state", "code_verifier", "nonce", "redirect_uri"}
    restored = AuthorizationRequest.from_dict(stored)
    assert restored == req
    token = acme.complete_authorization({"code": "c", "state": [req.state]}, restored)
    assert token.access_token == "at-1"


def test_a_callback_error_becomes_its_typed_exception(acme) -> None:
    req = acme.begin_authorization()
    with pytest.raises(AccessDenied) as info:
        acme.complete_authorization(
            callback(req, error="access_denied", error_description="User+said+no",
                     error_uri="https%3A%2F%2Fdocs.test%2Fe"), req)
    assert (info.value.error, info.value.description, info.value.uri) == (
        "access_denied", "User said no", "https://docs.test/e")


@pytest.mark.parametrize("state", [None, "", "forged"])
def test_a_missing_or_wrong_state_is_refused_before_anything_else(acme, requests_mock,
                                                                   state) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    req = acme.begin_authorization()
    params = {"code": "c"} if state is None else {"code": "c", "state": state}
    with pytest.raises(StateMismatch):
        acme.complete_authorization(params, req)
    assert endpoint.call_count == 0


def test_a_state_mismatch_with_an_error_mentions_the_error_code(acme) -> None:
    req = acme.begin_authorization()
    with pytest.raises(StateMismatch, match="access_denied"):
        acme.complete_authorization({"error": "access_denied"}, req)


def test_a_mismatched_iss_is_refused(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    req = acme.begin_authorization()
    with pytest.raises(IssuerMismatch, match="mix-up"):
        acme.complete_authorization(
            {"code": "c", "state": req.state, "iss": "https://evil.test"}, req)
    assert endpoint.call_count == 0
    acme.complete_authorization({"code": "c", "state": req.state, "iss": ACME.issuer}, req)


def test_iss_is_required_when_the_provider_always_sends_it(pm, requests_mock) -> None:
    client = oauth2_core.client(ACME.with_endpoints(require_iss=True), client_id="i",
                                plugins=pm)
    req = client.begin_authorization()
    with pytest.raises(IssuerMismatch, match="lacks the iss"):
        client.complete_authorization({"code": "c", "state": req.state}, req)


def test_a_callback_without_code_or_error_is_refused(acme) -> None:
    req = acme.begin_authorization()
    with pytest.raises(CallbackError, match="neither code nor error"):
        acme.complete_authorization({"state": req.state}, req)


def test_a_repeated_callback_parameter_is_refused(acme) -> None:
    req = acme.begin_authorization()
    with pytest.raises(CallbackError, match="repeated"):
        acme.complete_authorization({"state": [req.state, req.state], "code": "c"}, req)


def test_a_stored_request_without_state_is_refused() -> None:
    with pytest.raises(CallbackError):
        AuthorizationRequest.from_dict({"url": "https://x"})


def test_authorization_request_repr_hides_state_verifier_and_nonce(acme) -> None:
    req = acme.begin_authorization(scope=["openid"])
    text = repr(req)
    for secret in (req.state, req.code_verifier, req.nonce):
        assert secret not in text


def test_redirect_uri_may_be_given_per_authorization(acme, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    req = acme.begin_authorization(redirect_uri="https://app.test/other")
    acme.complete_authorization(callback(req, code="c"), req)
    assert parse_qs(endpoint.last_request.text)["redirect_uri"] == ["https://app.test/other"]


def test_granted_scope_differing_from_the_request_is_recorded_not_raised(acme, requests_mock):
    requests_mock.post(TOKEN_URL, json=bearer(scope="email"))
    req = acme.begin_authorization(scope=["email", "calendar"])
    token = acme.complete_authorization(callback(req, code="c"), req)
    assert token.scopes == ("email",)


def test_authorize_url_is_the_seeds_plain_call(acme) -> None:
    url = acme.authorize_url(scope=["email"], response_type="code", access_type="offline")
    assert url.startswith("https://id.acme.test/authorize?")
    assert query(url) == {"response_type": ["code"], "client_id": ["acme-id"],
                          "redirect_uri": ["https://app.test/cb"], "scope": ["email"],
                          "access_type": ["offline"]}
    assert query(acme.authorize_url(state="s1"))["state"] == ["s1"]


def test_scope_separator_and_extra_params_come_from_the_provider(pm) -> None:
    provider = ACME.with_endpoints(name="commas", scope_separator=",",
                                   extra_authorize_params={"duration": "permanent"},
                                   authorize_url="https://id.acme.test/auth?tenant=x")
    client = oauth2_core.client(provider, client_id="i", plugins=pm)
    url = client.authorize_url(scope="a b")
    assert url.startswith("https://id.acme.test/auth?tenant=x&")
    assert query(url)["scope"] == ["a,b"] and query(url)["duration"] == ["permanent"]


def test_an_authorize_url_needs_a_client_id(pm) -> None:
    client = oauth2_core.client(ACME, plugins=pm)
    with pytest.raises(oauth2_core.ConfigurationError, match="OAUTH2_ACME_CLIENT_ID"):
        client.authorize_url()


def test_the_plain_authorize_url_refuses_to_skip_required_pkce(pm) -> None:
    client = oauth2_core.client(ACME.with_endpoints(name="strict", pkce="required"),
                                client_id="i", plugins=pm)
    with pytest.raises(oauth2_core.ConfigurationError, match="requires PKCE"):
        client.authorize_url()
    assert "code_challenge=" in client.authorize_url(code_challenge="c" * 43,
                                                     code_challenge_method="S256")
    assert "code_challenge=" in client.begin_authorization().url


def test_scope_granted_in_the_callback_wins_over_the_requested_one(acme, requests_mock):
    requests_mock.post(TOKEN_URL, json=bearer())
    req = acme.begin_authorization(scope=["read", "write"])
    token = acme.complete_authorization(callback(req, code="c", scope="read"), req)
    assert token.scopes == ("read",)
    req = acme.begin_authorization(scope=["read", "write"])
    assert acme.complete_authorization(callback(req, code="c"), req).scopes == ("read", "write")
