"""The provider's signing keys (JWKS, RFC 7517): fetched, cached, and matched to a token.

Keys are public and shared by every client of an issuer, so one process-wide cache keyed
by ``jwks_uri`` serves them all.  An unknown ``kid`` means the provider rotated its keys:
the set is fetched again, once per validation.  (That costs the attacker a token
exchange per extra fetch, since id_tokens arrive from the token endpoint, so no rate
limit is needed here.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, Callable, Optional

from .errors import InvalidIDToken

__all__ = ["DEFAULT_JWKS_TTL", "JWKSCache", "clear_jwks_cache", "jwks_cache", "key_family"]

DEFAULT_JWKS_TTL = 3600.0
FetchJSON = Callable[[str], Any]

# RFC 7518 section 3.1 and RFC 8037: which key type each signature algorithm needs.
_FAMILIES = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}


def key_family(alg: str) -> Optional[str]:
    """The JWK ``kty`` an asymmetric ``alg`` verifies with (``RS256`` -> ``RSA``)."""
    return _FAMILIES.get(alg[:2])


class JWKSCache:
    """Key sets by URL, each kept for ``ttl`` seconds."""

    def __init__(self, ttl: float = DEFAULT_JWKS_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._sets: dict[str, tuple[float, list[dict[str, Any]]]] = {}

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()

    def keys(self, url: str, fetch: FetchJSON) -> list[dict[str, Any]]:
        """The keys at ``url``, from the cache or fetched when stale or absent."""
        keys = self._cached(url)
        return keys if keys is not None else self._fetch(url, fetch)

    def find(self, url: str, fetch: FetchJSON, alg: str, kid: Optional[str]) -> dict[str, Any]:
        """The one key that may verify a token signed with ``alg`` (and ``kid``).

        :raises InvalidIDToken: no key matches even after fetching the set again, or the
            token has no ``kid`` while several keys could match (OpenID Connect Core
            section 10.1 requires a ``kid`` then).
        """
        cached = self._cached(url)
        candidates = [cached] if cached is not None else []
        for keys in (*candidates, None):
            if keys is None:
                keys = self._fetch(url, fetch)
            matches = [key for key in keys if _usable(key, alg, kid)]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise InvalidIDToken(description="id_token check 'kid' failed: the token "
                                     "names no key and the JWKS has several that fit")
        what = f"kid {kid!r}" if kid is not None else f"alg {alg}"
        raise InvalidIDToken(description=f"id_token check 'kid' failed: no key in the "
                             f"provider's JWKS matches {what}")

    def _cached(self, url: str) -> Optional[list[dict[str, Any]]]:
        with self._lock:
            entry = self._sets.get(url)
        if entry is not None and self.clock() - entry[0] < self.ttl:
            return entry[1]
        return None

    def _fetch(self, url: str, fetch: FetchJSON) -> list[dict[str, Any]]:
        keys = _parse_jwks(fetch(url))
        with self._lock:
            self._sets[url] = (self.clock(), keys)
        return keys


def _parse_jwks(document: Any) -> list[dict[str, Any]]:
    keys = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(keys, list):
        raise InvalidIDToken(description="id_token check 'jwks' failed: the provider's "
                             "jwks_uri did not answer a JSON object with 'keys'")
    return [dict(key) for key in keys if isinstance(key, Mapping)]


def _usable(key: Mapping[str, Any], alg: str, kid: Optional[str]) -> bool:
    if kid is not None and key.get("kid") != kid:
        return False
    if key.get("kty") != key_family(alg):
        return False
    if key.get("use") not in (None, "sig"):
        return False
    ops = key.get("key_ops")
    if isinstance(ops, list) and "verify" not in ops:
        return False
    return key.get("alg") in (None, alg)


jwks_cache = JWKSCache()


def clear_jwks_cache() -> None:
    """Forget every cached key set."""
    jwks_cache.clear()
