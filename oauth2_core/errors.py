"""The error hierarchy.

Everything a flow raises derives from :class:`OAuth2Error` (protocol errors, malformed
responses, callback checks, transport failures) or, for mistakes in how the library is
set up, :class:`ConfigurationError`.  Messages are built only from error codes,
descriptions sent by the server and our own words: never from a secret.

The classes of the RFCs' error codes (``InvalidGrant``, ``AccessDenied``, ...) and
:func:`raise_for_error_fields` live in :mod:`oauth2_core.error_codes`, loaded the first
time one of them is named here or a server sends an error.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar, Optional

if TYPE_CHECKING:
    import requests

    # For type checkers, the names __getattr__ below loads: error_codes.__all__.
    from .error_codes import *  # noqa: F403

__all__ = [
    "CallbackError",
    "ConfigurationError",
    "InsecureTransportError",
    "InvalidIDToken",
    "IssuerMismatch",
    "OAuth2CoreError",
    "OAuth2Error",
    "PluginError",
    "ProviderNotFound",
    "RefreshCallbackError",
    "StateMismatch",
    "TokenResponseError",
    "TransportError",
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


def __getattr__(name: str) -> Any:
    # The error-code names keep working from here (``from oauth2_core.errors import
    # InvalidGrant``), loading their module on first use.  Dunder names (``__path__``,
    # ``__wrapped__``, ...) are what import machinery and tools probe: they load nothing.
    if not name.startswith("__"):
        codes = importlib.import_module(".error_codes", __package__)
        if name in codes.__all__:
            value = globals()[name] = getattr(codes, name)  # later lookups skip this
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    codes = importlib.import_module(".error_codes", __package__)
    return sorted(set(globals()) | set(codes.__all__))
