"""`RedisStore`: tokens shared by every process on every host that reaches one Redis.

Per token key there are three Redis keys, with a hash tag so a Redis Cluster keeps
them in one slot: ``<prefix>{<key>}:token`` (a hash: the token record and its
version, expiring with the token), ``<prefix>{<key>}:version`` (a counter, so versions
only ever grow) and ``<prefix>{<key>}:lock`` (the refresh lock).

The lock is ``SET NX PX`` with a random owner value, released by a compare-and-delete
script so a holder whose lock expired cannot free its successor's.  Because a lock
that expires can be held twice, every save is fenced: it succeeds only if the version
is still the one the holder read when it took the lock (a compare-and-set script), so
a stalled holder cannot overwrite a newer token.

Needs the ``redis`` extra: ``pip install oauth2-core[redis]``.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Optional
from urllib.parse import urlsplit

from ..errors import ConfigurationError, InsecureTransportError
from ..tokens import Token
from ..transport import DEFAULT_TIMEOUT, insecure_transport_allowed, is_loopback
from .base import (
    RefreshLease,
    StaleTokenError,
    TokenStore,
    TokenStoreError,
    decode_token,
    encode_token,
    lock_expiry,
)

__all__ = ["RedisStore", "record_ttl"]

logger = logging.getLogger("oauth2_core")

#: The shortest lock; a lock never expires before twice the request timeout plus 1 s.
DEFAULT_LOCK_EXPIRY = 10.0
#: How long a token with a refresh token is kept after its access token expires.
DEFAULT_REFRESH_TOKEN_TTL = 30 * 24 * 3600.0
#: The counter outlives its token record, so versions keep growing across expiries.
_VERSION_GRACE_MS = 24 * 3600 * 1000

# KEYS: record, version counter.  ARGV: expected version ("" = any), data, ttl ms (0 = none).
_SAVE = """
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[1] ~= '' and current and current ~= ARGV[1] then
  return -1
end
local version = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', version)
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl + tonumber(ARGV[4]))
else
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
end
return version
"""

# KEYS: lock.  ARGV: owner.  Deletes the lock only if this holder still owns it.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def _import_redis() -> Any:
    try:
        import redis
    except ImportError:
        raise ConfigurationError(
            "RedisStore needs the redis client: pip install 'oauth2-core[redis]'"
        ) from None
    return redis


def record_ttl(token: Token, now: float, refresh_token_ttl: Optional[float]) -> Optional[float]:
    """Seconds a stored token is worth keeping, or None for no expiry.

    A token without a refresh token is worthless once its access token expires; one
    with a refresh token stays ``refresh_token_ttl`` longer (None: until replaced).
    """
    expires_at = token.expires_at
    remaining = max(0.0, expires_at - now) if expires_at is not None else None
    if token.refresh_token:
        if refresh_token_ttl is None:
            return None
        return (remaining or 0.0) + refresh_token_ttl
    if remaining is None:
        return None
    return max(remaining, 1.0)


def safe_location(url: str) -> str:
    """A Redis URL without its user name and password, for messages."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


class _RedisLease(RefreshLease):
    def __init__(self, store: RedisStore, key: str, token: Optional[Token],
                 version: str) -> None:
        super().__init__(token)
        self._store = store
        self._key = key
        self.version = version

    def save(self, token: Token) -> None:
        self.version = self._store._save(self._key, token, expected=self.version)


