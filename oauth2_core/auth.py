"""`requests` auth classes: the seed's static bearer token, and the auto-refreshing one."""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import requests
from requests.auth import AuthBase

from .error_codes import InvalidToken
from .errors import ConfigurationError, RefreshCallbackError
from .stores.base import StaleTokenError, TokenStore, TokenStoreError
from .stores.factory import open_store
from .stores.memory import MemoryStore, process_store
from .tokens import DEFAULT_LEEWAY, Token
from .transport import DEFAULT_TIMEOUT, check_url

if TYPE_CHECKING:
    from .client import OAuth2Client

__all__ = ["OAuth2Auth", "OAuth2BearerToken", "OAuth2Session", "needs_refresh"]

logger = logging.getLogger("oauth2_core")

#: Refresh at most DEFAULT_LEEWAY seconds before expiry, and never earlier than this
#: fraction of the token's lifetime, so a 10-second token is not refreshed on every call.
LEEWAY_FRACTION = 0.1
TokenCallback = Callable[[Token], Any]
#: A token store, or the URL of one (``"redis://127.0.0.1:6379/0"``).
StoreLike = Union[TokenStore, str]
#: ``timeout`` not given to :meth:`OAuth2Session.request` (None means "no timeout").
_DEFAULT: Any = object()
_INVALID_TOKEN = re.compile(r'^\s*(bearer|dpop)\b.*\berror\s*=\s*"?invalid_token"?', re.I | re.S)


class OAuth2BearerToken(AuthBase):
    """Attach a fixed access token as ``Authorization: Bearer`` (requests-oauth2's helper)."""

    def __init__(self, access_token: str) -> None:
        self.access_token = access_token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.access_token}"
        return r

    def __repr__(self) -> str:
        return "OAuth2BearerToken(access_token=***)"


def needs_refresh(token: Optional[Token], leeway: float, now: float) -> bool:
    """Whether ``token`` must be renewed before use: absent, or within the leeway of its
    expiry.  The leeway is capped at a fraction of the token's lifetime."""
    if token is None:
        return True
    point = refresh_point(token, leeway)
    return point is not None and now >= point


def refresh_point(token: Token, leeway: float) -> Optional[float]:
    """When ``token`` should be renewed (None: it does not expire)."""
    expires_at = token.expires_at
    if expires_at is None:
        return None
    lifetime = token.lifetime
    if lifetime:
        leeway = min(leeway, lifetime * LEEWAY_FRACTION)
    return expires_at - leeway


def is_invalid_token_response(response: requests.Response) -> bool:
    """A 401 whose ``WWW-Authenticate`` says ``error="invalid_token"`` (RFC 6750 3.1)."""
    if response.status_code != 401:
        return False
    return bool(_INVALID_TOKEN.search(response.headers.get("WWW-Authenticate", "")))


