"""Dropbox for oauth2-core.

- Refresh tokens come only with ``token_access_type=offline`` on the authorization URL,
  so every authorization asks for it (pass ``token_access_type="online"`` to opt out).
- The token response carries ``uid`` and ``account_id``; the core keeps them.
- Dropbox's API is RPC: the profile is ``POST /2/users/get_current_account`` with an
  empty body, and revocation is ``POST /2/auth/token/revoke`` authenticated with the
  access token itself (no client credentials, no body).
"""

from __future__ import annotations

from typing import Callable, Optional

import requests

from oauth2_core import ConfigurationError, OAuth2Error, Provider, TokenRequest, UserInfo, hookimpl
from oauth2_core.userinfo import fetch_profile

CURRENT_ACCOUNT_URL = "https://api.dropboxapi.com/2/users/get_current_account"

DROPBOX = Provider(
    name="dropbox",
    title="Dropbox",
    authorize_url="https://www.dropbox.com/oauth2/authorize",
    token_url="https://api.dropboxapi.com/oauth2/token",
    revocation_url="https://api.dropboxapi.com/2/auth/token/revoke",
    userinfo_url=CURRENT_ACCOUNT_URL,
    # No default scope: Dropbox then asks for every permission ticked in the App Console.
    default_scopes=(),
    extra_authorize_params={"token_access_type": "offline"},
    token_endpoint_auth_method="client_secret_basic",
    docs_url="https://www.dropbox.com/developers/apps",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(DROPBOX)


@hookimpl
def oauth2_prepare_token_request(provider: Provider, request: TokenRequest) -> None:
    if provider.name != DROPBOX.name or request.endpoint != "revocation":
        return
    if request.data.get("token_type_hint") == "refresh_token":
        raise ConfigurationError(
            "Dropbox revokes through the access token (which also ends its refresh token): "
            "call revoke_token(token, token_type_hint='access_token') or pass the access "
            "token string"
        )
    access_token = request.data.get("token")
    request.data = {}
    request.headers["Authorization"] = f"Bearer {access_token}"
    request.client_authenticated = True


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != DROPBOX.name:
        return None
    # An RPC call without arguments: no body and no Content-Type, because Dropbox
    # rejects "Content-Type: application/json" followed by an empty body.
    account = fetch_profile(session, provider.userinfo_url or CURRENT_ACCOUNT_URL, "POST")
    if not account.get("account_id"):
        raise OAuth2Error("userinfo_failed", "Dropbox get_current_account did not return an "
                          "account")
    name = account.get("name")
    verified = account.get("email_verified")
    return UserInfo(
        id=str(account["account_id"]),
        email=account.get("email") or None,
        email_verified=verified if isinstance(verified, bool) else None,
        name=(name.get("display_name") or None) if isinstance(name, dict) else None,
        username=None,  # Dropbox accounts have no user name
        picture=account.get("profile_photo_url") or None,
        raw=dict(account),
    )
