"""The token-store interface, its errors, and the record format every store shares.

A store maps a key (one per user or service) to a token and offers a single-flight
refresh section per key.  Whoever holds the section renews the token and saves it;
everyone else waits, then re-reads what the holder saved instead of refreshing again.
With rotating refresh tokens that is what keeps a second refresh from replaying a
refresh token the server has already retired (and answering ``invalid_grant``).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import Any, Optional

from ..errors import OAuth2CoreError, TokenResponseError
from ..tokens import Token
from ..transport import DEFAULT_TIMEOUT

__all__ = [
    "RefreshLease",
    "StaleTokenError",
    "TokenStore",
    "TokenStoreError",
    "decode_token",
    "encode_token",
    "lock_expiry",
]

#: Seconds added to twice the request timeout: requests' timeout bounds the connect and
#: each read separately, so one token request can take about twice as long.
LOCK_MARGIN = 1.0


class TokenStoreError(OAuth2CoreError):
    """The token store failed: unreachable, corrupt, or timed out waiting for the lock.

    Messages name the store and the key, never a token or a password.

    :ivar token: when set, a refreshed token that this process uses but could not save,
        so the caller can store it elsewhere.
    """

    def __init__(self, message: str, token: Optional[Token] = None) -> None:
        super().__init__(message)
        self.token = token


class StaleTokenError(TokenStoreError):
    """A save was refused because a newer token was saved after this holder's lease
    began: its lock expired while it stalled, and another holder refreshed."""


def lock_expiry(minimum: float, request_timeout: float) -> float:
    """How long a refresh lock lives: never shorter than one token request can take, so
    a live holder keeps it, and no longer than needed, so a dead one frees it soon."""
    return max(minimum, 2 * request_timeout + LOCK_MARGIN)


class RefreshLease(ABC):
    """The right to renew one key's token, valid inside :meth:`TokenStore.refresh_lock`.

    :ivar token: the stored token, read after the lock was taken (None if there is none).
    """

    def __init__(self, token: Optional[Token]) -> None:
        self.token = token

    @abstractmethod
    def save(self, token: Token) -> None:
        """Store the renewed token for everyone.

        :raises StaleTokenError: a newer token was saved since the lease began.
        :raises TokenStoreError: the store failed.
        """


class TokenStore(ABC):
    """Where sessions keep tokens that threads, processes or hosts share.

    Implementations: :class:`~oauth2_core.stores.MemoryStore` (one process),
    :class:`~oauth2_core.stores.FileStore` (one host) and
    :class:`~oauth2_core.stores.redis.RedisStore` (many hosts).
    """

    @abstractmethod
    def load(self, key: str) -> Optional[Token]:
        """The token stored under ``key``, or None."""

    @abstractmethod
    def save(self, key: str, token: Token) -> None:
        """Store ``token`` under ``key`` unconditionally (after a new login, say)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget the token under ``key`` (after a logout or revocation)."""

    @abstractmethod
    def refresh_lock(
        self, key: str, request_timeout: float = DEFAULT_TIMEOUT
    ) -> AbstractContextManager[RefreshLease]:
        """The single-flight refresh section of ``key``: a context manager that waits for
        the lock, then yields a :class:`RefreshLease` holding the token stored now.

        :param request_timeout: the timeout of the token request the holder will send; a
            lock that can expire lives longer than that request can take.
        :raises TokenStoreError: the store failed or the wait timed out.
        """

    def close(self) -> None:
        """Release connections or files the store holds (a no-op by default)."""
        return None


def encode_token(token: Token) -> str:
    """The stored form of a token: its fields and how it was obtained (``grant_type``
    is an attribute, not a field, and renewal needs it)."""
    record: dict[str, Any] = {"token": dict(token)}
    if token.grant_type:
        record["grant_type"] = token.grant_type
    return json.dumps(record, separators=(",", ":"))


def decode_token(text: Any, where: str) -> Token:
    """A token from :func:`encode_token`'s form (a JSON string or the parsed dict).

    :param where: names the store and key in the error, which never quotes the data.
    :raises TokenStoreError: the record is not one this library wrote.
    """
    try:
        record = json.loads(text) if isinstance(text, (str, bytes)) else text
        fields = record["token"]
        if not isinstance(fields, dict):
            raise TypeError("token is not an object")
        token = Token(fields)
        grant_type = record.get("grant_type")
    except (ValueError, TypeError, KeyError, AttributeError, TokenResponseError):
        raise TokenStoreError(f"{where} holds a corrupt token record") from None
    if isinstance(grant_type, str):
        token.grant_type = grant_type
    return token
