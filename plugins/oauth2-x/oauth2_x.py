"""X (formerly Twitter) API v2 for oauth2-core: OAuth 2.0 Authorization Code with PKCE.

X refuses an authorization request without PKCE, so this plugin refuses to build one.
Confidential clients authenticate with HTTP Basic and public clients send only their
``client_id`` in the body; both are the core's behaviour for ``client_secret_basic``
with and without a secret.  The user object of ``/2/users/me`` is wrapped in ``data``.
"""

from __future__ import annotations

from typing import Callable, Optional

import requests

from oauth2_core import (
    PKCE_REQUIRED,
    OAuth2Error,
    Provider,
    UserInfo,
    hookimpl,
)
from oauth2_core.provider_helpers import envelope_object
from oauth2_core.userinfo import fetch_profile

USERS_ME = "https://api.x.com/2/users/me"
#: Extra user fields asked of ``/2/users/me`` (``id``, ``name``, ``username`` always come).
USER_FIELDS = "profile_image_url,verified,created_at,description"

X = Provider(
    name="x",
    title="X (Twitter)",
    authorize_url="https://x.com/i/oauth2/authorize",
    token_url="https://api.x.com/2/oauth2/token",
    revocation_url="https://api.x.com/2/oauth2/revoke",
    userinfo_url=USERS_ME,
    default_scopes=("tweet.read", "users.read", "offline.access"),
    token_endpoint_auth_method="client_secret_basic",
    pkce=PKCE_REQUIRED,
    docs_url="https://developer.x.com/en/portal/dashboard",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(X)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != X.name:
        return None
    body = fetch_profile(session, provider.userinfo_url or USERS_ME,
                         params={"user.fields": USER_FIELDS})
    user = envelope_object(body)
    if user is None or not user.get("id"):
        # X's API reports problems in an "errors" list instead of "data".
        raise OAuth2Error("userinfo_failed", "X /2/users/me returned no user in 'data'")
    return UserInfo(
        id=str(user["id"]),
        email=None,  # X gives no email address to OAuth 2.0 apps
        email_verified=None,
        name=user.get("name") or None,
        username=user.get("username") or None,
        picture=user.get("profile_image_url") or None,
        raw=dict(user),
    )
