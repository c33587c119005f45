"""HTTP to the authorization server: timeouts, transport security, size caps, redacted logs.

Every request the client itself makes (token, revocation, introspection, discovery,
userinfo) goes through :class:`Transport`, so these rules hold in one place.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import os
from collections.abc import Iterable
from typing import Any, Optional
from urllib.parse import urlsplit

import requests

from .errors import InsecureTransportError, TransportError

__all__ = ["TokenRequest", "Transport", "check_url", "is_loopback", "redact", "scrub"]

logger = logging.getLogger("oauth2_core")

DEFAULT_TIMEOUT = 30.0
#: Token endpoints answer in a few hundred bytes; a body past this is refused unread.
MAX_RESPONSE_BYTES = 1024 * 1024
SECRET_FIELDS = frozenset(
    {
        "access_token", "actor_token", "assertion", "client_assertion", "client_secret",
        "code", "code_verifier", "device_code", "id_token", "id_token_hint", "password",
        "refresh_token", "request", "subject_token", "token", "user_code",
    }
)
SECRET_HEADERS = frozenset({"authorization", "dpop", "cookie", "proxy-authorization"})


def is_loopback(host: Optional[str]) -> bool:
    """Whether ``host`` names this machine (RFC 8252 allows plain HTTP there)."""
    if not host:
        return False
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        import ipaddress  # only for plain-http URLs

        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def insecure_transport_allowed() -> bool:
    return os.environ.get("OAUTH2_INSECURE_TRANSPORT", "") in ("1", "true", "yes")


def check_url(url: str, allow_insecure: bool = False, what: str = "endpoint") -> None:
    """Refuse anything but ``https://``, except ``http://`` on loopback or when allowed.

    :raises InsecureTransportError: naming the URL's scheme and host (never its query).
    """
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and (
        is_loopback(parts.hostname) or allow_insecure or insecure_transport_allowed()
    ):
        return
    raise InsecureTransportError(
        f"refusing {what} {parts.scheme}://{parts.hostname}{parts.path}: OAuth 2.0 needs "
        "https (plain http is allowed only on loopback, with allow_insecure=True or "
        "OAUTH2_INSECURE_TRANSPORT=1)"
    )


def redact(value: Any) -> Any:
    """A copy of form data or JSON with secret-bearing fields replaced by ``***``."""
    if isinstance(value, dict):
        return {
            k: "***" if k in SECRET_FIELDS and v else redact(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def scrub(text: str, sent: Iterable[Any]) -> str:
    """``text`` (a server's words) with every value we sent replaced by ``***``.

    Servers echo what they were given ("code abc123 is invalid"); redacting fields by
    name cannot catch that, so the values themselves are removed.
    """
    for value in sent:
        if isinstance(value, str) and len(value) >= 4 and value in text:
            text = text.replace(value, "***")
    return text


def _sent_secrets(log_data: Any, headers: Any) -> list[str]:
    """The secret values of one request: secret fields and the Basic password."""
    values = [v for k, v in log_data.items() if k in SECRET_FIELDS] if isinstance(
        log_data, dict) else []
    scheme, _, credentials = str((headers or {}).get("Authorization", "")).partition(" ")
    if scheme.lower() == "basic":
        with contextlib.suppress(binascii.Error, UnicodeDecodeError):
            values.append(base64.b64decode(credentials).decode("utf-8").partition(":")[2])
    elif credentials:
        values.append(credentials)
    return values


def _leave_headers_alone(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


def _headers_for_log(headers: Any) -> dict[str, str]:
    return {k: ("***" if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


def _url_for_log(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?***" if parts.query else "")


class TokenRequest:
    """A request to the token endpoint (or revocation/introspection/device), before sending.

    Passed to the ``oauth2_prepare_token_request`` hook to adjust: every attribute may be
    changed.
    """

    # A plain class rather than a dataclass: a dataclass's generated methods cost start-up
    # time in every program that imports the library, most of which never build one.
    __slots__ = ("auth_method", "body_format", "client_authenticated", "client_id",
                 "client_secret", "data", "endpoint", "headers", "method", "url")

    def __init__(
        self,
        url: str,
        data: dict[str, Any],
        endpoint: str = "token",
        method: str = "POST",
        headers: Optional[dict[str, str]] = None,
        body_format: str = "form",
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        auth_method: str = "client_secret_basic",
        client_authenticated: bool = False,
    ) -> None:
        self.url = url
        self.data = data
        self.endpoint = endpoint
        self.method = method
        self.headers: dict[str, str] = {} if headers is None else headers
        #: "form" (application/x-www-form-urlencoded) or "json".
        self.body_format = body_format
        self.client_id = client_id
        self.client_secret = client_secret
        self.auth_method = auth_method
        #: Set by a plugin that authenticated the client itself; the default then does
        #: nothing.
        self.client_authenticated = client_authenticated

    @property
    def grant_type(self) -> Optional[str]:
        value = self.data.get("grant_type")
        return str(value) if value is not None else None

    def __repr__(self) -> str:
        return (
            f"TokenRequest({self.method} {_url_for_log(self.url)}, endpoint={self.endpoint!r}, "
            f"data={redact(self.data)!r}, auth_method={self.auth_method!r})"
        )


class Transport:
    """Sends the client's own HTTP requests with a timeout, no redirects and a size cap."""

    def __init__(
        self,
        session: Optional[requests.Session] = None,
        timeout: float = DEFAULT_TIMEOUT,
        allow_insecure: bool = False,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout
        self.allow_insecure = allow_insecure
        self.max_response_bytes = max_response_bytes

    def send_token_request(self, request: TokenRequest) -> requests.Response:
        """Send a prepared :class:`TokenRequest`; redirects are never followed, so client
        credentials cannot leak to another host."""
        kwargs: dict[str, Any] = {"headers": request.headers}
        if request.method.upper() == "GET":
            kwargs["params"] = request.data
        elif request.body_format == "json":
            kwargs["json"] = request.data
        else:
            kwargs["data"] = request.data
        return self.request(request.method, request.url, log_data=request.data, **kwargs)

    def request(
        self, method: str, url: str, log_data: Any = None, **kwargs: Any
    ) -> requests.Response:
        """Any HTTP request the client makes, with the transport rules applied."""
        check_url(url, self.allow_insecure)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "request %s %s headers=%s data=%s", method, _url_for_log(url),
                _headers_for_log(kwargs.get("headers") or {}), redact(log_data),
            )
        kwargs.setdefault("timeout", self.timeout)
        kwargs.setdefault("allow_redirects", False)
        # Without an auth of its own, requests would apply ~/.netrc (or a session's auth)
        # and replace the client authentication the hooks put on the request.
        kwargs.setdefault("auth", _leave_headers_alone)
        try:
            response = self.session.request(method, url, stream=True, **kwargs)
            self._read_capped(response)
        except requests.Timeout:
            raise TransportError(
                description=f"timed out after {kwargs['timeout']} s: {method} {_url_for_log(url)}"
            ) from None
        except requests.RequestException as exc:
            raise TransportError(
                description=f"{type(exc).__name__} on {method} {_url_for_log(url)}"
            ) from None
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "response %s %s content-type=%s body=%s", response.status_code,
                _url_for_log(url), response.headers.get("Content-Type"),
                scrub(_body_for_log(response), _sent_secrets(log_data, kwargs.get("headers"))),
            )
        return response

    def _read_capped(self, response: requests.Response) -> None:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            response.close()
            raise TransportError(
                description=f"response of {declared} bytes is over the "
                f"{self.max_response_bytes}-byte limit",
                status_code=response.status_code,
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > self.max_response_bytes:
                response.close()
                raise TransportError(
                    description=f"response body is over the {self.max_response_bytes}-byte limit",
                    status_code=response.status_code,
                )
            chunks.append(chunk)
        # requests keeps a streamed body here once read; setting it makes .json()/.text work.
        response._content = b"".join(chunks)


def _body_for_log(response: requests.Response) -> str:
    try:
        return json.dumps(redact(json.loads(response.content)))
    except ValueError:
        return f"<{len(response.content)} bytes, not JSON>"