class OAuth2Auth(AuthBase):
    """Attach the client's token to each request, renewing it when needed.

    Renewal is single-flight: however many threads find the token expired, one sends
    the refresh (or client-credentials) request and the others wait for its result.
    ``on_token_refresh`` receives the new token before any request uses it.

    With a ``store`` and a ``token_key`` the token is shared beyond this object: it is
    read from the store on first use, and renewal happens inside the store's refresh
    lock, so sessions in other processes or on other hosts that share the key send one
    refresh between them and re-read its result.  A token the store already holds wins
    over the ``token`` given here, which only seeds an empty store.  A fresh token is
    served from memory; the store is read again only when the token needs renewal or a
    server rejected it.

    :param store: a :class:`~oauth2_core.stores.TokenStore` or a store URL (opened with
        :func:`~oauth2_core.open_store`; open it once and share the object when you make
        many sessions).  Given only ``token_key``: the process-wide memory store, so the
        sessions of one process share the key.
    :param token_key: the store key of this token (one per user or service).
    """

    def __init__(
        self,
        client: OAuth2Client,
        token: Optional[Token] = None,
        on_token_refresh: Optional[TokenCallback] = None,
        leeway: float = DEFAULT_LEEWAY,
        renew: Optional[Callable[[Optional[Token]], Token]] = None,
        *,
        store: Optional[StoreLike] = None,
        token_key: Optional[str] = None,
    ) -> None:
        self.client = client
        self._token = Token(token) if token is not None and not isinstance(token, Token) else token
        self.on_token_refresh = on_token_refresh
        self.leeway = leeway
        self._renew = renew or client.renew_token
        self._lock = threading.Lock()
        if store is not None and token_key is None:
            raise ConfigurationError("a token store needs a token_key to keep the token under")
        if store is None:
            store = MemoryStore() if token_key is None else process_store()
        elif isinstance(store, str):
            store = open_store(store, plugins=client.plugins)
        self.store: TokenStore = store
        self.token_key = token_key or ""
        # A private store holds nothing this object does not know already.
        self._synced = token_key is None
        self._known_good: tuple[Optional[Token], Any, float] = (None, None, 0.0)
        #: Set by an :class:`OAuth2Session` given this auth: its ``request`` renews after
        #: a 401, so requests carry no per-request hook for it.
        self._renewed_by_session = False

    @property
    def token(self) -> Optional[Token]:
        return self._token

    def _remember_good(self, token: Token) -> None:
        """Note until when ``token`` needs no renewal, for :meth:`fresh_token`'s fast path
        (which checks that its ``expires_at`` was not changed in place meanwhile)."""
        point = refresh_point(token, self.leeway)
        # One tuple, replaced whole, so other threads never see half of it.
        self._known_good = (token, token.get("expires_at"), math.inf if point is None else point)

    def __repr__(self) -> str:
        return f"OAuth2Auth(provider={self.client.provider.name!r}, token={self._token!r})"

    def _usable(self, token: Optional[Token], stale: Optional[Token]) -> bool:
        if token is None or needs_refresh(token, self.leeway, time.time()):
            return False
        # Across processes the rejected token comes back as an equal copy, not the object.
        return stale is None or not (token is stale or token.access_token == stale.access_token)

    def fresh_token(self, stale: Optional[Token] = None) -> Token:
        """The current token, renewed first if it is expiring or is ``stale`` (the one a
        server just rejected)."""
        token = self._token
        checked, expires_at, good_until = self._known_good
        if (stale is None and token is not None and token is checked
                and token.get("expires_at") == expires_at and time.time() < good_until):
            return token  # the common case, without working out the refresh point again
        if self._synced and token is not None and self._usable(token, stale):
            self._remember_good(token)  # the next calls take the fast path above
            return token
        with self._lock:
            token = self._token
            if self._synced and token is not None and self._usable(token, stale):
                return token  # another thread renewed it while we waited
            # Another process may have renewed it already: then no lock and no request.
            shared = self.store.load(self.token_key)
            self._synced = True
            if shared is not None and self._usable(shared, stale):
                self._token = shared  # another process renewed it, or this is the first use
                return shared
            if shared is None and token is not None and self._usable(token, stale):
                return token  # the store is empty and the token we were given is fine
            return self._renew_shared(stale)

    def _renew_shared(self, stale: Optional[Token]) -> Token:
        save_error: Optional[TokenStoreError] = None
        with self.store.refresh_lock(self.token_key, self.client.timeout) as lease:
            current = lease.token
            if current is not None and self._usable(current, stale):
                self._token = current  # renewed by the holder we waited for
                return current
            # The stored token carries the newest refresh token; ours only seeds.
            new_token = self._renew(current if current is not None else self._token)
            self._token = new_token  # used from now on, even if it cannot be saved
            try:
                lease.save(new_token)
            except StaleTokenError:
                # Our lock expired while we stalled and another holder saved a newer token:
                # use theirs; ours is dropped unsaved.
                winner = self.store.load(self.token_key)
                logger.warning("token key %r: a newer token was saved while this refresh "
                               "stalled; using it", self.token_key)
                adopted = winner if winner is not None else new_token
                self._token = adopted
                return adopted
            except TokenStoreError as exc:
                save_error = exc
        try:
            if self.on_token_refresh is not None:
                self.on_token_refresh(new_token)
        except Exception as exc:
            raise RefreshCallbackError(new_token) from exc
        if save_error is not None:
            raise TokenStoreError(
                f"refreshed the token of key {self.token_key!r} but could not save it; this "
                f"session uses it (see .token) ({save_error})", token=new_token
            ) from save_error
        return new_token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        url = r.url or ""
        if not url.startswith("https://"):
            check_url(url, self.client.allow_insecure, what="sending a token to")
        token = self.fresh_token()
        self._attach(r, token)
        if not self._renewed_by_session:
            # What register_hook() does, without its per-call Callable check.
            r.hooks["response"].append(self._retry_on_invalid_token)
        return r

    def _attach(self, r: requests.PreparedRequest, token: Token) -> None:
        r._oauth2_token = token  # type: ignore[attr-defined]  # which token a 401 rejects
        r._oauth2_auth = self  # type: ignore[attr-defined]  # and who renews it
        self.client.attach_credentials(r, token)

    def _send_again(self, response: requests.Response,
                    send: Callable[[requests.PreparedRequest], requests.Response],
                    ) -> requests.Response:
        """After a 401 ``invalid_token`` to a request this auth put a token on: renew the
        token (single-flight) and ``send`` the request once more, with the new token.
        The 401 itself when the request must not go again: another 401, a retry
        already, a redirect hop, nothing to renew with, a body that cannot be re-sent."""
        request = response.request
        if not is_invalid_token_response(response) or getattr(request, "_oauth2_retried", False):
            return response
        stale = getattr(request, "_oauth2_token", None)
        if stale is None:
            # Not a request this auth put a token on: a redirect hop, whose Authorization
            # requests dropped if it left the host.  Never put one back.
            return response
        if not (stale.refresh_token or stale.grant_type) or not _rewound(request):
            return response  # nothing to renew it with, or a generator body: hand it back
        token = self.fresh_token(stale=stale)
        response.content  # noqa: B018  # drain the body so the connection can be reused
        response.close()
        # The request as sent (its body encoded: files were read already); the attach
        # replaces the rejected token, in the header or the query.
        retry = request.copy()
        retry._oauth2_retried = True  # type: ignore[attr-defined]
        self._attach(retry, token)
        new_response = send(retry)
        new_response.history.insert(0, response)
        return new_response

    def _retry_on_invalid_token(
        self, response: requests.Response, **kwargs: Any
    ) -> requests.Response:
        """The response hook of this auth used on its own (an :class:`OAuth2Session`
        renews in its ``request`` instead)."""
        if response.status_code != 401:  # nearly every response: leave at once
            return response
        adapter = response.connection
        return self._send_again(response, lambda retry: adapter.send(retry, **kwargs))


