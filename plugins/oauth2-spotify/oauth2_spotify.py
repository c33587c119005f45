"""Spotify (Web API) for oauth2-core.

Confidential clients authenticate with HTTP Basic; public clients (no secret) send their
``client_id`` with the PKCE verifier, which the core does for ``client_secret_basic``
when no secret is set.  Spotify has no revocation endpoint: users remove an app's access
at spotify.com/account/apps.  The profile lives at ``/v1/me``.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import requests

from oauth2_core import OAuth2Error, Provider, UserInfo, hookimpl
from oauth2_core.userinfo import fetch_profile

ME_URL = "https://api.spotify.com/v1/me"

SPOTIFY = Provider(
    name="spotify",
    title="Spotify",
    authorize_url="https://accounts.spotify.com/authorize",
    token_url="https://accounts.spotify.com/api/token",
    userinfo_url=ME_URL,
    # No revocation_url: Spotify offers none.
    default_scopes=("user-read-email",),
    token_endpoint_auth_method="client_secret_basic",
    docs_url="https://developer.spotify.com/dashboard",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(SPOTIFY)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != SPOTIFY.name:
        return None
    profile = fetch_profile(session, provider.userinfo_url or ME_URL)
    if not profile.get("id"):
        raise OAuth2Error("userinfo_failed", "Spotify /v1/me did not return a user object")
    return UserInfo(
        id=str(profile["id"]),
        email=profile.get("email") or None,  # only with the user-read-email scope
        email_verified=None,  # Spotify does not say
        name=profile.get("display_name") or None,
        username=str(profile["id"]),  # the Spotify user ID is the account's user name
        picture=_largest_image(profile.get("images")),
        raw=dict(profile),
    )


def _largest_image(images: Any) -> Optional[str]:
    if not isinstance(images, list):
        return None
    candidates = [i for i in images if isinstance(i, dict) and isinstance(i.get("url"), str)]
    if not candidates:
        return None
    best = max(candidates, key=lambda i: i.get("width") or 0)
    return str(best["url"])
