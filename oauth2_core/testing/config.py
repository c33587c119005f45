"""The test server's knobs: lifetimes, response habits, and injected faults.

Change them on a running server (``server.config.access_token_ttl = 2``); each request
reads them afresh.  ``server.config.reset()`` (or ``server.reset()``) restores the
defaults and removes every fault.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Mapping
from typing import Any, Optional, Union

__all__ = ["ENDPOINTS", "Fault", "ServerConfig"]

#: Endpoint names, for :meth:`ServerConfig.fault` and :attr:`RecordedRequest.endpoint`.
ENDPOINTS = frozenset({
    "metadata", "authorize", "token", "revoke", "introspect", "userinfo",
    "device_authorization", "device", "jwks", "api",
})

_STATUS_TEXT = {429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
                503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclasses.dataclass
class Fault:
    """A misbehaviour injected into one endpoint; made by :meth:`ServerConfig.fault`.

    ``remaining`` counts the requests it still applies to (None: all of them).
    """

    endpoint: str
    status: Optional[int] = None
    error: Optional[str] = None
    error_description: Optional[str] = None
    body: Optional[str] = None
    content_type: Optional[str] = None
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    delay: float = 0.0
    grant_type: Optional[str] = None
    remaining: Optional[int] = None

    def applies_to(self, endpoint: str, grant_type: Optional[str]) -> bool:
        if self.endpoint not in (endpoint, "*"):
            return False
        return self.grant_type is None or self.grant_type == grant_type

    def response_parts(self) -> Optional[tuple[int, str, str, dict[str, str]]]:
        """(status, content type, body, headers) to answer instead, or None to only delay."""
        if self.status is None and self.error is None and self.body is None:
            return None
        status = self.status if self.status is not None else 400
        headers = dict(self.headers)
        if self.body is not None:
            return status, self.content_type or "text/plain", self.body, headers
        if self.error is not None:
            fields = {"error": self.error}
            if self.error_description:
                fields["error_description"] = self.error_description
            return status, "application/json", json.dumps(fields), headers
        # What a proxy or load balancer in front of a real server answers: HTML.
        text = _STATUS_TEXT.get(status, "Error")
        html = f"<html><body><h1>{status} {text}</h1></body></html>"
        return status, "text/html; charset=utf-8", html, headers


def _defaults() -> dict[str, Any]:
    return {f.name: (f.default_factory() if f.default_factory is not dataclasses.MISSING
                     else f.default)
            for f in dataclasses.fields(ServerConfig) if not f.name.startswith("_")}


@dataclasses.dataclass
class ServerConfig:
    """How the test server behaves.  Every attribute may be changed while it runs.

    Lifetimes are in seconds.  Faults (:meth:`fault`) make endpoints fail the way real
    servers and their proxies do, so a client's error handling can be tested for real.
    """

    #: Lifetime of access tokens (``expires_in``).
    access_token_ttl: int = 3600
    #: Lifetime of refresh tokens; None: they never expire.
    refresh_token_ttl: Optional[int] = None
    #: Lifetime of authorization codes (RFC 6749 section 4.1.2 recommends at most 600).
    code_ttl: int = 600
    id_token_ttl: int = 3600
    #: Lifetime of device codes and the ``interval`` clients must wait between polls.
    device_code_ttl: int = 600
    device_interval: int = 5
    #: Answer ``slow_down`` to a poll sooner than ``interval`` after the previous one.
    enforce_device_interval: bool = True
    #: Give a new refresh token at each refresh and treat reuse of an old one as theft.
    rotate_refresh_tokens: bool = False
    #: Issue refresh tokens at all (to clients whose grant types include refresh_token).
    issue_refresh_tokens: bool = True
    #: Show an HTML consent page (Allow / Deny) instead of approving at once.
    consent: bool = False
    #: Require PKCE from confidential clients too (public clients always need it).
    require_pkce: bool = False
    #: Accepted ``code_challenge_method`` values.
    pkce_methods: tuple[str, ...] = ("S256", "plain")
    #: The user who approves authorization requests (unless ``login_hint`` names another).
    default_user: str = "alice"
    #: ``iss`` in authorization responses (RFC 9207): True for the issuer, False to leave
    #: it out (and not advertise it), or a string to send instead (a mix-up attack).
    authorization_response_iss: Union[bool, str] = True
    #: "json" or "form" (``application/x-www-form-urlencoded``, GitHub's old default)
    #: for token-endpoint answers.
    token_response_format: str = "json"
    #: Send token-endpoint errors with HTTP 200, as some providers do.
    errors_with_status_200: bool = False
    #: The ``token_type`` of issued tokens.
    token_type: str = "Bearer"
    #: Fields added to every successful token response.
    extra_token_fields: dict[str, Any] = dataclasses.field(default_factory=dict)
    _faults: list[Fault] = dataclasses.field(default_factory=list, repr=False)
    _lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    def fault(
        self,
        endpoint: str,
        status: Optional[int] = None,
        *,
        error: Optional[str] = None,
        error_description: Optional[str] = None,
        body: Optional[str] = None,
        content_type: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        retry_after: Optional[int] = None,
        delay: float = 0.0,
        grant_type: Optional[str] = None,
        times: Optional[int] = None,
    ) -> Fault:
        """Make ``endpoint`` misbehave; the newest matching fault wins.

        - ``fault("token", 503)``: an HTML 503 page, as from a proxy;
        - ``fault("token", 429, retry_after=3)``: rate limited, with ``Retry-After``;
        - ``fault("token", 200, error="invalid_grant")``: an OAuth error in an HTTP 200;
        - ``fault("token", body="<html>", status=200)``: any body;
        - ``fault("userinfo", delay=2)``: answer normally, 2 seconds late;
        - ``fault("token", 500, grant_type="refresh_token", times=1)``: only the next
          refresh fails.

        :param endpoint: a name in :data:`ENDPOINTS`, or ``"*"`` for all.
        :param status: the HTTP status (400 if only ``error`` is given).
        :param error: answer a JSON OAuth error with this code.
        :param times: apply to this many requests, then disappear (None: until reset).
        :return: the fault; :meth:`remove_fault` takes it away.
        """
        if endpoint != "*" and endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {sorted(ENDPOINTS)}")
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = str(retry_after)
        fault = Fault(endpoint, status, error, error_description, body, content_type, extra,
                      delay, grant_type, times)
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove_fault(self, fault: Fault) -> None:
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, endpoint: str, grant_type: Optional[str] = None) -> Optional[Fault]:
        """The fault for this request, if any, counting it as used."""
        with self._lock:
            for fault in reversed(self._faults):
                if not fault.applies_to(endpoint, grant_type):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def reset(self) -> None:
        """Every setting back to its default; no faults."""
        for name, value in _defaults().items():
            setattr(self, name, value)
        self.clear_faults()

    def issuer_in_response(self, issuer: str) -> Optional[str]:
        """The ``iss`` value to put in authorization responses (None: leave it out)."""
        value = self.authorization_response_iss
        if value is True:
            return issuer
        return value if isinstance(value, str) and value else None
