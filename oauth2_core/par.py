"""Pushed authorization requests (RFC 9126).

The client POSTs the authorization parameters to the provider's PAR endpoint, with its
client authentication, and gets back a short-lived ``request_uri``; the browser is then
sent to the authorization endpoint with only ``client_id`` and ``request_uri``.  Nothing
in the URL can be read or changed on the way, and the server has authenticated the
client before the user sees a page.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

from .default_plugins.token_response import json_object
from .errors import ConfigurationError, TokenResponseError

if TYPE_CHECKING:
    from .client import OAuth2Client

__all__ = ["PushedAuthorizationRequest", "push_authorization_request"]


@dataclasses.dataclass(frozen=True)
class PushedAuthorizationRequest:
    """The PAR endpoint's answer (RFC 9126 section 2.2)."""

    request_uri: str
    expires_in: Optional[float] = None

    def __repr__(self) -> str:
        return f"PushedAuthorizationRequest(expires_in={self.expires_in!r})"


def push_authorization_request(client: OAuth2Client,
                               params: Mapping[str, Any]) -> PushedAuthorizationRequest:
    """Push ``params`` (the whole authorization request) to the provider's PAR endpoint.

    :raises ConfigurationError: the provider has no ``par_url``.
    :raises OAuth2Error: the endpoint refused the request (``invalid_request``, ...), or
        its answer lacks a ``request_uri``.
    """
    url = client.provider.par_url
    if not url:
        raise ConfigurationError(f"provider {client.provider.name!r} has no par_url "
                                 "(pushed_authorization_request_endpoint)")
    data = {k: v for k, v in params.items() if v is not None}
    response = client.send(url, data, endpoint="par")
    if response.status_code not in (200, 201):  # the RFC says 201; some answer 200
        client._raise_endpoint_error(response, "pushed_authorization_request",
                                     [client.client_secret])
    body = json_object(response) or {}
    request_uri = body.get("request_uri")
    expires_in = body.get("expires_in")
    if not isinstance(request_uri, str) or not request_uri:
        raise TokenResponseError(description="the PAR endpoint's answer has no request_uri",
                                 status_code=response.status_code, response=response)
    if expires_in is not None and (isinstance(expires_in, bool) or not isinstance(
            expires_in, (int, float)) or not math.isfinite(expires_in) or expires_in <= 0):
        raise TokenResponseError(description="the PAR endpoint's expires_in is not a "
                                 "positive number", status_code=response.status_code,
                                 response=response)
    return PushedAuthorizationRequest(request_uri, float(expires_in) if expires_in else None)
