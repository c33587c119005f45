"""Figma for oauth2-core.

Figma's habits:

- the OAuth endpoints moved to ``api.figma.com`` (the old ``www.figma.com/api/oauth/...``
  URLs answer 404);
- refreshing uses its own endpoint, ``/v1/oauth/refresh``, whose body is just the
  ``refresh_token``; its answer carries only ``access_token`` and ``expires_in`` (the
  core keeps the old refresh token);
- errors come as ``{"error": true, "status": 400, "message": "..."}``;
- the profile is ``GET /v1/me`` (``id``, ``email``, ``handle``, ``img_url``).
"""

from __future__ import annotations

from typing import Callable, Optional

import requests

from oauth2_core import OAuth2Error, Provider, Token, TokenRequest, UserInfo, hookimpl
from oauth2_core.default_plugins.token_response import json_object
from oauth2_core.userinfo import fetch_profile

#: Where refresh-token requests go instead of ``token_url``.
REFRESH_URL = "https://api.figma.com/v1/oauth/refresh"

FIGMA = Provider(
    name="figma",
    title="Figma",
    authorize_url="https://www.figma.com/oauth",
    token_url="https://api.figma.com/v1/oauth/token",
    userinfo_url="https://api.figma.com/v1/me",
    default_scopes=("current_user:read",),
    token_endpoint_auth_method="client_secret_basic",
    docs_url="https://www.figma.com/developers/apps",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(FIGMA)


@hookimpl
def oauth2_prepare_token_request(provider: Provider, request: TokenRequest) -> None:
    if provider.name != "figma":
        return
    if request.endpoint == "token" and request.grant_type == "refresh_token":
        request.url = REFRESH_URL
        del request.data["grant_type"]  # the refresh endpoint takes only refresh_token


@hookimpl
def oauth2_parse_token_response(
    provider: Provider, response: requests.Response
) -> Optional[Token]:
    if provider.name != "figma":
        return None
    fields = json_object(response)
    if fields is not None and fields.get("error") is True:
        message = fields.get("message")
        raise OAuth2Error("figma_error", str(message) if message else None,
                          status_code=response.status_code, response=response)
    return None


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "figma":
        return None
    body = fetch_profile(session, provider.userinfo_url or "")
    if not body.get("id"):
        raise OAuth2Error("userinfo_failed", "Figma /v1/me did not return a user")
    return UserInfo(
        id=str(body["id"]),
        email=body.get("email") or None,
        name=body.get("handle") or None,
        username=body.get("handle") or None,
        picture=body.get("img_url") or None,
        raw=dict(body),
    )
