"""Slack for oauth2-core: two providers from one package.

- ``slack``: OAuth v2, the app-installation flow (``oauth/v2/authorize`` +
  ``oauth.v2.access``).  ``scope`` holds bot scopes, ``user_scope`` user scopes, both
  comma-separated; the answer carries the bot token at the top and the user token under
  ``authed_user``.
- ``slack-openid``: Sign in with Slack, OpenID Connect (``openid email profile``).

Both answer errors with HTTP 200 and ``{"ok": false, "error": "<code>"}``, and so do the
Web API methods the user lookup calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional

import requests

from oauth2_core import (
    PKCE_UNSUPPORTED,
    ConfigurationError,
    InvalidClient,
    InvalidGrant,
    InvalidToken,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    UnsupportedGrantType,
    UserInfo,
    hookimpl,
)
from oauth2_core.default_plugins.token_response import token_from_fields
from oauth2_core.provider_helpers import mapped_error, token_fields
from oauth2_core.userinfo import fetch_profile

__all__ = ["API_URL", "SLACK", "SLACK_OPENID"]

API_URL = "https://slack.com/api"

SLACK = Provider(
    name="slack",
    title="Slack",
    authorize_url="https://slack.com/oauth/v2/authorize",
    token_url=API_URL + "/oauth.v2.access",
    scope_separator=",",
    # Slack names the kind of token: "bot" at the top, "user" under authed_user.
    token_types=("bot", "user", "bearer"),
    # oauth.v2.access takes no code_verifier; PKCE is oauth.v2.user.access's business.
    pkce=PKCE_UNSUPPORTED,
    docs_url="https://api.slack.com/apps",
)

SLACK_OPENID = Provider(
    name="slack-openid",
    title="Sign in with Slack",
    authorize_url="https://slack.com/openid/connect/authorize",
    token_url=API_URL + "/openid.connect.token",
    userinfo_url=API_URL + "/openid.connect.userInfo",
    jwks_url="https://slack.com/openid/connect/keys",
    issuer="https://slack.com",
    default_scopes=("openid", "email", "profile"),
    docs_url="https://api.slack.com/apps",
)

_NAMES = frozenset({SLACK.name, SLACK_OPENID.name})

# Slack's error codes from the token methods, by the RFC 6749 error they stand for.
_TOKEN_ERRORS: Mapping[str, type[OAuth2Error]] = {
    "invalid_code": InvalidGrant,
    "bad_redirect_uri": InvalidGrant,
    "oauth_authorization_url_mismatch": InvalidGrant,
    "invalid_refresh_token": InvalidGrant,
    "bad_client_secret": InvalidClient,
    "invalid_client_id": InvalidClient,
    "invalid_grant_type": UnsupportedGrantType,
}
# Web API errors that mean the access token itself is no good.
_TOKEN_DEAD = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired",
                         "account_inactive"})
_USER_TOKEN_FIELDS = ("access_token", "token_type", "scope", "refresh_token", "expires_in")


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(SLACK)
    register(SLACK_OPENID)


@hookimpl
def oauth2_build_authorize_url(provider: Provider, params: dict[str, Any]) -> Optional[str]:
    if provider.name != "slack":
        return None
    user_scope = params.get("user_scope")
    if isinstance(user_scope, (list, tuple, set, frozenset)):
        params["user_scope"] = ",".join(str(s) for s in user_scope)  # not repeated params
    return None


@hookimpl
def oauth2_parse_token_response(
    provider: Provider, response: requests.Response, client: OAuth2Client
) -> Optional[Token]:
    if provider.name not in _NAMES:
        return None
    fields = token_fields(response)
    if fields.get("ok") is False:  # with HTTP 200
        error = str(fields.get("error") or "slack_error")
        raise mapped_error(error, _TOKEN_ERRORS, f"Slack answered ok=false: {error}",
                           response=response)
    if provider.name == "slack":
        fields = _choose_token(fields, _token_owner(client))
    return token_from_fields(provider, fields, response)


def _token_owner(client: OAuth2Client) -> str:
    owner = client.settings.get("token_owner", "bot")
    if owner not in ("bot", "user"):
        raise ConfigurationError(f"slack: token_owner must be 'bot' or 'user', not {owner!r}")
    return str(owner)


def _choose_token(fields: dict[str, Any], owner: str) -> dict[str, Any]:
    """Put the token the application works with at the top level.

    The bot token stays there by default; the user token (``authed_user``) moves up when
    the installation granted no bot token or the ``token_owner="user"`` setting asks
    for it.  The bot's fields then move under ``"bot"``; nothing is dropped.
    """
    user = fields.get("authed_user")
    if not isinstance(user, dict) or not user.get("access_token"):
        return fields
    if owner == "bot" and fields.get("access_token"):
        return fields
    chosen = {k: v for k, v in fields.items() if k not in _USER_TOKEN_FIELDS}
    bot = {k: fields[k] for k in _USER_TOKEN_FIELDS if k in fields}
    if bot.get("access_token"):
        chosen["bot"] = bot
    chosen.update({k: user[k] for k in _USER_TOKEN_FIELDS if k in user})
    return chosen


@hookimpl
def oauth2_userinfo(
    provider: Provider, session: requests.Session, token: Token
) -> Optional[UserInfo]:
    if provider.name not in _NAMES:
        return None
    if provider.name == "slack-openid":  # OpenID claims, behind Slack's "ok" envelope
        return UserInfo.from_claims(_call(session, provider.userinfo_url or ""))
    identity = _call(session, API_URL + "/auth.test")
    user_id = _dict(token.get("authed_user")).get("id") or identity.get("user_id")
    if not user_id:
        raise OAuth2Error("userinfo_failed", "Slack's auth.test named no user")
    try:
        found = _call(session, API_URL + "/users.info", {"user": str(user_id)})
    except InvalidToken:
        raise
    except OAuth2Error:
        found = {}  # no users:read scope: the id is known, the rest is not
    member = _dict(found.get("user"))
    profile = _dict(member.get("profile"))
    return UserInfo(
        id=str(user_id),
        email=profile.get("email") or None,  # needs users:read.email
        name=member.get("real_name") or profile.get("real_name") or None,
        username=member.get("name") or identity.get("user") or None,
        picture=profile.get("image_192") or profile.get("image_72") or None,
        raw={**identity, "user": member},
    )


def _call(session: requests.Session, url: str,
          params: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """A Slack Web API GET: the body when ``ok`` is true.  A dead token raises
    InvalidToken, any other failure ``userinfo_failed``."""
    body = fetch_profile(session, url, params=params)
    if body.get("ok") is True:
        return body
    error = str(body.get("error") or "slack_error")
    method = url.rsplit("/", 1)[-1]
    if error in _TOKEN_DEAD:
        raise InvalidToken(error, f"Slack {method}: {error}", status_code=200)
    raise OAuth2Error("userinfo_failed", f"Slack {method} answered ok=false: {error}",
                      status_code=200)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
