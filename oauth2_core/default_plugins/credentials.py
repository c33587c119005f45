"""RFC 6750: putting the access token on API requests."""

from __future__ import annotations

from typing import Optional

import requests

from ..hookspecs import hookimpl
from ..providers import Provider
from ..tokens import Token


@hookimpl(trylast=True)
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, token: Token
) -> Optional[object]:
    for name, value in provider.api_headers.items():
        request.headers.setdefault(name, value)  # a header the caller set wins
    if provider.token_delivery == "query":
        request.prepare_url(request.url, {provider.token_query_param: token["access_token"]})
    else:
        request.headers["Authorization"] = (
            f"{provider.authorization_scheme} {token['access_token']}"
        )
    return True
