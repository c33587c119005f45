"""Auth0 (OpenID Connect) for oauth2-core.

Every endpoint lives on the tenant's ``{domain}`` (``dev-abc.us.auth0.com`` or a custom
domain).  Two behaviours differ from plain OpenID Connect:

- the ``audience`` setting (an API identifier) goes on the authorization request and on
  machine-to-machine token requests: without it the access token is only good for
  ``/userinfo``, and the client-credentials grant fails;
- ``/oauth/revoke`` revokes refresh tokens only.

The issuer keeps Auth0's trailing slash (``https://{domain}/``).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from oauth2_core import ConfigurationError, OAuth2Client, Provider, TokenRequest, hookimpl

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"

AUTH0 = Provider(
    name="auth0",
    title="Auth0",
    authorize_url="https://{domain}/authorize",
    token_url="https://{domain}/oauth/token",
    revocation_url="https://{domain}/oauth/revoke",
    userinfo_url="https://{domain}/userinfo",
    device_authorization_url="https://{domain}/oauth/device/code",
    jwks_url="https://{domain}/.well-known/jwks.json",
    end_session_url="https://{domain}/oidc/logout",
    issuer="https://{domain}/",  # with the slash: it is compared character for character
    default_scopes=("openid", "profile", "email"),
    token_endpoint_auth_method="client_secret_post",
    template_patterns={"domain": rf"{_LABEL}(?:\.{_LABEL})+"},
    docs_url="https://manage.auth0.com/#/applications",
)

#: Grants that run without a user at /authorize, so the audience goes in the token request.
_AUDIENCE_GRANTS = frozenset({"client_credentials", "password"})


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(AUTH0)


@hookimpl
def oauth2_build_authorize_url(
    provider: Provider, params: dict[str, Any], client: OAuth2Client
) -> Optional[str]:
    if provider.name != "auth0":
        return None
    audience = client.settings.get("audience")
    if audience and "audience" not in params:
        params["audience"] = str(audience)
    return None


@hookimpl
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    if provider.name != "auth0":
        return
    if request.endpoint == "revocation" and request.data.get("token_type_hint") == "access_token":
        raise ConfigurationError("Auth0 revokes refresh tokens only; an access token stays "
                                 "valid until it expires")
    audience = client.settings.get("audience")
    if (request.endpoint == "token" and request.grant_type in _AUDIENCE_GRANTS
            and audience and "audience" not in request.data):
        request.data["audience"] = str(audience)
