"""Shopify (Admin API, authorization code grant) for oauth2-core.

Shopify's habits:

- every shop has its own host: setting ``shop`` is the ``<shop>`` of
  ``<shop>.myshopify.com`` and may only be letters, digits and hyphens, so a value such
  as ``evil.com/x`` or ``shop.myshopify.com.evil`` can never become a host;
- scopes are comma-separated (``read_products,write_orders``);
- no PKCE; client credentials go in the token request body;
- offline tokens expire and come with a refresh token when the code exchange says
  ``expiring=1``, which public apps must use: the plugin sends it unless the client has
  ``expiring_tokens=False``;
- API calls carry the token in ``X-Shopify-Access-Token``, not ``Authorization``;
- the install request and the OAuth callback are HMAC-signed with the client secret:
  check them with :func:`verify_callback_hmac` before using their ``shop`` or ``code``;
- the identity is the shop (GraphQL ``shop``), or for online (per-user) tokens the
  ``associated_user`` of the token response.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

import requests

from oauth2_core import (
    PKCE_UNSUPPORTED,
    CallbackError,
    ConfigurationError,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    TokenRequest,
    UserInfo,
    hookimpl,
)
from oauth2_core.authorization import parse_callback
from oauth2_core.provider_helpers import envelope_object, error_message
from oauth2_core.userinfo import fetch_profile

SHOP_PATTERN = r"[a-zA-Z0-9][a-zA-Z0-9-]*"
_SHOP_DOMAIN = re.compile(rf"({SHOP_PATTERN})\.myshopify\.com")
#: The Admin API version of the identity query when the client has no ``api_version``.
DEFAULT_API_VERSION = "2026-10"
#: Seconds a signed callback stays acceptable (either side of our clock).
DEFAULT_MAX_AGE = 300.0
SHOP_QUERY = "{ shop { id name email myshopifyDomain } }"

SHOPIFY = Provider(
    name="shopify",
    title="Shopify",
    authorize_url="https://{shop}.myshopify.com/admin/oauth/authorize",
    token_url="https://{shop}.myshopify.com/admin/oauth/access_token",
    userinfo_url="https://{shop}.myshopify.com/admin/api/{api_version}/graphql.json",
    scope_separator=",",
    token_endpoint_auth_method="client_secret_post",
    pkce=PKCE_UNSUPPORTED,
    template_defaults={"api_version": DEFAULT_API_VERSION},
    template_patterns={"shop": SHOP_PATTERN, "api_version": r"\d{4}-\d{2}|unstable"},
    docs_url="https://partners.shopify.com/",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(SHOPIFY)


def shop_from_domain(domain: str) -> str:
    """The ``shop`` setting for a ``<shop>.myshopify.com`` domain (the ``shop`` parameter
    of a verified install request or callback).

    :raises ConfigurationError: for anything but a plain ``*.myshopify.com`` host.
    """
    match = _SHOP_DOMAIN.fullmatch(domain) if isinstance(domain, str) else None
    if match is None:
        raise ConfigurationError(f"{domain!r} is not a <shop>.myshopify.com domain")
    return match.group(1)


def _escape(value: str, key: bool = False) -> str:
    # Shopify's signing rule: '%' and '&' are escaped in keys and values, '=' in keys.
    value = value.replace("%", "%25").replace("&", "%26")
    return value.replace("=", "%3D") if key else value


def verify_callback_hmac(
    params: Union[str, Mapping[str, Any]],
    client_secret: str,
    *,
    max_age: Optional[float] = DEFAULT_MAX_AGE,
    now: Optional[float] = None,
) -> bool:
    """Whether a request from Shopify (the install request or the OAuth callback) carries
    a valid ``hmac`` and a fresh ``timestamp``.

    The ``hmac`` (and legacy ``signature``) parameter is left out, the rest are sorted by
    name and joined as ``name=value`` with ``&``, and the HMAC-SHA256 of that, keyed with
    the client secret, must equal ``hmac`` (compared in constant time).

    :param params: the full request URL, its query string, or its parameters.
    :param client_secret: the app's client secret.
    :param max_age: seconds ``timestamp`` may be away from ``now``; None skips the check.
    :param now: the current time (for tests).
    :return: False for a missing, repeated or wrong signature, or a stale timestamp.
    """
    if not client_secret:
        raise ConfigurationError("verifying Shopify's hmac needs the client secret")
    try:
        fields = parse_callback(params)
    except CallbackError:
        return False  # a repeated parameter: not something Shopify signs here
    received = fields.pop("hmac", None)
    fields.pop("signature", None)
    if not received:
        return False
    if max_age is not None:
        stamp = fields.get("timestamp", "")
        if not stamp.isdigit():
            return False
        if abs((time.time() if now is None else now) - int(stamp)) > max_age:
            return False
    message = "&".join(f"{_escape(k, key=True)}={_escape(v)}" for k, v in sorted(fields.items()))
    expected = hmac.new(client_secret.encode("utf-8"), message.encode("utf-8"),
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), received.encode("utf-8"))


@hookimpl
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    if provider.name != "shopify":
        return
    if (request.endpoint == "token" and request.grant_type == "authorization_code"
            and client.settings.get("expiring_tokens", True)):
        request.data.setdefault("expiring", "1")


@hookimpl
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, token: Token
) -> Optional[object]:
    if provider.name != "shopify":
        return None
    request.headers["X-Shopify-Access-Token"] = token["access_token"]
    return True


@hookimpl
def oauth2_userinfo(
    provider: Provider, session: requests.Session, token: Token
) -> Optional[UserInfo]:
    if provider.name != "shopify":
        return None
    user = token.get("associated_user")
    if isinstance(user, Mapping) and user.get("id") is not None:
        name = " ".join(str(p) for p in (user.get("first_name"), user.get("last_name")) if p)
        verified = user.get("email_verified")
        return UserInfo(
            id=str(user["id"]),
            email=user.get("email") or None,
            email_verified=verified if isinstance(verified, bool) else None,
            name=name or None,
            raw=dict(user),
        )
    shop = _query_shop(session, provider.userinfo_url or "")
    return UserInfo(
        id=str(shop["id"]),
        email=shop.get("email") or None,
        name=shop.get("name") or None,
        username=shop.get("myshopifyDomain") or None,
        raw=dict(shop),
    )


def _query_shop(session: requests.Session, url: str) -> Mapping[str, Any]:
    body = fetch_profile(session, url, "POST", json={"query": SHOP_QUERY})
    shop = envelope_object(envelope_object(body), "shop")
    if shop is None or not shop.get("id"):
        # GraphQL reports errors (access denied, throttling) with HTTP 200 and "errors".
        why = error_message(body)
        raise OAuth2Error("userinfo_failed", "Shopify's shop query returned no shop"
                          + (f": {why}" if why else ""))
    return shop
