"""Atlassian Cloud (Jira, Confluence; OAuth 2.0 "3LO") for oauth2-core.

- Every authorization must carry ``audience=api.atlassian.com`` and ``prompt=consent``.
- Refresh tokens come with the ``offline_access`` scope and rotate on every refresh; the
  core keeps the new one (store it through ``on_token_refresh``).
- A token does not work on ``https://<site>.atlassian.net``: API calls go through
  ``https://api.atlassian.com/ex/<product>/<cloudId>/...``.  Find the sites a token can
  reach with :func:`accessible_resources` and build the base URL with :func:`api_base_url`.
- The profile is ``GET https://api.atlassian.com/me`` (``read:me`` scope).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

import requests

from oauth2_core import OAuth2Error, Provider, UserInfo, hookimpl
from oauth2_core.userinfo import fetch_profile

API = "https://api.atlassian.com"
ACCESSIBLE_RESOURCES_URL = f"{API}/oauth/token/accessible-resources"
_CLOUD_ID = re.compile(r"[0-9a-fA-F-]{1,64}")
_PRODUCT = re.compile(r"[a-z][a-z0-9-]{0,31}")

ATLASSIAN = Provider(
    name="atlassian",
    title="Atlassian",
    authorize_url="https://auth.atlassian.com/authorize",
    token_url="https://auth.atlassian.com/oauth/token",
    userinfo_url=f"{API}/me",
    default_scopes=("read:me", "offline_access"),
    extra_authorize_params={"audience": "api.atlassian.com", "prompt": "consent"},
    token_endpoint_auth_method="client_secret_post",
    docs_url="https://developer.atlassian.com/console/myapps/",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(ATLASSIAN)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != ATLASSIAN.name:
        return None
    me = fetch_profile(session, provider.userinfo_url or f"{API}/me")
    if not me.get("account_id"):
        raise OAuth2Error("userinfo_failed", "Atlassian /me did not return an account")
    verified = me.get("email_verified")
    return UserInfo(
        id=str(me["account_id"]),
        email=me.get("email") or None,  # absent when the user hides it
        email_verified=verified if isinstance(verified, bool) else None,
        name=me.get("name") or None,
        username=me.get("nickname") or None,
        picture=me.get("picture") or None,
        raw=dict(me),
    )


def accessible_resources(session: requests.Session) -> list[dict[str, Any]]:
    """The sites the token may use: ``[{"id": <cloudId>, "name", "url", "scopes",
    "avatarUrl"}, ...]``.

    :param session: a session that attaches the token, e.g.
        ``client.session(token, on_token_refresh=save)`` (so a rotated refresh token is
        saved if the call refreshes it).
    :raises OAuth2Error: ``accessible_resources_failed`` for any answer but a JSON list.
    """
    response = session.get(ACCESSIBLE_RESOURCES_URL)
    try:
        sites = response.json() if response.status_code == 200 else None
    except ValueError:
        sites = None
    if not isinstance(sites, list):
        raise OAuth2Error("accessible_resources_failed", f"Atlassian accessible-resources "
                          f"answered HTTP {response.status_code} without a list of sites",
                          status_code=response.status_code, response=response)
    return [site for site in sites if isinstance(site, dict)]


def api_base_url(cloud_id: str, product: str = "jira") -> str:
    """The gateway URL for one site's API: ``https://api.atlassian.com/ex/<product>/<cloudId>``
    (``product`` is ``jira`` or ``confluence``; append ``/rest/api/3/...`` and the like)."""
    if not _CLOUD_ID.fullmatch(cloud_id):
        raise ValueError(f"not an Atlassian cloud id: {cloud_id!r}")
    if not _PRODUCT.fullmatch(product):
        raise ValueError(f"not an Atlassian product name: {product!r}")
    return f"{API}/ex/{product}/{cloud_id}"
