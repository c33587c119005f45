"""oauth2-core: a pluggable OAuth 2.0 / OpenID Connect client for requests."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .client import OAuth2Client, client
from .errors import (
    CallbackError,
    ConfigurationError,
    InsecureTransportError,
    InvalidIDToken,
    IssuerMismatch,
    OAuth2CoreError,
    OAuth2Error,
    PluginError,
    ProviderNotFound,
    RefreshCallbackError,
    StateMismatch,
    TokenResponseError,
    TransportError,
)
from .hookspecs import hookimpl
from .plugins import PluginLoadWarning, PluginManager, make_plugin_manager
from .providers import PKCE_REQUIRED, PKCE_SUPPORTED, PKCE_UNSUPPORTED, Provider
from .tokens import Token
from .transport import TokenRequest

if TYPE_CHECKING:
    from .auth import OAuth2Auth, OAuth2BearerToken, OAuth2Session
    from .authorization import AuthorizationRequest
    from .device import DeviceAuthorization, DeviceFlowTimeout
    from .discovery import DiscoveryError
    from .error_codes import (
        AccessDenied,
        AuthorizationPending,
        ExpiredToken,
        InsufficientScope,
        InvalidClient,
        InvalidGrant,
        InvalidRequest,
        InvalidScope,
        InvalidToken,
        ServerError,
        SlowDown,
        TemporarilyUnavailable,
        UnauthorizedClient,
        UnsupportedGrantType,
        UnsupportedResponseType,
        UnsupportedTokenType,
    )
    from .stores import TokenStore, TokenStoreError, open_store
    from .userinfo import UserInfo

#: Names imported on first use: ``import oauth2_core`` plus ``client(...)`` is on the
#: start-up path of every CLI and worker, and most never touch these modules.
_LAZY = {
    # Every error code's class: a server's error loads them (see error_codes.py).
    **dict.fromkeys((
        "AccessDenied", "AuthorizationPending", "ExpiredToken", "InsufficientScope",
        "InvalidClient", "InvalidGrant", "InvalidRequest", "InvalidScope", "InvalidToken",
        "ServerError", "SlowDown", "TemporarilyUnavailable", "UnauthorizedClient",
        "UnsupportedGrantType", "UnsupportedResponseType", "UnsupportedTokenType",
    ), "error_codes"),
    "OAuth2Auth": "auth", "OAuth2BearerToken": "auth", "OAuth2Session": "auth",
    "AuthorizationRequest": "authorization",
    "DeviceAuthorization": "device", "DeviceFlowTimeout": "device",
    "DiscoveryError": "discovery",
    "TokenStore": "stores", "TokenStoreError": "stores", "open_store": "stores",
    "UserInfo": "userinfo",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"


def providers() -> dict[str, Provider]:
    """The installed providers, by name (loads every installed plugin)."""
    from .plugins import get_plugin_manager

    return get_plugin_manager().providers()


__all__ = [
    "PKCE_REQUIRED",
    "PKCE_SUPPORTED",
    "PKCE_UNSUPPORTED",
    "AccessDenied",
    "AuthorizationPending",
    "AuthorizationRequest",
    "CallbackError",
    "ConfigurationError",
    "DeviceAuthorization",
    "DeviceFlowTimeout",
    "DiscoveryError",
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
    "OAuth2Auth",
    "OAuth2BearerToken",
    "OAuth2Client",
    "OAuth2CoreError",
    "OAuth2Error",
    "OAuth2Session",
    "PluginError",
    "PluginLoadWarning",
    "PluginManager",
    "Provider",
    "ProviderNotFound",
    "RefreshCallbackError",
    "ServerError",
    "SlowDown",
    "StateMismatch",
    "TemporarilyUnavailable",
    "Token",
    "TokenRequest",
    "TokenResponseError",
    "TokenStore",
    "TokenStoreError",
    "TransportError",
    "UnauthorizedClient",
    "UnsupportedGrantType",
    "UnsupportedResponseType",
    "UnsupportedTokenType",
    "UserInfo",
    "client",
    "hookimpl",
    "make_plugin_manager",
    "open_store",
    "providers",
]
