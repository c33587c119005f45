"""One exception class per error code the RFCs define, and the mapping from a server's
error fields onto them.

Loaded on first use (a server's error, or a name imported from here, from
:mod:`oauth2_core.errors` or from ``oauth2_core``): creating a class costs about as
much as importing a small module, and a client is built at the start of every CLI run
and worker long before, if ever, a server answers with an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

from .errors import OAuth2Error

if TYPE_CHECKING:
    import requests

__all__ = [
    "AccessDenied",
    "AuthorizationPending",
    "ExpiredToken",
    "InsufficientScope",
    "InvalidClient",
    "InvalidGrant",
    "InvalidRequest",
    "InvalidScope",
    "InvalidToken",
    "ServerError",
    "SlowDown",
    "TemporarilyUnavailable",
    "UnauthorizedClient",
    "UnsupportedGrantType",
    "UnsupportedResponseType",
    "UnsupportedTokenType",
    "error_class",
    "raise_for_error_fields",
]


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
