"""id_token validation (OpenID Connect Core 1.0 section 3.1.3.7).

PyJWT over joserfc (the ``jwt`` extra): widely deployed, and its JWS-only decode leaves
every OpenID check here, with our messages; joserfc's JWE/registries are more than we need.

Without the extra, an id_token that came straight from the token endpoint (the code
exchange, or a Token's id_token) is still checked claim by claim, without its signature:
section 3.1.3.7 (6) lets TLS to the token endpoint stand in for the signature there, so
sign-in keeps working with only ``requests``.  An id_token handed to
``validate_id_token`` may come from anywhere, so there a missing extra (or a provider
without ``jwks_url``) is a :class:`ConfigurationError` naming the extra, never a skip.
HS* algorithms are checked with the client secret and the standard library, and never
with a JWKS key (the RS256-to-HS256 key confusion); ``none`` is never accepted.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import logging
import re
import string
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional, Union

from .compare import equal
from .errors import ConfigurationError, InvalidIDToken, OAuth2Error
from .tokens import Token

if TYPE_CHECKING:
    from .client import OAuth2Client
    from .providers import Provider
    from .userinfo import UserInfo

    # Type aliases, for annotations only (evaluated at import, a typing alias costs
    # about as much as a small module).
    TokenOrJWT = Union[Token, Mapping[str, Any], str]

__all__ = ["DEFAULT_ID_TOKEN_ALGS", "validate_id_token"]

logger = logging.getLogger("oauth2_core")

DEFAULT_ID_TOKEN_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                         "ES256", "ES384", "ES512", "EdDSA")
MIN_RSA_BITS = 2048
_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
_EXTRA = "pip install 'oauth2-core[jwt]'"
_ISSUER_PART = r"[A-Za-z0-9._-]+"  # compiled on first use, not at import
# Protocol claims that describe the token, not the user (kept out of UserInfo.raw).
_TOKEN_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "nbf", "nonce", "azp", "at_hash",
                           "c_hash", "s_hash", "jti", "auth_time", "acr", "amr", "sid"})


def _fail(check: str, why: str) -> InvalidIDToken:
    return InvalidIDToken(description=f"id_token check {check!r} failed: {why}")


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def parse_jws(raw: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Header, claims, signing input and signature of a compact JWS."""
    parts = raw.split(".") if isinstance(raw, str) else []
    if len(parts) == 5:
        raise _fail("format", "encrypted id_tokens (JWE) are not supported")
    if len(parts) != 3:
        raise _fail("format", "not a compact JWS (three dot-separated parts)")
    try:
        header = json.loads(_b64decode(parts[0]))
        claims = json.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except (ValueError, binascii.Error):
        raise _fail("format", "a part is not base64url-encoded JSON") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise _fail("format", "header and payload must be JSON objects")
    return header, claims, f"{parts[0]}.{parts[1]}".encode("ascii"), signature


def allowed_algs(provider: Provider) -> tuple[str, ...]:
    return provider.id_token_signing_algs or DEFAULT_ID_TOKEN_ALGS


def validate_id_token(
    raw: str,
    client: OAuth2Client,
    nonce: Optional[str] = None,
    access_token: Optional[str] = None,
    signature_required: bool = True,
    check_expiry: bool = True,
) -> dict[str, Any]:
    """Check an id_token for ``client`` and return its claims.

    :param signature_required: False only for a token received directly from the token
        endpoint over TLS, which may then skip the signature when it cannot be checked.
    :param check_expiry: False to read the identity of a token validated earlier.
    :raises InvalidIDToken: naming the failed check (never the token).
    :raises ConfigurationError: the check needs something the client lacks.
    """
    from .jwks import jwks_cache, key_family  # loaded with the first id_token

    provider = client.provider
    if not client.client_id:
        raise ConfigurationError("validating an id_token needs the client_id")
    header, claims, signing_input, signature = parse_jws(raw)
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise _fail("alg", "unsigned tokens (alg 'none') are never accepted")
    if alg not in allowed_algs(provider):
        raise _fail("alg", f"alg {alg!r} is not among {list(allowed_algs(provider))}")
    if "crit" in header:
        raise _fail("crit", "the token uses critical header extensions we do not know")
    crv = None
    if alg in _HMAC:
        _verify_hmac(alg, signing_input, signature, client.client_secret)
    elif key_family(alg) is None:
        raise _fail("alg", f"alg {alg!r} is not a signature algorithm we can check")
    elif (jwks_url := _jwks_url_to_verify_with(provider, signature_required)) is not None:
        kid = header.get("kid")
        jwk = jwks_cache.find(jwks_url, functools.partial(_fetch_jwks, client), alg,
                              kid if isinstance(kid, str) else None)
        _verify_with_jwk(jwk, alg, raw)
        crv = jwk.get("crv")
    else:
        logger.debug("id_token from the token endpoint accepted on TLS, without a "
                     "signature check (no jwt extra or no jwks_url)")
    _check_claims(claims, client, nonce, signature_required, check_expiry)
    _check_at_hash(claims, access_token, alg, crv)
    return claims


