"""Login with Amazon (LWA) for oauth2-core.

Amazon is plain OAuth 2.0 (no OpenID Connect).  Its habits:

- ``scope`` is required on every authorization request (``profile``,
  ``profile:user_id``, ``postal_code``);
- a ``code_challenge`` sent without ``code_challenge_method`` is taken as ``plain``, so
  the plugin refuses that combination instead of silently downgrading PKCE
  (``begin_authorization`` always sends ``S256`` explicitly);
- the profile lives at ``/user/profile`` with its own field names, and older answers
  wrap it in ``Profile{CustomerId, Name, PrimaryEmail}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional

import requests

from oauth2_core import ConfigurationError, OAuth2Error, Provider, UserInfo, hookimpl
from oauth2_core.userinfo import fetch_profile

AMAZON = Provider(
    name="amazon",
    title="Login with Amazon",
    authorize_url="https://www.amazon.com/ap/oa",
    token_url="https://api.amazon.com/auth/o2/token",
    userinfo_url="https://api.amazon.com/user/profile",
    default_scopes=("profile",),
    token_endpoint_auth_method="client_secret_post",
    docs_url="https://developer.amazon.com/loginwithamazon/console/site/lwa/overview.html",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(AMAZON)


@hookimpl
def oauth2_build_authorize_url(provider: Provider, params: dict[str, Any]) -> Optional[str]:
    if provider.name != "amazon":
        return None
    if not params.get("scope"):
        raise ConfigurationError(
            "Login with Amazon requires a scope (profile, profile:user_id or postal_code)"
        )
    if params.get("code_challenge") and not params.get("code_challenge_method"):
        raise ConfigurationError(
            "Login with Amazon treats a code_challenge without code_challenge_method as "
            "'plain': pass code_challenge_method='S256' (begin_authorization does this)"
        )
    return None


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "amazon":
        return None
    return profile_to_userinfo(fetch_profile(session, provider.userinfo_url or ""))


def profile_to_userinfo(body: Mapping[str, Any]) -> UserInfo:
    """Normalise an Amazon profile, current (``user_id``) or legacy (``Profile``) shape."""
    legacy = body.get("Profile")
    if isinstance(legacy, Mapping):
        user_id, email, name = (legacy.get("CustomerId"), legacy.get("PrimaryEmail"),
                                legacy.get("Name"))
    else:
        user_id, email, name = body.get("user_id"), body.get("email"), body.get("name")
    if not user_id:
        raise OAuth2Error("userinfo_failed", "Amazon profile response has no user id")
    return UserInfo(
        id=str(user_id),
        email=email or None,  # absent unless the 'profile' scope was granted
        name=name or None,
        raw=dict(body),
    )
