"""Microsoft Entra ID (the Microsoft identity platform, v2.0 endpoints) for oauth2-core.

Every endpoint lives under a tenant: ``common`` (work, school and personal accounts, the
default), ``organizations``, ``consumers``, a tenant GUID or a verified domain.  The one
behaviour hook re-sends the scope on refresh, which the v2.0 token endpoint expects.
"""

from __future__ import annotations

from typing import Callable

from oauth2_core import OAuth2Client, Provider, TokenRequest, hookimpl

_LOGIN = "https://login.microsoftonline.com/{tenant}"
_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
#: Microsoft's literal issuer placeholder for multi-tenant apps: the real ``iss`` of an
#: id_token carries the user's tenant GUID (its ``tid`` claim) in its place.
TENANT_ID_PLACEHOLDER = "{tenantid}"

MICROSOFT = Provider(
    name="microsoft",
    title="Microsoft Entra ID",
    authorize_url=f"{_LOGIN}/oauth2/v2.0/authorize",
    token_url=f"{_LOGIN}/oauth2/v2.0/token",
    device_authorization_url=f"{_LOGIN}/oauth2/v2.0/devicecode",
    end_session_url=f"{_LOGIN}/oauth2/v2.0/logout",
    jwks_url=f"{_LOGIN}/discovery/v2.0/keys",
    userinfo_url="https://graph.microsoft.com/oidc/userinfo",
    # ``{tenantid}`` is a placeholder of its own whose default is itself, so the resolved
    # issuer keeps Microsoft's literal template unless the app pins its tenant GUID.
    issuer="https://login.microsoftonline.com/{tenantid}/v2.0",
    # An id_token's iss names its own tenant: accept the template filled with its tid.
    id_token_issuer_claims={"tenantid": "tid"},
    default_scopes=("openid", "profile", "email", "offline_access"),
    token_endpoint_auth_method="client_secret_post",
    template_defaults={"tenant": "common", "tenantid": TENANT_ID_PLACEHOLDER},
    template_patterns={
        # common | organizations | consumers | a GUID | a verified domain: one path segment.
        "tenant": r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?",
        "tenantid": rf"\{{tenantid\}}|{_GUID}",
    },
    docs_url="https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(MICROSOFT)


@hookimpl
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    """The v2.0 endpoint documents ``scope`` as required on a refresh (a refresh token
    can serve several resources, so it must be told which one); send the client's."""
    if provider.name != "microsoft":
        return None
    if request.endpoint != "token" or request.grant_type != "refresh_token":
        return None
    if not request.data.get("scope") and client.scope:
        request.data["scope"] = provider.scope_separator.join(client.scope)
    return None