def _jwks_url_to_verify_with(provider: Provider, required: bool) -> Optional[str]:
    """The JWKS to check the signature with, or None to skip it (direct tokens only)."""
    try:
        import jwt  # noqa: F401
        from jwt.algorithms import has_crypto
    except ImportError:
        has_crypto = False
    if has_crypto and provider.jwks_url:
        return provider.jwks_url
    if not required:
        return None
    if not has_crypto:
        raise ConfigurationError(f"checking an id_token's signature needs PyJWT with "
                                 f"cryptography: {_EXTRA}")
    raise ConfigurationError(f"provider {provider.name!r} has no jwks_url to check "
                             "id_token signatures with")


def _verify_hmac(alg: str, signing_input: bytes, signature: bytes,
                 secret: Optional[str]) -> None:
    # OpenID Connect Core section 10.1: the key of HS* is the client secret, never a JWK.
    if not secret:
        raise _fail("alg", f"{alg} needs the client secret, and this client has none")
    expected = hmac.new(secret.encode("utf-8"), signing_input, _HMAC[alg]).digest()
    if not hmac.compare_digest(expected, signature):
        raise _fail("signature", "the signature does not verify")


def _verify_with_jwk(jwk: Mapping[str, Any], alg: str, raw: str) -> None:
    import jwt

    try:
        key = jwt.PyJWK(dict(jwk), algorithm=alg)
    except jwt.PyJWTError as exc:
        raise _fail("signature", f"the JWKS key cannot be used ({type(exc).__name__})") from None
    # RFC 7518 section 3.3; checked here too since older PyJWT only warns.
    if getattr(key.key, "key_size", MIN_RSA_BITS) < MIN_RSA_BITS and jwk.get("kty") == "RSA":
        raise _fail("signature", f"the provider's RSA key is under {MIN_RSA_BITS} bits")
    try:
        jwt.api_jws.PyJWS().decode_complete(
            raw, key=key.key, algorithms=[alg], options={"enforce_minimum_key_length": True}
        )
    except jwt.InvalidSignatureError:
        raise _fail("signature", "the signature does not verify") from None
    except jwt.PyJWTError as exc:
        raise _fail("signature", f"{type(exc).__name__}: {exc}") from None


def _check_claims(claims: Mapping[str, Any], client: OAuth2Client, nonce: Optional[str],
                  issuer_required: bool, check_expiry: bool) -> None:
    provider = client.provider
    _check_issuer(claims.get("iss"), claims, provider, issuer_required)
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise _fail("sub", "the token has no subject")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or client.client_id not in audiences:
        raise _fail("aud", f"client_id {client.client_id!r} is not among its audiences")
    azp = claims.get("azp")
    if len(audiences) > 1 and azp is None:
        raise _fail("azp", "the token has several audiences and no authorized party")
    if azp is not None and azp != client.client_id:
        raise _fail("azp", f"the authorized party {azp!r} is not this client")
    now, leeway = time.time(), client.id_token_leeway
    exp, iat = _timestamp(claims, "exp"), _timestamp(claims, "iat")
    if check_expiry and now > exp + leeway:
        raise _fail("exp", f"the token expired {int(now - exp)} s ago")
    if iat > now + leeway:
        raise _fail("iat", "the token was issued in the future (check the clocks)")
    if nonce is not None:
        sent = claims.get("nonce")
        if sent is None and provider.id_token_nonce:
            raise _fail("nonce", "the token has no nonce but one was sent")
        if sent is not None and not (isinstance(sent, str) and equal(sent, nonce)):
            raise _fail("nonce", "the token's nonce is not the one sent")


def _check_issuer(iss: Any, claims: Mapping[str, Any], provider: Provider,
                  required: bool) -> None:
    if not isinstance(iss, str):
        raise _fail("iss", "the token has no issuer")
    expected = provider.issuer
    if expected is None:
        if required:
            raise ConfigurationError(f"provider {provider.name!r} has no issuer to check "
                                     "id_tokens against")
        return  # came over TLS from the token endpoint we were configured with
    if equal(iss, expected) or any(equal(iss, alias)
                                   for alias in provider.id_token_issuer_aliases):
        return
    filled = _fill_issuer(expected, provider.id_token_issuer_claims, claims)
    if filled is not None and equal(iss, filled):
        return
    raise _fail("iss", f"issuer {iss!r} is not the provider's {expected!r}")


