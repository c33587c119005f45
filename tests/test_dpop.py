"""RFC 9449 (DPoP): proofs, bound tokens, server nonces."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
from acme import ACME, TOKEN_URL, bearer
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from oidc_support import ec_key, rsa_key

import oauth2_core
from oauth2_core import ConfigurationError, OAuth2Error, Token
from oauth2_core.dpop import DPoPKey, is_nonce_challenge, target_uri
from oauth2_core.jws import jwk_thumbprint

API = "https://api.acme.test/v1/items"
NONCE_CHALLENGE = {"status_code": 400, "json": {"error": "use_dpop_nonce"},
                   "headers": {"DPoP-Nonce": "n-1"}}


def dpop_token(access_token: str = "dpop-at", **extra: Any) -> dict[str, Any]:
    return bearer(access_token, token_type="DPoP", **extra)


def proof_of(request: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims of a request's DPoP proof, its signature checked with the key
    in its own header (as a server does)."""
    raw = request.headers["DPoP"]
    header = jwt.get_unverified_header(raw)
    key = jwt.PyJWK(header["jwk"]).key
    claims = jwt.decode(raw, key, algorithms=[header["alg"]])
    return header, claims


def ath(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture
def client(pm) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(ACME, client_id="app", client_secret="s", plugins=pm, dpop=True)


# Proofs on token requests -----------------------------------------------------------------
def test_token_requests_carry_a_proof_and_dpop_tokens_are_accepted(client, requests_mock):
    endpoint = requests_mock.post(TOKEN_URL, json=dpop_token())

    token = client.client_credentials()

    header, claims = proof_of(endpoint.last_request)
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    assert "d" not in header["jwk"]  # never the private key
    assert jwk_thumbprint(header["jwk"]) == client.dpop_key.jkt
    assert (claims["htm"], claims["htu"]) == ("POST", TOKEN_URL)
    assert claims["iat"] and len(claims["jti"]) >= 16
    assert "ath" not in claims and "nonce" not in claims
    assert token.token_type == "DPoP"


def test_a_client_without_dpop_refuses_a_dpop_token(pm, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=dpop_token())
    plain = oauth2_core.client(ACME, client_id="app", client_secret="s", plugins=pm)
    with pytest.raises(oauth2_core.TokenResponseError, match="DPoP"):
        plain.client_credentials()


def test_each_proof_is_new(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=dpop_token())
    client.client_credentials()
    client.client_credentials()
    jtis = {proof_of(r)[1]["jti"] for r in endpoint.request_history}
    assert len(jtis) == 2


def test_a_nonce_challenge_at_the_token_endpoint_is_answered_once(client, requests_mock):
    endpoint = requests_mock.post(TOKEN_URL, [NONCE_CHALLENGE, {"json": dpop_token()}])

    assert client.client_credentials().access_token == "dpop-at"

    first, second = (proof_of(r)[1] for r in endpoint.request_history)
    assert "nonce" not in first and second["nonce"] == "n-1"
    assert first["jti"] != second["jti"]


def test_the_retry_sends_a_fresh_client_assertion(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, [NONCE_CHALLENGE, {"json": dpop_token()}])
    client = oauth2_core.client(ACME, client_id="app", plugins=pm, dpop=True,
                                token_endpoint_auth_method="private_key_jwt",
                                private_key=ec_key())
    client.client_credentials()
    assertions = [parse_qs(r.text)["client_assertion"][0] for r in endpoint.request_history]
    assert assertions[0] != assertions[1]  # a replayed jti would be refused


def test_a_second_challenge_is_not_answered(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, [NONCE_CHALLENGE, {**NONCE_CHALLENGE, "headers": {
        "DPoP-Nonce": "n-2"}}, {"json": dpop_token()}])
    with pytest.raises(OAuth2Error) as excinfo:
        client.client_credentials()
    assert excinfo.value.error == "use_dpop_nonce"
    assert endpoint.call_count == 2


def test_a_challenge_without_a_nonce_is_not_retried(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, status_code=400, json={"error": "use_dpop_nonce"})
    with pytest.raises(OAuth2Error):
        client.client_credentials()
    assert endpoint.call_count == 1


def test_a_nonce_from_any_response_is_used_next_time(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, [
        {"json": dpop_token(), "headers": {"DPoP-Nonce": "rotated"}}, {"json": dpop_token()}])
    client.client_credentials()
    client.client_credentials()
    assert proof_of(endpoint.last_request)[1]["nonce"] == "rotated"


def test_nonces_stay_with_their_origin(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=dpop_token(), headers={"DPoP-Nonce": "for-id"})
    api = requests_mock.get(API, json={})
    token = client.client_credentials()
    client.session(token).get(API)
    assert "nonce" not in proof_of(api.last_request)[1]


@pytest.mark.parametrize("nonce", ['has "quotes"', "has space", "", "x" * 2000])
def test_a_malformed_nonce_is_ignored(client, requests_mock, nonce) -> None:
    requests_mock.post(TOKEN_URL, json=dpop_token(), headers={"DPoP-Nonce": nonce})
    client.client_credentials()
    assert client.dpop_key.nonce_for(TOKEN_URL) is None


# DPoP tokens on API requests -----------------------------------------------------------------
def test_api_calls_send_the_token_with_a_proof_that_hashes_it(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json=dpop_token())
    api = requests_mock.get(API, json={})
    token = client.client_credentials()

    client.session(token).get(API, params={"page": "2"})

    sent = api.last_request
    assert sent.headers["Authorization"] == "DPoP dpop-at"
    _, claims = proof_of(sent)
    assert (claims["htm"], claims["htu"]) == ("GET", API)  # no query
    assert claims["ath"] == ath("dpop-at")


def test_bearer_tokens_are_untouched(client, requests_mock) -> None:
    api = requests_mock.get(API, json={})
    client.session(Token(bearer("plain"))).get(API)
    assert api.last_request.headers["Authorization"] == "Bearer plain"
    assert "DPoP" not in api.last_request.headers


def test_a_resource_server_nonce_challenge_is_answered_once(client, requests_mock) -> None:
    challenge = {"status_code": 401, "headers": {
        "WWW-Authenticate": 'DPoP error="use_dpop_nonce", algs="ES256"', "DPoP-Nonce": "rs-1"}}
    api = requests_mock.post(API, [challenge, {"json": {"ok": True}}])
    token = Token(dpop_token())

    response = client.session(token).post(API, data=b"payload")

    assert response.json() == {"ok": True}
    assert [r.status_code for r in response.history] == [401]
    retried = api.request_history[1]
    assert retried.body == b"payload"
    assert proof_of(retried)[1]["nonce"] == "rs-1"
    assert proof_of(retried)[1]["ath"] == ath("dpop-at")


def test_one_shot_calls_answer_the_nonce_challenge_too(client, requests_mock) -> None:
    challenge = {"status_code": 401, "headers": {
        "WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "rs-1"}}
    requests_mock.get(ACME.userinfo_url, [challenge, {"json": {"sub": "u1"}}])
    assert client.userinfo(Token(dpop_token())).id == "u1"


def test_a_repeated_resource_challenge_reaches_the_caller(client, requests_mock) -> None:
    challenge = {"status_code": 401, "headers": {
        "WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "rs-1"}}
    api = requests_mock.get(API, [challenge, {**challenge, "headers": {
        **challenge["headers"], "DPoP-Nonce": "rs-2"}}, {"json": {}}])
    response = client.session(Token(dpop_token())).get(API)
    assert response.status_code == 401
    assert api.call_count == 2


def test_an_expired_dpop_token_is_refreshed_with_a_proof(client, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=dpop_token("new-at", refresh_token="rt-2"))
    api = requests_mock.get(API, json={})
    old = Token(dpop_token("old-at", refresh_token="rt-1", expires_at=1))

    client.session(old).get(API)

    assert parse_qs(endpoint.last_request.text)["refresh_token"] == ["rt-1"]
    assert proof_of(endpoint.last_request)[1]["htu"] == TOKEN_URL
    assert api.last_request.headers["Authorization"] == "DPoP new-at"


def test_an_invalid_token_answer_still_renews_after_a_nonce_retry(client, requests_mock):
    challenge = {"status_code": 401, "headers": {
        "WWW-Authenticate": 'DPoP error="use_dpop_nonce"', "DPoP-Nonce": "rs-1"}}
    rejected = {"status_code": 401, "headers": {"WWW-Authenticate": 'DPoP error="invalid_token"'}}
    api = requests_mock.get(API, [challenge, rejected, {"json": {"ok": True}}])
    requests_mock.post(TOKEN_URL, json=dpop_token("new-at"))
    old = Token(dpop_token("old-at", refresh_token="rt-1"))

    response = client.session(old).get(API)

    assert response.json() == {"ok": True}
    assert api.last_request.headers["Authorization"] == "DPoP new-at"


def test_a_dpop_token_needs_a_dpop_client(pm, requests_mock) -> None:
    requests_mock.get(API, json={})
    plain = oauth2_core.client(ACME, client_id="app", client_secret="s", plugins=pm)
    with pytest.raises(ConfigurationError, match="DPoP-bound"):
        plain.session(Token(dpop_token())).get(API)


# Keys ------------------------------------------------------------------------------------------
def test_rfc_7638_thumbprint_example() -> None:
    # RFC 7638 section 3.1.
    jwk = {"kty": "RSA", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29", "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS"
        "oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65"
        "YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyr"
        "dkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzK"
        "nqDKgw")}
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_a_given_key_keeps_its_thumbprint_across_clients(pm) -> None:
    jwk = ECAlgorithm.to_jwk(ec_key(), as_dict=True)
    first = oauth2_core.client(ACME, client_id="a", plugins=pm, dpop=jwk)
    second = oauth2_core.client(ACME, client_id="a", plugins=pm, dpop=json.dumps(jwk))
    assert first.dpop_key.jkt == second.dpop_key.jkt
    assert first.dpop_key.jkt == jwk_thumbprint(jwk)
    assert jwk["d"] not in repr(first.dpop_key)


def test_an_rsa_key_signs_rs256_proofs(pm, requests_mock) -> None:
    endpoint = requests_mock.post(TOKEN_URL, json=dpop_token())
    client = oauth2_core.client(ACME, client_id="a", client_secret="s", plugins=pm,
                                dpop=RSAAlgorithm.to_jwk(rsa_key(), as_dict=True))
    client.client_credentials()
    header, _ = proof_of(endpoint.last_request)
    assert header["alg"] == "RS256" and header["jwk"]["kty"] == "RSA"


def test_a_fresh_key_for_another_alg(pm) -> None:
    key = oauth2_core.client(ACME, client_id="a", plugins=pm, dpop=True,
                             dpop_alg="EdDSA").dpop_key
    assert key is not None and key.signing_key.alg == "EdDSA"


@pytest.mark.parametrize("bad", [{"kty": "oct", "k": "c2VjcmV0"}, "not a key"])
def test_unusable_dpop_keys_are_configuration_errors(pm, bad) -> None:
    with pytest.raises(ConfigurationError):
        oauth2_core.client(ACME, client_id="a", plugins=pm, dpop=bad)


def test_the_authorization_request_names_the_key(client) -> None:
    url = client.begin_authorization(scope="read").url
    assert parse_qs(url.split("?", 1)[1])["dpop_jkt"] == [client.dpop_key.jkt]


def test_helpers() -> None:
    assert target_uri("https://a.test/p?q=1#f") == "https://a.test/p"
    key = DPoPKey(ec.generate_private_key(ec.SECP256R1()))
    assert key.signing_key.alg == "ES256"
    assert not is_nonce_challenge(_response(401, {"WWW-Authenticate": 'Bearer error="x"'}))
    assert is_nonce_challenge(_response(401, {"WWW-Authenticate": 'DPoP error=use_dpop_nonce'}))


def _response(status: int, headers: dict[str, str]) -> Any:
    import requests

    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    response._content = b""
    return response
