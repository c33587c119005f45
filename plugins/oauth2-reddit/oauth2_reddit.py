"""Reddit for oauth2-core.

Reddit's habits: the token endpoint takes HTTP Basic only (installed apps, which have no
secret, send ``client_id:`` with an empty password); ``duration=permanent`` is needed
for a refresh token; every request, token endpoint included, must carry a descriptive
User-Agent or it is throttled or refused; errors may come with HTTP 200, and bad client
credentials answer ``{"message": "Unauthorized", "error": 401}``; API calls go to
oauth.reddit.com with ``Authorization: bearer <token>``; URLs in JSON are HTML-escaped.
"""

from __future__ import annotations

import html
from typing import Any, Callable, Optional

import requests

from oauth2_core import (
    PKCE_UNSUPPORTED,
    InvalidClient,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    TokenRequest,
    UserInfo,
    hookimpl,
)
from oauth2_core.default_plugins.client_auth import basic_credentials
from oauth2_core.default_plugins.token_response import token_from_fields
from oauth2_core.provider_helpers import set_user_agent, token_fields
from oauth2_core.userinfo import fetch_profile

__all__ = ["REDDIT", "user_agent"]

REDDIT = Provider(
    name="reddit",
    title="Reddit",
    authorize_url="https://www.reddit.com/api/v1/authorize",
    token_url="https://www.reddit.com/api/v1/access_token",
    revocation_url="https://www.reddit.com/api/v1/revoke_token",
    userinfo_url="https://oauth.reddit.com/api/v1/me",
    default_scopes=("identity",),
    extra_authorize_params={"duration": "permanent"},
    token_endpoint_auth_method="client_secret_basic",
    pkce=PKCE_UNSUPPORTED,
    authorization_scheme="bearer",
    docs_url="https://www.reddit.com/prefs/apps",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(REDDIT)


def user_agent(client: OAuth2Client) -> str:
    """The ``user_agent`` setting, or a default in Reddit's recommended
    ``<platform>:<app id>:<version>`` shape.  Set your own: Reddit asks for a unique,
    descriptive one naming your account (``... (by /u/name)``)."""
    configured = client.settings.get("user_agent")
    if configured:
        return str(configured)
    return f"python:{client.client_id or 'unknown'}:0.1.0 (oauth2-core; oauth2-reddit)"


@hookimpl
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    if provider.name != "reddit":
        return
    request.headers["User-Agent"] = user_agent(client)
    if request.client_id and not request.client_authenticated:
        # Basic whatever the configured method: an installed app has no secret and sends
        # an empty password, never a body client_id.
        request.headers["Authorization"] = basic_credentials(
            request.client_id, request.client_secret or "")
        request.client_authenticated = True


@hookimpl
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> Optional[Token]:
    if provider.name != "reddit":
        return None
    fields = token_fields(response)  # raises for Reddit's HTML "Too Many Requests" pages
    error = fields.get("error")
    if isinstance(error, int) and not isinstance(error, bool):
        message = str(fields.get("message") or f"HTTP {error}")
        if error == 401:
            raise InvalidClient(description=message, status_code=response.status_code,
                                response=response)
        raise OAuth2Error(f"reddit_{error}", message, status_code=response.status_code,
                          response=response)
    return token_from_fields(provider, fields, response)  # string errors, even with HTTP 200


@hookimpl
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, client: OAuth2Client
) -> Optional[object]:
    if provider.name != "reddit":
        return None
    set_user_agent(request, client.settings.get("user_agent"), user_agent(client))
    return None  # the default plugin adds "Authorization: bearer <token>"


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if provider.name != "reddit":
        return None
    me = fetch_profile(session, provider.userinfo_url or "")
    if not me.get("id"):
        raise OAuth2Error("userinfo_failed", "Reddit /api/v1/me has no id (is the identity "
                          "scope granted?)")
    subreddit = me.get("subreddit")
    title = subreddit.get("title") if isinstance(subreddit, dict) else None
    return UserInfo(
        id=str(me["id"]),
        name=title or None,
        username=me.get("name") or None,
        picture=_unescape(me.get("icon_img")) or _unescape(me.get("snoovatar_img")),
        raw=me,  # Reddit never shares an email address
    )


def _unescape(url: Any) -> Optional[str]:
    """Reddit's JSON carries URLs HTML-escaped (``&amp;``)."""
    return html.unescape(url) if isinstance(url, str) and url else None