def _rewound(request: requests.PreparedRequest) -> bool:
    """Whether ``request``'s body can be sent again: none, bytes, or a file rewound to
    where it started (a generator cannot)."""
    if request.body is None or isinstance(request.body, (bytes, str)):
        return True
    try:
        requests.utils.rewind_body(request)
    except requests.exceptions.UnrewindableBodyError:
        return False
    return True


class OAuth2Session(requests.Session):
    """A ``requests.Session`` with a default timeout whose ``auth`` is an :class:`OAuth2Auth`.

    The session's :meth:`request`, not a hook on each request, renews the token after a
    401 ``invalid_token`` and sends the request once more: in time, the per-request hook
    cost an API call about 1.5 % (0.3 % of its instructions).  So a request sent with
    ``session.send(prepared)`` is not renewed after a 401 (one renewed before expiry
    is), and an :class:`OAuth2Auth` given to a session renews after a 401 only in an
    :class:`OAuth2Session`: for plain ``requests`` calls, use a fresh ``client.auth()``.
    """

    def __init__(self, auth: Optional[AuthBase] = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        if isinstance(auth, OAuth2Auth):
            auth._renewed_by_session = True
        self.auth = auth
        self.timeout = timeout

    @property
    def token(self) -> Optional[Token]:
        """The token in use now (after any refresh)."""
        return self.auth.token if isinstance(self.auth, OAuth2Auth) else None

    # requests.Session.request's own parameters, passed on by position: a *args/**kwargs
    # pass-through cost an API call three times as much (~5,700 instructions against
    # ~2,200), a fifth of what the library adds to it.
    def request(
        self, method: str | bytes, url: str | bytes, params: Any = None, data: Any = None,
        headers: Any = None, cookies: Any = None, files: Any = None, auth: Any = None,
        timeout: Any = _DEFAULT, allow_redirects: bool = True, proxies: Any = None,
        hooks: Any = None, stream: Optional[bool] = None, verify: Any = None, cert: Any = None,
        json: Any = None,
    ) -> requests.Response:
        if timeout is _DEFAULT:
            timeout = self.timeout
        response = super().request(method, url, params, data, headers, cookies, files, auth,
                                   timeout, allow_redirects, proxies, hooks, stream, verify,
                                   cert, json)
        if response.status_code != 401:  # nearly every response: leave at once
            return response
        # Renewed by the auth that put the token on this very request (a redirect hop
        # carries none); one that renews through its own hook has done so already.
        owner: Optional[OAuth2Auth] = getattr(response.request, "_oauth2_auth", None)
        if owner is None or not owner._renewed_by_session:
            return response
        # Sent again as requests.Session.request sends a request.
        settings = self.merge_environment_settings(response.request.url, proxies or {},
                                                   stream, verify, cert)
        return owner._send_again(response, lambda retry: self.send(
            retry, timeout=timeout, allow_redirects=allow_redirects, **settings))


class StaticTokenAuth(AuthBase):
    """Attach a token as the provider wants it, never renewing it (for one-shot calls)."""

    def __init__(self, client: OAuth2Client, token: Token) -> None:
        self.client = client
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if not self.token.access_token:
            raise InvalidToken(description="the token has no access_token")
        self.client.attach_credentials(r, self.token)
        return r

    def __repr__(self) -> str:
        return "StaticTokenAuth(token=***)"
