"""Strava (API v3) for oauth2-core.

- Scopes are comma-separated, and the athlete may untick some on the consent page: the
  redirect's ``scope`` parameter says what was granted.  The token response does not, so
  use :func:`complete_authorization` to keep the granted scopes on the token.
- Token responses carry an absolute ``expires_at`` (kept as sent) next to ``expires_in``,
  and the authorization-code response embeds a summary ``athlete``, which
  ``userinfo()`` uses before calling ``GET /athlete``.
- Refresh tokens may rotate on every refresh; the core keeps whichever comes back.
- Errors are Strava's own ``{"message", "errors": [{"resource", "field", "code"}]}``
  objects, turned into typed errors here.
- Revocation is ``POST /oauth/deauthorize`` with the access token, no client credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

import requests

from oauth2_core import (
    PKCE_UNSUPPORTED,
    AuthorizationRequest,
    ConfigurationError,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    TokenRequest,
    UserInfo,
    hookimpl,
)
from oauth2_core.authorization import parse_callback
from oauth2_core.default_plugins.token_response import json_object
from oauth2_core.errors import error_class
from oauth2_core.tokens import parse_scope
from oauth2_core.userinfo import fetch_profile

ATHLETE_URL = "https://www.strava.com/api/v3/athlete"

STRAVA = Provider(
    name="strava",
    title="Strava",
    authorize_url="https://www.strava.com/oauth/authorize",
    token_url="https://www.strava.com/oauth/token",
    revocation_url="https://www.strava.com/oauth/deauthorize",
    userinfo_url=ATHLETE_URL,
    default_scopes=("read",),
    scope_separator=",",
    token_endpoint_auth_method="client_secret_post",
    pkce=PKCE_UNSUPPORTED,
    docs_url="https://www.strava.com/settings/api",
)

#: Strava error ``resource`` (and ``field``) -> RFC 6749 error code.
_RESOURCE_ERRORS = {
    "AuthorizationCode": "invalid_grant",
    "RefreshToken": "invalid_grant",
    "Authorize": "invalid_scope",
}


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(STRAVA)


@hookimpl
def oauth2_prepare_token_request(provider: Provider, request: TokenRequest) -> None:
    if provider.name != STRAVA.name or request.endpoint != "revocation":
        return
    if request.data.get("token_type_hint") == "refresh_token":
        raise ConfigurationError(
            "Strava deauthorizes with the access token: call revoke_token(token, "
            "token_type_hint='access_token') or pass the access token string"
        )
    request.data = {"access_token": request.data.get("token")}
    request.client_authenticated = True  # deauthorize takes no client credentials


@hookimpl
def oauth2_parse_token_response(provider: Provider,
                                response: requests.Response) -> Optional[Token]:
    if provider.name != STRAVA.name:
        return None
    fields = json_object(response)
    if fields is None or "error" in fields or not isinstance(fields.get("errors"), list):
        return None  # a token, an RFC-style error or garbage: the core's parser decides
    raise strava_error(fields, response)


def strava_error(fields: Mapping[str, Any], response: requests.Response) -> OAuth2Error:
    """The typed error for a Strava fault ``{"message", "errors": [...]}``."""
    details = [e for e in fields.get("errors") or [] if isinstance(e, dict)]
    first = details[0] if details else {}
    resource, field = str(first.get("resource") or ""), str(first.get("field") or "")
    if resource == "Application" and field in ("client_id", "client_secret", ""):
        code = "invalid_client"
    else:
        code = _RESOURCE_ERRORS.get(resource, "invalid_request")
    described = ", ".join(
        " ".join(str(e[k]) for k in ("resource", "field", "code") if e.get(k))
        for e in details
    )
    message = str(fields.get("message") or "Strava error")
    return error_class(code)(code, f"{message}: {described}" if described else message,
                             None, response.status_code, response)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session,
                    token: Token) -> Optional[UserInfo]:
    if provider.name != STRAVA.name:
        return None
    athlete = token.get("athlete")
    if not (isinstance(athlete, dict) and athlete.get("id")):
        athlete = fetch_profile(session, provider.userinfo_url or ATHLETE_URL)
        if not athlete.get("id"):
            raise OAuth2Error("userinfo_failed", "Strava /athlete did not return an athlete")
    return user_from_athlete(athlete)


def user_from_athlete(athlete: Mapping[str, Any]) -> UserInfo:
    """Normalise a Strava athlete (summary or detailed).  Strava never shares the
    athlete's email address."""
    name = " ".join(str(p) for p in (athlete.get("firstname"), athlete.get("lastname")) if p)
    picture = athlete.get("profile")
    # Without a photo Strava sends a relative placeholder ("avatar/athlete/large.png").
    if not (isinstance(picture, str) and picture.startswith("https://")):
        picture = None
    return UserInfo(
        id=str(athlete["id"]),
        email=None,
        email_verified=None,
        name=name or None,
        username=athlete.get("username") or None,
        picture=picture,
        raw=dict(athlete),
    )


def granted_scopes(callback: Union[str, Mapping[str, Any]]) -> Optional[tuple[str, ...]]:
    """The scopes the athlete accepted, from the redirect's ``scope`` parameter (None if
    the redirect has none)."""
    value = parse_callback(callback).get("scope")
    return None if value is None else parse_scope(value)


def complete_authorization(client: OAuth2Client, callback: Union[str, Mapping[str, Any]],
                           request: Union[AuthorizationRequest, Mapping[str, Any]]) -> Token:
    """``client.complete_authorization(callback, request)``, with the token's ``scope``
    set to what the athlete actually granted rather than what was requested."""
    if isinstance(request, Mapping):
        request = AuthorizationRequest.from_dict(request)
    token = client.complete_authorization(callback, request)
    scopes = granted_scopes(callback)
    if scopes is not None:
        token["scope"] = " ".join(scopes)
    return token
