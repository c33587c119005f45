"""Provider metadata from the issuer: OpenID Connect Discovery 1.0 and RFC 8414.

``oauth2_core.client("oidc", issuer=...)`` and any provider with ``discover=True`` fill
their missing endpoints from the issuer's metadata.  Metadata is public and changes
rarely, so one process-wide cache (per issuer, with a TTL) serves every client.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import urlsplit, urlunsplit

from .compare import equal
from .errors import ConfigurationError, OAuth2Error
from .providers import AUTH_METHODS, PKCE_UNSUPPORTED, Provider

if TYPE_CHECKING:
    from .transport import Transport

__all__ = [
    "DEFAULT_METADATA_TTL",
    "DiscoveryError",
    "clear_discovery_cache",
    "discover_provider",
    "fetch_metadata",
    "metadata_urls",
    "provider_from_metadata",
]

#: Seconds a fetched metadata document is reused.
DEFAULT_METADATA_TTL = 3600.0

#: Metadata field -> Provider field.
ENDPOINT_FIELDS = {
    "authorization_endpoint": "authorize_url",
    "token_endpoint": "token_url",
    "revocation_endpoint": "revocation_url",
    "introspection_endpoint": "introspection_url",
    "userinfo_endpoint": "userinfo_url",
    "device_authorization_endpoint": "device_authorization_url",
    "jwks_uri": "jwks_url",
    "end_session_endpoint": "end_session_url",
    "pushed_authorization_request_endpoint": "par_url",
}


class DiscoveryError(OAuth2Error):
    """The issuer's metadata could not be fetched, or does not describe that issuer."""

    code = "discovery_failed"


def metadata_urls(issuer: str) -> list[str]:
    """Where the metadata of ``issuer`` may be, in the order tried.

    OpenID Connect Discovery 1.0 section 4 appends the well-known path to the issuer;
    RFC 8414 section 3.1 inserts it between the host and the issuer's path.
    """
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    openid = urlunsplit(parts._replace(path=f"{path}/.well-known/openid-configuration"))
    oauth = urlunsplit(parts._replace(path=f"/.well-known/oauth-authorization-server{path}"))
    return [openid, oauth]


def fetch_metadata(issuer: str, transport: Transport) -> dict[str, Any]:
    """Fetch and check the metadata of ``issuer`` (no cache).

    The first location that answers HTTP 200 with a JSON object wins; its ``issuer`` must
    equal ``issuer`` exactly (OpenID Connect Discovery 1.0 section 4.3, RFC 8414
    section 3.3), or an attacker's metadata could name another server's endpoints.

    :raises DiscoveryError: naming each location tried and why it failed.
    """
    failures: list[str] = []
    for url in metadata_urls(issuer):
        response = transport.request("GET", url, headers={"Accept": "application/json"})
        if response.status_code != 200:
            failures.append(f"{url}: HTTP {response.status_code}")
            continue
        try:
            metadata = response.json()
        except ValueError:
            metadata = None
        if not isinstance(metadata, dict):
            failures.append(f"{url}: not a JSON object")
            continue
        found = metadata.get("issuer")
        if not isinstance(found, str) or not equal(found, issuer):
            raise DiscoveryError(description=f"the metadata at {url} is for issuer "
                                 f"{found!r}, not {issuer!r}; the issuer must match exactly "
                                 "(check the issuer URL, including any trailing slash)")
        return metadata
    raise DiscoveryError(description=f"no metadata for issuer {issuer!r}: "
                         + "; ".join(failures))


