"""Discord for oauth2-core.

Discord speaks plain OAuth 2.0 (no OpenID Connect): the token and revocation endpoints
take form-encoded bodies only, which is what the core sends.  The one behaviour hook
turns ``GET /users/@me`` into a :class:`~oauth2_core.UserInfo`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import requests

from oauth2_core import OAuth2Error, Provider, UserInfo, hookimpl
from oauth2_core.userinfo import fetch_profile

AVATAR_URL = "https://cdn.discordapp.com/avatars/{user_id}/{avatar}.png"
USERS_ME = "https://discord.com/api/users/@me"

DISCORD = Provider(
    name="discord",
    title="Discord",
    authorize_url="https://discord.com/oauth2/authorize",
    token_url="https://discord.com/api/oauth2/token",
    revocation_url="https://discord.com/api/oauth2/token/revoke",
    userinfo_url=USERS_ME,
    default_scopes=("identify", "email"),
    token_endpoint_auth_method="client_secret_basic",
    docs_url="https://discord.com/developers/applications",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(DISCORD)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != DISCORD.name:
        return None
    user = fetch_profile(session, provider.userinfo_url or USERS_ME)
    if not user.get("id"):
        raise OAuth2Error("userinfo_failed", "Discord /users/@me did not return a user object")
    return user_from_discord(user)


def user_from_discord(user: dict[str, Any]) -> UserInfo:
    """Normalise a Discord user object (``email``/``verified`` only with the ``email``
    scope; ``avatar`` is a hash, or null for the default avatar)."""
    user_id = str(user["id"])
    avatar = user.get("avatar")
    verified = user.get("verified")
    return UserInfo(
        id=user_id,
        email=user.get("email") or None,
        email_verified=verified if isinstance(verified, bool) and user.get("email") else None,
        name=user.get("global_name") or user.get("username") or None,
        username=user.get("username") or None,
        picture=AVATAR_URL.format(user_id=user_id, avatar=avatar) if avatar else None,
        raw=dict(user),
    )
