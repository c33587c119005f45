"""`Provider`: a frozen description of one identity provider's endpoints and habits.

A provider plugin is mostly one ``Provider(...)`` literal.  URL fields may contain
``{placeholders}`` (``https://login.microsoftonline.com/{tenant}/...``) that
:meth:`Provider.resolve` fills from the settings given to ``oauth2_core.client()``.
"""

from __future__ import annotations

import dataclasses
import re
import string
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Optional

from .errors import ConfigurationError

__all__ = ["PKCE_REQUIRED", "PKCE_SUPPORTED", "PKCE_UNSUPPORTED", "Provider"]

PKCE_REQUIRED = "required"
PKCE_SUPPORTED = "supported"
PKCE_UNSUPPORTED = "unsupported"

AUTH_METHODS = frozenset(
    {"client_secret_basic", "client_secret_post", "none", "client_secret_jwt", "private_key_jwt"}
)
URL_FIELDS = (
    "authorize_url",
    "token_url",
    "revocation_url",
    "introspection_url",
    "userinfo_url",
    "device_authorization_url",
    "jwks_url",
    "end_session_url",
    "par_url",
    "issuer",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
# A template value replaces one part of a URL: it may not start a query or fragment,
# carry credentials or break out of the URL with whitespace.
_BAD_TEMPLATE_VALUE = re.compile(r"[\s?#@\\]")


def _frozen_mapping(value: Optional[Mapping[str, Any]]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


@dataclasses.dataclass(frozen=True)
class Provider:
    """One OAuth 2.0 / OpenID Connect provider.

    Only ``name`` is required; a provider without ``authorize_url`` can still do the
    client-credentials grant, one without ``token_url`` cannot get tokens at all.
    """

    name: str
    title: str = ""
    authorize_url: Optional[str] = None
    token_url: Optional[str] = None
    revocation_url: Optional[str] = None
    introspection_url: Optional[str] = None
    userinfo_url: Optional[str] = None
    device_authorization_url: Optional[str] = None
    jwks_url: Optional[str] = None
    end_session_url: Optional[str] = None
    #: The pushed authorization request endpoint (RFC 9126).
    par_url: Optional[str] = None
    #: The OpenID Connect / RFC 8414 issuer identifier; checked against ``iss``.
    issuer: Optional[str] = None
    default_scopes: tuple[str, ...] = ()
    scope_separator: str = " "
    #: client_secret_basic | client_secret_post | none | client_secret_jwt | private_key_jwt
    token_endpoint_auth_method: str = "client_secret_basic"
    #: PKCE_REQUIRED | PKCE_SUPPORTED | PKCE_UNSUPPORTED
    pkce: str = PKCE_SUPPORTED
    #: Added to every authorization request (``access_type=offline`` and the like).
    extra_authorize_params: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: "header" (``Authorization: <scheme> <token>``) or "query" (``?<param>=<token>``).
    token_delivery: str = "header"
    authorization_scheme: str = "Bearer"
    token_query_param: str = "access_token"
    #: Static headers every API call needs (``Notion-Version``, ...).
    api_headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: Whether ``revoke_token(Token)`` sends the refresh token (ending the whole grant at
    #: most servers) rather than the access token, when the Token has both.
    revoke_refresh_token: bool = True
    #: Accepted ``token_type`` values, compared case-insensitively.
    token_types: tuple[str, ...] = ("bearer",)
    #: Whether the authorization response must carry ``iss`` (RFC 9207).
    require_iss: bool = False
    #: Whether every authorization request must be pushed to ``par_url`` first (RFC 9126
    #: ``require_pushed_authorization_requests``).
    require_par: bool = False
    #: Whether to send ``nonce`` for OpenID requests (some providers reject or ignore it).
    send_nonce: bool = True
    #: Whether the id_token echoes the nonce sent (LinkedIn's never does).
    id_token_nonce: bool = True
    #: Accepted id_token ``alg`` values; empty means the asymmetric defaults.  Discovery
    #: fills it from ``id_token_signing_alg_values_supported``.  ``none`` is never accepted.
    id_token_signing_algs: tuple[str, ...] = ()
    #: For multi-tenant issuers: ``{placeholders}`` left in ``issuer`` that an id_token
    #: fills from its own claims.  Microsoft's ``.../{tenantid}/v2.0`` with
    #: ``{"tenantid": "tid"}`` accepts ``iss`` = that URL with the token's ``tid``.
    id_token_issuer_claims: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: Fill the endpoints this provider lacks from its issuer's metadata (OpenID Connect
    #: Discovery, then RFC 8414) when a client is built.
    discover: bool = False
    #: Defaults for ``{placeholders}`` in URL fields (``{"tenant": "common"}``).
    template_defaults: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: A regular expression each placeholder's value must match in full.
    template_patterns: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: Prefix of the environment variables read for missing settings.
    env_prefix: str = ""
    #: Where a developer registers an application and gets credentials.
    docs_url: str = ""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ConfigurationError(
                f"provider name {self.name!r} must be lowercase letters, digits, '.', '_' or '-'"
            )
        if self.pkce not in (PKCE_REQUIRED, PKCE_SUPPORTED, PKCE_UNSUPPORTED):
            raise ConfigurationError(f"provider {self.name!r}: pkce must be required, "
                                     f"supported or unsupported, not {self.pkce!r}")
        if self.token_delivery not in ("header", "query"):
            raise ConfigurationError(
                f"provider {self.name!r}: token_delivery must be 'header' or 'query'"
            )
        if self.token_endpoint_auth_method not in AUTH_METHODS:
            raise ConfigurationError(
                f"provider {self.name!r}: unknown token_endpoint_auth_method "
                f"{self.token_endpoint_auth_method!r}"
            )
        for field in ("extra_authorize_params", "api_headers", "template_defaults",
                      "template_patterns", "id_token_issuer_claims"):
            object.__setattr__(self, field, _frozen_mapping(getattr(self, field)))
        object.__setattr__(self, "default_scopes", tuple(self.default_scopes))
        object.__setattr__(self, "id_token_signing_algs", tuple(self.id_token_signing_algs))
        if "none" in (alg.lower() for alg in self.id_token_signing_algs):
            raise ConfigurationError(f"provider {self.name!r}: unsigned id_tokens "
                                     "(alg 'none') are never accepted")
        object.__setattr__(self, "token_types", tuple(t.lower() for t in self.token_types))
        if not self.env_prefix:
            env_name = re.sub(r"[^A-Z0-9]", "_", self.name.upper())
            object.__setattr__(self, "env_prefix", f"OAUTH2_{env_name}_")
        if not self.title:
            object.__setattr__(self, "title", self.name.replace("-", " ").title())

    @property
    def placeholders(self) -> frozenset[str]:
        """The ``{names}`` used in this provider's URL templates."""
        names: set[str] = set()
        for field in URL_FIELDS:
            value = getattr(self, field)
            if value:
                names.update(n for _, n, _, _ in string.Formatter().parse(value) if n)
        return frozenset(names)

    def resolve(self, settings: Mapping[str, Any]) -> Provider:
        """A copy with every URL placeholder filled from ``settings`` or the defaults.

        :raises ConfigurationError: naming the setting a template needs but did not get,
            or a value that does not fit the placeholder's pattern.
        """
        names = self.placeholders
        if not names:
            return self
        values: dict[str, str] = {}
        for name in sorted(names):
            value = settings.get(name, self.template_defaults.get(name))
            if value is None or value == "":
                raise ConfigurationError(
                    f"provider {self.name!r} needs the setting {name!r} for its URLs: "
                    f"oauth2_core.client({self.name!r}, {name}=...)"
                )
            value = str(value)
            pattern = self.template_patterns.get(name)
            if pattern is not None and not re.fullmatch(pattern, value):
                raise ConfigurationError(
                    f"provider {self.name!r}: setting {name}={value!r} does not match {pattern}"
                )
            if _BAD_TEMPLATE_VALUE.search(value):
                raise ConfigurationError(
                    f"provider {self.name!r}: setting {name}={value!r} may not contain "
                    "whitespace, '?', '#', '@' or '\\'"
                )
            values[name] = value.rstrip("/") if value.startswith(("http://", "https://")) else value
        changes = {
            field: getattr(self, field).format_map(values)
            for field in URL_FIELDS
            if getattr(self, field)
        }
        return dataclasses.replace(self, **changes)

    def with_endpoints(self, **changes: Any) -> Provider:
        """A copy with some fields changed (discovery fills endpoints this way)."""
        return dataclasses.replace(self, **changes)
