"""Box for oauth2-core.

Box follows RFC 6749 closely: client credentials go in the form body (also for RFC 7009
revocation, which with a refresh token ends every access token of the grant).  Only the
profile needs a hook: ``GET /2.0/users/me`` names the email ``login``.
"""

from __future__ import annotations

from typing import Callable, Optional

import requests

from oauth2_core import OAuth2Error, Provider, UserInfo, hookimpl
from oauth2_core.userinfo import fetch_profile

BOX = Provider(
    name="box",
    title="Box",
    authorize_url="https://account.box.com/api/oauth2/authorize",
    token_url="https://api.box.com/oauth2/token",
    revocation_url="https://api.box.com/oauth2/revoke",
    userinfo_url="https://api.box.com/2.0/users/me",
    token_endpoint_auth_method="client_secret_post",
    docs_url="https://app.box.com/developers/console",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(BOX)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "box":
        return None
    body = fetch_profile(session, provider.userinfo_url or "")
    if not body.get("id"):
        raise OAuth2Error("userinfo_failed", "Box users/me did not return a user")
    return UserInfo(
        id=str(body["id"]),
        email=body.get("login") or None,  # Box's login is the account's email address
        name=body.get("name") or None,
        picture=body.get("avatar_url") or None,
        raw=dict(body),
    )
