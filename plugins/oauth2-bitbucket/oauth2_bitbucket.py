"""Bitbucket Cloud for oauth2-core.

- Scopes are fixed on the OAuth consumer (workspace settings), so none is sent by default.
- The token endpoint wants HTTP Basic, and its response names the granted scopes
  ``scopes`` rather than ``scope``.
- The profile (``/2.0/user``) has no email address; it comes from ``/2.0/user/emails``
  (``email`` permission), and stays None when that call is refused.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import requests

from oauth2_core import OAuth2Error, Provider, Token, UserInfo, hookimpl
from oauth2_core.default_plugins.token_response import json_object, token_from_fields
from oauth2_core.tokens import parse_scope
from oauth2_core.userinfo import fetch_profile

API = "https://api.bitbucket.org/2.0"

BITBUCKET = Provider(
    name="bitbucket",
    title="Bitbucket Cloud",
    authorize_url="https://bitbucket.org/site/oauth2/authorize",
    token_url="https://bitbucket.org/site/oauth2/access_token",
    userinfo_url=f"{API}/user",
    default_scopes=(),
    token_endpoint_auth_method="client_secret_basic",
    docs_url="https://support.atlassian.com/bitbucket-cloud/docs/use-oauth-on-bitbucket-cloud/",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(BITBUCKET)


@hookimpl
def oauth2_parse_token_response(provider: Provider,
                                response: requests.Response) -> Optional[Token]:
    if provider.name != BITBUCKET.name:
        return None
    fields = json_object(response)
    if fields is None or "scope" in fields or "scopes" not in fields:
        return None
    return token_from_fields(provider, {**fields, "scope": " ".join(
        parse_scope(fields["scopes"]))}, response)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != BITBUCKET.name:
        return None
    user = fetch_profile(session, provider.userinfo_url or f"{API}/user")
    if not (user.get("uuid") or user.get("account_id")):
        raise OAuth2Error("userinfo_failed", "Bitbucket /2.0/user did not return a user")
    email, verified = _primary_email(session)
    links = user.get("links")
    avatar = links.get("avatar") if isinstance(links, dict) else None
    return UserInfo(
        id=str(user.get("uuid") or user["account_id"]),
        email=email,
        email_verified=verified,
        name=user.get("display_name") or None,
        username=user.get("username") or user.get("nickname") or None,
        picture=(avatar.get("href") or None) if isinstance(avatar, dict) else None,
        raw=dict(user),
    )


def _primary_email(session: requests.Session) -> tuple[Optional[str], Optional[bool]]:
    """The primary address from ``/2.0/user/emails``; (None, None) if it is not readable
    (no ``email`` permission) or lists no primary address."""
    response = session.get(f"{API}/user/emails")
    if response.status_code != 200:
        return None, None
    try:
        page: Any = response.json()
    except ValueError:
        return None, None
    values = page.get("values") if isinstance(page, dict) else None
    for entry in values if isinstance(values, list) else []:
        if isinstance(entry, dict) and entry.get("is_primary") and entry.get("email"):
            confirmed = entry.get("is_confirmed")
            return str(entry["email"]), confirmed if isinstance(confirmed, bool) else None
    return None, None
