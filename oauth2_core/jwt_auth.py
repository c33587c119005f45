"""JWTs as client credentials and as grants (RFC 7523, OpenID Connect Core section 9).

- ``client_secret_jwt``: an assertion signed with HMAC using the client secret, which
  itself never goes over the wire;
- ``private_key_jwt``: an assertion signed with the client's private key
  (``client(..., private_key=..., private_key_id=..., client_assertion_alg=...)``);
- the JWT bearer grant (section 2.1): an assertion *is* the grant, for service accounts.

Each assertion is fresh: a new ``jti`` and a short ``exp``, so a captured one is useless
once used (servers remember ``jti`` values until ``exp``).
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any, Optional

from .errors import ConfigurationError
from .jws import HMAC_ALGS, SigningKey, load_signing_key, require_jwt

if TYPE_CHECKING:
    from .client import OAuth2Client
    from .transport import TokenRequest

__all__ = [
    "ASSERTION_LIFETIME",
    "CLIENT_ASSERTION_TYPE",
    "JWT_BEARER_GRANT",
    "add_client_assertion",
    "assertion_audience",
    "assertion_claims",
    "client_assertion",
]

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: Seconds an assertion is valid: enough to reach the server, too little to be worth
#: stealing.  ``client(..., client_assertion_lifetime=...)`` changes it.
ASSERTION_LIFETIME = 60
#: Values of the ``client_assertion_audience`` setting that name an endpoint.
AUDIENCE_CHOICES = ("token_endpoint", "issuer", "endpoint")


def assertion_claims(issuer: str, subject: str, audience: str, lifetime: float,
                     now: Optional[float] = None, **extra: Any) -> dict[str, Any]:
    """The claims of an RFC 7523 assertion: ``iss``, ``sub``, ``aud``, a random ``jti``,
    ``iat`` and ``exp`` (``extra`` claims are added and may override them)."""
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "jti": secrets.token_urlsafe(24),
        "iat": issued,
        "exp": issued + int(lifetime),
    }
    claims.update(extra)
    return claims


def assertion_audience(client: OAuth2Client, endpoint_url: Optional[str] = None) -> str:
    """Whom an assertion is for, per the ``client_assertion_audience`` setting:
    ``"token_endpoint"`` (the default, as OpenID Connect Core section 9 says),
    ``"issuer"`` (the authorization server's issuer identifier, which the newer
    guidance prefers), ``"endpoint"`` (the URL the request goes to), or a literal URL."""
    setting = client.settings.get("client_assertion_audience") or "token_endpoint"
    provider = client.provider
    if setting == "token_endpoint":
        audience = provider.token_url
    elif setting == "issuer":
        audience = provider.issuer
    elif setting == "endpoint":
        audience = endpoint_url
    elif isinstance(setting, str) and "://" in setting:
        audience = setting
    else:
        raise ConfigurationError(f"client_assertion_audience must be one of "
                                 f"{list(AUDIENCE_CHOICES)} or a URL, not {setting!r}")
    if not audience:
        raise ConfigurationError(f"provider {provider.name!r} has no URL for the "
                                 f"client_assertion_audience {setting!r}")
    return audience


def assertion_key(client: OAuth2Client, method: str) -> SigningKey:
    """The key that signs ``client``'s assertions for ``method``: its private key for
    ``private_key_jwt`` (and the JWT bearer grant), its secret for ``client_secret_jwt``.
    Loaded once per client."""
    cache = client._assertion_keys
    if method in cache:
        return cache[method]
    settings = client.settings
    alg = settings.get("client_assertion_alg")
    if method == "client_secret_jwt":
        if not client.client_secret:
            raise ConfigurationError(
                f"client_secret_jwt signs with the client secret: pass client_secret=... or "
                f"set {client.provider.env_prefix}CLIENT_SECRET")
        if (alg or "HS256") not in HMAC_ALGS:
            raise ConfigurationError(f"client_secret_jwt signs with {list(HMAC_ALGS)}, "
                                     f"not {alg!r}")
        key = SigningKey(client.client_secret.encode("utf-8"), alg or "HS256")
    else:
        private_key = settings.get("private_key")
        if private_key is None:
            raise ConfigurationError(
                f"{method} signs with the client's private key: pass private_key=... (a "
                "JWK, a PEM key or a cryptography key object) to oauth2_core.client()")
        key = load_signing_key(private_key, alg=alg, kid=settings.get("private_key_id"))
        if key.is_symmetric:
            raise ConfigurationError(f"{method} needs an asymmetric private_key; an HMAC "
                                     "secret is client_secret_jwt")
    cache[method] = key
    return key


def client_assertion(client: OAuth2Client, method: str,
                     endpoint_url: Optional[str] = None) -> str:
    """A fresh client assertion JWT for ``method`` (RFC 7523 section 3): ``iss`` and
    ``sub`` are the client id."""
    require_jwt(method)  # before any other check: a missing extra is the first thing to fix
    if not client.client_id:
        raise ConfigurationError(f"{method} needs the client_id")
    lifetime = float(client.settings.get("client_assertion_lifetime") or ASSERTION_LIFETIME)
    claims = assertion_claims(client.client_id, client.client_id,
                              assertion_audience(client, endpoint_url), lifetime)
    return assertion_key(client, method).sign(claims, feature=method)


def add_client_assertion(request: TokenRequest, client: OAuth2Client) -> None:
    """Authenticate ``request`` with ``client_secret_jwt`` or ``private_key_jwt``: the
    ``client_assertion`` fields (RFC 7521 section 4.2), plus ``client_id``, which the
    RFC allows and servers use to find the client."""
    method = request.auth_method
    request.data["client_assertion_type"] = CLIENT_ASSERTION_TYPE
    request.data["client_assertion"] = client_assertion(client, method, request.url)
    if request.client_id:
        request.data.setdefault("client_id", request.client_id)
