"""`Provider`: a frozen description of one identity provider's endpoints and habits.

A provider plugin is mostly one ``Provider(...)`` literal.  URL fields may contain
``{placeholders}`` (``https://login.microsoftonline.com/{tenant}/...``) that
:meth:`Provider.resolve` fills from the settings given to ``oauth2_core.client()``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
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
_NAME_START = frozenset(string.ascii_lowercase + string.digits)
_NAME_CHARS = _NAME_START | frozenset("_.-")
# A template value replaces one part of a URL: it may not start a query or fragment,
# carry credentials or break out of the URL with whitespace.
_BAD_TEMPLATE_VALUE = r"[\s?#@\\]"  # compiled on first use, not at import


def _frozen_mapping(value: Optional[Mapping[str, Any]]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


#: Every field of :class:`Provider`, in order.
FIELDS = (
    "name", "title", "authorize_url", "token_url", "revocation_url", "introspection_url",
    "userinfo_url", "device_authorization_url", "jwks_url", "end_session_url", "par_url",
    "issuer", "default_scopes", "scope_separator", "token_endpoint_auth_method", "pkce",
    "extra_authorize_params", "token_delivery", "authorization_scheme", "token_query_param",
    "api_headers", "revoke_refresh_token", "token_types", "require_iss", "require_par",
    "send_nonce", "id_token_nonce", "id_token_signing_algs", "id_token_issuer_claims",
    "id_token_issuer_aliases", "discover", "template_defaults", "template_patterns",
    "env_prefix", "docs_url",
)
_MAPPING_FIELDS = ("extra_authorize_params", "api_headers", "template_defaults",
                   "template_patterns", "id_token_issuer_claims")


#: The fields holding a sequence of names (scopes, token types, algorithms, issuers).
_NAMES_FIELDS = ("default_scopes", "token_types", "id_token_signing_algs",
                 "id_token_issuer_aliases")


def _names(provider: str, field: str, value: Iterable[str]) -> tuple[str, ...]:
    """A names field as a tuple.  A lone string is split on whitespace, as a scope string
    is: ``"RS256"`` is one algorithm, not five letters, and ``"openid email"`` two scopes."""
    names = tuple(value.split() if isinstance(value, str) else value)
    if not all(isinstance(item, str) and item for item in names):
        raise ConfigurationError(f"provider {provider!r}: {field} must be non-empty strings, "
                                 f"not {names!r}")
    return names


class Provider:
    """One OAuth 2.0 / OpenID Connect provider; immutable (:meth:`with_endpoints` copies).

    Only ``name`` is required; a provider without ``authorize_url`` can still do the
    client-credentials grant, one without ``token_url`` cannot get tokens at all.  The
    fields of names (``default_scopes``, ``token_types``, ``id_token_signing_algs``,
    ``id_token_issuer_aliases``) take a sequence or one space-separated string.
    """

    # A plain class rather than a dataclass: generating a frozen dataclass's methods for
    # these fields (34 then) took ~2.5 ms at import, a fifth of the library's start-up cost.
    __slots__ = FIELDS

    name: str
    title: str
    authorize_url: Optional[str]
    token_url: Optional[str]
    revocation_url: Optional[str]
    introspection_url: Optional[str]
    userinfo_url: Optional[str]
    device_authorization_url: Optional[str]
    jwks_url: Optional[str]
    end_session_url: Optional[str]
    #: The pushed authorization request endpoint (RFC 9126).
    par_url: Optional[str]
    #: The OpenID Connect / RFC 8414 issuer identifier; checked against ``iss``.
    issuer: Optional[str]
    default_scopes: tuple[str, ...]
    scope_separator: str
    #: client_secret_basic | client_secret_post | none | client_secret_jwt | private_key_jwt
    token_endpoint_auth_method: str
    #: PKCE_REQUIRED | PKCE_SUPPORTED | PKCE_UNSUPPORTED
    pkce: str
    #: Added to every authorization request (``access_type=offline`` and the like).
    extra_authorize_params: Mapping[str, str]
    #: "header" (``Authorization: <scheme> <token>``) or "query" (``?<param>=<token>``).
    token_delivery: str
    authorization_scheme: str
    token_query_param: str
    #: Static headers every API call needs (``Notion-Version``, ...).
    api_headers: Mapping[str, str]
    #: Whether ``revoke_token(Token)`` sends the refresh token (ending the whole grant at
    #: most servers) rather than the access token, when the Token has both.
    revoke_refresh_token: bool
    #: Accepted ``token_type`` values, compared case-insensitively.
    token_types: tuple[str, ...]
    #: Whether the authorization response must carry ``iss`` (RFC 9207).
    require_iss: bool
    #: Whether every authorization request must be pushed to ``par_url`` first (RFC 9126
    #: ``require_pushed_authorization_requests``).
    require_par: bool
    #: Whether to send ``nonce`` for OpenID requests (some providers reject or ignore it).
    send_nonce: bool
    #: Whether the id_token echoes the nonce sent (LinkedIn's never does).
    id_token_nonce: bool
    #: Accepted id_token ``alg`` values; empty means the asymmetric defaults.  Discovery
    #: fills it from ``id_token_signing_alg_values_supported``.  ``none`` is never accepted.
    id_token_signing_algs: tuple[str, ...]
    #: For multi-tenant issuers: ``{placeholders}`` left in ``issuer`` that an id_token
    #: fills from its own claims.  Microsoft's ``.../{tenantid}/v2.0`` with
    #: ``{"tenantid": "tid"}`` accepts ``iss`` = that URL with the token's ``tid``.
    id_token_issuer_claims: Mapping[str, str]
    #: Other ``iss`` values the provider documents for its id_tokens besides ``issuer``
    #: (Google's scheme-less ``accounts.google.com``).  Only id_tokens: the authorization
    #: response's ``iss`` (RFC 9207) must still equal ``issuer``.
    id_token_issuer_aliases: tuple[str, ...]
    #: Fill the endpoints this provider lacks from its issuer's metadata (OpenID Connect
    #: Discovery, then RFC 8414) when a client is built.
    discover: bool
    #: Defaults for ``{placeholders}`` in URL fields (``{"tenant": "common"}``).
    template_defaults: Mapping[str, str]
    #: A regular expression each placeholder's value must match in full.
    template_patterns: Mapping[str, str]
    #: Prefix of the environment variables read for missing settings
    #: (default ``OAUTH2_<NAME>_``).
    env_prefix: str
    #: Where a developer registers an application and gets credentials.
    docs_url: str

    def __init__(
        self,
        name: str,
        *,
        title: str = "",
        authorize_url: Optional[str] = None,
        token_url: Optional[str] = None,
        revocation_url: Optional[str] = None,
        introspection_url: Optional[str] = None,
        userinfo_url: Optional[str] = None,
        device_authorization_url: Optional[str] = None,
        jwks_url: Optional[str] = None,
        end_session_url: Optional[str] = None,
        par_url: Optional[str] = None,
        issuer: Optional[str] = None,
        default_scopes: Iterable[str] = (),
        scope_separator: str = " ",
        token_endpoint_auth_method: str = "client_secret_basic",  # noqa: S107 - names, not secrets
        pkce: str = PKCE_SUPPORTED,
        extra_authorize_params: Optional[Mapping[str, str]] = None,
        token_delivery: str = "header",  # noqa: S107 - names, not secrets
        authorization_scheme: str = "Bearer",
        token_query_param: str = "access_token",  # noqa: S107 - names, not secrets
        api_headers: Optional[Mapping[str, str]] = None,
        revoke_refresh_token: bool = True,
        token_types: Iterable[str] = ("bearer",),
        require_iss: bool = False,
        require_par: bool = False,
        send_nonce: bool = True,
        id_token_nonce: bool = True,
        id_token_signing_algs: Iterable[str] = (),
        id_token_issuer_claims: Optional[Mapping[str, str]] = None,
        id_token_issuer_aliases: Iterable[str] = (),
        discover: bool = False,
        template_defaults: Optional[Mapping[str, str]] = None,
        template_patterns: Optional[Mapping[str, str]] = None,
        env_prefix: str = "",
        docs_url: str = "",
    ) -> None:
        values = dict(locals())  # every parameter, by field name
        del values["self"]
        if not (isinstance(name, str) and name[:1] in _NAME_START and set(name) <= _NAME_CHARS):
            raise ConfigurationError(
                f"provider name {name!r} must be lowercase letters, digits, '.', '_' or '-'"
            )
        if pkce not in (PKCE_REQUIRED, PKCE_SUPPORTED, PKCE_UNSUPPORTED):
            raise ConfigurationError(f"provider {name!r}: pkce must be required, "
                                     f"supported or unsupported, not {pkce!r}")
        if token_delivery not in ("header", "query"):
            raise ConfigurationError(
                f"provider {name!r}: token_delivery must be 'header' or 'query'"
            )
        if token_endpoint_auth_method not in AUTH_METHODS:
            raise ConfigurationError(
                f"provider {name!r}: unknown token_endpoint_auth_method "
                f"{token_endpoint_auth_method!r}"
            )
        for field in _MAPPING_FIELDS:
            values[field] = _frozen_mapping(values[field])
        for field in _NAMES_FIELDS:
            values[field] = _names(name, field, values[field])
        values["token_types"] = tuple(t.lower() for t in values["token_types"])
        if "none" in (alg.lower() for alg in values["id_token_signing_algs"]):
            raise ConfigurationError(f"provider {name!r}: unsigned id_tokens "
                                     "(alg 'none') are never accepted")
        if not env_prefix:
            values["env_prefix"] = f"OAUTH2_{name.upper().replace('-', '_').replace('.', '_')}_"
        if not title:
            values["title"] = name.replace("-", " ").title()
        for field in FIELDS:
            object.__setattr__(self, field, values[field])

    def _fields(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in FIELDS}

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Provider is immutable: use with_endpoints({name}=...) "
                             "for a changed copy")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Provider is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.__class__, self.name))

    def __repr__(self) -> str:
        # Only what differs from a bare Provider(name): the rest is noise in a traceback.
        bare = Provider(self.name)._fields()
        fields = ", ".join(f"{field}={value!r}" for field, value in self._fields().items()
                           if field == "name" or value != bare[field])
        return f"{self.__class__.__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        state = {field: dict(value) if field in _MAPPING_FIELDS else value
                 for field, value in self._fields().items()}
        name = state.pop("name")
        return (_rebuild, (self.__class__, name, state))

    def __copy__(self) -> Provider:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, Any]) -> Provider:
        return self

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
            if re.search(_BAD_TEMPLATE_VALUE, value):
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
        return self.with_endpoints(**changes)

    def with_endpoints(self, **changes: Any) -> Provider:
        """A copy with some fields changed (discovery fills endpoints this way).

        :raises TypeError: for a name that is not a field.
        """
        values = self._fields()
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"Provider has no field {', '.join(sorted(unknown))}")
        values.update(changes)
        name = values.pop("name")
        return self.__class__(name, **values)


def _rebuild(cls: type[Provider], name: str, fields: dict[str, Any]) -> Provider:
    return cls(name, **fields)