class _MetadataCache:
    """Per-issuer metadata with a TTL.  One lock per issuer makes concurrent clients for
    the same issuer share a single fetch."""

    def __init__(self, ttl: float = DEFAULT_METADATA_TTL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._issuer_locks: dict[str, threading.Lock] = {}
        self._entries: dict[str, tuple[float, dict[str, Any]]] = {}

    def get(self, issuer: str, fetch: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            issuer_lock = self._issuer_locks.setdefault(issuer, threading.Lock())
        with issuer_lock:
            entry = self._entries.get(issuer)
            if entry is not None and self.clock() - entry[0] < self.ttl:
                return entry[1]
            metadata = fetch()  # failures are not cached: the next client tries again
            self._entries[issuer] = (self.clock(), metadata)
            return metadata

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _MetadataCache()


def clear_discovery_cache() -> None:
    """Forget every cached metadata document (tests, or after an issuer's key change)."""
    _cache.clear()


def provider_from_metadata(provider: Provider, metadata: Mapping[str, Any],
                           has_secret: bool, has_private_key: bool = False) -> Provider:
    """``provider`` with what it lacks filled from ``metadata``; its own values win.

    Besides endpoints: ``require_iss`` from ``authorization_response_iss_parameter_supported``
    (RFC 9207), PKCE off when ``code_challenge_methods_supported`` lacks S256, the
    id_token algorithms, ``require_par`` (RFC 9126), and the token-endpoint authentication
    method (``private_key_jwt`` for a client with a private key, else basic, then post,
    for a client with a secret; ``none`` without one).
    """
    changes: dict[str, Any] = {}
    for meta_field, field in ENDPOINT_FIELDS.items():
        value = metadata.get(meta_field)
        if getattr(provider, field) is None and isinstance(value, str) and value:
            changes[field] = value
    if provider.issuer is None:
        changes["issuer"] = metadata["issuer"]
    if metadata.get("authorization_response_iss_parameter_supported") is True:
        changes["require_iss"] = True
    if metadata.get("require_pushed_authorization_requests") is True:
        changes["require_par"] = True  # RFC 9126 section 5
    methods = _strings(metadata.get("code_challenge_methods_supported"))
    if methods is not None and "S256" not in methods:
        changes["pkce"] = PKCE_UNSUPPORTED  # we only send S256 (RFC 9700 section 2.1.1)
    algs = _strings(metadata.get("id_token_signing_alg_values_supported"))
    algs = [a for a in algs or () if a.lower() != "none"]
    if algs and not provider.id_token_signing_algs:
        changes["id_token_signing_algs"] = tuple(algs)
    changes["token_endpoint_auth_method"] = _auth_method(
        _strings(metadata.get("token_endpoint_auth_methods_supported")), has_secret,
        provider.token_endpoint_auth_method, has_private_key)
    return provider.with_endpoints(**changes)


def _strings(value: Any) -> Optional[list[str]]:
    if not isinstance(value, list):
        return None
    return [v for v in value if isinstance(v, str)]


def _auth_method(supported: Optional[list[str]], has_secret: bool, current: str,
                 has_private_key: bool = False) -> str:
    if has_private_key and supported is not None and "private_key_jwt" in supported:
        return "private_key_jwt"  # a key never leaves the client; a secret does
    if not has_secret:
        return "none"
    if supported is None:
        return current  # the spec default is client_secret_basic, as is ours
    for method in ("client_secret_basic", "client_secret_post"):
        if method in supported:
            return method
    # Something we cannot do without the jwt extra: keep it, so the token request fails
    # with an error naming the extra, not with a confusing invalid_client.
    known = [m for m in supported if m in AUTH_METHODS and m != "none"]
    return known[0] if known else current


def discover_provider(
    provider: Provider,
    settings: Mapping[str, Any],
    transport: Transport,
    has_secret: bool,
    discover: Optional[bool] = None,
) -> Provider:
    """The provider a client uses: ``provider`` itself, or, when it asks for discovery
    (``Provider.discover`` or ``client(..., discover=True)``), filled from metadata.

    The issuer is the provider's own, else the ``issuer`` setting, else
    ``OAUTH2_<NAME>_ISSUER``; it is used verbatim (a trailing slash matters).
    """
    if not (provider.discover if discover is None else discover):
        return provider
    issuer = provider.issuer or settings.get("issuer") or os.environ.get(
        provider.env_prefix + "ISSUER")
    if not issuer or not isinstance(issuer, str):
        raise ConfigurationError(
            f"provider {provider.name!r} is discovered from its issuer: pass "
            f"oauth2_core.client({provider.name!r}, issuer='https://...') or set "
            f"{provider.env_prefix}ISSUER"
        )
    parts = urlsplit(issuer)
    if parts.query or parts.fragment or not parts.hostname:
        raise ConfigurationError(f"issuer {issuer!r} must be an https URL without query "
                                 "or fragment")
    metadata = _cache.get(issuer, lambda: fetch_metadata(issuer, transport))
    return provider_from_metadata(provider.with_endpoints(issuer=issuer), metadata,
                                  has_secret, settings.get("private_key") is not None)
