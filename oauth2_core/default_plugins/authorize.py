"""RFC 6749 section 4.1.1: the authorization request URL."""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlencode, urlsplit

from ..errors import ConfigurationError
from ..hookspecs import hookimpl
from ..providers import Provider
from .parameters import normalise_parameters


@hookimpl(trylast=True)
def oauth2_build_authorize_url(provider: Provider, params: dict[str, Any]) -> Optional[str]:
    if not provider.authorize_url:
        raise ConfigurationError(f"provider {provider.name!r} has no authorize_url")
    normalise_parameters(params)  # resource lists, authorization_details as JSON
    query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    separator = "&" if urlsplit(provider.authorize_url).query else "?"
    return f"{provider.authorize_url}{separator}{query}"
