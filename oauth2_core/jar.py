"""JWT-secured authorization requests (RFC 9101): the request as a signed JWT.

The authorization parameters become the claims of a request object signed with the
client's private key (``private_key=``, or ``request_object_key=`` for a separate one);
the URL carries only ``client_id`` and ``request``.  The server checks the signature
with the key registered for the client, so nobody on the way can change the request.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import ConfigurationError
from .jws import SigningKey, load_signing_key
from .jwt_auth import assertion_key

if TYPE_CHECKING:
    from .client import OAuth2Client

__all__ = ["REQUEST_OBJECT_TYPE", "request_object", "signed_request_params"]

#: RFC 9101 section 10.8: explicit typing, so a request object is never taken for
#: another kind of JWT.
REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
#: Seconds a request object is valid: the time from building the URL to the user's
#: browser reaching the server.
REQUEST_OBJECT_LIFETIME = 600
# Parameters whose value is JSON: a claim holds the structure, not its text.
_JSON_PARAMETERS = ("authorization_details", "claims")


def request_object_key(client: OAuth2Client) -> SigningKey:
    """``request_object_key`` if set, else the client's ``private_key``."""
    own = client.settings.get("request_object_key")
    alg = client.settings.get("request_object_signing_alg")
    if own is not None:
        key = load_signing_key(own, alg=alg, what="request_object_key")
    else:
        base = assertion_key(client, "private_key_jwt")
        key = load_signing_key(base, alg=alg) if alg else base
    if key.is_symmetric:
        raise ConfigurationError("request objects are signed with an asymmetric key")
    return key


def request_object(client: OAuth2Client, params: Mapping[str, Any]) -> str:
    """The signed request object for ``params`` (RFC 9101 section 4): the parameters as
    claims, plus ``iss`` (the client), ``aud`` (the issuer), ``iat``/``nbf``/``exp`` and a
    ``jti``, which profiles such as FAPI 2.0 require."""
    issuer = client.provider.issuer
    if not issuer:
        raise ConfigurationError(f"provider {client.provider.name!r} has no issuer, the "
                                 "audience of a signed request object")
    if not client.client_id:
        raise ConfigurationError("a signed request object needs the client_id")
    claims = {k: _claim(k, v) for k, v in params.items() if v is not None}
    now = int(time.time())
    claims.update(iss=client.client_id, aud=issuer, iat=now, nbf=now,
                  exp=now + REQUEST_OBJECT_LIFETIME, jti=secrets.token_urlsafe(24))
    claims["client_id"] = client.client_id
    return request_object_key(client).sign(claims, headers={"typ": REQUEST_OBJECT_TYPE},
                                           feature="a signed request object")


def signed_request_params(client: OAuth2Client, params: Mapping[str, Any]) -> dict[str, Any]:
    """What replaces ``params`` on the wire: ``client_id`` and the ``request`` JWT."""
    return {"client_id": client.client_id, "request": request_object(client, params)}


def _claim(name: str, value: Any) -> Any:
    if name in _JSON_PARAMETERS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