def _fill_issuer(issuer: str, placeholder_claims: Mapping[str, str],
                 claims: Mapping[str, Any]) -> Optional[str]:
    """``issuer`` with its placeholders filled from the token's claims, if it has any and
    each maps to a claim that looks like one path segment."""
    if not placeholder_claims:
        return None
    values: dict[str, str] = {}
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(issuer) if name]
    except ValueError:
        return None
    for name in fields:
        value = claims.get(placeholder_claims.get(name, ""))
        if not isinstance(value, str) or not re.fullmatch(_ISSUER_PART, value):
            return None
        values[name] = value
    return issuer.format_map(values) if values else None


def _timestamp(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(name, f"the token's {name} is missing or not a number")
    return float(value)


def _check_at_hash(claims: Mapping[str, Any], access_token: Optional[str], alg: str,
                   crv: Optional[str]) -> None:
    at_hash = claims.get("at_hash")
    if at_hash is None or not access_token:
        return
    digest = _token_hash(access_token.encode("ascii", "replace"), alg, crv)
    expected = base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()
    if not (isinstance(at_hash, str) and equal(at_hash, expected)):
        raise _fail("at_hash", "the access token does not match the token's at_hash")


def _token_hash(value: bytes, alg: str, crv: Optional[str]) -> bytes:
    # Section 3.1.3.6: the hash of the alg; for EdDSA it depends on the curve (OpenID
    # Connect Token Hash Algorithms: SHA-512 for Ed25519, SHAKE256/114 for Ed448).
    if alg == "EdDSA":
        if crv == "Ed448":
            return hashlib.shake_256(value).digest(114)
        return hashlib.sha512(value).digest()
    bits = alg[2:]
    if bits not in ("256", "384", "512"):
        raise _fail("at_hash", f"no token hash is defined for alg {alg!r}")
    return hashlib.new(f"sha{bits}", value).digest()


# What OAuth2Client's OpenID methods run (imported on first use, not at start-up) ------
def validate_for(client: OAuth2Client, token_or_jwt: TokenOrJWT,
                 nonce: Optional[str]) -> dict[str, Any]:
    """:meth:`OAuth2Client.validate_id_token`: an id_token string, or a Token whose
    ``access_token`` is checked against ``at_hash`` too."""
    raw, access_token = _split(token_or_jwt)
    return validate_id_token(raw, client, nonce=nonce, access_token=access_token)


def check_token_endpoint_id_token(client: OAuth2Client, token: Token,
                                  nonce: Optional[str]) -> None:
    """Validate the id_token of a fresh token response (the code exchange)."""
    validate_id_token(token.id_token or "", client, nonce=nonce,
                      access_token=token.access_token, signature_required=False)


def id_token_identity(client: OAuth2Client, token: Token) -> dict[str, Any]:
    """The user claims of a Token's id_token: validated like at sign-in, except that an
    expired one still names the user."""
    claims = validate_id_token(token.id_token or "", client, access_token=token.access_token,
                               signature_required=False, check_expiry=False)
    return {k: v for k, v in claims.items() if k not in _TOKEN_CLAIMS}


def merge_id_token_claims(client: OAuth2Client, info: UserInfo, token: Token) -> UserInfo:
    """:meth:`OAuth2Client.merge_id_token_claims`; a UserInfo response about another
    ``sub`` than the id_token's is refused (OpenID Connect Core section 5.3.4: token
    substitution)."""
    claims = id_token_identity(client, token)
    if not equal(str(info.raw["sub"]), claims["sub"]):
        raise OAuth2Error("userinfo_sub_mismatch", "the UserInfo response is about "
                          "another subject than the id_token")
    return type(info).from_claims({**claims, **info.raw})


def _fetch_jwks(client: OAuth2Client, url: str) -> Any:
    response = client.transport.request("GET", url, headers={"Accept": "application/json"})
    if response.status_code != 200:
        raise _fail("jwks", f"the provider's jwks_uri answered HTTP "
                    f"{response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise _fail("jwks", "the provider's jwks_uri did not answer JSON") from None


def _split(token_or_jwt: TokenOrJWT) -> tuple[str, Optional[str]]:
    if isinstance(token_or_jwt, str):
        return token_or_jwt, None
    if not isinstance(token_or_jwt, Mapping):
        raise ConfigurationError("validate_id_token takes an id_token string or a Token")
    raw = token_or_jwt.get("id_token")
    if not isinstance(raw, str) or not raw:
        raise ConfigurationError("the token has no id_token to validate")
    access_token = token_or_jwt.get("access_token")
    return raw, access_token if isinstance(access_token, str) else None
