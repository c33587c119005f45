"""RFC 6749 section 2.3 and RFC 7523: client authentication at the token endpoint."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from ..errors import ConfigurationError
from ..providers import Provider
from ..transport import TokenRequest

if TYPE_CHECKING:
    from ..client import OAuth2Client


def basic_credentials(client_id: str, client_secret: str) -> str:
    """The ``Authorization`` header value for ``client_secret_basic``.

    RFC 6749 section 2.3.1: id and secret are form-urlencoded *before* Base64, so a
    secret with ':' or '%' survives (many libraries get this wrong).
    """
    pair = f"{quote_plus(client_id)}:{quote_plus(client_secret)}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def authenticate_client(provider: Provider, request: TokenRequest, client: OAuth2Client) -> None:
    """Authenticate the client as ``request.auth_method`` says, unless a plugin has."""
    if request.client_authenticated:
        return
    method = request.auth_method
    if not request.client_id:
        raise ConfigurationError(f"provider {provider.name!r}: client_id is not set (pass "
                                 f"client_id=... or set {provider.env_prefix}CLIENT_ID)")
    if method == "none":
        request.data.setdefault("client_id", request.client_id)
    elif method in ("client_secret_basic", "client_secret_post"):
        if not request.client_secret:
            raise ConfigurationError(
                f"provider {provider.name!r}: {method} needs client_secret (pass "
                f"client_secret=... or set {provider.env_prefix}CLIENT_SECRET)"
            )
        if method == "client_secret_basic":
            request.headers["Authorization"] = basic_credentials(
                request.client_id, request.client_secret
            )
        else:
            request.data["client_id"] = request.client_id
            request.data["client_secret"] = request.client_secret
    elif method in ("client_secret_jwt", "private_key_jwt"):
        from ..jwt_auth import add_client_assertion  # RFC 7523: signing needs the jwt extra

        add_client_assertion(request, client)
    else:
        raise ConfigurationError(f"unknown token_endpoint_auth_method {method!r}")
    request.client_authenticated = True
