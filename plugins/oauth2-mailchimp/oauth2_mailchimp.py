"""Mailchimp (Marketing API OAuth 2) for oauth2-core.

Mailchimp's habits: no scopes, no PKCE, tokens that never expire (``expires_in: 0``,
``scope: null``, no refresh token; the core already reads both as "unknown expiry, no
scopes"); the metadata endpoint on login.mailchimp.com wants ``Authorization: OAuth
<token>``; and the Marketing API lives on a per-account data-centre host
(``https://<dc>.api.mailchimp.com/3.0``) that only the metadata reveals.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import requests

from oauth2_core import (
    PKCE_UNSUPPORTED,
    ConfigurationError,
    OAuth2Error,
    Provider,
    Token,
    UserInfo,
    hookimpl,
)
from oauth2_core.userinfo import fetch_profile

__all__ = ["MAILCHIMP", "METADATA_URL", "api_base_url"]

METADATA_URL = "https://login.mailchimp.com/oauth2/metadata"

MAILCHIMP = Provider(
    name="mailchimp",
    title="Mailchimp",
    authorize_url="https://login.mailchimp.com/oauth2/authorize",
    token_url="https://login.mailchimp.com/oauth2/token",
    userinfo_url=METADATA_URL,
    token_endpoint_auth_method="client_secret_post",
    pkce=PKCE_UNSUPPORTED,
    docs_url="https://admin.mailchimp.com/account/oauth2/",
)

# A data-centre name becomes part of a host name that receives the token: accept only
# the documented shape (us1, us19, ...).
_DATA_CENTRE = re.compile(r"[a-z]{2,8}[0-9]{1,4}")
_LOGIN_HOST = urlsplit(METADATA_URL).hostname


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(MAILCHIMP)


def api_base_url(dc: str) -> str:
    """The Marketing API root for a data centre (``UserInfo.raw["dc"]``), without a
    trailing slash.

    :raises ConfigurationError: if ``dc`` is not shaped like a data-centre name.
    """
    if not _is_data_centre(dc):
        raise ConfigurationError(f"not a Mailchimp data centre: {dc!r}")
    return f"https://{dc}.api.mailchimp.com/3.0"


def _is_data_centre(value: object) -> bool:
    return isinstance(value, str) and _DATA_CENTRE.fullmatch(value) is not None


@hookimpl
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, token: Token
) -> Optional[object]:
    if provider.name != "mailchimp":
        return None
    if urlsplit(request.url or "").hostname != _LOGIN_HOST:
        return None  # the Marketing API on <dc>.api.mailchimp.com takes the default Bearer
    request.headers["Authorization"] = f"OAuth {token['access_token']}"
    return True


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "mailchimp":
        return None
    metadata = fetch_profile(session, provider.userinfo_url or METADATA_URL)
    dc = metadata.get("dc")
    if not isinstance(dc, str) or not _is_data_centre(dc):
        raise OAuth2Error("userinfo_failed", "Mailchimp's metadata names no valid data centre")
    account = fetch_profile(session, api_base_url(dc) + "/")  # the API root: the account
    found = metadata.get("login")
    login: dict[str, Any] = found if isinstance(found, dict) else {}
    login_id = account.get("login_id") or login.get("login_id") or metadata.get("user_id")
    if login_id in (None, ""):
        raise OAuth2Error("userinfo_failed", "Mailchimp named no login id")
    name = " ".join(str(p) for p in (account.get("first_name"), account.get("last_name")) if p)
    return UserInfo(
        id=str(login_id),
        email=account.get("email") or login.get("login_email") or login.get("email") or None,
        name=name or None,
        username=account.get("username") or login.get("login_name") or None,
        picture=account.get("avatar_url") or login.get("avatar") or None,
        raw={**metadata, "account": account},
    )
