"""The test server's grant logic and state, apart from HTTP.

Every rule the RFCs set for the server side lives here: single-use codes bound to their
client, redirect URI and PKCE challenge (RFC 6749 4.1.3, RFC 7636 4.6); refresh-token
rotation with reuse detection (RFC 9700 4.14.2); revocation (RFC 7009) and
introspection (RFC 7662); the device flow is in :mod:`.device_flow`.  One lock guards
all state, so the threaded HTTP server may call in from any thread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional

from .device_flow import DEVICE_CODE_GRANT, DeviceFlow
from .errors import ProtocolError
from .models import (
    AuthorizationCode,
    DeviceRequest,
    Grant,
    IssuedToken,
    PendingConsent,
    ServerClient,
    User,
)
from .signing import at_hash

if TYPE_CHECKING:
    from .config import ServerConfig
    from .signing import Signer

__all__ = ["DEVICE_CODE_GRANT", "PKCE_VALUE", "Authority", "ProtocolError", "split_scope"]

#: RFC 7636 section 4.1: 43 to 128 unreserved characters.
PKCE_VALUE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _verify_pkce(challenge: str, method: Optional[str], verifier: Optional[str]) -> None:
    if not verifier:
        raise ProtocolError("invalid_grant", "code_verifier is required: the authorization "
                            "request had a code_challenge")
    if not PKCE_VALUE.match(verifier):
        raise ProtocolError("invalid_grant", "code_verifier must be 43-128 unreserved "
                            "characters (RFC 7636 section 4.1)")
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if not _equal(verifier, challenge):
        raise ProtocolError("invalid_grant", "code_verifier does not match the code_challenge")


def split_scope(value: Optional[str]) -> tuple[str, ...]:
    """RFC 6749 section 3.3: space-delimited scope tokens, in order, without repeats."""
    return tuple(dict.fromkeys(value.split())) if value else ()


class Authority(DeviceFlow):
    """Clients, users, grants and tokens of one test server."""

    def __init__(self, config: ServerConfig, clock: Callable[[], float],
                 signer: Optional[Signer]) -> None:
        self.config = config
        self.clock = clock
        self.signer = signer
        self.issuer = ""
        self._lock = threading.RLock()
        self._clients: dict[str, ServerClient] = {}
        self._users: dict[str, User] = {}
        self.clear()

    def clear(self) -> None:
        """Forget every code, grant, token and device request (clients and users stay)."""
        with self._lock:
            self._codes: dict[str, AuthorizationCode] = {}
            self._grants: dict[str, Grant] = {}
            self._tokens: dict[str, IssuedToken] = {}
            self._devices: dict[str, DeviceRequest] = {}
            self._consents: dict[str, PendingConsent] = {}

    def now(self) -> int:
        return int(self.clock())

    # Clients and users -----------------------------------------------------------------
    def register_client(self, client: ServerClient) -> None:
        with self._lock:
            self._clients[client.client_id] = client

    def client(self, client_id: Optional[str]) -> Optional[ServerClient]:
        with self._lock:
            return self._clients.get(client_id or "")

    def add_user(self, user: User) -> None:
        with self._lock:
            self._users[user.username] = user

    def user(self, username: Optional[str]) -> Optional[User]:
        with self._lock:
            return self._users.get(username or "")

    def usernames(self) -> list[str]:
        with self._lock:
            return list(self._users)

    def user_by_sub(self, sub: Optional[str]) -> Optional[User]:
        with self._lock:
            return next((u for u in self._users.values() if u.sub == sub), None)

    def check_scope(self, client: ServerClient, requested: tuple[str, ...]) -> tuple[str, ...]:
        """The scope to grant: as requested, or the client's own when none was asked."""
        if not requested:
            return client.scope or ()
        if client.scope is not None:
            refused = [s for s in requested if s not in client.scope]
            if refused:
                raise ProtocolError("invalid_scope", f"scope {' '.join(refused)!r} is not "
                                    "allowed for this client")
        return tuple(dict.fromkeys(requested))

    # Authorization codes ---------------------------------------------------------------
    def issue_code(self, client: ServerClient, redirect_uri: Optional[str],
                   scope: tuple[str, ...], sub: str, nonce: Optional[str],
                   code_challenge: Optional[str], code_challenge_method: Optional[str]) -> str:
        now = self.now()
        code = AuthorizationCode(secrets.token_urlsafe(32), client.client_id, redirect_uri,
                                 scope, sub, nonce, code_challenge, code_challenge_method,
                                 expires_at=now + self.config.code_ttl, auth_time=now)
        with self._lock:
            self._codes[code.value] = code
        return code.value

    def redeem_code(self, client: ServerClient, value: str, redirect_uri: Optional[str],
                    code_verifier: Optional[str]) -> dict[str, Any]:
        """The authorization_code grant (RFC 6749 4.1.3 with RFC 7636 4.6)."""
        with self._lock:
            code = self._codes.get(value)
            if code is None or code.client_id != client.client_id:
                raise ProtocolError("invalid_grant", "unknown authorization code, or issued "
                                    "to another client")
            if code.used:
                # RFC 6749 4.1.2: a code used twice revokes what it was exchanged for.
                if code.grant_id is not None:
                    self._revoke_grant(code.grant_id)
                raise ProtocolError("invalid_grant", "the authorization code was already "
                                    "used; tokens issued from it are revoked")
            code.used = True  # any attempt spends it, so a verifier cannot be guessed
            if self.now() >= code.expires_at:
                raise ProtocolError("invalid_grant", "the authorization code expired")
            if code.redirect_uri is not None and redirect_uri != code.redirect_uri:
                raise ProtocolError("invalid_grant", "redirect_uri differs from the one in "
                                    "the authorization request")
            if code.code_challenge is not None:
                _verify_pkce(code.code_challenge, code.code_challenge_method, code_verifier)
            elif code_verifier is not None:
                # RFC 9700 2.1.1: a verifier without a challenge is a PKCE downgrade.
                raise ProtocolError("invalid_grant", "code_verifier sent but the "
                                    "authorization request had no code_challenge")
            grant = self._new_grant(client, code.scope, code.sub, code.auth_time)
            code.grant_id = grant.grant_id
            return self._issue(client, grant, nonce=code.nonce)

    def hold_consent(self, consent: PendingConsent) -> None:
        with self._lock:
            self._consents[consent.transaction] = consent

    def take_consent(self, transaction: str) -> Optional[PendingConsent]:
        """The request waiting for this decision, once: a transaction is single use."""
        with self._lock:
            consent = self._consents.pop(transaction, None)
        if consent is None or self.now() >= consent.expires_at:
            return None
        return consent

    # Other grants ----------------------------------------------------------------------
    def refresh(self, client: ServerClient, value: str,
                scope: tuple[str, ...]) -> dict[str, Any]:
        """The refresh_token grant (RFC 6749 section 6), rotating when configured."""
        with self._lock:
            old = self._tokens.get(value)
            if old is None or old.kind != "refresh_token" or old.client_id != client.client_id:
                raise ProtocolError("invalid_grant", "unknown refresh token, or issued to "
                                    "another client")
            grant = self._grants[old.grant_id]
            if old.rotated:
                self._revoke_grant(grant.grant_id)
                raise ProtocolError("invalid_grant", "refresh token reused after rotation; "
                                    "every token of this grant is revoked")
            if old.revoked or grant.revoked or self._expired(old):
                raise ProtocolError("invalid_grant", "the refresh token is revoked or expired")
            if any(s not in old.scope for s in scope):
                raise ProtocolError("invalid_scope", "a refresh may not widen the scope")
            rotate = self.config.rotate_refresh_tokens
            if rotate:
                old.rotated = True
            return self._issue(client, grant, scope=scope or old.scope, refresh=rotate,
                               refresh_scope=old.scope)

    def client_credentials(self, client: ServerClient,
                           scope: tuple[str, ...]) -> dict[str, Any]:
        """RFC 6749 section 4.4: for confidential clients only, and without a refresh
        token (section 4.4.3)."""
        if client.is_public:
            raise ProtocolError("unauthorized_client", "client_credentials needs a "
                                "confidential client")
        with self._lock:
            grant = self._new_grant(client, self.check_scope(client, scope), None, self.now())
            return self._issue(client, grant, refresh=False)

    def password(self, client: ServerClient, username: str, password: str,
                 scope: tuple[str, ...]) -> dict[str, Any]:
        """RFC 6749 section 4.3, the resource owner password credentials grant."""
        user = self.user(username)
        if user is None or user.password is None or not _equal(user.password, password):
            raise ProtocolError("invalid_grant", "wrong username or password")
        with self._lock:
            grant = self._new_grant(client, self.check_scope(client, scope), user.sub,
                                    self.now())
            return self._issue(client, grant)

    # Revocation and introspection ------------------------------------------------------
    def revoke(self, client: ServerClient, value: str) -> None:
        """RFC 7009: revoking a refresh token ends its grant; an access token, itself.
        An unknown token, or another client's, is ignored (section 2.2)."""
        with self._lock:
            token = self._tokens.get(value)
            if token is None or token.client_id != client.client_id:
                return
            if token.kind == "refresh_token":
                self._revoke_grant(token.grant_id)
            else:
                token.revoked = True

    def revoke_any(self, value: str) -> bool:
        """Revoke a token whoever holds it (the test's hand, not an endpoint)."""
        with self._lock:
            token = self._tokens.get(value)
            if token is None:
                return False
            client = self._clients[token.client_id]
        self.revoke(client, value)
        return True

    def active_token(self, value: str, kind: Optional[str] = None) -> Optional[IssuedToken]:
        """The token if it is valid now: known, unrevoked, unexpired, not rotated out."""
        with self._lock:
            token = self._tokens.get(value)
            if token is None or (kind is not None and token.kind != kind):
                return None
            grant = self._grants[token.grant_id]
            if token.revoked or token.rotated or grant.revoked or self._expired(token):
                return None
            return token

    def introspect(self, value: str) -> dict[str, Any]:
        """RFC 7662 section 2.2: ``{"active": false}`` says nothing more."""
        token = self.active_token(value)
        if token is None:
            return {"active": False}
        info: dict[str, Any] = {"active": True, "client_id": token.client_id,
                                "iat": token.issued_at, "iss": self.issuer,
                                "aud": token.client_id}
        if token.scope:
            info["scope"] = " ".join(token.scope)
        if token.expires_at is not None:
            info["exp"] = token.expires_at
        if token.kind == "access_token":
            info["token_type"] = self.config.token_type
        if token.sub is not None:
            info["sub"] = token.sub
            user = self.user_by_sub(token.sub)
            if user is not None:
                info["username"] = user.username
        return info

    def count(self, kind: str) -> int:
        """How many tokens of ``kind`` were issued (``"access_token"``, ...)."""
        with self._lock:
            return sum(1 for t in self._tokens.values() if t.kind == kind)

    # Issuing ---------------------------------------------------------------------------
    def _new_grant(self, client: ServerClient, scope: tuple[str, ...], sub: Optional[str],
                   auth_time: int) -> Grant:
        grant = Grant(secrets.token_urlsafe(16), client.client_id, scope, sub, auth_time)
        self._grants[grant.grant_id] = grant
        return grant

    def _new_token(self, kind: str, grant: Grant, scope: tuple[str, ...],
                   ttl: Optional[int]) -> IssuedToken:
        now = self.now()
        token = IssuedToken(secrets.token_urlsafe(32), kind, grant.grant_id, grant.client_id,
                            scope, grant.sub, now, now + ttl if ttl is not None else None)
        self._tokens[token.value] = token
        return token

    def _issue(self, client: ServerClient, grant: Grant, scope: Optional[tuple[str, ...]] = None,
               nonce: Optional[str] = None, refresh: bool = True,
               refresh_scope: Optional[tuple[str, ...]] = None) -> dict[str, Any]:
        """A successful token response (RFC 6749 section 5.1)."""
        scope = grant.scope if scope is None else scope
        ttl = self.config.access_token_ttl
        access = self._new_token("access_token", grant, scope, ttl)
        body: dict[str, Any] = {"access_token": access.value,
                                "token_type": self.config.token_type, "expires_in": ttl}
        if scope:
            body["scope"] = " ".join(scope)
        if (refresh and self.config.issue_refresh_tokens
                and "refresh_token" in client.grant_types):
            refresh_token = self._new_token("refresh_token", grant, refresh_scope or scope,
                                            self.config.refresh_token_ttl)
            body["refresh_token"] = refresh_token.value
        if self.signer is not None and "openid" in scope and grant.sub is not None:
            body["id_token"] = self.id_token(client, grant, scope, nonce, access.value)
        body.update(self.config.extra_token_fields)
        return body

    def id_token(self, client: ServerClient, grant: Grant, scope: tuple[str, ...],
                 nonce: Optional[str], access_token: str) -> str:
        """A signed id_token (OpenID Connect Core 2 and 3.1.3.6)."""
        assert self.signer is not None and grant.sub is not None  # noqa: S101
        now = self.now()
        user = self.user_by_sub(grant.sub)
        claims: dict[str, Any] = user.claims_for(scope) if user is not None else {}
        claims.update(iss=self.issuer, sub=grant.sub, aud=client.client_id,
                      azp=client.client_id, iat=now, exp=now + self.config.id_token_ttl,
                      auth_time=grant.auth_time, at_hash=at_hash(access_token))
        if nonce is not None:
            claims["nonce"] = nonce
        return self.signer.sign(claims)

    def _revoke_grant(self, grant_id: str) -> None:
        self._grants[grant_id].revoked = True
        for token in self._tokens.values():
            if token.grant_id == grant_id:
                token.revoked = True

    def _expired(self, token: IssuedToken) -> bool:
        return token.expires_at is not None and self.now() >= token.expires_at
