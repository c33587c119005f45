"""Facebook (Meta) Login for oauth2-core.

Facebook's habits: versioned Graph URLs (``version`` setting), comma-separated
permissions, error bodies in Graph's own shape (``{"error": {"message", "type", "code",
"error_subcode"}}``), legacy token responses that are form-encoded with ``expires``
instead of ``expires_in``, and Graph calls that may require ``appsecret_proof``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

import requests

from oauth2_core import (
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    UserInfo,
    hookimpl,
)
from oauth2_core.default_plugins.token_response import token_from_fields
from oauth2_core.errors import raise_for_error_fields
from oauth2_core.provider_helpers import token_fields
from oauth2_core.userinfo import fetch_profile

__all__ = ["DEFAULT_VERSION", "FACEBOOK", "USERINFO_FIELDS", "appsecret_proof"]

#: The Graph API version used unless the ``version`` setting names another.
DEFAULT_VERSION = "25.0"

FACEBOOK = Provider(
    name="facebook",
    title="Facebook",
    authorize_url="https://www.facebook.com/v{version}/dialog/oauth",
    token_url="https://graph.facebook.com/v{version}/oauth/access_token",
    userinfo_url="https://graph.facebook.com/v{version}/me",
    default_scopes=("email", "public_profile"),
    scope_separator=",",
    token_endpoint_auth_method="client_secret_post",
    template_defaults={"version": DEFAULT_VERSION},
    template_patterns={"version": r"[0-9]{1,3}\.[0-9]{1,2}"},
    docs_url="https://developers.facebook.com/apps/",
)

#: Graph returns only the fields asked for.
USERINFO_FIELDS = "id,name,email,picture"

# Graph error (code, subcode) -> the RFC 6749 error it means at the token endpoint.
_SUBCODE_CLASSES: Mapping[int, type[OAuth2Error]] = {
    36007: InvalidGrant,  # the authorization code has expired
    36008: InvalidGrant,  # redirect_uri differs from the one in the dialog
    36009: InvalidGrant,  # the authorization code has been used
}
_CODE_CLASSES: Mapping[int, type[OAuth2Error]] = {
    100: InvalidRequest,  # invalid parameter
    101: InvalidClient,  # invalid application id
    190: InvalidGrant,  # invalid access token (fb_exchange_token of a bad token)
}


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(FACEBOOK)


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """Graph's ``appsecret_proof``: hex HMAC-SHA256 of the access token, keyed with the
    app secret."""
    key, message = app_secret.encode("utf-8"), access_token.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@hookimpl
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> Optional[Token]:
    if provider.name != "facebook":
        return None
    # Legacy answers are text/plain "access_token=...&expires=...".
    fields = token_fields(response, form_encoded=True)
    _raise_for_graph_error(fields, response)
    if "expires_in" not in fields and "expires" in fields:
        fields["expires_in"] = fields.pop("expires")
    return token_from_fields(provider, fields, response)


@hookimpl
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, token: Token, client: OAuth2Client
) -> Optional[object]:
    if provider.name != "facebook":
        return None
    url = request.url or ""
    if client.client_secret and "appsecret_proof" not in parse_qs(urlsplit(url).query):
        proof = appsecret_proof(str(token["access_token"]), client.client_secret)
        request.prepare_url(url, {"appsecret_proof": proof})
    return None  # the default plugin adds "Authorization: Bearer <token>"


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "facebook":
        return None
    profile = fetch_profile(session, provider.userinfo_url or "",
                            params={"fields": USERINFO_FIELDS})
    if profile.get("id") is None:
        raise OAuth2Error("userinfo_failed", "Graph /me did not return an id")
    return UserInfo(
        id=str(profile["id"]),
        email=profile.get("email") or None,  # absent without the email permission
        name=profile.get("name") or None,
        picture=_picture_url(profile.get("picture")),
        raw=profile,
    )


def _picture_url(picture: Any) -> Optional[str]:
    data = picture.get("data") if isinstance(picture, Mapping) else None
    url = data.get("url") if isinstance(data, Mapping) else None
    return url if isinstance(url, str) and url else None


def _raise_for_graph_error(fields: dict[str, Any], response: requests.Response) -> None:
    error = fields.get("error")
    if isinstance(error, Mapping):  # Graph: {"error": {"message", "type", "code", ...}}
        message, kind = error.get("message"), error.get("type")
        code, subcode = error.get("code"), error.get("error_subcode")
    elif "error_code" in fields:  # older REST shape: {"error_code", "error_msg"}
        message = fields.get("error_msg") or fields.get("error_message")
        kind, code, subcode = None, fields.get("error_code"), None
    else:
        raise_for_error_fields(fields, response)  # an RFC-shaped error, if any
        return
    cls = _SUBCODE_CLASSES.get(subcode) if isinstance(subcode, int) else None
    if cls is None and isinstance(code, int):
        cls = _CODE_CLASSES.get(code)
    details = ", ".join(str(p) for p in (
        kind, f"code {code}" if code is not None else None,
        f"subcode {subcode}" if subcode is not None else None,
    ) if p)
    description = f"{message or 'Graph error'} ({details})" if details else str(message)
    if cls is None:
        raise OAuth2Error("facebook_error", description, status_code=response.status_code,
                          response=response)
    raise cls(description=description, status_code=response.status_code, response=response)
