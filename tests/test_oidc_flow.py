"""OpenID Connect sign-in end to end (with requests-mock): discovery, the code flow with
id_token validation, userinfo from and merged with the id_token, and life without PyJWT."""

from __future__ import annotations

import sys
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_support import CLIENT_ID, CLIENT_SECRET, ISSUER, rsa_key, unsigned_token

import oauth2_core
from oauth2_core import ConfigurationError, InvalidIDToken, OAuth2Error, Provider, Token

REDIRECT = "https://rp.example/cb"


@pytest.fixture
def client(served: dict[str, Any], pm: Any) -> oauth2_core.OAuth2Client:
    return oauth2_core.client("oidc", issuer=ISSUER, client_id=CLIENT_ID,
                              client_secret=CLIENT_SECRET, redirect_uri=REDIRECT, plugins=pm)


@pytest.fixture
def without_pyjwt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import jwt`` fail, as in an install without the ``jwt`` extra."""
    for name in [m for m in sys.modules if m == "jwt" or m.startswith("jwt.")]:
        monkeypatch.setitem(sys.modules, name, None)


def sign_in(client: oauth2_core.OAuth2Client, requests_mock: Any,
            id_token_for: Any, **token_fields: Any) -> Token:
    """begin -> callback -> complete, with a token endpoint answering ``id_token_for(req)``."""
    request = client.begin_authorization(scope=["openid", "email"])
    body = {"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
            "id_token": id_token_for(request), **token_fields}
    requests_mock.post(f"{ISSUER}/token", json=body)
    callback = f"{REDIRECT}?code=c-1&state={request.state}&iss={ISSUER}"
    return client.complete_authorization(callback, request)


# The code flow ---------------------------------------------------------------------------
def test_sign_in_validates_the_id_token_with_the_requests_nonce(client, idp, requests_mock,
                                                                served) -> None:
    token = sign_in(client, requests_mock, lambda req: idp.id_token(nonce=req.nonce))
    assert token.access_token == "at-1"
    assert served["jwks"].call_count == 1  # the signature was checked
    sent = parse_qs(requests_mock.request_history[-2].text)
    assert sent["grant_type"] == ["authorization_code"] and sent["code"] == ["c-1"]


def test_the_authorization_url_comes_from_discovery_with_nonce_and_pkce(client) -> None:
    request = client.begin_authorization()
    query = parse_qs(urlsplit(request.url).query)
    assert request.url.startswith(f"{ISSUER}/authorize?")
    assert query["scope"] == ["openid"] and query["nonce"] == [request.nonce]
    assert query["code_challenge_method"] == ["S256"]


@pytest.mark.parametrize(("make", "check"), [
    (lambda idp, req: idp.id_token(nonce="replayed-from-another-login"), "'nonce' failed"),
    (lambda idp, req: idp.id_token(), "has no nonce"),
    (lambda idp, req: idp.id_token(nonce=req.nonce, aud="another-client"), "'aud' failed"),
    (lambda idp, req: idp.id_token(nonce=req.nonce, iss="https://evil.example"),
     "'iss' failed"),
    (lambda idp, req: idp.id_token(nonce=req.nonce, exp=int(time.time()) - 3600),
     "'exp' failed"),
    (lambda idp, req: idp.sign(idp.claims(req.nonce), key=rsa_key("attacker")),
     "'signature' failed"),
    (lambda idp, req: unsigned_token(idp.claims(req.nonce)), "'alg' failed"),
])
def test_sign_in_refuses_a_bad_id_token(client, idp, requests_mock, make, check) -> None:
    with pytest.raises(InvalidIDToken, match=check) as info:
        sign_in(client, requests_mock, lambda req: make(idp, req))
    assert "at-1" not in str(info.value)


def test_sign_in_checks_at_hash_against_the_access_token(client, idp, requests_mock) -> None:
    with pytest.raises(InvalidIDToken, match="'at_hash' failed"):
        sign_in(client, requests_mock,
                lambda req: idp.id_token(nonce=req.nonce, at_hash="AAAAAAAAAAAAAAAAAAAAAA"))


def test_a_token_response_without_id_token_is_left_alone(client, requests_mock) -> None:
    request = client.begin_authorization(scope=["email"])
    requests_mock.post(f"{ISSUER}/token", json={"access_token": "at", "token_type": "Bearer"})
    token = client.complete_authorization(f"{REDIRECT}?code=c&state={request.state}"
                                          f"&iss={ISSUER}", request)
    assert token.access_token == "at"


def test_discovery_makes_the_callbacks_iss_required(client) -> None:
    request = client.begin_authorization()
    with pytest.raises(oauth2_core.IssuerMismatch):
        client.complete_authorization(f"{REDIRECT}?code=c&state={request.state}", request)


# Without the jwt extra -------------------------------------------------------------------
@pytest.mark.usefixtures("without_pyjwt")
def test_without_pyjwt_sign_in_relies_on_tls_and_still_checks_claims(
    client, idp, requests_mock, served
) -> None:
    token = sign_in(client, requests_mock, lambda req: idp.id_token(nonce=req.nonce))
    assert token.access_token == "at-1" and served["jwks"].call_count == 0
    with pytest.raises(InvalidIDToken, match="'nonce' failed"):
        sign_in(client, requests_mock, lambda req: idp.id_token(nonce="other"))
    with pytest.raises(InvalidIDToken, match="'alg' failed"):
        sign_in(client, requests_mock, lambda req: unsigned_token(idp.claims(req.nonce)))


@pytest.mark.usefixtures("without_pyjwt")
def test_without_pyjwt_an_explicit_validation_names_the_extra(client, idp) -> None:
    with pytest.raises(ConfigurationError, match=r"oauth2-core\[jwt\]"):
        client.validate_id_token(idp.id_token())


def test_a_plain_oauth_provider_without_issuer_or_keys_still_checks_claims(
    idp, requests_mock, pm
) -> None:
    """The token came over TLS from the configured token endpoint (3.1.3.7 (6))."""
    plain = Provider(name="plain", authorize_url="https://plain.example/authorize",
                     token_url=f"{ISSUER}/token")
    client = oauth2_core.client(plain, client_id=CLIENT_ID, client_secret="s",
                                redirect_uri=REDIRECT, plugins=pm)
    request = client.begin_authorization(scope=["openid"])
    requests_mock.post(f"{ISSUER}/token", json={"access_token": "at", "token_type": "Bearer",
                                                "id_token": idp.id_token(nonce="wrong")})
    with pytest.raises(InvalidIDToken, match="'nonce' failed"):
        client.complete_authorization(f"{REDIRECT}?code=c&state={request.state}", request)


# userinfo --------------------------------------------------------------------------------
def test_userinfo_is_merged_with_the_id_token(client, idp, requests_mock) -> None:
    requests_mock.get(f"{ISSUER}/userinfo", json={"sub": "user-1", "picture": "https://p/1"})
    token = Token(access_token="at", id_token=idp.id_token(exp=int(time.time()) - 7200,
                                                          iat=int(time.time()) - 9000))
    user = client.userinfo(token)  # an old id_token still names the user
    assert (user.id, user.email, user.name, user.picture) == (
        "user-1", "u@example.test", "User One", "https://p/1")
    assert "nonce" not in user.raw and "aud" not in user.raw


def test_userinfo_about_another_subject_is_refused(client, idp, requests_mock) -> None:
    requests_mock.get(f"{ISSUER}/userinfo", json={"sub": "someone-else"})
    with pytest.raises(OAuth2Error, match="another subject"):
        client.userinfo(Token(access_token="at", id_token=idp.id_token()))


def test_userinfo_without_an_endpoint_comes_from_the_id_token(idp, served, pm) -> None:
    no_userinfo = Provider(name="nou", issuer=ISSUER, jwks_url=f"{ISSUER}/jwks",
                           token_url=f"{ISSUER}/token")
    client = oauth2_core.client(no_userinfo, client_id=CLIENT_ID, plugins=pm)
    user = client.userinfo(Token(access_token="at", id_token=idp.id_token()))
    assert (user.id, user.email) == ("user-1", "u@example.test")
    with pytest.raises(InvalidIDToken, match="'aud' failed"):
        client.userinfo(Token(access_token="at", id_token=idp.id_token(aud="x")))


def test_userinfo_from_a_plugins_own_api_is_not_merged(client, idp, requests_mock) -> None:
    """A profile API without ``sub`` (GitHub's, Graph's /me) is not OpenID userinfo."""
    requests_mock.get(f"{ISSUER}/userinfo", json={"id": 42, "login": "octo"})
    user = client.userinfo(Token(access_token="at", id_token=idp.id_token()))
    assert user.id == "42" and user.email is None
