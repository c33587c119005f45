"""Salesforce (OpenID Connect) for oauth2-core.

The login host is a setting: ``login.salesforce.com`` (production, the default),
``test.salesforce.com`` (sandboxes) or the org's My Domain
(``acme.my.salesforce.com``).  What differs from plain OpenID Connect:

- the token response has no ``expires_in`` (the access token lives as long as the org's
  session timeout), so a Token never expires by time;
- REST calls go to the org's own ``instance_url`` from the token response, not to the
  login host: :func:`instance_url` reads and checks it;
- the token endpoint names bad client credentials ``invalid_client_id`` and
  ``invalid_client_credentials``; they are raised as :class:`oauth2_core.InvalidClient`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import requests

from oauth2_core import InvalidClient, OAuth2Error, Provider, Token, TokenResponseError, hookimpl
from oauth2_core.default_plugins.token_response import json_object
from oauth2_core.provider_helpers import raise_for_mapped_error

_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"  # My Domain sandboxes have "--"

SALESFORCE = Provider(
    name="salesforce",
    title="Salesforce",
    authorize_url="https://{host}/services/oauth2/authorize",
    token_url="https://{host}/services/oauth2/token",
    revocation_url="https://{host}/services/oauth2/revoke",
    introspection_url="https://{host}/services/oauth2/introspect",
    userinfo_url="https://{host}/services/oauth2/userinfo",
    jwks_url="https://{host}/id/keys",
    issuer="https://{host}",
    default_scopes=("api", "refresh_token", "openid"),
    token_endpoint_auth_method="client_secret_post",
    template_defaults={"host": "login.salesforce.com"},
    template_patterns={"host": rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})+"},
    docs_url="https://help.salesforce.com/s/articleView?id=sf.connected_app_create.htm",
)

#: Salesforce's own codes for what RFC 6749 calls invalid_client.
CLIENT_ERRORS: Mapping[str, type[OAuth2Error]] = {
    "invalid_client_id": InvalidClient,
    "invalid_client_credentials": InvalidClient,
}


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(SALESFORCE)


@hookimpl
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> Optional[Token]:
    if provider.name != "salesforce":
        return None
    fields = json_object(response)
    if fields is not None:
        raise_for_mapped_error(fields, CLIENT_ERRORS, response)
    return None  # everything else is standard


def instance_url(token: Mapping[str, Any]) -> str:
    """The org's API base URL (``https://acme.my.salesforce.com``) from a token response,
    for REST calls: ``f"{instance_url(token)}/services/data/v62.0/..."``.

    :raises TokenResponseError: the token has no ``instance_url``, or it is not https.
    """
    value = token.get("instance_url")
    parts = urlsplit(value) if isinstance(value, str) else None
    if (parts is None or parts.scheme != "https" or not parts.hostname
            or "@" in parts.netloc or parts.query or parts.fragment):
        raise TokenResponseError(description="the token has no https instance_url (REST "
                                 "calls go to the org's own host)")
    return f"https://{parts.netloc}{parts.path}".rstrip("/")
