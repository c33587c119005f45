"""Okta (OpenID Connect) for oauth2-core.

Two providers, because Okta has two kinds of authorization server with different paths
and issuers:

- ``okta``: a custom authorization server, ``https://{domain}/oauth2/{authorization_server}``
  (``authorization_server`` defaults to ``default``, the one every Okta org has for API
  access);
- ``okta-org``: the org authorization server, issuer ``https://{domain}`` with endpoints
  under ``/oauth2/v1``.

The one behaviour hook sends the scope again on a refresh, as Okta wants it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, Optional

from oauth2_core import OAuth2Client, Provider, TokenRequest, hookimpl

# A DNS name with at least one dot (dev-123456.okta.com, login.example.com).
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
_DOCS = "https://developer.okta.com/docs/guides/implement-grant-type/authcode/main/"


def _okta(name: str, title: str, issuer: str, endpoints: str,
          patterns: Mapping[str, str], defaults: Optional[Mapping[str, str]] = None) -> Provider:
    return Provider(
        name=name,
        title=title,
        authorize_url=f"{endpoints}/v1/authorize",
        token_url=f"{endpoints}/v1/token",
        revocation_url=f"{endpoints}/v1/revoke",
        introspection_url=f"{endpoints}/v1/introspect",
        userinfo_url=f"{endpoints}/v1/userinfo",
        device_authorization_url=f"{endpoints}/v1/device/authorize",
        jwks_url=f"{endpoints}/v1/keys",
        end_session_url=f"{endpoints}/v1/logout",
        issuer=issuer,
        default_scopes=("openid", "profile", "email"),
        token_endpoint_auth_method="client_secret_basic",
        template_defaults=defaults or {},
        template_patterns=patterns,
        docs_url=_DOCS,
    )


OKTA = _okta(
    "okta", "Okta", issuer="https://{domain}/oauth2/{authorization_server}",
    endpoints="https://{domain}/oauth2/{authorization_server}",
    patterns={"domain": _DOMAIN, "authorization_server": r"[A-Za-z0-9]+"},
    defaults={"authorization_server": "default"},
)
OKTA_ORG = _okta(
    "okta-org", "Okta (org authorization server)", issuer="https://{domain}",
    endpoints="https://{domain}/oauth2", patterns={"domain": _DOMAIN},
)
PROVIDER_NAMES = frozenset({OKTA.name, OKTA_ORG.name})


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(OKTA)
    register(OKTA_ORG)


@hookimpl
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    """Okta wants the scopes on a refresh too (with ``offline_access`` among them for a
    new refresh token to come back): send the client's unless the caller chose."""
    if provider.name not in PROVIDER_NAMES:
        return
    if request.endpoint == "token" and request.grant_type == "refresh_token" and (
        "scope" not in request.data and client.scope
    ):
        request.data["scope"] = " ".join(client.scope)
