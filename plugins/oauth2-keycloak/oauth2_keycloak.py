"""Keycloak (OpenID Connect) for oauth2-core.

Endpoints are ``{base}/realms/{realm}/protocol/openid-connect/...``.  ``base`` is the
server's URL including any context path: Keycloak 17 and later serve at the root, older
(WildFly) servers and those started with ``--http-relative-path=/auth`` under ``/auth``.

The one behaviour hook reads Keycloak's refresh-token lifetime, ``refresh_expires_in``
(seconds, relative like ``expires_in``), and stamps it as an absolute
``refresh_expires_at`` so a stored token still knows when its session ends.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

import requests

from oauth2_core import Provider, Token, hookimpl
from oauth2_core.default_plugins.token_response import json_object, token_from_fields

_OIDC = "{base}/realms/{realm}/protocol/openid-connect"

KEYCLOAK = Provider(
    name="keycloak",
    title="Keycloak",
    authorize_url=f"{_OIDC}/auth",
    token_url=f"{_OIDC}/token",
    revocation_url=f"{_OIDC}/revoke",
    introspection_url=f"{_OIDC}/token/introspect",
    userinfo_url=f"{_OIDC}/userinfo",
    device_authorization_url=f"{_OIDC}/auth/device",
    jwks_url=f"{_OIDC}/certs",
    end_session_url=f"{_OIDC}/logout",
    issuer="{base}/realms/{realm}",
    default_scopes=("openid", "profile", "email"),
    token_endpoint_auth_method="client_secret_basic",
    template_patterns={
        # scheme, host, optional port and path (the legacy /auth context path).
        "base": r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~-]+)*/?",
        "realm": r"[A-Za-z0-9._-]+",
    },
    docs_url="https://www.keycloak.org/docs/latest/server_admin/#_oidc_clients",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(KEYCLOAK)


@hookimpl
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> Optional[Token]:
    if provider.name != "keycloak":
        return None
    fields = json_object(response)
    if fields is None:
        return None  # not JSON: the core's parser explains what came back
    token = token_from_fields(provider, fields, response)
    refresh_in = token.get("refresh_expires_in")
    # 0 means no idle limit (offline tokens); a stored refresh_expires_at is kept.
    if (isinstance(refresh_in, (int, float)) and not isinstance(refresh_in, bool)
            and refresh_in > 0 and "refresh_expires_at" not in token):
        token["refresh_expires_at"] = int(time.time() + refresh_in)
    return token
