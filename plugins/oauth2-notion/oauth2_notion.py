"""Notion (public connections) for oauth2-core.

Notion's OAuth endpoints are part of its versioned JSON API:

- the authorization request needs ``owner=user``; there are no scopes;
- token, refresh, revocation and introspection requests authenticate with HTTP Basic
  and carry a JSON body (revocation and introspection take only ``token``), with the
  ``Notion-Version`` header like every other API call;
- errors come as Notion API error objects (``{"object": "error", "code", "message"}``);
- ``redirect_uri`` must not be in the token body when the authorization URL had none
  and the connection has a single redirect URI: the core leaves it out whenever the
  client has no ``redirect_uri``;
- the signed-in person is in the token response (``owner.user``); a token without it
  (a refreshed one) falls back to ``GET /v1/users/me``, whose bot carries the owner.

Setting: ``notion_version`` (the ``Notion-Version`` header, default ``DEFAULT_VERSION``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Callable, Optional

import requests

from oauth2_core import (
    PKCE_UNSUPPORTED,
    ConfigurationError,
    InvalidClient,
    InvalidRequest,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    TokenRequest,
    UserInfo,
    hookimpl,
)
from oauth2_core.default_plugins.token_response import json_object
from oauth2_core.provider_helpers import mapped_error
from oauth2_core.userinfo import fetch_profile

#: The Notion API version sent when the client has no ``notion_version`` setting.
DEFAULT_VERSION = "2025-09-03"
_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Notion API error codes with an RFC 6749 equivalent (Notion's own ``invalid_grant`` and
#: the like are RFC codes already).
_ERROR_CLASSES: Mapping[str, type[OAuth2Error]] = {
    "unauthorized": InvalidClient,
    "validation_error": InvalidRequest,
}

NOTION = Provider(
    name="notion",
    title="Notion",
    authorize_url="https://api.notion.com/v1/oauth/authorize",
    token_url="https://api.notion.com/v1/oauth/token",
    revocation_url="https://api.notion.com/v1/oauth/revoke",
    introspection_url="https://api.notion.com/v1/oauth/introspect",
    userinfo_url="https://api.notion.com/v1/users/me",
    extra_authorize_params={"owner": "user"},
    # Not documented, and the token body is schema-checked JSON: no code_verifier.
    pkce=PKCE_UNSUPPORTED,
    docs_url="https://www.notion.so/profile/integrations",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(NOTION)


def notion_version(client: OAuth2Client) -> str:
    """The ``Notion-Version`` this client sends (setting ``notion_version``)."""
    version = str(client.settings.get("notion_version") or DEFAULT_VERSION)
    if not _VERSION.fullmatch(version):
        raise ConfigurationError(f"notion_version must look like 2025-09-03, not {version!r}")
    return version


@hookimpl
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    if provider.name != "notion":
        return
    request.body_format = "json"
    request.headers["Notion-Version"] = notion_version(client)
    if request.endpoint in ("revocation", "introspection"):
        request.data.pop("token_type_hint", None)  # the documented body is {"token"} only


@hookimpl
def oauth2_parse_token_response(
    provider: Provider, response: requests.Response
) -> Optional[Token]:
    if provider.name != "notion":
        return None
    fields = json_object(response)
    if fields is not None and fields.get("object") == "error" and "error" not in fields:
        code = str(fields.get("code") or "oauth2_error")
        raise mapped_error(code, _ERROR_CLASSES, fields.get("message"), response=response)
    return None  # the standard parser reads a token (or an RFC-shaped error)


@hookimpl
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, token: Token, client: OAuth2Client
) -> Optional[object]:
    if provider.name != "notion":
        return None
    request.headers["Authorization"] = f"Bearer {token['access_token']}"
    if "Notion-Version" not in request.headers:  # a caller's own version wins
        request.headers["Notion-Version"] = notion_version(client)
    return True


@hookimpl
def oauth2_userinfo(
    provider: Provider, session: requests.Session, token: Token
) -> Optional[UserInfo]:
    if provider.name != "notion":
        return None
    owner = token.get("owner")
    if not (isinstance(owner, Mapping) and isinstance(owner.get("user"), Mapping)):
        owner = _owner_from_bot(session, provider.userinfo_url or "")
    user = owner.get("user")
    if not isinstance(user, Mapping) or not user.get("id"):
        raise OAuth2Error("userinfo_failed", "this Notion connection is owned by a workspace, "
                          "not a user (authorize with owner=user)")
    person = user.get("person")
    email = person.get("email") if isinstance(person, Mapping) else None
    return UserInfo(
        id=str(user["id"]),
        email=email or None,
        name=user.get("name") or None,
        picture=user.get("avatar_url") or None,
        raw=dict(user),
    )


def _owner_from_bot(session: requests.Session, url: str) -> Mapping[str, Any]:
    bot = fetch_profile(session, url).get("bot")
    owner = bot.get("owner") if isinstance(bot, Mapping) else None
    if not isinstance(owner, Mapping):
        raise OAuth2Error("userinfo_failed", "Notion users/me did not return a bot with an "
                          "owner")
    return owner
