"""The OAuth 2.0 extensions of :class:`~oauth2_core.OAuth2Client` beyond RFC 6749.

- the JWT bearer grant (RFC 7523 section 2.1), renewed by signing a new assertion;
- token exchange (RFC 8693);
- pushed (RFC 9126) and signed (RFC 9101) authorization requests;
- DPoP (RFC 9449) keys, set up here and used by :mod:`oauth2_core.default_plugins.dpop`;
- RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).

Client settings read here (all optional, passed to ``oauth2_core.client()``):
``dpop`` (True or a key), ``dpop_alg``, ``private_key``, ``private_key_id``,
``client_assertion_alg``, ``client_assertion_audience``, ``client_assertion_lifetime``,
``par``, ``signed_request``, ``request_object_key``, ``request_object_signing_alg``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional, Union, cast
from urllib.parse import urlencode, urlsplit

from .errors import ConfigurationError, InvalidToken, OAuth2Error, TokenResponseError
from .tokens import Token

if TYPE_CHECKING:
    from collections.abc import Iterable

    import requests

    from .client import OAuth2Client
    from .dpop import DPoPKey
    from .jws import SigningKey
    from .par import PushedAuthorizationRequest
    from .plugins import PluginManager
    from .providers import Provider

    # Type aliases, for annotations only (evaluated at import, a typing alias costs
    # about as much as a small module).
    Assertion = Union[str, Callable[[], str], None]
    TokenOrValue = Union[Token, Mapping[str, Any], str]

__all__ = ["TOKEN_EXCHANGE_GRANT", "TOKEN_TYPES", "ExtensionsMixin"]

TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
#: RFC 8693 section 3: token type identifiers, by short name.
TOKEN_TYPES = {
    "access_token": "urn:ietf:params:oauth:token-type:access_token",
    "refresh_token": "urn:ietf:params:oauth:token-type:refresh_token",
    "id_token": "urn:ietf:params:oauth:token-type:id_token",
    "saml1": "urn:ietf:params:oauth:token-type:saml1",
    "saml2": "urn:ietf:params:oauth:token-type:saml2",
    "jwt": "urn:ietf:params:oauth:token-type:jwt",
}


class ExtensionsMixin:
    """JWT bearer, token exchange, PAR/JAR, DPoP and logout for ``OAuth2Client``."""

    #: The client's DPoP key (``client(..., dpop=True)``), or None without DPoP.
    dpop_key: Optional[DPoPKey] = None

    if TYPE_CHECKING:  # provided by OAuth2Client
        provider: Provider
        client_id: Optional[str]
        client_secret: Optional[str]
        settings: dict[str, Any]
        plugins: PluginManager
        _service_scope: tuple[str, ...]

        def request_token(self, grant_type: str, **params: Any) -> Token: ...
        def send(self, url: str, data: dict[str, Any],
                 endpoint: str) -> requests.Response: ...
        def _build_authorize_url(self, params: dict[str, Any]) -> str: ...
        def _join_scope(self, scope: Any) -> str: ...

    @property
    def _client(self) -> OAuth2Client:
        return cast("OAuth2Client", self)

    def _setup_extensions(self) -> None:
        """Read the extension settings (called once, at the end of ``__init__``)."""
        self._assertion_keys: dict[str, SigningKey] = {}
        self._jwt_bearer_renewal: Optional[tuple[Assertion, Any, dict[str, Any]]] = None
        dpop = self.settings.get("dpop")
        if dpop is not None and dpop is not False:
            from .dpop import DPoPKey

            alg = self.settings.get("dpop_alg")
            self.dpop_key = dpop if isinstance(dpop, DPoPKey) else DPoPKey(
                None if dpop is True else dpop, alg=alg)
            if "dpop" not in self.provider.token_types:
                self.provider = self.provider.with_endpoints(
                    token_types=(*self.provider.token_types, "dpop"))

    # JWT bearer grant (RFC 7523 section 2.1) -----------------------------------------
    def jwt_bearer(self, assertion: Assertion = None, scope: Any = None,
                   **claims: Any) -> Token:
        """Get a token with a JWT bearer assertion (RFC 7523 section 2.1), the grant of
        service accounts.

        :param assertion: a signed assertion, or a callable returning a fresh one; by
            default the client signs one with its ``private_key``: ``iss`` and ``sub``
            the client id, ``aud`` the token endpoint (``client_assertion_audience``).
        :param claims: claims of the assertion the client signs (``sub=`` to act for a
            user, ``iss=`` for a service-account id, any other claim).
        :return: a Token whose sessions renew it by running the grant again (with a
            new assertion; impossible when ``assertion`` was a fixed string).
        """
        from .jwt_auth import JWT_BEARER_GRANT

        if assertion is not None and claims:
            raise ConfigurationError("claims= apply to the assertion the client signs, "
                                     "not to one given as assertion=")
        value = assertion() if callable(assertion) else assertion
        if value is None:
            value = self.jwt_bearer_assertion(**claims)
        joined = self._join_scope(scope if scope is not None else self._service_scope)
        token = self.request_token(JWT_BEARER_GRANT, assertion=value, scope=joined or None)
        token.grant_type = JWT_BEARER_GRANT
        self._jwt_bearer_renewal = (assertion, scope, claims)
        return token

    def jwt_bearer_assertion(self, **claims: Any) -> str:
        """A fresh assertion for :meth:`jwt_bearer`, signed with the client's key."""
        from .jwt_auth import (
            ASSERTION_LIFETIME,
            assertion_audience,
            assertion_claims,
            assertion_key,
        )

        if not self.client_id and not ("iss" in claims and "sub" in claims):
            raise ConfigurationError("a JWT bearer assertion needs the client_id (or iss= "
                                     "and sub=)")
        lifetime = float(self.settings.get("client_assertion_lifetime") or ASSERTION_LIFETIME)
        body = assertion_claims(self.client_id or "", self.client_id or "",
                                assertion_audience(self._client), lifetime, **claims)
        return assertion_key(self._client, "private_key_jwt").sign(body, feature="jwt-bearer")

    def _renew_jwt_bearer(self) -> Token:
        renewal = self._jwt_bearer_renewal
        if renewal is None:  # a token loaded from a store: the client's own assertion
            return self.jwt_bearer()
        assertion, scope, claims = renewal
        if isinstance(assertion, str):
            raise InvalidToken(description="the token expired and its JWT bearer assertion "
                               "was given as a string; pass assertion= a callable that "
                               "returns a fresh one so the token can be renewed")
        return self.jwt_bearer(assertion, scope, **claims)

    # Token exchange (RFC 8693) -------------------------------------------------------
    def token_exchange(
        self,
        subject_token: TokenOrValue,
        subject_token_type: str = "access_token",  # noqa: S107 - a token type, not a secret
        actor_token: Optional[TokenOrValue] = None,
        actor_token_type: Optional[str] = None,
        requested_token_type: Optional[str] = None,
        audience: Union[str, Iterable[str], None] = None,
        resource: Union[str, Iterable[str], None] = None,
        scope: Any = None,
        **params: Any,
    ) -> Token:
        """Exchange a token for another (RFC 8693): delegation, impersonation, or a
        token for another audience.

        :param subject_token: the token to exchange (a string, or a Token: its access
            token, or the kind ``subject_token_type`` names).
        :param subject_token_type: a token type URI, or a short name (``access_token``,
            ``refresh_token``, ``id_token``, ``jwt``, ``saml1``, ``saml2``).
        :param actor_token: the acting party's token, for delegation.
        :param audience: where the new token is to be used (one or several).
        :param resource: the URI(s) of the resource(s) it is for (RFC 8707 form).
        :return: the new Token; ``token["issued_token_type"]`` says what it is.
        :raises TokenResponseError: the answer lacks ``issued_token_type``.
        """
        subject_type = _token_type(subject_token_type)
        data: dict[str, Any] = dict(params)
        data.update(
            subject_token=_token_of(subject_token, subject_type),
            subject_token_type=subject_type,
            requested_token_type=_token_type(requested_token_type),
            audience=_listed(audience), resource=_listed(resource),
            scope=self._join_scope(scope) if scope is not None else None,
        )
        if actor_token is not None:
            actor_type = _token_type(actor_token_type or "access_token")
            data.update(actor_token=_token_of(actor_token, actor_type),
                        actor_token_type=actor_type)
        elif actor_token_type is not None:
            raise ConfigurationError("actor_token_type without an actor_token")
        token = self._exchange(data)
        if not isinstance(token.get("issued_token_type"), str):
            raise TokenResponseError(description="the token exchange answer has no "
                                     "issued_token_type (RFC 8693 section 2.2.1)")
        return token

    def _exchange(self, params: dict[str, Any]) -> Token:
        # request_token, except that "N_A" is an accepted token_type: the answer's
        # token_type when the issued token is not an access token (section 2.2.1).
        from .client import _scrub

        url = self.provider.token_url
        if not url:
            raise ConfigurationError(f"provider {self.provider.name!r} has no token_url")
        data = {k: v for k, v in params.items() if v is not None}
        data["grant_type"] = TOKEN_EXCHANGE_GRANT
        provider = self.provider.with_endpoints(
            token_types=(*self.provider.token_types, "n_a"))
        response = self.send(url, data, endpoint="token")
        try:
            token: Optional[Token] = self.plugins.call(
                "oauth2_parse_token_response", provider, response=response, client=self)
        except OAuth2Error as exc:
            _scrub(exc, [*data.values(), self.client_secret])
            raise
        if token is None:
            raise TokenResponseError(description="no plugin parsed the token response")
        return token

    # Logout (OpenID Connect RP-Initiated Logout 1.0) ----------------------------------
    def logout_url(self, id_token_hint: Union[TokenOrValue, None] = None,
                   post_logout_redirect_uri: Optional[str] = None,
                   state: Optional[str] = None, **params: Any) -> str:
        """The URL that signs the user out at the provider (its ``end_session_url``).

        :param id_token_hint: the id_token from sign-in (or the Token holding it).
        :param post_logout_redirect_uri: where the provider sends the user afterwards
            (registered for the client); ``state`` comes back with them.
        :param params: other parameters (``logout_hint``, ``ui_locales``).
        """
        url = self.provider.end_session_url
        if not url:
            raise ConfigurationError(f"provider {self.provider.name!r} has no "
                                     "end_session_url")
        hint = id_token_hint
        if isinstance(hint, Mapping):
            hint = hint.get("id_token")
            if not isinstance(hint, str) or not hint:
                raise ConfigurationError("id_token_hint: the token has no id_token")
        query = {"id_token_hint": hint, "client_id": self.client_id,
                 "post_logout_redirect_uri": post_logout_redirect_uri, "state": state}
        query.update(params)
        encoded = urlencode({k: v for k, v in query.items() if v is not None}, doseq=True)
        return f"{url}{'&' if urlsplit(url).query else '?'}{encoded}"

    # PAR (RFC 9126) and JAR (RFC 9101) -----------------------------------------------
    def push_authorization_request(self, **params: Any) -> PushedAuthorizationRequest:
        """Push authorization parameters to the PAR endpoint yourself; returns a
        :class:`~oauth2_core.par.PushedAuthorizationRequest` (``request_uri``).
        :meth:`begin_authorization` does this with ``par=True``."""
        from .par import push_authorization_request

        return push_authorization_request(self._client, params)

    def _authorization_url(self, query: dict[str, Any], par: Optional[bool] = None,
                           signed_request: Optional[bool] = None) -> str:
        """The authorization URL for ``query``: plain, pushed (PAR), signed (JAR) or
        both.  Plugins adjust ``query`` first in every case."""
        if self.dpop_key is not None:
            query.setdefault("dpop_jkt", self.dpop_key.jkt)  # RFC 9449 section 10
        if par is None:
            par = bool(self.settings.get("par")) or self.provider.require_par
        if signed_request is None:
            signed_request = bool(self.settings.get("signed_request"))
        url = self._build_authorize_url(query)  # plugins adjust the parameters in place
        if not (par or signed_request):
            return url
        from .default_plugins.standard import oauth2_build_authorize_url as join
        from .jar import signed_request_params
        from .par import push_authorization_request

        client = self._client
        sent: dict[str, Any] = signed_request_params(client, query) if signed_request else query
        if par:
            pushed = push_authorization_request(client, sent)
            sent = {"client_id": self.client_id, "request_uri": pushed.request_uri}
        front = join(self.provider, sent)
        if front is None:  # pragma: no cover - the default always builds a URL
            raise ConfigurationError("no authorization URL for the pushed/signed request")
        return front


def _token_type(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    return TOKEN_TYPES.get(value, value)


def _token_of(token: TokenOrValue, token_type: Optional[str]) -> str:
    if isinstance(token, str):
        return token
    key = next((k for k, uri in TOKEN_TYPES.items() if uri == token_type
                and k in ("access_token", "refresh_token", "id_token")), "access_token")
    value = token.get(key)
    if not isinstance(value, str) or not value:
        raise ConfigurationError(f"the token has no {key} to exchange")
    return value


def _listed(value: Union[str, Iterable[str], None]) -> Union[str, list[str], None]:
    if value is None or isinstance(value, str):
        return value
    values = list(value)
    return values[0] if len(values) == 1 else values
