"""Zoom (General / user-managed OAuth apps) for oauth2-core.

- Scopes are chosen on the Marketplace app, so none is sent unless you pass ``scope=``.
- The token endpoint wants HTTP Basic; the form body carries only the grant.  Zoom has
  no public clients, so a missing client secret is a configuration error here rather
  than an ``invalid_client`` from Zoom.
- Zoom's errors put the description in ``reason``.
"""

from __future__ import annotations

from typing import Callable, Optional

import requests

from oauth2_core import ConfigurationError, OAuth2Error, Provider, TokenRequest, UserInfo, hookimpl
from oauth2_core.default_plugins.token_response import json_object
from oauth2_core.errors import raise_for_error_fields
from oauth2_core.userinfo import fetch_profile

USERS_ME = "https://api.zoom.us/v2/users/me"

ZOOM = Provider(
    name="zoom",
    title="Zoom",
    authorize_url="https://zoom.us/oauth/authorize",
    token_url="https://zoom.us/oauth/token",
    revocation_url="https://zoom.us/oauth/revoke",
    userinfo_url=USERS_ME,
    default_scopes=(),
    token_endpoint_auth_method="client_secret_basic",
    docs_url="https://marketplace.zoom.us/develop/create",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(ZOOM)


@hookimpl
def oauth2_prepare_token_request(provider: Provider, request: TokenRequest) -> None:
    if provider.name != ZOOM.name:
        return
    if request.auth_method == "none" and not request.client_authenticated:
        raise ConfigurationError(
            f"Zoom authenticates every token request with the client secret: pass "
            f"client_secret=... or set {provider.env_prefix}CLIENT_SECRET"
        )


@hookimpl
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> None:
    if provider.name != ZOOM.name:
        return
    fields = json_object(response)
    if not fields or not fields.get("error") or fields.get("error_description"):
        return  # success, or an RFC-style error: the core's parser handles it
    reason = fields.get("reason")
    if isinstance(reason, str) and reason:
        # The core removes the code and secrets we sent from the description.
        raise_for_error_fields({**fields, "error_description": reason}, response)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != ZOOM.name:
        return None
    user = fetch_profile(session, provider.userinfo_url or USERS_ME)
    if not user.get("id"):
        raise OAuth2Error("userinfo_failed", "Zoom /v2/users/me did not return a user")
    name = user.get("display_name") or " ".join(
        str(p) for p in (user.get("first_name"), user.get("last_name")) if p
    )
    return UserInfo(
        id=str(user["id"]),
        email=user.get("email") or None,
        email_verified=None,  # Zoom's "verified" flag is about the account, not the email
        name=name or None,
        username=None,
        picture=user.get("pic_url") or None,
        raw=dict(user),
    )
