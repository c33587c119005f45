"""Twitch for oauth2-core.

Twitch's habits: client credentials only in the POST body (no HTTP Basic); ``scope`` in
token responses is a JSON array; errors are ``{"status", "message"}`` (sometimes with
``"error": "Bad Request"``) rather than RFC 6749 codes; every Helix API call needs a
``Client-Id`` header next to the Bearer token; and an application must validate its
user tokens at start-up and hourly (:func:`validate_token`).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

import requests

from oauth2_core import (
    PKCE_UNSUPPORTED,
    ConfigurationError,
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    InvalidToken,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    UnsupportedGrantType,
    UserInfo,
    hookimpl,
)
from oauth2_core.default_plugins.token_response import json_object, token_from_fields
from oauth2_core.errors import error_class, raise_for_error_fields
from oauth2_core.provider_helpers import envelope_object, token_fields
from oauth2_core.userinfo import fetch_profile

__all__ = ["TWITCH", "VALIDATE_URL", "validate_token"]

VALIDATE_URL = "https://id.twitch.tv/oauth2/validate"

TWITCH = Provider(
    name="twitch",
    title="Twitch",
    authorize_url="https://id.twitch.tv/oauth2/authorize",
    token_url="https://id.twitch.tv/oauth2/token",
    revocation_url="https://id.twitch.tv/oauth2/revoke",
    userinfo_url="https://api.twitch.tv/helix/users",
    jwks_url="https://id.twitch.tv/oauth2/keys",
    issuer="https://id.twitch.tv/oauth2",
    default_scopes=("user:read:email",),
    token_endpoint_auth_method="client_secret_post",
    pkce=PKCE_UNSUPPORTED,
    docs_url="https://dev.twitch.tv/console/apps",
)

# Words in Twitch's error ``message`` -> the RFC 6749 error they stand for, first match.
_MESSAGE_CLASSES: tuple[tuple[str, type[OAuth2Error]], ...] = (
    ("authorization code", InvalidGrant),
    ("refresh token", InvalidGrant),
    ("grant type", UnsupportedGrantType),
    ("client", InvalidClient),  # "invalid client", "invalid client secret", ...
    ("missing", InvalidRequest),
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(TWITCH)


@hookimpl
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> Optional[Token]:
    if provider.name != "twitch":
        return None
    fields = token_fields(response)
    if "access_token" not in fields:
        _raise_twitch_error(fields, response)
    scope = fields.get("scope")
    if isinstance(scope, list):  # ["user:read:email", ...] -> RFC 6749's space-joined string
        fields["scope"] = " ".join(str(s) for s in scope)
    return token_from_fields(provider, fields, response)


def _raise_twitch_error(fields: dict[str, Any], response: requests.Response) -> None:
    error, message = fields.get("error"), fields.get("message")
    if isinstance(error, str) and error_class(error) is not OAuth2Error:
        raise_for_error_fields(fields, response)  # an RFC code after all
    if not message:
        return  # token_from_fields reports what is missing
    lowered = str(message).lower()
    cls = next((c for words, c in _MESSAGE_CLASSES if words in lowered), OAuth2Error)
    code = cls.code or (str(error) if error else f"http_{response.status_code}")
    raise cls(code, str(message), None, response.status_code, response)


@hookimpl
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, client: OAuth2Client
) -> Optional[object]:
    if provider.name != "twitch":
        return None
    if not client.client_id:
        raise ConfigurationError("twitch: API calls need the Client-Id header: set client_id")
    request.headers["Client-Id"] = client.client_id
    return None  # the default plugin adds "Authorization: Bearer <token>"


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "twitch":
        return None
    user = envelope_object(fetch_profile(session, provider.userinfo_url or ""))
    if user is None or not user.get("id"):
        raise OAuth2Error("userinfo_failed", "Helix /users returned no user in 'data'")
    return UserInfo(
        id=str(user["id"]),
        email=user.get("email") or None,  # only with the user:read:email scope
        name=user.get("display_name") or None,
        username=user.get("login") or None,
        picture=user.get("profile_image_url") or None,
        raw=user,
    )


def validate_token(client: OAuth2Client, token: Union[Token, str]) -> dict[str, Any]:
    """Ask Twitch whether a token is still valid, as Twitch requires at start-up and
    hourly; returns ``{client_id, login, scopes, user_id, expires_in}``.

    :raises InvalidToken: if Twitch answers 401 (revoked, expired or never valid).
    """
    value = token if isinstance(token, str) else token.get("access_token")
    if not isinstance(value, str) or not value:
        raise ConfigurationError("validate_token needs an access token")
    response = client.transport.request("GET", VALIDATE_URL,
                                        headers={"Authorization": f"OAuth {value}"})
    body = json_object(response)
    if response.status_code == 401:
        raise InvalidToken(description=str((body or {}).get("message") or "invalid access "
                           "token"), status_code=401, response=response)
    if response.status_code != 200 or body is None:
        raise OAuth2Error("validation_failed", f"Twitch /validate answered HTTP "
                          f"{response.status_code}", status_code=response.status_code,
                          response=response)
    return body
