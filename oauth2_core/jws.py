"""Signing JWTs for the client: client assertions, DPoP proofs, request objects.

The verifying side (id_tokens) lives in :mod:`oauth2_core.idtoken`; this is its
counterpart, on the same library: PyJWT with ``cryptography`` (the ``jwt`` extra),
imported only when something is signed.  A key is given as a JWK (a dict or its JSON),
a PEM private key (text or bytes), or a ``cryptography`` private key object; the
algorithm follows from the key unless one is named.  Key material never reaches a repr
or an error message.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from types import ModuleType
from typing import Any, Optional, Union

from .errors import ConfigurationError
from .jwks import key_family

__all__ = [
    "JWT_EXTRA",
    "SigningKey",
    "SigningKeyLike",
    "b64url_sha256",
    "generate_signing_key",
    "jwk_thumbprint",
    "load_signing_key",
    "require_jwt",
]

JWT_EXTRA = "pip install 'oauth2-core[jwt]'"
HMAC_ALGS = ("HS256", "HS384", "HS512")
_CURVE_ALGS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512",
               "secp256k1": "ES256K"}
_GENERATED_CURVES = {"ES256": "SECP256R1", "ES384": "SECP384R1", "ES512": "SECP521R1"}
# RFC 7638 section 3.2: the members a thumbprint hashes, per key type.
_THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"),
                       "OKP": ("crv", "kty", "x")}
_PRIVATE_MEMBERS = {"EC": "d", "RSA": "d", "OKP": "d", "oct": "k"}


def require_jwt(feature: str) -> ModuleType:
    """PyJWT with ``cryptography``, or a :class:`ConfigurationError` naming the extra.

    :param feature: what needs it, for the message ("private_key_jwt", "DPoP", ...).
    """
    try:
        import jwt
        from jwt.algorithms import has_crypto
    except ImportError:
        has_crypto = False
    if not has_crypto:
        raise ConfigurationError(f"{feature} signs JWTs and needs the jwt extra: {JWT_EXTRA}")
    return jwt


def b64url_sha256(value: Union[str, bytes]) -> str:
    """BASE64URL(SHA-256(value)) without padding (thumbprints, DPoP ``ath``)."""
    data = value.encode("ascii") if isinstance(value, str) else value
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a JWK: its required members, sorted, as
    compact JSON, hashed."""
    kty = jwk.get("kty")
    members = _THUMBPRINT_MEMBERS.get(kty) if isinstance(kty, str) else None
    if members is None:
        raise ConfigurationError(f"no thumbprint is defined for JWK kty {kty!r}")
    canonical = json.dumps({name: jwk[name] for name in members}, sort_keys=True,
                           separators=(",", ":"))
    return b64url_sha256(canonical.encode("utf-8"))


class SigningKey:
    """A private key (or an HMAC secret) and the JWS algorithm it signs with.

    Build one with :func:`load_signing_key` or :func:`generate_signing_key`.
    """

    def __init__(self, key: Any, alg: str, kid: Optional[str] = None) -> None:
        self.key = key
        self.alg = alg
        self.kid = kid
        self._public_jwk: Optional[dict[str, Any]] = None

    def __repr__(self) -> str:
        return f"SigningKey(alg={self.alg!r}, kid={self.kid!r})"

    @property
    def is_symmetric(self) -> bool:
        return self.alg in HMAC_ALGS

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK (only the RFC 7638 members), for a DPoP header or
        for registering the key at the server."""
        if self.is_symmetric:
            raise ConfigurationError("an HMAC secret has no public key")
        if self._public_jwk is None:
            jwt = require_jwt("signing")
            algorithm = jwt.get_algorithm_by_name(self.alg)
            full = algorithm.to_jwk(self.key.public_key(), as_dict=True)
            members = _THUMBPRINT_MEMBERS[full["kty"]]
            self._public_jwk = {name: full[name] for name in members}
        return dict(self._public_jwk)

    def thumbprint(self) -> str:
        """The JWK SHA-256 thumbprint of the public key (RFC 7638), as DPoP's ``jkt``."""
        return jwk_thumbprint(self.public_jwk())

    def sign(self, claims: Mapping[str, Any], headers: Optional[Mapping[str, Any]] = None,
             feature: str = "signing") -> str:
        """A compact JWS of ``claims``; ``kid`` goes in the header when the key has one."""
        jwt = require_jwt(feature)
        header = dict(headers or {})
        if self.kid and "kid" not in header:
            header["kid"] = self.kid
        encoded: str = jwt.encode(dict(claims), self.key, algorithm=self.alg, headers=header)
        return encoded


SigningKeyLike = Union[SigningKey, Mapping[str, Any], str, bytes, Any]


