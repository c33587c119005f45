"""id_token validation (OpenID Connect Core 3.1.3.7): every check and every way to fail."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import warnings
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from oidc_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    b64,
    ec_key,
    rsa_key,
    token_hash,
    unsigned_token,
)

import oauth2_core
from oauth2_core import ConfigurationError, InvalidIDToken, Provider, Token

NONCE = "n-0S6_WzA2Mj"


@pytest.fixture
def client(served: dict[str, Any], pm: Any) -> oauth2_core.OAuth2Client:
    return oauth2_core.client("oidc", issuer=ISSUER, client_id=CLIENT_ID,
                              client_secret=CLIENT_SECRET, plugins=pm)


def failed_check(client: oauth2_core.OAuth2Client, raw: str, **kwargs: Any) -> str:
    """Validate ``raw``, expect InvalidIDToken, check the token stays out of the message."""
    with pytest.raises(InvalidIDToken) as info:
        client.validate_id_token(raw, **kwargs)
    error = info.value
    assert error.error == "invalid_id_token"
    for part in raw.split("."):
        if len(part) > 8:
            assert part not in str(error) and part not in repr(error)
    return str(error)


# The happy path -----------------------------------------------------------------------
def test_a_valid_id_token_returns_its_claims(client, idp) -> None:
    claims = client.validate_id_token(idp.id_token(nonce=NONCE), nonce=NONCE)
    assert claims["sub"] == "user-1" and claims["email"] == "u@example.test"


def test_an_es256_token_is_checked_against_an_ec_key(client, idp) -> None:
    idp.keys["ec1"] = ec_key()
    raw = idp.sign(idp.claims(), kid="ec1", alg="ES256")
    assert client.validate_id_token(raw)["sub"] == "user-1"


def test_a_token_without_kid_uses_the_only_key(client, idp) -> None:
    assert client.validate_id_token(idp.sign(idp.claims(), kid=None))["sub"] == "user-1"


# Signature and algorithm ----------------------------------------------------------------
def test_a_signature_by_another_key_is_refused(client, idp) -> None:
    raw = idp.sign(idp.claims(), kid="k1", key=rsa_key("other"))
    assert "'signature' failed" in failed_check(client, raw)


def test_a_changed_payload_breaks_the_signature(client, idp) -> None:
    header, _, signature = idp.id_token().split(".")
    forged = b64(b'{"iss":"https://id.example","sub":"admin","aud":"rp-client"}')
    assert "'signature' failed" in failed_check(client, f"{header}.{forged}.{signature}")


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_never_accepted(client, idp, alg) -> None:
    message = failed_check(client, unsigned_token(idp.claims(), alg=alg))
    assert "'alg' failed: unsigned tokens (alg 'none') are never accepted" in message


def test_hs256_signed_with_the_public_key_is_refused(client, idp) -> None:
    """The RS256-to-HS256 confusion: the attacker MACs with the published RSA key."""
    public_pem = rsa_key("a").public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64(b'{"alg":"HS256","kid":"k1"}')
    payload = b64(json.dumps(idp.claims()).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    raw = f"{header}.{payload}.{b64(mac)}"
    assert "alg 'HS256' is not among" in failed_check(client, raw)
    # Even where HS256 is allowed, its key is the client secret, never a JWKS key.
    hs_client = oauth2_core.client(client.provider.with_endpoints(
        id_token_signing_algs=("RS256", "HS256")), client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET, plugins=client.plugins)
    assert "'signature' failed" in failed_check(hs_client, raw)


def test_hs256_signed_with_the_client_secret_is_accepted_when_allowed(client, idp) -> None:
    hs_client = oauth2_core.client(client.provider.with_endpoints(
        id_token_signing_algs=("HS256",)), client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
        plugins=client.plugins)
    raw = jwt.encode(idp.claims(), CLIENT_SECRET, algorithm="HS256")
    assert hs_client.validate_id_token(raw)["sub"] == "user-1"


def test_hs256_without_a_client_secret_is_refused(client, idp) -> None:
    public = oauth2_core.client(client.provider.with_endpoints(
        id_token_signing_algs=("HS256",)), client_id=CLIENT_ID, plugins=client.plugins)
    raw = jwt.encode(idp.claims(), CLIENT_SECRET, algorithm="HS256")
    assert "needs the client secret" in failed_check(public, raw)


def test_the_allow_list_comes_from_the_metadata(idp, requests_mock, pm) -> None:
    idp.serve(requests_mock, id_token_signing_alg_values_supported=["ES256", "none"])
    client = oauth2_core.client("oidc", issuer=ISSUER, client_id=CLIENT_ID, plugins=pm)
    assert client.provider.id_token_signing_algs == ("ES256",)
    assert "alg 'RS256' is not among ['ES256']" in failed_check(client, idp.id_token())


def test_a_provider_cannot_allow_alg_none() -> None:
    with pytest.raises(ConfigurationError, match="never accepted"):
        Provider(name="bad", id_token_signing_algs=("RS256", "none"))


def test_a_key_of_the_wrong_type_for_the_alg_is_not_used(client, idp) -> None:
    raw = idp.sign(idp.claims(), kid="k1", alg="ES256", key=ec_key())
    assert "no key in the provider's JWKS matches kid 'k1'" in failed_check(client, raw)


def test_a_short_rsa_key_is_refused(client, idp) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point
    idp.keys["weak"] = weak
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns when signing with it, as it should
        raw = idp.sign(idp.claims(), kid="weak")
    assert "RSA key is under 2048 bits" in failed_check(client, raw)


def test_critical_header_extensions_are_refused(client, idp) -> None:
    raw = jwt.encode(idp.claims(), rsa_key("a"), algorithm="RS256",
                     headers={"kid": "k1", "crit": ["exp"]})
    assert "'crit' failed" in failed_check(client, raw)


@pytest.mark.parametrize("raw", ["not-a-jwt", "a.b", "a.b.c.d.e", "e30.!!!.sig", "W10.e30."])
def test_malformed_tokens_are_invalid_not_crashes(client, raw) -> None:
    with pytest.raises(InvalidIDToken, match="'format' failed"):
        client.validate_id_token(raw)


# Keys: cache and rotation ---------------------------------------------------------------
def test_the_jwks_is_fetched_once_and_cached(client, idp, served) -> None:
    client.validate_id_token(idp.id_token())
    client.validate_id_token(idp.id_token())
    assert served["jwks"].call_count == 1


def test_an_unknown_kid_refetches_the_jwks_once(client, idp, served) -> None:
    client.validate_id_token(idp.id_token())  # caches a set with k1 only
    idp.keys["k2"] = rsa_key("rotated")  # the provider rotates its keys
    claims = client.validate_id_token(idp.sign(idp.claims(), kid="k2"))
    assert claims["sub"] == "user-1" and served["jwks"].call_count == 2


def test_a_kid_missing_even_after_the_refetch_is_refused(client, idp, served) -> None:
    client.validate_id_token(idp.id_token())
    raw = idp.sign(idp.claims(), kid="k9", key=rsa_key("a"))
    assert "matches kid 'k9'" in failed_check(client, raw)
    assert served["jwks"].call_count == 2  # one refetch, not a loop


def test_no_kid_with_several_keys_is_refused(client, idp) -> None:
    idp.keys["k2"] = rsa_key("rotated")
    assert "several that fit" in failed_check(client, idp.sign(idp.claims(), kid=None))


def test_a_broken_jwks_endpoint_is_an_invalid_id_token(client, idp, requests_mock) -> None:
    requests_mock.get(f"{ISSUER}/jwks", status_code=503)
    assert "jwks_uri answered HTTP 503" in failed_check(client, idp.id_token())
    requests_mock.get(f"{ISSUER}/jwks", json={"no": "keys"})
    assert "did not answer a JSON object with 'keys'" in failed_check(client, idp.id_token())


# Claims -------------------------------------------------------------------------------
@pytest.mark.parametrize(("overrides", "check"), [
    ({"iss": "https://evil.example"}, "'iss' failed"),
    ({"iss": ISSUER + "/"}, "'iss' failed"),
    ({"iss": None}, "'iss' failed"),
    ({"sub": None}, "'sub' failed"),
    ({"aud": "someone-else"}, "'aud' failed"),
    ({"aud": ["someone-else", "another"]}, "'aud' failed"),
    ({"aud": None}, "'aud' failed"),
    ({"aud": [CLIENT_ID, "another"]}, "several audiences and no authorized party"),
    ({"aud": [CLIENT_ID, "another"], "azp": "another"}, "'azp' failed"),
    ({"azp": "another"}, "'azp' failed"),
    ({"exp": int(time.time()) - 3600}, "'exp' failed"),
    ({"exp": None}, "'exp' failed"),
    ({"exp": "tomorrow"}, "'exp' failed"),
    ({"iat": int(time.time()) + 3600}, "'iat' failed"),
    ({"iat": None}, "'iat' failed"),
])
def test_each_claim_check_refuses_a_bad_value(client, idp, overrides, check) -> None:
    assert check in failed_check(client, idp.sign(idp.claims(**overrides)))


def test_several_audiences_pass_with_our_azp(client, idp) -> None:
    raw = idp.sign(idp.claims(aud=[CLIENT_ID, "api"], azp=CLIENT_ID))
    assert client.validate_id_token(raw)["azp"] == CLIENT_ID


def test_clock_skew_within_the_leeway_is_tolerated(client, idp) -> None:
    now = int(time.time())
    raw = idp.sign(idp.claims(exp=now - 10, iat=now + 10))
    assert client.validate_id_token(raw)["sub"] == "user-1"
    client.id_token_leeway = 0
    assert "'exp' failed" in failed_check(client, raw)


def test_a_wrong_nonce_is_refused(client, idp) -> None:
    message = failed_check(client, idp.id_token(nonce="someone-elses"), nonce=NONCE)
    assert "'nonce' failed" in message and NONCE not in message


def test_a_missing_nonce_is_refused(client, idp) -> None:
    assert "has no nonce" in failed_check(client, idp.id_token(), nonce=NONCE)


def test_a_provider_that_never_echoes_the_nonce_can_say_so(client, idp) -> None:
    linkedin_like = oauth2_core.client(client.provider.with_endpoints(id_token_nonce=False),
                                       client_id=CLIENT_ID, plugins=client.plugins)
    assert linkedin_like.validate_id_token(idp.id_token(), nonce=NONCE)["sub"] == "user-1"
    assert "'nonce' failed" in failed_check(linkedin_like, idp.id_token(nonce="x"),
                                            nonce=NONCE)


def test_at_hash_binds_the_access_token(client, idp) -> None:
    raw = idp.id_token(at_hash=token_hash("at-1"))
    assert client.validate_id_token(Token(access_token="at-1", id_token=raw))
    assert client.validate_id_token(raw)  # a bare JWT comes without its access token
    with pytest.raises(InvalidIDToken, match="'at_hash' failed") as info:
        client.validate_id_token(Token(access_token="at-SWAPPED", id_token=raw))
    assert "at-SWAPPED" not in str(info.value)


# Multi-tenant issuers --------------------------------------------------------------------
TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
MULTI = Provider(
    name="multi", issuer="https://login.example/{tenantid}/v2.0",
    jwks_url="https://login.example/keys", token_url="https://login.example/token",
    template_defaults={"tenantid": "{tenantid}"}, id_token_issuer_claims={"tenantid": "tid"},
)


@pytest.fixture
def multi(idp, requests_mock, pm) -> oauth2_core.OAuth2Client:
    requests_mock.get("https://login.example/keys", json=idp.jwks())
    return oauth2_core.client(MULTI, client_id=CLIENT_ID, plugins=pm)


def test_a_multi_tenant_issuer_is_filled_from_the_tid_claim(multi, idp) -> None:
    assert multi.provider.issuer == "https://login.example/{tenantid}/v2.0"
    raw = idp.sign(idp.claims(iss=f"https://login.example/{TENANT}/v2.0", tid=TENANT))
    assert multi.validate_id_token(raw)["tid"] == TENANT


@pytest.mark.parametrize("tid", ["another-tenant", None, "a/../b", f"{TENANT}/x"])
def test_a_multi_tenant_issuer_must_match_the_tokens_own_tid(multi, idp, tid) -> None:
    raw = idp.sign(idp.claims(iss=f"https://login.example/{TENANT}/v2.0", tid=tid))
    assert "'iss' failed" in failed_check(multi, raw)


def test_a_pinned_tenant_accepts_only_its_own_issuer(idp, requests_mock, pm) -> None:
    requests_mock.get("https://login.example/keys", json=idp.jwks())
    pinned = oauth2_core.client(MULTI, client_id=CLIENT_ID, plugins=pm, tenantid=TENANT)
    other = "0000aaaa-0000-0000-0000-000000000000"
    raw = idp.sign(idp.claims(iss=f"https://login.example/{other}/v2.0", tid=other))
    assert "'iss' failed" in failed_check(pinned, raw)


# Configuration ---------------------------------------------------------------------------
def test_validation_needs_a_client_id(idp, served, pm) -> None:
    client = oauth2_core.client("oidc", issuer=ISSUER, plugins=pm)
    with pytest.raises(ConfigurationError, match="client_id"):
        client.validate_id_token(idp.id_token())


def test_an_explicit_validation_needs_jwks_and_issuer(idp, served, pm) -> None:
    no_keys = oauth2_core.client(Provider(name="p", issuer=ISSUER), client_id=CLIENT_ID,
                                 plugins=pm)
    with pytest.raises(ConfigurationError, match="no jwks_url"):
        no_keys.validate_id_token(idp.id_token())
    no_issuer = oauth2_core.client(Provider(name="q", jwks_url=f"{ISSUER}/jwks"),
                                   client_id=CLIENT_ID, plugins=pm)
    with pytest.raises(ConfigurationError, match="no issuer"):
        no_issuer.validate_id_token(idp.id_token())


def test_a_token_without_id_token_cannot_be_validated(client) -> None:
    with pytest.raises(ConfigurationError, match="no id_token"):
        client.validate_id_token(Token(access_token="at"))
    with pytest.raises(ConfigurationError, match="string or a Token"):
        client.validate_id_token(12)  # type: ignore[arg-type]


# Issuer aliases (Google documents both https://accounts.google.com and accounts.google.com)
ALIASED = Provider(
    name="aliased", issuer=ISSUER, jwks_url=f"{ISSUER}/jwks", token_url=f"{ISSUER}/token",
    id_token_issuer_aliases=("id.example",),
)


@pytest.fixture
def aliased(idp, served, pm) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(ALIASED, client_id=CLIENT_ID, plugins=pm)


def test_an_issuer_alias_the_provider_documents_is_accepted(aliased, idp) -> None:
    assert aliased.validate_id_token(idp.sign(idp.claims(iss="id.example")))
    assert aliased.validate_id_token(idp.sign(idp.claims(iss=ISSUER)))


@pytest.mark.parametrize("iss", ["http://id.example", "id.example.evil", "ID.EXAMPLE",
                                 "id.example/", ""])
def test_only_the_exact_alias_is_accepted(aliased, idp, iss) -> None:
    assert "'iss' failed" in failed_check(aliased, idp.sign(idp.claims(iss=iss)))


def test_aliases_are_not_accepted_without_being_declared(client, idp) -> None:
    assert "'iss' failed" in failed_check(client, idp.sign(idp.claims(iss="id.example")))


@pytest.mark.parametrize("aliases", [("",), (None,), [b"x"]])
def test_issuer_aliases_must_be_strings(aliases) -> None:
    with pytest.raises(ConfigurationError, match="id_token_issuer_aliases"):
        Provider(name="p", issuer=ISSUER, id_token_issuer_aliases=aliases)
