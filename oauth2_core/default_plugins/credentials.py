"""RFC 6750 (and RFC 9449 for DPoP tokens): putting the access token on API requests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import requests

from ..hookspecs import hookimpl
from ..providers import Provider
from ..tokens import Token
from .dpop import attach_dpop_token, is_dpop_token

if TYPE_CHECKING:
    from ..client import OAuth2Client


@hookimpl(trylast=True)
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, token: Token, client: OAuth2Client
) -> Optional[object]:
    if is_dpop_token(token):  # RFC 9449: bound to the client's key, sent with a proof
        return attach_dpop_token(provider, request, token, client)
    for name, value in provider.api_headers.items():
        request.headers.setdefault(name, value)  # a header the caller set wins
    if provider.token_delivery == "query":
        request.prepare_url(request.url, {provider.token_query_param: token["access_token"]})
    else:
        request.headers["Authorization"] = (
            f"{provider.authorization_scheme} {token['access_token']}"
        )
    return True
