"""GitHub (OAuth Apps and GitHub Apps) for oauth2-core.

GitHub's habits: the token endpoint answers ``application/x-www-form-urlencoded``
unless the client asks for JSON (and proxies lose that header), it reports errors with
HTTP 200 under its own codes, the REST API wants a ``User-Agent`` naming the
application, and a user who hides their email has it only under ``/user/emails``.
GitHub Enterprise Server works with the ``base`` and ``api`` settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional

import requests

from oauth2_core import (
    InvalidClient,
    InvalidGrant,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    UserInfo,
    hookimpl,
)
from oauth2_core.default_plugins.token_response import token_from_fields
from oauth2_core.provider_helpers import raise_for_mapped_error, set_user_agent, token_fields
from oauth2_core.userinfo import fetch_profile

__all__ = ["DEFAULT_USER_AGENT", "GITHUB"]

_HOST = r"https://[A-Za-z0-9.-]+(:[0-9]{1,5})?"

GITHUB = Provider(
    name="github",
    title="GitHub",
    authorize_url="{base}/login/oauth/authorize",
    token_url="{base}/login/oauth/access_token",
    userinfo_url="{api}/user",
    default_scopes=("read:user", "user:email"),
    token_endpoint_auth_method="client_secret_post",
    template_defaults={"base": "https://github.com", "api": "https://api.github.com"},
    template_patterns={"base": _HOST + "/?", "api": _HOST + r"(/[A-Za-z0-9._~-]+)*/?"},
    docs_url="https://github.com/settings/developers",
)

#: Sent on API calls unless the ``user_agent`` setting (or the request) names one.
DEFAULT_USER_AGENT = "oauth2-core (oauth2-github/0.1.0)"

# GitHub's own token-endpoint error codes, by the RFC 6749 error they stand for.  The
# exception keeps GitHub's code in ``.error``; the class is what callers catch.
_ERROR_CLASSES: Mapping[str, type[OAuth2Error]] = {
    "bad_verification_code": InvalidGrant,
    "bad_refresh_token": InvalidGrant,
    "redirect_uri_mismatch": InvalidGrant,
    "incorrect_client_credentials": InvalidClient,
}


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(GITHUB)


@hookimpl
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> Optional[Token]:
    if provider.name != "github":
        return None
    fields = token_fields(response, form_encoded=True)
    raise_for_mapped_error(fields, _ERROR_CLASSES, response)
    return token_from_fields(provider, fields, response)  # other errors, even with HTTP 200


@hookimpl
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, client: OAuth2Client
) -> Optional[object]:
    if provider.name != "github":
        return None
    set_user_agent(request, client.settings.get("user_agent"), DEFAULT_USER_AGENT)
    return None  # the default plugin adds "Authorization: Bearer <token>"


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "github":
        return None
    url = provider.userinfo_url or ""
    profile = fetch_profile(session, url)
    if profile.get("id") is None:
        raise OAuth2Error("userinfo_failed", "GitHub's /user answer has no id")
    raw: dict[str, Any] = dict(profile)
    email = profile.get("email") or None
    verified: Optional[bool] = None
    if email is None:  # hidden ("Keep my email address private") or never set
        emails = _list_emails(session, url + "/emails")
        if emails is not None:
            raw["emails"] = emails
            chosen = _primary_email(emails)
            if chosen is not None:
                email = chosen.get("email") or None
                flag = chosen.get("verified")
                verified = flag if isinstance(flag, bool) else None
    return UserInfo(
        id=str(profile["id"]),
        email=email,
        email_verified=verified,
        name=profile.get("name") or None,
        username=profile.get("login") or None,
        picture=profile.get("avatar_url") or None,
        raw=raw,
    )


def _list_emails(session: requests.Session, url: str) -> Optional[list[dict[str, Any]]]:
    """The user's addresses, or None when the token may not read them (no ``user:email``
    scope, or a GitHub App without the email permission): the email then stays unknown."""
    response = session.get(url)
    if response.status_code != 200:
        return None
    try:
        value = response.json()
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, dict)]


def _primary_email(emails: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    for item in emails:
        if item.get("primary"):
            return item
    for item in emails:
        if item.get("verified"):
            return item
    return None
