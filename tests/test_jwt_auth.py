"""RFC 7523: client_secret_jwt, private_key_jwt and the JWT bearer grant."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from acme import ACME, TOKEN_URL, bearer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from oidc_support import ec_key, rsa_key

import oauth2_core
from oauth2_core import ConfigurationError, InvalidClient, InvalidToken, Token
from oauth2_core.jwt_auth import CLIENT_ASSERTION_TYPE, JWT_BEARER_GRANT

SECRET = "a-client-secret-long-enough-for-hs256-0123456789"


def form(matcher: Any, index: int = -1) -> dict[str, list[str]]:
    return parse_qs(matcher.request_history[index].text)


def pem(key: Any) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def claims_of(assertion: str, key: Any, alg: str, audience: str = TOKEN_URL) -> dict[str, Any]:
    """The verified claims of ``assertion`` (signature, aud and exp checked by PyJWT)."""
    decoded: dict[str, Any] = jwt.decode(assertion, key, algorithms=[alg], audience=audience)
    return decoded


def pk_client(pm: Any, **settings: Any) -> oauth2_core.OAuth2Client:
    settings.setdefault("private_key", pem(ec_key()))
    return oauth2_core.client(ACME, client_id="svc", plugins=pm,
                              token_endpoint_auth_method="private_key_jwt", **settings)


# private_key_jwt ----------------------------------------------------------------------
def test_private_key_jwt_sends_a_signed_assertion_instead_of_a_secret(pm, requests_mock):
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())

    pk_client(pm).client_credentials()

    sent = form(endpoint)
    assert sent["client_assertion_type"] == [CLIENT_ASSERTION_TYPE]
    assert sent["client_id"] == ["svc"]
    assert "client_secret" not in sent
    assert "Authorization" not in endpoint.last_request.headers
    claims = claims_of(sent["client_assertion"][0], ec_key().public_key(), "ES256")
    assert claims["iss"] == claims["sub"] == "svc"
    assert claims["exp"] - claims["iat"] == 60
    assert len(claims["jti"]) >= 32


def test_every_assertion_has_a_fresh_jti(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    client = pk_client(pm)
    client.client_credentials()
    client.client_credentials()

    jtis = {jwt.decode(form(endpoint, i)["client_assertion"][0],
                       options={"verify_signature": False})["jti"] for i in (0, 1)}
    assert len(jtis) == 2


@pytest.mark.parametrize("endpoint_name", ["revocation", "introspection"])
def test_revocation_and_introspection_authenticate_with_an_assertion(pm, requests_mock,
                                                                     endpoint_name) -> None:
    url = getattr(ACME, f"{endpoint_name}_url")
    endpoint = requests_mock.post(url, json={"active": True})
    client = pk_client(pm)

    if endpoint_name == "revocation":
        client.revoke_token("t0ken")
    else:
        client.introspect_token("t0ken")

    sent = form(endpoint)
    assert sent["token"] == ["t0ken"]
    assert claims_of(sent["client_assertion"][0], ec_key().public_key(), "ES256")["sub"] == "svc"


@pytest.mark.parametrize(("setting", "expected"), [
    ("issuer", "https://id.acme.test"),
    ("endpoint", "https://id.acme.test/revoke"),
    ("https://aud.example/x", "https://aud.example/x"),
])
def test_the_assertion_audience_is_configurable(pm, requests_mock, setting, expected) -> None:
    endpoint = requests_mock.post(ACME.revocation_url, text="")
    pk_client(pm, client_assertion_audience=setting).revoke_token("t0ken")

    assertion = form(endpoint)["client_assertion"][0]
    assert claims_of(assertion, ec_key().public_key(), "ES256", audience=expected)


def test_an_unknown_audience_setting_is_a_configuration_error(pm) -> None:
    with pytest.raises(ConfigurationError, match="client_assertion_audience"):
        pk_client(pm, client_assertion_audience="somewhere").client_credentials()


def rsa_jwk() -> dict[str, Any]:
    return {**RSAAlgorithm.to_jwk(rsa_key(), as_dict=True), "kid": "rsa-1"}


@pytest.mark.parametrize(("key", "settings", "alg", "kid", "verify_with"), [
    (lambda: pem(ec_key()), {}, "ES256", None, lambda: ec_key().public_key()),
    (lambda: ec_key(), {"private_key_id": "k1"}, "ES256", "k1", lambda: ec_key().public_key()),
    (lambda: ECAlgorithm.to_jwk(ec_key(), as_dict=True), {}, "ES256", None,
     lambda: ec_key().public_key()),
    (lambda: json.dumps(rsa_jwk()), {}, "RS256", "rsa-1", lambda: rsa_key().public_key()),
    (lambda: rsa_jwk(), {"client_assertion_alg": "PS256"}, "PS256", "rsa-1",
     lambda: rsa_key().public_key()),
], ids=["pem", "key-object-with-kid", "jwk-dict", "jwk-json", "rsa-as-ps256"])
def test_keys_are_read_from_pem_jwk_or_key_objects(pm, requests_mock, key, settings, alg,
                                                   kid, verify_with) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    pk_client(pm, private_key=key(), **settings).client_credentials()

    assertion = form(endpoint)["client_assertion"][0]
    header = jwt.get_unverified_header(assertion)
    assert header["alg"] == alg
    assert header.get("kid") == kid
    assert claims_of(assertion, verify_with(), alg)["iss"] == "svc"


def test_an_ed25519_key_signs_with_eddsa(pm, requests_mock) -> None:
    key = ed25519.Ed25519PrivateKey.generate()
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    pk_client(pm, private_key=pem(key)).client_credentials()

    assertion = form(endpoint)["client_assertion"][0]
    assert claims_of(assertion, key.public_key(), "EdDSA")["sub"] == "svc"


@pytest.mark.parametrize(("key", "settings", "message"), [
    (lambda: {k: v for k, v in ECAlgorithm.to_jwk(ec_key(), as_dict=True).items() if k != "d"},
     {}, "public JWK"),
    (lambda: "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWJ5dGVz\n-----END PRIVATE KEY-----",
     {}, "PEM private key"),
    (lambda: "secret-bytes-that-are-no-key", {}, "must be a JWK"),
    (lambda: '{"kty": "EC", "d": "secret-bytes"', {}, "not valid JSON"),
    (lambda: pem(ec_key()), {"client_assertion_alg": "RS256"}, "does not fit"),
    (lambda: pem(ec_key()), {"client_assertion_alg": "ES384"}, "does not fit"),
    (lambda: 42, {}, "not int"),
], ids=["public-jwk", "bad-pem", "plain-text", "bad-json", "alg-family", "alg-curve", "int"])
def test_unusable_keys_are_named_but_never_shown(pm, key, settings, message) -> None:
    client = pk_client(pm, private_key=key(), **settings)
    with pytest.raises(ConfigurationError, match=message) as info:
        client.client_credentials()
    assert "secret-bytes" not in str(info.value)
    assert "PRIVATE KEY" not in str(info.value)


def test_private_key_jwt_without_a_key_says_which_setting_is_missing(pm) -> None:
    client = oauth2_core.client(ACME, client_id="svc", plugins=pm,
                                token_endpoint_auth_method="private_key_jwt")
    with pytest.raises(ConfigurationError, match="private_key="):
        client.client_credentials()


def test_without_pyjwt_the_jwt_methods_name_the_extra(pm, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "jwt", None)  # `import jwt` now fails
    client = pk_client(pm, private_key="unused")
    with pytest.raises(ConfigurationError, match=r"oauth2-core\[jwt\]"):
        client.client_credentials()


def test_the_assertion_never_reaches_the_debug_log(pm, requests_mock, caplog) -> None:
    requests_mock.post(TOKEN_URL, json=bearer())
    with caplog.at_level(logging.DEBUG, logger="oauth2_core"):
        pk_client(pm).client_credentials()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "client_assertion" in logged
    assert "eyJ" not in logged  # no JWT (they all start with a base64 '{"')


def test_an_invalid_client_answer_is_typed(pm, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, status_code=401, json={"error": "invalid_client"})
    with pytest.raises(InvalidClient):
        pk_client(pm).client_credentials()


# client_secret_jwt ----------------------------------------------------------------------
def test_client_secret_jwt_signs_with_the_secret_and_never_sends_it(pm, requests_mock):
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    oauth2_core.client(ACME, client_id="app", client_secret=SECRET, plugins=pm,
                       token_endpoint_auth_method="client_secret_jwt").client_credentials()

    sent = form(endpoint)
    assert SECRET not in endpoint.last_request.text
    assert "Authorization" not in endpoint.last_request.headers
    claims = claims_of(sent["client_assertion"][0], SECRET.encode(), "HS256")
    assert claims["iss"] == claims["sub"] == "app"


def test_client_secret_jwt_alg_is_configurable(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    oauth2_core.client(ACME, client_id="app", client_secret=SECRET * 2, plugins=pm,
                       token_endpoint_auth_method="client_secret_jwt",
                       client_assertion_alg="HS512").client_credentials()
    assert claims_of(form(endpoint)["client_assertion"][0], (SECRET * 2).encode(), "HS512")


@pytest.mark.parametrize(("secret", "alg", "message"), [
    (None, None, "CLIENT_SECRET"), (SECRET, "ES256", "HS256"),
])
def test_client_secret_jwt_needs_a_secret_and_an_hmac_alg(pm, secret, alg, message) -> None:
    client = oauth2_core.client(ACME, client_id="app", client_secret=secret, plugins=pm,
                                token_endpoint_auth_method="client_secret_jwt",
                                client_assertion_alg=alg)
    with pytest.raises(ConfigurationError, match=message):
        client.client_credentials()


# The JWT bearer grant (section 2.1) ------------------------------------------------------
def test_jwt_bearer_signs_an_assertion_for_the_token_endpoint(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    client = oauth2_core.client(ACME, client_id="svc", client_secret="s", plugins=pm,
                                private_key=pem(ec_key()))

    token = client.jwt_bearer(scope=["read", "write"], sub="user-7", tenant="t1")

    sent = form(endpoint)
    assert sent["grant_type"] == [JWT_BEARER_GRANT]
    assert sent["scope"] == ["read write"]
    claims = claims_of(sent["assertion"][0], ec_key().public_key(), "ES256")
    assert (claims["iss"], claims["sub"], claims["tenant"]) == ("svc", "user-7", "t1")
    assert token.grant_type == JWT_BEARER_GRANT


def test_jwt_bearer_sends_a_given_assertion_as_is(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    client = oauth2_core.client(ACME, client_id="svc", client_secret="s", plugins=pm)
    client.jwt_bearer(assertion="eyJ.given.assertion")
    assert form(endpoint)["assertion"] == ["eyJ.given.assertion"]


def test_claims_with_a_given_assertion_are_refused(pm) -> None:
    client = oauth2_core.client(ACME, client_id="svc", plugins=pm)
    with pytest.raises(ConfigurationError, match="claims"):
        client.jwt_bearer(assertion="eyJ.a.b", sub="x")


def expire(token: Token) -> Token:
    token["expires_at"] = 1  # long past: the session must renew it first
    return token


def test_a_session_renews_a_jwt_bearer_token_with_a_new_assertion(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, [{"json": bearer("at-1")}, {"json": bearer("at-2")}])
    api = requests_mock.get("https://api.acme.test/me", json={})
    client = oauth2_core.client(ACME, client_id="svc", plugins=pm, private_key=pem(ec_key()))
    token = expire(client.jwt_bearer(sub="user-7"))
    renewed: list[Token] = []

    with client.session(token, on_token_refresh=renewed.append) as session:
        session.get("https://api.acme.test/me")

    assert api.last_request.headers["Authorization"] == "Bearer at-2"
    assert renewed[0].grant_type == JWT_BEARER_GRANT
    first, second = (jwt.decode(form(endpoint, i)["assertion"][0],
                                options={"verify_signature": False}) for i in (0, 1))
    assert first["sub"] == second["sub"] == "user-7"  # the same claims, signed afresh
    assert first["jti"] != second["jti"]


def test_a_callable_assertion_is_called_for_each_renewal(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    requests_mock.get("https://api.acme.test/me", json={})
    made = iter(["eyJ.first.a", "eyJ.second.a"])
    client = oauth2_core.client(ACME, client_id="svc", plugins=pm)
    token = expire(client.jwt_bearer(assertion=lambda: next(made)))

    client.session(token).get("https://api.acme.test/me")

    assert [form(endpoint, i)["assertion"] for i in (0, 1)] == [["eyJ.first.a"],
                                                                 ["eyJ.second.a"]]


def test_a_fixed_assertion_cannot_be_renewed(pm, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=bearer())
    client = oauth2_core.client(ACME, client_id="svc", plugins=pm)
    token = expire(client.jwt_bearer(assertion="eyJ.fixed.a"))

    with pytest.raises(InvalidToken, match="callable"):
        client.session(token).get("https://api.acme.test/me")


def test_a_stored_jwt_bearer_token_is_renewed_with_the_clients_own_assertion(
    pm, requests_mock
) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    requests_mock.get("https://api.acme.test/me", json={})
    client = oauth2_core.client(ACME, client_id="svc", plugins=pm, private_key=pem(ec_key()))
    stored = expire(Token(bearer("old")))
    stored.grant_type = JWT_BEARER_GRANT  # as a token store gives it back

    client.session(stored).get("https://api.acme.test/me")

    assertion = form(endpoint)["assertion"][0]
    assert claims_of(assertion, ec_key().public_key(), "ES256")["sub"] == "svc"


# Choosing the method from discovery --------------------------------------------------------
ISSUER = "https://login.example"


def serve_metadata(requests_mock: Any, methods: list[str]) -> None:
    requests_mock.get(f"{ISSUER}/.well-known/openid-configuration", json={
        "issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/auth",
        "token_endpoint": f"{ISSUER}/token",
        "token_endpoint_auth_methods_supported": methods,
    })


@pytest.mark.parametrize(("methods", "secret", "key", "expected"), [
    (["client_secret_basic", "private_key_jwt"], "s", True, "private_key_jwt"),
    (["client_secret_basic", "private_key_jwt"], None, True, "private_key_jwt"),
    (["client_secret_basic", "private_key_jwt"], "s", False, "client_secret_basic"),
    (["client_secret_basic", "client_secret_jwt"], "s", True, "client_secret_basic"),
    (["private_key_jwt", "none"], None, False, "none"),
])
def test_discovery_prefers_private_key_jwt_when_the_client_has_a_key(
    pm, requests_mock, methods, secret, key, expected
) -> None:
    from oauth2_core.discovery import clear_discovery_cache

    clear_discovery_cache()
    serve_metadata(requests_mock, methods)
    settings = {"private_key": pem(ec_key())} if key else {}
    client = oauth2_core.client("oidc", issuer=ISSUER, client_id="c", client_secret=secret,
                                plugins=pm, **settings)
    assert client.token_endpoint_auth_method == expected
    clear_discovery_cache()