class RedisStore(TokenStore):
    """Tokens in Redis: one refresh per key across every process and host.

    :param client: a ``redis.Redis`` client (bytes or decoded responses).  Prefer
        :meth:`from_url`, which sets socket timeouts.
    :param prefix: prepended to every Redis key.
    :param lock_expiry: the shortest refresh-lock lifetime in seconds; the lock always
        lives at least twice the token request's timeout plus one second.
    :param wait_timeout: seconds a waiter waits for the lock before raising
        :class:`TokenStoreError`; by default twice the lock's lifetime.
    :param refresh_token_ttl: how long a token with a refresh token is kept after its
        access token expires (None: until replaced or deleted).
    :param location: how messages name this Redis (never with a password).
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "oauth2_core:",
        lock_expiry: float = DEFAULT_LOCK_EXPIRY,
        wait_timeout: Optional[float] = None,
        refresh_token_ttl: Optional[float] = DEFAULT_REFRESH_TOKEN_TTL,
        location: str = "redis",
    ) -> None:
        self._errors = _import_redis().exceptions.RedisError
        self.client = client
        self.prefix = prefix
        self.lock_expiry = lock_expiry
        self.wait_timeout = wait_timeout
        self.refresh_token_ttl = refresh_token_ttl
        self.location = location
        self._save_script = client.register_script(_SAVE)
        self._release_script = client.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, *, allow_insecure: bool = False, socket_timeout: float = 5.0,
                 **options: Any) -> RedisStore:
        """A store on the Redis at ``url`` (``redis://``, ``rediss://`` or ``unix://``).

        Plain ``redis://`` carries tokens unencrypted, so it is refused for hosts that
        are not loopback unless ``allow_insecure=True`` or ``OAUTH2_INSECURE_TRANSPORT=1``.

        :param socket_timeout: seconds for connecting and for each command.
        :param options: passed to :class:`RedisStore` (``prefix``, ``lock_expiry``, ...).
        """
        redis = _import_redis()
        parts = urlsplit(url)
        location = safe_location(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ConfigurationError(f"not a Redis URL: {location}")
        if parts.scheme == "redis" and not (
            is_loopback(parts.hostname) or allow_insecure or insecure_transport_allowed()
        ):
            raise InsecureTransportError(
                f"refusing {location}: tokens would cross the network unencrypted; use "
                "rediss:// (TLS), or allow_insecure=True / OAUTH2_INSECURE_TRANSPORT=1"
            )
        client = redis.Redis.from_url(url, socket_timeout=socket_timeout,
                                      socket_connect_timeout=socket_timeout)
        return cls(client, location=location, **options)

    def __repr__(self) -> str:
        return f"RedisStore({self.location!r}, prefix={self.prefix!r})"

    def close(self) -> None:
        self.client.close()

    # The interface ----------------------------------------------------------------------
    def load(self, key: str) -> Optional[Token]:
        return self._load(key)[0]

    def save(self, key: str, token: Token) -> None:
        self._save(key, token, expected="")

    def delete(self, key: str) -> None:
        with self._failures("delete", key):
            self.client.delete(self._record_key(key))  # the counter stays: versions only grow

    @contextmanager
    def refresh_lock(self, key: str, request_timeout: float = DEFAULT_TIMEOUT
                     ) -> Iterator[RefreshLease]:
        expiry = lock_expiry(self.lock_expiry, request_timeout)
        owner = secrets.token_hex(16)
        self._acquire(key, owner, expiry)
        try:
            token, version = self._load(key)
            yield _RedisLease(self, key, token, version)
        finally:
            self._release(key, owner)

    # Redis ----------------------------------------------------------------------------
    def _record_key(self, key: str) -> str:
        return f"{self.prefix}{{{key}}}:token"

    def _version_key(self, key: str) -> str:
        return f"{self.prefix}{{{key}}}:version"

    def lock_key(self, key: str) -> str:
        """The Redis key of ``key``'s refresh lock (for monitoring and tests)."""
        return f"{self.prefix}{{{key}}}:lock"

    @contextmanager
    def _failures(self, action: str, key: str) -> Iterator[None]:
        try:
            yield
        except self._errors as exc:
            raise TokenStoreError(
                f"token store {self.location} failed to {action} key {key!r}: "
                f"{type(exc).__name__}"
            ) from exc

    def _load(self, key: str) -> tuple[Optional[Token], str]:
        with self._failures("load", key):
            data, version = self.client.hmget(self._record_key(key), ["data", "version"])
        if data is None:
            return None, "0"
        where = f"token store {self.location}, key {key!r},"
        version_text = version.decode() if isinstance(version, bytes) else str(version)
        return decode_token(data, where), version_text

    def _save(self, key: str, token: Token, expected: str) -> str:
        ttl = record_ttl(token, time.time(), self.refresh_token_ttl)
        ttl_ms = 0 if ttl is None else max(1, int(ttl * 1000))
        with self._failures("save", key):
            version = self._save_script(
                keys=[self._record_key(key), self._version_key(key)],
                args=[expected, encode_token(token), ttl_ms, _VERSION_GRACE_MS],
            )
        if int(version) < 0:
            raise StaleTokenError(
                f"token store {self.location} refused a stale save to key {key!r}: a newer "
                "token was saved after this refresh began (its lock had expired)"
            )
        return str(int(version))

    def _acquire(self, key: str, owner: str, expiry: float) -> None:
        wait = self.wait_timeout if self.wait_timeout is not None else 2 * expiry
        deadline = time.monotonic() + wait
        delay = 0.002
        lock = self.lock_key(key)
        while True:
            with self._failures("lock", key):
                if self.client.set(lock, owner, nx=True, px=int(expiry * 1000)):
                    return
            if time.monotonic() >= deadline:
                raise TokenStoreError(f"token store {self.location}: gave up after {wait:g} s "
                                      f"waiting for the refresh lock of key {key!r}")
            time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not crypto
            delay = min(delay * 2, 0.05)

    def _release(self, key: str, owner: str) -> None:
        try:
            self._release_script(keys=[self.lock_key(key)], args=[owner])
        except self._errors as exc:
            # The lock expires by itself; failing here would hide the refresh's outcome.
            logger.warning("token store %s: could not release the refresh lock of key %r "
                           "(%s); it expires by itself", self.location, key,
                           type(exc).__name__)
