"""Yandex ID for oauth2-core.

Yandex follows RFC 6749 at the token endpoint; its habits are elsewhere: APIs take
``Authorization: OAuth <token>`` (Yandex's own scheme, not Bearer), the permissions are
chosen when the application is registered (``scope`` only narrows them, so none is sent
by default), the user lives at login.yandex.ru/info with Yandex field names, and the
OAuth host exists as ``.ru`` and ``.com`` (``tld`` setting).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import requests

from oauth2_core import OAuth2Error, Provider, UserInfo, hookimpl
from oauth2_core.userinfo import fetch_profile

__all__ = ["AVATAR_URL", "YANDEX"]

YANDEX = Provider(
    name="yandex",
    title="Yandex ID",
    authorize_url="https://oauth.yandex.{tld}/authorize",
    token_url="https://oauth.yandex.{tld}/token",
    userinfo_url="https://login.yandex.ru/info?format=json",
    authorization_scheme="OAuth",
    template_defaults={"tld": "ru"},
    template_patterns={"tld": "ru|com"},
    docs_url="https://oauth.yandex.com/client/new",
)

#: Where an avatar id becomes a picture (``islands-200``: 200x200 pixels).
AVATAR_URL = "https://avatars.yandex.net/get-yapic/{avatar_id}/islands-200"


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(YANDEX)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "yandex":
        return None
    info = fetch_profile(session, provider.userinfo_url or "")
    if not info.get("id"):
        raise OAuth2Error("userinfo_failed", "Yandex login/info did not return a user")
    return UserInfo(
        id=str(info["id"]),
        email=info.get("default_email") or None,  # only with the login:email permission
        name=info.get("real_name") or info.get("display_name") or None,
        username=info.get("login") or None,
        picture=_avatar(info),
        raw=info,
    )


def _avatar(info: dict[str, Any]) -> Optional[str]:
    avatar_id = info.get("default_avatar_id")
    if info.get("is_avatar_empty") or not isinstance(avatar_id, str) or not avatar_id:
        return None
    return AVATAR_URL.format(avatar_id=avatar_id)
