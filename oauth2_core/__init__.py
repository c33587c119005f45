"""oauth2-core: a pluggable OAuth 2.0 / OpenID Connect client for requests."""

from .auth import OAuth2Auth, OAuth2BearerToken, OAuth2Session
from .authorization import AuthorizationRequest
from .client import OAuth2Client, client
from .device import DeviceAuthorization, DeviceFlowTimeout
from .discovery import DiscoveryError
from .errors import (
    AccessDenied,
    AuthorizationPending,
    CallbackError,
    ConfigurationError,
    ExpiredToken,
    InsecureTransportError,
    InsufficientScope,
    InvalidClient,
    InvalidGrant,
    InvalidIDToken,
    InvalidRequest,
    InvalidScope,
    InvalidToken,
    IssuerMismatch,
    OAuth2CoreError,
    OAuth2Error,
    PluginError,
    ProviderNotFound,
    RefreshCallbackError,
    ServerError,
    SlowDown,
    StateMismatch,
    TemporarilyUnavailable,
    TokenResponseError,
    TransportError,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    UnsupportedTokenType,
)
from .hookspecs import hookimpl
from .plugins import PluginLoadWarning, PluginManager, make_plugin_manager
from .providers import PKCE_REQUIRED, PKCE_SUPPORTED, PKCE_UNSUPPORTED, Provider
from .stores import TokenStore, TokenStoreError, open_store
from .tokens import Token
from .transport import TokenRequest
from .userinfo import UserInfo

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
