"""What the test server remembers: clients, users, grants, codes, tokens, device requests.

Plain records; :class:`~oauth2_core.testing.authority.Authority` owns them and holds the
lock.  A *grant* is one authorization by one user (or one client-credentials request):
every access and refresh token issued from it belongs to it, so revoking the grant
revokes them all (a replayed code, a reused refresh token, RFC 7009 revocation).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

__all__ = ["AuthorizationCode", "DeviceRequest", "Grant", "IssuedToken", "PendingConsent",
           "ServerClient", "User"]

# OpenID Connect Core section 5.4: the claims each standard scope grants.
SCOPE_CLAIMS = {
    "profile": ("name", "family_name", "given_name", "middle_name", "nickname",
                "preferred_username", "profile", "picture", "website", "gender",
                "birthdate", "zoneinfo", "locale", "updated_at"),
    "email": ("email", "email_verified"),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
}


@dataclasses.dataclass(frozen=True)
class ServerClient:
    """A client registered with the test server (what :meth:`register_client` returns).

    ``client_secret`` is None for a public client (``token_endpoint_auth_method="none"``).
    ``scope`` lists the scopes it may ask for; None allows any.
    """

    client_id: str
    client_secret: Optional[str] = dataclasses.field(default=None, repr=False)
    redirect_uris: tuple[str, ...] = ()
    token_endpoint_auth_method: str = "client_secret_basic"
    grant_types: tuple[str, ...] = ()
    scope: Optional[tuple[str, ...]] = None
    client_name: str = ""

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"


@dataclasses.dataclass(frozen=True)
class User:
    """A user of the test server.  ``claims`` are OpenID Connect standard claims."""

    username: str
    sub: str
    password: Optional[str] = dataclasses.field(default=None, repr=False)
    claims: dict[str, Any] = dataclasses.field(default_factory=dict)

    def claims_for(self, scopes: tuple[str, ...]) -> dict[str, Any]:
        """``sub`` and the claims the ``scopes`` grant (OpenID Connect Core 5.4)."""
        granted = {"sub": self.sub}
        for scope in scopes:
            for name in SCOPE_CLAIMS.get(scope, ()):
                if name in self.claims:
                    granted[name] = self.claims[name]
        return granted


@dataclasses.dataclass
class Grant:
    grant_id: str
    client_id: str
    scope: tuple[str, ...]
    sub: Optional[str]
    auth_time: int
    revoked: bool = False


@dataclasses.dataclass
class IssuedToken:
    """An access or refresh token.  ``rotated`` marks a refresh token already exchanged
    for a new one: presenting it again is reuse (RFC 9700 section 4.14.2)."""

    value: str = dataclasses.field(repr=False)
    kind: str  # "access_token" | "refresh_token"
    grant_id: str
    client_id: str
    scope: tuple[str, ...]
    sub: Optional[str]
    issued_at: int
    expires_at: Optional[int]
    revoked: bool = False
    rotated: bool = False


@dataclasses.dataclass
class AuthorizationCode:
    value: str = dataclasses.field(repr=False)
    client_id: str
    redirect_uri: Optional[str]  # as sent in the authorization request (None: omitted)
    scope: tuple[str, ...]
    sub: str
    nonce: Optional[str]
    code_challenge: Optional[str]
    code_challenge_method: Optional[str]
    expires_at: int
    auth_time: int
    used: bool = False
    grant_id: Optional[str] = None  # the grant its tokens belong to, once exchanged


@dataclasses.dataclass
class DeviceRequest:
    device_code: str = dataclasses.field(repr=False)
    user_code: str
    client_id: str
    scope: tuple[str, ...]
    expires_at: int
    interval: int
    status: str = "pending"  # pending | approved | denied | used
    sub: Optional[str] = None
    last_poll: Optional[float] = None


@dataclasses.dataclass
class PendingConsent:
    """A checked authorization request waiting for the user's Allow or Deny."""

    transaction: str
    client: ServerClient
    redirect_uri: str
    redirect_uri_sent: bool
    scope: tuple[str, ...]
    state: Optional[str]
    nonce: Optional[str]
    code_challenge: Optional[str]
    code_challenge_method: Optional[str]
    sub: str
    expires_at: int
