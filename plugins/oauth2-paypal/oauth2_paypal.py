"""Log in with PayPal for oauth2-core.

PayPal's habits:

- two environments with their own hosts and their own credentials: setting
  ``environment="live"`` (default) or ``"sandbox"``.  The sandbox hosts differ from the
  live ones by an infix (``www.sandbox.paypal.com``), which a URL template cannot
  express, so the provider carries the live URLs and the hooks move every request to
  the sandbox hosts when asked;
- the authorization URL carries ``flowEntry=static``;
- the token endpoint authenticates clients with HTTP Basic only;
- the profile (``/v1/identity/oauth2/userinfo?schema=paypalv1.1``) lists ``emails`` with
  ``primary`` and ``confirmed`` flags, and names the user ``user_id``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Callable, Optional
from urllib.parse import urlencode

import requests

from oauth2_core import (
    ConfigurationError,
    OAuth2Client,
    OAuth2Error,
    Provider,
    TokenRequest,
    UserInfo,
    hookimpl,
)
from oauth2_core.userinfo import fetch_profile

#: Live origin -> sandbox origin.
SANDBOX_ORIGINS = {
    "https://www.paypal.com": "https://www.sandbox.paypal.com",
    "https://api-m.paypal.com": "https://api-m.sandbox.paypal.com",
}
_ENVIRONMENT = re.compile(r"live|sandbox")

PAYPAL = Provider(
    name="paypal",
    title="Log in with PayPal",
    authorize_url="https://www.paypal.com/signin/authorize",
    token_url="https://api-m.paypal.com/v1/oauth2/token",
    userinfo_url="https://api-m.paypal.com/v1/identity/oauth2/userinfo?schema=paypalv1.1",
    default_scopes=("openid", "profile", "email"),
    extra_authorize_params={"flowEntry": "static"},
    token_endpoint_auth_method="client_secret_basic",
    # The authorization request documents no nonce, so none is sent (and none is
    # expected back in the id_token).
    send_nonce=False,
    # PayPal signs id_tokens with HS256 (the client secret) or RS256.
    id_token_signing_algs=("RS256", "HS256"),
    docs_url="https://developer.paypal.com/dashboard/applications",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(PAYPAL)


def environment(client: OAuth2Client) -> str:
    """The client's PayPal environment: setting ``environment``, "live" or "sandbox"."""
    value = str(client.settings.get("environment") or "live")
    if not _ENVIRONMENT.fullmatch(value):
        raise ConfigurationError(
            f"provider 'paypal': setting environment={value!r} must be 'live' or 'sandbox'"
        )
    return value


def endpoint_url(url: str, client: OAuth2Client) -> str:
    """``url`` (a live PayPal URL) moved to the client's environment."""
    if environment(client) == "sandbox":
        for live, sandbox in SANDBOX_ORIGINS.items():
            if url.startswith(live + "/"):
                return sandbox + url[len(live):]
    return url


@hookimpl
def oauth2_build_authorize_url(
    provider: Provider, params: dict[str, Any], client: OAuth2Client
) -> Optional[str]:
    if provider.name != "paypal" or environment(client) == "live":
        return None
    query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    return f"{endpoint_url(provider.authorize_url or '', client)}?{query}"


@hookimpl
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    if provider.name != "paypal":
        return
    if request.auth_method != "client_secret_basic":
        raise ConfigurationError(
            "PayPal authenticates clients with HTTP Basic only (client_secret_basic): "
            "pass client_secret and no other token_endpoint_auth_method"
        )
    request.url = endpoint_url(request.url, client)


@hookimpl
def oauth2_userinfo(
    provider: Provider, session: requests.Session, client: OAuth2Client
) -> Optional[UserInfo]:
    if provider.name != "paypal":
        return None
    body = fetch_profile(session, endpoint_url(provider.userinfo_url or "", client))
    user_id = body.get("user_id") or body.get("sub")
    if not user_id:
        raise OAuth2Error("userinfo_failed", "PayPal userinfo did not return a user")
    email, verified = _email(body)
    name = body.get("name") or " ".join(
        str(part) for part in (body.get("given_name"), body.get("family_name")) if part
    )
    return UserInfo(
        id=str(user_id),
        email=email,
        email_verified=verified,
        name=name or None,
        picture=body.get("picture") or None,
        raw=dict(body),
    )


def _email(body: Mapping[str, Any]) -> tuple[Optional[str], Optional[bool]]:
    """The primary address of ``emails`` (paypalv1.1), else the OpenID ``email``."""
    emails = [e for e in body.get("emails") or () if isinstance(e, Mapping) and e.get("value")]
    if emails:
        chosen = next((e for e in emails if e.get("primary") is True), emails[0])
        confirmed = chosen.get("confirmed")
        return str(chosen["value"]), confirmed if isinstance(confirmed, bool) else None
    verified = body.get("email_verified")
    if isinstance(verified, str):
        verified = verified.lower() == "true"
    return body.get("email") or None, verified if isinstance(verified, bool) else None
