"""The test server's signing keys: RS256 id_tokens and the JWKS that verifies them.

Needs PyJWT with cryptography (the ``jwt`` extra), imported only when a server signs.
Generating an RSA key costs tens of milliseconds, so the first key is shared by every
server in the process; :meth:`Signer.rotate` makes fresh ones.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import threading
from typing import Any

from ..errors import ConfigurationError

__all__ = ["Signer", "at_hash", "jwt_available"]

ALG = "RS256"


def jwt_available() -> bool:
    """Whether PyJWT and cryptography are installed (the ``jwt`` extra)."""
    try:
        from jwt.algorithms import has_crypto
    except ImportError:
        return False
    return bool(has_crypto)


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def at_hash(access_token: str) -> str:
    """OpenID Connect Core 3.1.3.6: the left half of SHA-256 of the token, base64url."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def _new_private_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.lru_cache(maxsize=1)
def _shared_private_key() -> Any:
    return _new_private_key()


def _public_jwk(private_key: Any) -> dict[str, str]:
    numbers = private_key.public_key().public_numbers()
    jwk = {"kty": "RSA", "n": _b64url_uint(numbers.n), "e": _b64url_uint(numbers.e)}
    # RFC 7638: the key's thumbprint names it, so a rotated key gets a new kid.
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return {**jwk, "kid": kid, "use": "sig", "alg": ALG}


class Signer:
    """Signs id_tokens with the newest key; publishes the public keys as a JWKS."""

    def __init__(self) -> None:
        if not jwt_available():
            raise ConfigurationError("signed id_tokens need PyJWT with cryptography: "
                                     "pip install 'oauth2-core[jwt]'")
        self._lock = threading.Lock()
        key = _shared_private_key()
        self._keys: list[tuple[Any, dict[str, str]]] = [(key, _public_jwk(key))]

    @property
    def kid(self) -> str:
        """The ``kid`` new tokens are signed with."""
        with self._lock:
            return self._keys[-1][1]["kid"]

    def jwks(self) -> dict[str, Any]:
        """The JWK Set document (RFC 7517 section 5) of the public keys."""
        with self._lock:
            return {"keys": [dict(jwk) for _, jwk in reversed(self._keys)]}

    def sign(self, claims: dict[str, Any]) -> str:
        import jwt

        with self._lock:
            key, jwk = self._keys[-1]
        return jwt.encode(claims, key, algorithm=ALG, headers={"kid": jwk["kid"]})

    def rotate(self, keep_old: bool = True) -> str:
        """Sign with a new key from now on; the old keys stay in the JWKS unless
        ``keep_old`` is False.  Returns the new ``kid``."""
        key = _new_private_key()
        jwk = _public_jwk(key)
        with self._lock:
            if not keep_old:
                self._keys.clear()
            self._keys.append((key, jwk))
        return jwk["kid"]