def load_signing_key(key: SigningKeyLike, alg: Optional[str] = None,
                     kid: Optional[str] = None, what: str = "private_key") -> SigningKey:
    """A :class:`SigningKey` from a JWK (dict or JSON text), a PEM private key, a
    ``cryptography`` private key object, or a :class:`SigningKey`.

    :param alg: the JWS algorithm; by default the key's own (``ES256`` for P-256,
        ``RS256`` for RSA, ``EdDSA`` for Ed25519, the JWK's ``alg`` when it names one).
    :param kid: the key id for the JWS header (a JWK's own ``kid`` otherwise).
    :param what: the setting's name, for error messages.
    :raises ConfigurationError: the key cannot be read or does not fit ``alg``; the
        message never contains the key.
    """
    if isinstance(key, SigningKey):
        return SigningKey(key.key, alg or key.alg, kid or key.kid)
    if isinstance(key, bytes):
        key = key.decode("ascii", "replace")
    if isinstance(key, str):
        text = key.strip()
        if text.startswith("{"):
            try:
                key = json.loads(text)
            except ValueError:
                raise ConfigurationError(f"{what} looks like a JWK but is not valid "
                                         "JSON") from None
        elif text.startswith("-----BEGIN"):
            return _checked(_load_pem(text, what), alg, kid, what)
        else:
            raise ConfigurationError(f"{what} must be a JWK (dict or JSON), a PEM private "
                                     "key or a cryptography private key object")
    if isinstance(key, Mapping):
        return _load_jwk(key, alg, kid, what)
    if callable(getattr(key, "public_key", None)) and callable(getattr(key, "sign", None)):
        return _checked(key, alg, kid, what)
    raise ConfigurationError(f"{what} must be a JWK (dict or JSON), a PEM private key or a "
                             f"cryptography private key object, not {type(key).__name__}")


def generate_signing_key(alg: str = "ES256") -> SigningKey:
    """A fresh key pair for ``alg`` (ES256/384/512, EdDSA as Ed25519, RS*/PS* as RSA 2048)."""
    require_jwt(f"generating an {alg} key")
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    key: Any
    if alg in _GENERATED_CURVES:
        key = ec.generate_private_key(getattr(ec, _GENERATED_CURVES[alg])())
    elif alg == "EdDSA":
        key = ed25519.Ed25519PrivateKey.generate()
    elif key_family(alg) == "RSA":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ConfigurationError(f"cannot generate a key for alg {alg!r}")
    return SigningKey(key, alg)


def _load_pem(text: str, what: str) -> Any:
    require_jwt(what)
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        return load_pem_private_key(text.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        # Encrypted keys land here too: load them with cryptography and pass the object.
        raise ConfigurationError(f"{what} is not an unencrypted PEM private key") from None


def _load_jwk(jwk: Mapping[str, Any], alg: Optional[str], kid: Optional[str],
              what: str) -> SigningKey:
    jwt = require_jwt(what)
    kty = jwk.get("kty")
    private = _PRIVATE_MEMBERS.get(kty) if isinstance(kty, str) else None
    if private is None:
        raise ConfigurationError(f"{what}: unsupported JWK kty {kty!r}")
    if private not in jwk:
        raise ConfigurationError(f"{what} is a public JWK: signing needs the private key "
                                 f"(its {private!r} member)")
    named = alg or (jwk.get("alg") if isinstance(jwk.get("alg"), str) else None)
    try:
        loaded = jwt.PyJWK(dict(jwk), algorithm=named)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise ConfigurationError(f"{what} is not a usable JWK") from None
    jwk_kid = jwk.get("kid") if isinstance(jwk.get("kid"), str) else None
    return _checked(loaded.key, named or loaded.algorithm_name, kid or jwk_kid, what)


def _default_alg(key: Any) -> Optional[str]:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return _CURVE_ALGS.get(key.curve.name)
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        return "EdDSA"
    return None


def _checked(key: Any, alg: Optional[str], kid: Optional[str], what: str) -> SigningKey:
    if isinstance(key, bytes):  # an "oct" JWK: an HMAC secret
        chosen = alg or "HS256"
        if chosen not in HMAC_ALGS:
            raise ConfigurationError(f"{what}: a symmetric key signs only {list(HMAC_ALGS)}")
        return SigningKey(key, chosen, kid)
    require_jwt(what)
    natural = _default_alg(key)
    if natural is None:
        raise ConfigurationError(f"{what}: unsupported private key type "
                                 f"{type(key).__name__}")
    chosen = alg or natural
    if key_family(chosen) != key_family(natural) or (
        natural.startswith("ES") and chosen != natural
    ):
        raise ConfigurationError(f"{what}: alg {chosen!r} does not fit the key (it signs "
                                 f"{natural})")
    return SigningKey(key, chosen, kid)
