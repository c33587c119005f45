"""Instagram (Instagram API with Instagram Login, "Business Login") for oauth2-core.

The Instagram Basic Display API was retired on 2024-12-04; this plugin speaks its
successor, which serves professional (Business and Creator) accounts only.

Instagram's habits: the code exchange answers a short-lived (1 hour) token without
``expires_in`` or ``token_type``, possibly wrapped in ``{"data": [...]}``, with the
granted ``permissions`` instead of ``scope``; errors come as ``{"error_type",
"error_message"}`` (api.instagram.com) or as Graph error objects (graph.instagram.com);
the long-lived token is a GET to graph.instagram.com with grant ``ig_exchange_token``
and is renewed with ``ig_refresh_token``; the Graph API takes ``access_token`` in the
query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

import requests

from oauth2_core import (
    PKCE_UNSUPPORTED,
    ConfigurationError,
    InvalidClient,
    InvalidGrant,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    TokenRequest,
    UserInfo,
    hookimpl,
)
from oauth2_core.default_plugins.token_response import token_from_fields
from oauth2_core.errors import raise_for_error_fields
from oauth2_core.provider_helpers import envelope_object, token_fields
from oauth2_core.userinfo import fetch_profile

__all__ = [
    "GRAPH_URL",
    "INSTAGRAM",
    "SHORT_LIVED_SECONDS",
    "USERINFO_FIELDS",
    "exchange_for_long_lived_token",
    "refresh_long_lived_token",
]

GRAPH_URL = "https://graph.instagram.com"
#: The documented lifetime of the token the code exchange returns (it carries none).
SHORT_LIVED_SECONDS = 3600
USERINFO_FIELDS = "id,user_id,username,name,account_type,profile_picture_url"

INSTAGRAM = Provider(
    name="instagram",
    title="Instagram",
    authorize_url="https://www.instagram.com/oauth/authorize",
    token_url="https://api.instagram.com/oauth/access_token",
    userinfo_url=GRAPH_URL + "/v{version}/me",
    default_scopes=("instagram_business_basic",),
    scope_separator=",",
    token_endpoint_auth_method="client_secret_post",
    pkce=PKCE_UNSUPPORTED,
    token_delivery="query",
    template_defaults={"version": "25.0"},
    template_patterns={"version": r"[0-9]{1,3}\.[0-9]{1,2}"},
    docs_url="https://developers.facebook.com/apps/",
)

_EXCHANGE, _REFRESH = "ig_exchange_token", "ig_refresh_token"


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(INSTAGRAM)


def exchange_for_long_lived_token(client: OAuth2Client, token: Union[Token, str]) -> Token:
    """Swap a short-lived token (1 hour) for a long-lived one (60 days).  Server side
    only: the request carries the app secret."""
    return client.request_token(_EXCHANGE, access_token=_access_token(token))


def refresh_long_lived_token(client: OAuth2Client, token: Union[Token, str]) -> Token:
    """Renew a long-lived token (at least 24 hours old, not yet expired) for 60 days."""
    return client.request_token(_REFRESH, access_token=_access_token(token))


def _access_token(token: Union[Token, str]) -> str:
    value = token if isinstance(token, str) else token.get("access_token")
    if not isinstance(value, str) or not value:
        raise ConfigurationError("an Instagram access token is needed")
    return value


@hookimpl
def oauth2_prepare_token_request(provider: Provider, request: TokenRequest) -> None:
    if provider.name != "instagram" or request.endpoint != "token":
        return
    grant = request.grant_type
    if grant not in (_EXCHANGE, _REFRESH):
        return
    # Both are GETs to graph.instagram.com with everything in the query string.
    data: dict[str, Any] = {"grant_type": grant, "access_token": request.data.get("access_token")}
    if grant == _EXCHANGE:
        if not request.client_secret:
            raise ConfigurationError("instagram: the long-lived token exchange needs "
                                     "client_secret (set OAUTH2_INSTAGRAM_CLIENT_SECRET)")
        data["client_secret"] = request.client_secret
        request.url = GRAPH_URL + "/access_token"
    else:
        request.url = GRAPH_URL + "/refresh_access_token"
    request.method = "GET"
    request.data = data
    request.client_authenticated = True


@hookimpl
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> Optional[Token]:
    if provider.name != "instagram":
        return None
    fields = token_fields(response)
    if "access_token" not in fields:  # the code exchange may answer {"data": [{...}]}
        fields = envelope_object(fields) or fields
    _raise_for_instagram_error(fields, response)
    permissions = fields.get("permissions")
    if "scope" not in fields and permissions is not None:
        fields["scope"] = ",".join(permissions) if isinstance(permissions, list) else permissions
    if fields.get("user_id") is not None:
        fields["user_id"] = str(fields["user_id"])  # 17-digit ids break JavaScript numbers
    if "expires_in" not in fields and "expires_at" not in fields:
        fields["expires_in"] = SHORT_LIVED_SECONDS
    return token_from_fields(provider, fields, response)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "instagram":
        return None
    profile = fetch_profile(session, provider.userinfo_url or "",
                            params={"fields": USERINFO_FIELDS})
    if profile.get("id") is None:
        raise OAuth2Error("userinfo_failed", "Instagram /me did not return an id")
    return UserInfo(
        id=str(profile["id"]),
        name=profile.get("name") or None,
        username=profile.get("username") or None,
        picture=profile.get("profile_picture_url") or None,
        raw=profile,  # Instagram never shares an email address
    )


def _raise_for_instagram_error(fields: dict[str, Any], response: requests.Response) -> None:
    status = response.status_code
    if "error_type" in fields or "error_message" in fields:  # api.instagram.com
        message = str(fields.get("error_message") or "")
        kind = str(fields.get("error_type") or "OAuthException")
        lowered = message.lower()
        cls: type[OAuth2Error] = OAuth2Error
        if "code" in lowered or "redirect_uri" in lowered:
            cls = InvalidGrant  # the code is invalid, used, expired or for another redirect
        elif "client" in lowered or "platform app" in lowered:
            cls = InvalidClient
        error = cls.code or "instagram_error"
        raise cls(error, f"{message} ({kind})" if message else kind, None, status, response)
    graph_error = fields.get("error")
    if isinstance(graph_error, Mapping):  # graph.instagram.com: a Graph error object
        code = graph_error.get("code")
        description = (f"{graph_error.get('message') or 'Graph error'} "
                       f"({graph_error.get('type')}, code {code})")
        if code == 190:  # the token to exchange or refresh is invalid or expired
            raise InvalidGrant(description=description, status_code=status, response=response)
        raise OAuth2Error("instagram_error", description, status_code=status, response=response)
    raise_for_error_fields(fields, response)
