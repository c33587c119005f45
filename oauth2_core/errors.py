"""The error hierarchy.

Everything a flow raises derives from :class:`OAuth2Error` (protocol errors, malformed
responses, callback checks, transport failures) or, for mistakes in how the library is
set up, :class:`ConfigurationError`.  Messages are built only from error codes,
descriptions sent by the server and our own words: never from a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Optional

if TYPE_CHECKING:
    import requests

__all__ = [
    "AccessDenied",
    "AuthorizationPending",
    "CallbackError",
    "ConfigurationError",
    "ExpiredToken",
    "InsecureTransportError",
    "InsufficientScope",
    "InvalidClient",
    "InvalidGrant",
    "InvalidIDToken",
    "InvalidRequest",
    "InvalidScope",
    "InvalidToken",
    "IssuerMismatch",
    "OAuth2CoreError",
    "OAuth2Error",
    "PluginError",
    "ProviderNotFound",
    "RefreshCallbackError",
    "ServerError",
    "SlowDown",
    "StateMismatch",
    "TemporarilyUnavailable",
    "TokenResponseError",
    "TransportError",
    "UnauthorizedClient",
    "UnsupportedGrantType",
    "UnsupportedResponseType",
    "UnsupportedTokenType",
    "error_class",
    "raise_for_error_fields",
]


class OAuth2CoreError(Exception):
    """Base class of every exception this library raises on purpose."""


class ConfigurationError(OAuth2CoreError, ValueError):
    """The client or a provider is set up wrongly (missing setting, bad URL, ...)."""


class InsecureTransportError(ConfigurationError):
    """An ``http://`` URL was used for a host that is not loopback."""


class ProviderNotFound(ConfigurationError, LookupError):
    """No installed provider has the requested name."""


class PluginError(OAuth2CoreError):
    """A plugin is broken: an unknown hook name or a bad registration."""


class OAuth2Error(OAuth2CoreError):
    """An OAuth 2.0 error: from a server response, a callback, or our own checks.

    :param error: the RFC error code (``invalid_grant``, ``access_denied``, ...).
    :param description: the human-readable ``error_description``, if any.
    :param uri: the ``error_uri``, if any.
    :param status_code: the HTTP status of the response that carried the error.
    :param response: the ``requests.Response``, for inspection (never printed).
    """

    #: The error code this class stands for; ``OAuth2Error`` itself takes any code.
    code: ClassVar[str] = ""

    def __init__(
        self,
        error: Optional[str] = None,
        description: Optional[str] = None,
        uri: Optional[str] = None,
        status_code: Optional[int] = None,
        response: Optional[requests.Response] = None,
    ) -> None:
        self.error = error or self.code or "oauth2_error"
        self.description = description
        self.uri = uri
        self.status_code = status_code
        self.response = response
        super().__init__(self._message())

    def _message(self) -> str:
        parts = [self.error]
        if self.description:
            parts.append(f": {self.description}")
        if self.status_code is not None:
            parts.append(f" (HTTP {self.status_code})")
        if self.uri:
            parts.append(f" see {self.uri}")
        return "".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.error!r}, {self.description!r})"


# RFC 6749 section 5.2 (token endpoint) ---------------------------------------------
class InvalidRequest(OAuth2Error):
    code = "invalid_request"


class InvalidClient(OAuth2Error):
    code = "invalid_client"


class InvalidGrant(OAuth2Error):
    code = "invalid_grant"


class UnauthorizedClient(OAuth2Error):
    code = "unauthorized_client"


class UnsupportedGrantType(OAuth2Error):
    code = "unsupported_grant_type"


class InvalidScope(OAuth2Error):
    code = "invalid_scope"


# RFC 6749 section 4.1.2.1 (authorization endpoint) ---------------------------------
class AccessDenied(OAuth2Error):
    code = "access_denied"


class UnsupportedResponseType(OAuth2Error):
    code = "unsupported_response_type"


class ServerError(OAuth2Error):
    code = "server_error"


class TemporarilyUnavailable(OAuth2Error):
    code = "temporarily_unavailable"


# RFC 8628 section 3.5 (device authorization grant) ---------------------------------
class AuthorizationPending(OAuth2Error):
    code = "authorization_pending"


class SlowDown(OAuth2Error):
    code = "slow_down"


class ExpiredToken(OAuth2Error):
    code = "expired_token"


# RFC 6750 (resource servers) and RFC 7009 (revocation) -----------------------------
class InvalidToken(OAuth2Error):
    code = "invalid_token"


class InsufficientScope(OAuth2Error):
    code = "insufficient_scope"


class UnsupportedTokenType(OAuth2Error):
    code = "unsupported_token_type"


# Raised by the client's own checks --------------------------------------------------
class TokenResponseError(OAuth2Error):
    """The token endpoint answered with something that is not a valid token response."""

    code = "invalid_token_response"


class CallbackError(OAuth2Error):
    """The redirect back from the authorization server failed a check."""

    code = "invalid_callback"


class StateMismatch(CallbackError):
    code = "state_mismatch"


class IssuerMismatch(CallbackError):
    code = "issuer_mismatch"


class InvalidIDToken(OAuth2Error):
    code = "invalid_id_token"


class TransportError(OAuth2Error):
    """The HTTP exchange itself failed: connection refused or reset, timeout, oversize."""

    code = "transport_error"


class RefreshCallbackError(OAuth2CoreError):
    """``on_token_refresh`` raised.  The new token is kept and used all the same.

    :ivar token: the new token the callback failed to store, so the caller can retry.
    """

    def __init__(self, token: Any) -> None:
        self.token = token
        super().__init__(
            "on_token_refresh raised; the refreshed token is still in use by the session "
            "(see __cause__ for the callback's error and .token to store it again)"
        )


_BY_CODE: dict[str, type[OAuth2Error]] = {
    cls.code: cls
    for cls in (
        InvalidRequest,
        InvalidClient,
        InvalidGrant,
        UnauthorizedClient,
        UnsupportedGrantType,
        InvalidScope,
        AccessDenied,
        UnsupportedResponseType,
        ServerError,
        TemporarilyUnavailable,
        AuthorizationPending,
        SlowDown,
        ExpiredToken,
        InvalidToken,
        InsufficientScope,
        UnsupportedTokenType,
    )
}


def error_class(error: str) -> type[OAuth2Error]:
    """The exception class for an RFC error code; :class:`OAuth2Error` for unknown ones."""
    return _BY_CODE.get(error, OAuth2Error)


def raise_for_error_fields(fields: Mapping[str, Any], response: Optional[requests.Response] = None,
                           status_code: Optional[int] = None) -> None:
    """Raise the matching :class:`OAuth2Error` if ``fields`` carry an ``error``.

    Works whatever the HTTP status (some servers send errors with 200).  Besides the RFC
    shape (``error`` code string) it reads the common ``{"error": {"message", "type"}}``
    shape, so a provider's odd error still becomes a typed exception.
    """
    error = fields.get("error")
    if error is None or error == "":
        return
    status = status_code if status_code is not None else getattr(response, "status_code", None)
    description = fields.get("error_description")
    uri = fields.get("error_uri")
    if isinstance(error, Mapping):
        code = error.get("code") or error.get("type") or "oauth2_error"
        description = description or error.get("message")
        error = str(code)
    if not isinstance(error, str):
        error = str(error)
    raise error_class(error)(
        error,
        str(description) if description is not None else None,
        str(uri) if isinstance(uri, str) else None,
        status,
        response,
    )
