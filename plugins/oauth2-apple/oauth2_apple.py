"""Sign in with Apple (the REST/web flow) for oauth2-core.

Apple differs from a plain OpenID provider in four ways, each handled here:

- the client secret is an ES256 JWT that the app signs with its Apple key; this plugin
  signs a short-lived one for every request to Apple's token and revocation endpoints;
- asking for any scope requires ``response_mode=form_post``: Apple POSTs the callback;
- there is no userinfo endpoint: the identity is the ``id_token``'s claims;
- the user's name is sent once, on the first sign-in, as the ``user`` JSON field of the
  callback, and never again (see :func:`first_login_user`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from typing import Any, Callable, Optional, Union

from oauth2_core import (
    ConfigurationError,
    InvalidIDToken,
    OAuth2Client,
    OAuth2Error,
    Provider,
    Token,
    TokenRequest,
    UserInfo,
    hookimpl,
)
from oauth2_core.authorization import parse_callback
from oauth2_core.jws import load_signing_key, require_jwt

APPLE = Provider(
    name="apple",
    title="Sign in with Apple",
    authorize_url="https://appleid.apple.com/auth/authorize",
    token_url="https://appleid.apple.com/auth/token",
    revocation_url="https://appleid.apple.com/auth/revoke",
    jwks_url="https://appleid.apple.com/auth/keys",
    issuer="https://appleid.apple.com",
    default_scopes=("name", "email"),
    token_endpoint_auth_method="client_secret_post",
    docs_url="https://developer.apple.com/account/resources/identifiers/list/serviceId",
)

#: Seconds a generated client secret is valid.  A new one is signed for every request,
#: so it only needs to outlive the request itself (Apple accepts up to six months).
CLIENT_SECRET_LIFETIME = 300


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(APPLE)


@hookimpl
def oauth2_build_authorize_url(provider: Provider, params: dict[str, Any]) -> Optional[str]:
    """Apple refuses a request with scopes unless the callback is a form POST."""
    if provider.name != "apple":
        return None
    if params.get("scope"):
        params["response_mode"] = "form_post"
    return None


@hookimpl
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    """Authenticate with a freshly signed client-secret JWT, in the form body."""
    if provider.name != "apple" or request.client_authenticated:
        return
    request.client_secret = _client_secret(provider, client, request.client_id)
    # Apple accepts the secret in the body only; without a static client_secret the core
    # would otherwise treat the app as a public client.
    request.auth_method = "client_secret_post"


@hookimpl
def oauth2_userinfo(provider: Provider, token: Token, client: OAuth2Client) -> Optional[UserInfo]:
    """The user from the id_token's claims, plus the first-login ``user`` data if the
    app stored it in ``token["user"]``.  Nothing is fetched: Apple has no userinfo
    endpoint."""
    if provider.name != "apple":
        return None
    id_token = token.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise OAuth2Error("userinfo_failed", "Apple has no userinfo endpoint: the user is "
                          "in the token's id_token, and this token has none")
    claims = _id_token_claims(id_token, provider, client)
    user = _user_object(token.get("user"))
    first = last = None
    if user is not None and isinstance(user.get("name"), Mapping):
        first, last = user["name"].get("firstName"), user["name"].get("lastName")
    name = " ".join(str(part) for part in (first, last) if part) or None
    # Only the id_token's email: the callback's user object is not signed, and its email
    # would let a forged form POST claim someone else's address.
    email = claims.get("email")
    raw = dict(claims)
    if user is not None:
        raw["user"] = user
    return UserInfo(
        id=str(claims.get("sub") or ""),
        email=email if isinstance(email, str) and email else None,
        email_verified=_boolean(claims.get("email_verified")),
        name=name,
        raw=raw,
    )


def first_login_user(callback: Union[str, Mapping[str, Any]]) -> Optional[dict[str, Any]]:
    """The ``user`` object of Apple's form-POST callback (``{"name": {"firstName",
    "lastName"}, "email"}``), or None: Apple sends it on the first sign-in only.

    Store it with the token (``token["user"] = ...``) so ``client.userinfo(token)`` can
    report the name.  It is not signed: trust the id_token's ``email`` over its own.
    """
    params = parse_callback(callback)
    return _user_object(params.get("user"))


def _user_object(value: Any) -> Optional[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return dict(value) if isinstance(value, Mapping) else None


def _boolean(value: Any) -> Optional[bool]:
    # Apple sends email_verified and is_private_email as true or as the string "true".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _setting(provider: Provider, client: OAuth2Client, name: str) -> Optional[str]:
    value = client.settings.get(name) or os.environ.get(provider.env_prefix + name.upper())
    return str(value) if value else None


def _private_key(provider: Provider, client: OAuth2Client) -> Optional[str]:
    key = _setting(provider, client, "private_key")
    if key:
        return key
    path = _setting(provider, client, "private_key_file")
    if not path:
        return None
    try:
        with open(path, encoding="ascii") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"apple: cannot read private_key_file: "
                                 f"{type(exc).__name__}") from None


def _client_secret(provider: Provider, client: OAuth2Client, client_id: Optional[str]) -> str:
    team_id = _setting(provider, client, "team_id")
    key_id = _setting(provider, client, "key_id")
    private_key = _private_key(provider, client)
    if not (team_id or key_id or private_key) and client.client_secret:
        return client.client_secret  # a client-secret JWT the app signed itself
    if not (team_id and key_id and private_key):
        given = {"team_id": team_id, "key_id": key_id, "private_key": private_key}
        missing = [name for name, value in given.items() if not value]
        env = ", ".join(provider.env_prefix + name.upper() for name in missing)
        raise ConfigurationError(
            f"apple signs its client secret with your key: pass {', '.join(missing)} to "
            f"oauth2_core.client('apple', ...) or set {env}"
        )
    if not client_id:
        raise ConfigurationError(f"apple: client_id (the Services ID) is not set (pass "
                                 f"client_id=... or set {provider.env_prefix}CLIENT_ID)")
    require_jwt("apple")  # a dependency of this package: a broken install says so
    try:
        key = load_signing_key(private_key, alg="ES256", kid=key_id, what="apple private_key")
    except ConfigurationError:
        # The core's message never holds the key either; this one says what Apple wants.
        raise ConfigurationError("apple: private_key is not a usable ES256 (P-256) private "
                                 "key in PEM form (the .p8 file from Apple)") from None
    now = int(time.time())
    claims = {
        "iss": team_id,
        "iat": now,
        "exp": now + CLIENT_SECRET_LIFETIME,
        "aud": provider.issuer,
        "sub": client_id,
    }
    return key.sign(claims, feature="apple")


def _id_token_claims(id_token: str, provider: Provider, client: OAuth2Client) -> dict[str, Any]:
    """The id_token's claims, decoded WITHOUT checking its signature.

    Only for normalising the user: the token came straight from Apple's token endpoint
    over TLS (OpenID Connect Core 3.1.3.7 lets TLS stand in for the signature there).
    Issuer and audience are still compared, so a token for another app is refused.
    """
    import jwt

    try:
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidIDToken(description="the id_token is not a readable JWT") from None
    if claims.get("iss") != provider.issuer:
        raise InvalidIDToken(description=f"the id_token was issued by {claims.get('iss')!r}, "
                             f"not {provider.issuer!r}")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client.client_id not in audiences:
        raise InvalidIDToken(description="the id_token is for another client (aud)")
    return claims
