"""Keycloak (OpenID Connect) for oauth2-core.

Endpoints are ``{base}/realms/{realm}/protocol/openid-connect/...``.  ``base`` is the
server's URL including any context path: Keycloak 17 and later serve at the root, older
(WildFly) servers and those started with ``--http-relative-path=/auth`` under ``/auth``.

Pure data: the core's ``Token`` already turns Keycloak's relative refresh-token lifetime,
``refresh_expires_in``, into an absolute ``refresh_expires_at``.
"""

from __future__ import annotations

from typing import Callable

from oauth2_core import Provider, hookimpl

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
