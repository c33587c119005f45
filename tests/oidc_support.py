"""A fake OpenID provider for the OIDC tests: real keys, real signatures, its metadata.

Keys are generated with ``cryptography`` once per test session (RSA generation is slow);
tokens are signed with PyJWT, independently of the code under test's own parsing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import time
from typing import Any, Optional

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://id.example"
CLIENT_ID = "rp-client"
CLIENT_SECRET = "rp-client-secret-with-enough-bytes-for-hs256"


@functools.cache
def rsa_key(name: str = "a") -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def ec_key(name: str = "a") -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_jwk(key: Any, kid: str, **extra: Any) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    else:
        jwk = json.loads(ECAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=kid, use="sig", **extra)
    return dict(jwk)


def token_hash(value: str, alg: str = "RS256") -> str:
    digest = hashlib.new(f"sha{alg[2:]}", value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(claims: dict[str, Any], alg: str = "none", **header: Any) -> str:
    """A JWS with an empty signature, hand-built (PyJWT refuses to make some of these)."""
    head = {"alg": alg, "typ": "JWT", **header}
    return (f"{b64(json.dumps(head).encode())}.{b64(json.dumps(claims).encode())}.")


class FakeIssuer:
    """Issues id_tokens and serves discovery and JWKS on a ``requests_mock`` mocker."""

    def __init__(self, issuer: str = ISSUER, client_id: str = CLIENT_ID) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self.keys: dict[str, Any] = {"k1": rsa_key("a")}

    def claims(self, nonce: Optional[str] = None, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {"iss": self.issuer, "sub": "user-1", "aud": self.client_id,
                                  "exp": now + 300, "iat": now, "email": "u@example.test",
                                  "name": "User One"}
        if nonce is not None:
            claims["nonce"] = nonce
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any], kid: Optional[str] = "k1", alg: str = "RS256",
             key: Any = None) -> str:
        headers = {"kid": kid} if kid is not None else {}
        signing_key = key if key is not None else self.keys[kid or "k1"]
        return jwt.encode(claims, signing_key, algorithm=alg, headers=headers)

    def id_token(self, nonce: Optional[str] = None, **overrides: Any) -> str:
        return self.sign(self.claims(nonce, **overrides))

    def jwks(self) -> dict[str, Any]:
        return {"keys": [public_jwk(key, kid) for kid, key in self.keys.items()]}

    def metadata(self, **overrides: Any) -> dict[str, Any]:
        base = self.issuer.rstrip("/")
        document: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "revocation_endpoint": f"{base}/revoke",
            "introspection_endpoint": f"{base}/introspect",
            "userinfo_endpoint": f"{base}/userinfo",
            "device_authorization_endpoint": f"{base}/device",
            "end_session_endpoint": f"{base}/logout",
            "jwks_uri": f"{base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post", "none"],
            "authorization_response_iss_parameter_supported": True,
        }
        document.update(overrides)
        return {k: v for k, v in document.items() if v is not None}

    def serve(self, mocker: Any, **metadata: Any) -> dict[str, Any]:
        """Serve discovery and JWKS; returns the matchers (``["metadata"].call_count``)."""
        base = self.issuer.rstrip("/")
        return {
            "metadata": mocker.get(f"{base}/.well-known/openid-configuration",
                                   json=self.metadata(**metadata)),
            "jwks": mocker.get(f"{base}/jwks", json=lambda request, context: self.jwks()),
        }
