"""`OAuth2Client`: the flows of RFC 6749 and friends, for one provider and one client."""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import requests

from .errors import ConfigurationError, IssuerMismatch, OAuth2Error, TokenResponseError
from .plugins import PluginManager, get_plugin_manager
from .providers import PKCE_REQUIRED, PKCE_UNSUPPORTED, URL_FIELDS, Provider
from .tokens import DEFAULT_LEEWAY, Token, parse_scope
from .transport import DEFAULT_TIMEOUT, TokenRequest, Transport, check_url, scrub

if TYPE_CHECKING:
    # Imported where used: a client that never makes a session (a web app's login
    # view, a CLI's first run) should not pay for the stores at start-up, nor a
    # service using client credentials for the authorization-code machinery, nor one
    # that never asks for a token for the retry policy.
    # Likewise the OpenID, device-flow and extension methods below each import their
    # module (idtoken, device, extensions) when first called.
    from .auth import OAuth2Auth, OAuth2Session, StoreLike, TokenCallback
    from .authorization import AuthorizationRequest, Callback
    from .device import DeviceAuthorization
    from .dpop import DPoPKey
    from .jws import SigningKey
    from .par import PushedAuthorizationRequest
    from .retry import RetryPolicy
    from .userinfo import UserInfo

    # Type aliases, for annotations only (evaluated at import, a typing alias costs
    # about as much as a small module).
    Scope = Union[str, Iterable[str], None]
    TokenLike = Union[Token, Mapping[str, Any], str]
    Assertion = Union[str, Callable[[], str], None]

__all__ = ["OAuth2Client", "client"]

logger = logging.getLogger("oauth2_core")
#: The arguments of oauth2_attach_credentials, in the order attach_credentials passes them.
_ATTACH_ARGS = ("provider", "request", "token", "client")


class OAuth2Client:
    """A registered application at one provider: builds URLs, gets and uses tokens.

    :param provider: a provider name (``"google"``) or a :class:`Provider`.
    :param client_id: defaults to ``OAUTH2_<NAME>_CLIENT_ID``; likewise ``client_secret``
        and ``redirect_uri``.
    :param scope: the default scope of authorization and client-credentials requests
        (the provider's ``default_scopes`` if not given).
    :param token_endpoint_auth_method: overrides the provider's default.
    :param timeout: seconds for every HTTP call the client makes.
    :param session: your own ``requests.Session`` for token-endpoint calls (its proxies,
        certificates and adapters apply; its ``auth`` and ~/.netrc do not, as they would
        replace the client authentication).
    :param allow_insecure: allow ``http://`` to non-loopback hosts (never in production).
    :param plugins: a plugin manager (tests use a fresh one); the global one otherwise.
    :param discover: fill missing endpoints from the issuer's metadata (default: the
        provider's ``discover``; ``issuer=...`` names the issuer when the provider has none).
    :param settings: values for the provider's URL templates (``tenant=...``), for
        plugins (``client.settings``), and for the extensions (``dpop=True``,
        ``private_key=...``, ``par=True``, ...: see :mod:`oauth2_core.extensions`).
    :param retry: a :class:`~oauth2_core.retry.RetryPolicy` for token requests (default:
        up to 3 attempts for refresh and client credentials after a connection failure
        or a 429/503 with ``Retry-After``; a code exchange is never retried), ``False``
        to send each request once, or a number of attempts.
    """

    #: Clock skew tolerated on an id_token's ``exp`` and ``iat``, in seconds.
    id_token_leeway: float = 60.0
    #: The client's DPoP key (``client(..., dpop=True)``), or None without DPoP.
    dpop_key: Optional[DPoPKey] = None

    def __init__(
        self,
        provider: Union[str, Provider],
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        redirect_uri: Optional[str] = None,
        *,
        scope: Scope = None,
        token_endpoint_auth_method: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        session: Optional[requests.Session] = None,
        allow_insecure: bool = False,
        leeway: float = DEFAULT_LEEWAY,
        discover: Optional[bool] = None,
        plugins: Optional[PluginManager] = None,
        retry: Union[RetryPolicy, bool, int, None] = None,
        **settings: Any,
    ) -> None:
        self.plugins = plugins if plugins is not None else get_plugin_manager()
        self._attach_impl: tuple[int, Optional[Callable[..., Any]]] = (-1, None)
        if isinstance(provider, str):
            provider = self.plugins.get_provider(provider)
        elif not isinstance(provider, Provider):
            raise ConfigurationError(f"expected a provider name or Provider, not {provider!r}")
        env = provider.env_prefix
        self.client_id = client_id or os.environ.get(env + "CLIENT_ID")
        self.client_secret = client_secret or os.environ.get(env + "CLIENT_SECRET")
        self.redirect_uri = redirect_uri or os.environ.get(env + "REDIRECT_URI")
        self.settings = settings
        self.transport = Transport(session, timeout=timeout, allow_insecure=allow_insecure)
        self.provider = provider.resolve(settings)
        if provider.discover if discover is None else discover:
            from .discovery import discover_provider

            self.provider = discover_provider(self.provider, settings, self.transport,
                                              bool(self.client_secret), True)
        self.scope = parse_scope(scope) if scope is not None else self.provider.default_scopes
        # A provider's default scopes are for signing users in (openid, email, ...); a
        # machine-to-machine token gets only the scope the application asked for.
        self._service_scope = parse_scope(scope) if scope is not None else ()
        self.token_endpoint_auth_method = token_endpoint_auth_method or (
            self.provider.token_endpoint_auth_method
        )
        if self.token_endpoint_auth_method != "none" and not self.client_secret and (
            token_endpoint_auth_method is None
            and self.provider.token_endpoint_auth_method.startswith("client_secret_")
        ):
            self.token_endpoint_auth_method = "none"  # a public client: id only, with PKCE
        self.allow_insecure = allow_insecure
        self.leeway = leeway
        self._retry_setting = retry
        self._retry: Optional[RetryPolicy] = None
        if not (retry is None or isinstance(retry, (bool, int))):
            self.retry = _retry_policy(retry)  # a policy, or a TypeError now, not later
        for field in URL_FIELDS:
            url = getattr(self.provider, field)
            if url and field != "issuer":
                check_url(url, allow_insecure, what=field)
        if self.redirect_uri and self.redirect_uri.startswith("http:"):
            check_url(self.redirect_uri, allow_insecure, what="redirect_uri")
        self._assertion_keys: dict[str, SigningKey] = {}  # by method (jwt_auth.py)
        self._jwt_bearer_renewal: Optional[tuple[Assertion, Any, dict[str, Any]]] = None
        dpop = settings.get("dpop")
        if dpop is not None and dpop is not False:
            from .extensions import setup_dpop

            setup_dpop(self, dpop)

    @property
    def retry(self) -> RetryPolicy:
        """The :class:`~oauth2_core.retry.RetryPolicy` of token requests (made on first
        use: most clients are built at start-up and ask for a token later, if ever)."""
        policy = self._retry
        if policy is None:
            policy = self._retry = _retry_policy(self._retry_setting)
        return policy

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._retry = policy

    def __repr__(self) -> str:
        return (f"OAuth2Client(provider={self.provider.name!r}, client_id={self.client_id!r}, "
                f"auth_method={self.token_endpoint_auth_method!r})")

    @property
    def timeout(self) -> float:
        return self.transport.timeout

    # Authorization code (RFC 6749 section 4.1) ---------------------------------------
    def authorize_url(
        self,
        scope: Scope = None,
        response_type: str = "code",
        state: Optional[str] = None,
        redirect_uri: Optional[str] = None,
        **params: Any,
    ) -> str:
        """The authorization URL with exactly the parameters given (the seed's call).

        Prefer :meth:`begin_authorization`, which adds state, PKCE and nonce and keeps
        what the callback check needs.
        """
        query = self._authorize_params(scope, response_type, redirect_uri, params)
        if state is not None:
            query["state"] = state
        if self.provider.pkce == PKCE_REQUIRED and "code_challenge" not in query:
            raise ConfigurationError(
                f"provider {self.provider.name!r} requires PKCE: use begin_authorization(), "
                "or pass code_challenge= and code_challenge_method="
            )
        return self._build_authorize_url(query)

    def begin_authorization(
        self, scope: Scope = None, redirect_uri: Optional[str] = None, *,
        par: Optional[bool] = None, signed_request: Optional[bool] = None, **params: Any
    ) -> AuthorizationRequest:
        """Start an authorization: a fresh state, PKCE (S256) unless the provider forbids
        it, and a nonce when ``openid`` is in scope.  Send the user to ``.url``.

        :param par: push the request first (RFC 9126); default: when the provider
            requires it or the client was made with ``par=True``.
        :param signed_request: send the request as a signed JWT (RFC 9101).
        """
        if "response_type" in params:
            raise ConfigurationError(
                "begin_authorization() runs the authorization code flow; response_type "
                "cannot be changed (the implicit grant puts tokens in URLs: RFC 9700 "
                "section 2.1.2)"
            )
        import secrets

        from .authorization import AuthorizationRequest, code_challenge, make_code_verifier
        from .extensions import authorization_url

        query = self._authorize_params(scope, "code", redirect_uri, params)
        scopes = parse_scope(query.get("scope"))
        state = secrets.token_urlsafe(32)
        query["state"] = state
        verifier = nonce = None
        if self.provider.pkce != PKCE_UNSUPPORTED:
            verifier = make_code_verifier()
            query["code_challenge"] = code_challenge(verifier)
            query["code_challenge_method"] = "S256"
        if "openid" in scopes and self.provider.send_nonce:
            nonce = secrets.token_urlsafe(32)
            query.setdefault("nonce", nonce)
        return AuthorizationRequest(
            url=authorization_url(self, query, par, signed_request),
            state=state,
            redirect_uri=query.get("redirect_uri"),
            code_verifier=verifier,
            nonce=nonce,
            scope=scopes,
            provider=self.provider.name,
        )

    def complete_authorization(self, callback: Callback, request: AuthorizationRequest) -> Token:
        """Check the redirect back (error, state, ``iss``) and exchange its code.

        :param callback: the full callback URL, or its parameters as a mapping.
        :param request: what :meth:`begin_authorization` returned (or ``from_dict`` of it).
        """
        from .authorization import AuthorizationRequest, check_callback, parse_callback

        if isinstance(request, Mapping):
            request = AuthorizationRequest.from_dict(request)
        if request.provider and request.provider != self.provider.name:
            # Mix-up defence (RFC 9700 section 4.4): an app that picks the client from
            # the callback's URL must not send one provider's code to another.
            raise IssuerMismatch(description=(
                f"this authorization was started with provider {request.provider!r}, "
                f"not {self.provider.name!r}"))
        params = parse_callback(callback)
        code = check_callback(params, request, self.provider.issuer, self.provider.require_iss)
        extra = {k: v for k, v in params.items() if k in self.callback_params_for_token}
        token = self.get_token(
            code=code,
            redirect_uri=request.redirect_uri,
            code_verifier=request.code_verifier,
            **extra,
        )
        if token.id_token:
            from .idtoken import check_token_endpoint_id_token

            check_token_endpoint_id_token(self, token, request.nonce)
        if "scope" not in token and (params.get("scope") or request.scope):
            # RFC 6749 5.1: an omitted scope is the one requested, unless the callback
            # already said what the user granted (Strava does).
            token["scope"] = params.get("scope") or " ".join(request.scope)
        return token

    #: Callback parameters a provider wants echoed in the code exchange (VK ID's device_id).
    callback_params_for_token: frozenset[str] = frozenset()

    def get_token(
        self,
        code: Optional[str] = None,
        grant_type: str = "authorization_code",
        redirect_uri: Optional[str] = None,
        code_verifier: Optional[str] = None,
        **params: Any,
    ) -> Token:
        """Exchange an authorization code (or run any grant given as ``grant_type``)."""
        if grant_type == "authorization_code":
            if not code:
                raise ConfigurationError("get_token needs the authorization code: code=...")
            params.update(code=code, redirect_uri=redirect_uri or self.redirect_uri,
                          code_verifier=code_verifier)
        elif code is not None:
            params["code"] = code
        return self.request_token(grant_type, **params)

    # Other grants ----------------------------------------------------------------------
    def refresh_token(
        self,
        refresh_token: Optional[TokenLike] = None,
        grant_type: str = "refresh_token",
        scope: Scope = None,
        **params: Any,
    ) -> Token:
        """Use a refresh token (RFC 6749 section 6).  Accepts the token string or a Token;
        when the server does not rotate it, the old refresh token is kept."""
        old = _refresh_token_value(refresh_token)
        if scope is not None:
            params["scope"] = self._join_scope(scope)
        token = self.request_token(grant_type, refresh_token=old, **params)
        if not token.refresh_token:
            token["refresh_token"] = old
        if isinstance(refresh_token, Mapping) and "scope" not in token and "scope" in refresh_token:
            token["scope"] = refresh_token["scope"]
        return token

    def client_credentials(self, scope: Scope = None, **params: Any) -> Token:
        """The client-credentials grant (RFC 6749 section 4.4)."""
        joined = self._join_scope(scope if scope is not None else self._service_scope)
        token = self.request_token("client_credentials", scope=joined or None, **params)
        token.grant_type = "client_credentials"
        return token

    def password(self, username: str, password: str, scope: Scope = None,
                 **params: Any) -> Token:
        """The resource owner password grant (RFC 6749 section 4.3).  Deprecated by the
        OAuth 2.0 Security BCP (RFC 9700 section 2.4); use it only for legacy systems."""
        warnings.warn("the password grant is deprecated (RFC 9700 section 2.4); prefer the "
                      "authorization code or device flow", DeprecationWarning, stacklevel=2)
        joined = self._join_scope(scope if scope is not None else self.scope)
        return self.request_token("password", username=username, password=password,
                                  scope=joined or None, **params)

    def renew_token(self, token: Optional[Token]) -> Token:
        """A replacement for an expiring ``token``: a refresh, or for client-credentials
        tokens (and no token at all) a new client-credentials token."""
        if token is not None and token.refresh_token:
            return self.refresh_token(token)
        if token is None or token.grant_type == "client_credentials":
            return self.client_credentials()
        if token.grant_type == "urn:ietf:params:oauth:grant-type:jwt-bearer":  # RFC 7523
            from .extensions import renew_jwt_bearer

            return renew_jwt_bearer(self)  # with a new assertion
        from .error_codes import InvalidToken

        raise InvalidToken(description="the token expired and has no refresh_token to renew it")

    def request_token(self, grant_type: str, **params: Any) -> Token:
        """Send any grant to the token endpoint and parse the answer (``None`` values are
        dropped).  The building block of every grant method."""
        url = self.provider.token_url
        if not url:
            raise ConfigurationError(f"provider {self.provider.name!r} has no token_url")
        data = {k: v for k, v in params.items() if v is not None}
        data["grant_type"] = grant_type
        response = self.retry.send(grant_type, lambda: self.send(url, data, endpoint="token"))
        try:
            token: Optional[Token] = self.plugins.call(
                "oauth2_parse_token_response", self.provider, response=response, client=self
            )
        except OAuth2Error as exc:
            _scrub(exc, [*data.values(), self.client_secret])
            raise
        if token is None:  # only if a plugin disabled the default parser
            raise TokenResponseError(description="no plugin parsed the token response")
        return token

    # Revocation, introspection, userinfo ----------------------------------------------
    def revoke_token(self, token: TokenLike, token_type_hint: Optional[str] = None) -> None:
        """Revoke a token (RFC 7009).  Given a Token, revokes its refresh token if it has
        one (which ends the whole grant at most servers), else its access token."""
        value, hint = _token_value(token, token_type_hint,
                                   prefer_refresh=self.provider.revoke_refresh_token)
        url = self.provider.revocation_url
        if not url:
            raise ConfigurationError(f"provider {self.provider.name!r} has no revocation_url")
        data = {"token": value, "token_type_hint": hint}
        response = self.send(url, {k: v for k, v in data.items() if v}, endpoint="revocation")
        if not 200 <= response.status_code < 300:  # RFC 7009 says 200; some send 204
            self._raise_endpoint_error(response, "revocation", [value, self.client_secret])

    def introspect_token(self, token: TokenLike,
                         token_type_hint: Optional[str] = None) -> dict[str, Any]:
        """Ask the server about a token (RFC 7662); the answer has ``active``."""
        value, hint = _token_value(token, token_type_hint, prefer_refresh=False)
        url = self.provider.introspection_url
        if not url:
            raise ConfigurationError(f"provider {self.provider.name!r} has no introspection_url")
        data = {"token": value, "token_type_hint": hint}
        response = self.send(url, {k: v for k, v in data.items() if v}, endpoint="introspection")
        if response.status_code != 200:
            self._raise_endpoint_error(response, "introspection", [value, self.client_secret])
        try:
            info = response.json()
        except ValueError:
            info = None
        if not isinstance(info, dict) or not isinstance(info.get("active"), bool):
            raise TokenResponseError(description="introspection response is not a JSON "
                                     "object with a boolean 'active'",
                                     status_code=response.status_code, response=response)
        return info

    def userinfo(self, token: TokenLike) -> UserInfo:
        """The signed-in user, normalised.  Uses ``token`` as given (no refresh)."""
        from .auth import OAuth2Session, StaticTokenAuth

        token = _as_token(token)
        with OAuth2Session(StaticTokenAuth(self, token), timeout=self.timeout) as session:
            info: Optional[UserInfo] = self.plugins.call(
                "oauth2_userinfo", self.provider, session=session, token=token, client=self
            )
        if info is None:
            raise ConfigurationError(f"no plugin fetches user info for {self.provider.name!r}")
        return info

    # OpenID Connect (idtoken.py) ------------------------------------------------------
    def validate_id_token(self, token_or_jwt: TokenLike,
                          nonce: Optional[str] = None) -> dict[str, Any]:
        """Validate an id_token (signature, iss, aud, azp, exp, iat, nonce, at_hash) and
        return its claims.  Given a Token, its ``access_token`` is checked against
        ``at_hash`` too.  The signature is always checked here (see
        :mod:`oauth2_core.idtoken`).

        :raises InvalidIDToken: naming the failed check.
        """
        from .idtoken import validate_for

        return validate_for(self, token_or_jwt, nonce)

    def userinfo_from_id_token(self, token: Token) -> UserInfo:
        """The user, from the id_token alone (a provider without a UserInfo endpoint)."""
        from .idtoken import id_token_identity
        from .userinfo import UserInfo

        return UserInfo.from_claims(id_token_identity(self, token))

    def merge_id_token_claims(self, info: UserInfo, token: Token) -> UserInfo:
        """``info`` completed with the id_token's claims (the UserInfo response wins).
        A response about another ``sub`` is refused (OpenID Connect Core section 5.3.4:
        token substitution)."""
        if not token.id_token or "sub" not in info.raw:
            return info  # not an OpenID userinfo (a plugin's own API): leave it alone
        from .idtoken import merge_id_token_claims

        return merge_id_token_claims(self, info, token)

    # Device authorization grant (device.py, RFC 8628) ----------------------------------
    def device_authorization(self, scope: Scope = None,
                             **params: Any) -> DeviceAuthorization:
        """Start a device authorization (RFC 8628 section 3.1).  Show the user
        ``user_code`` and ``verification_uri`` (or ``verification_uri_complete``),
        then call :meth:`poll_device_token`."""
        from .device import device_authorization

        return device_authorization(self, scope, params)

    def poll_device_token(
        self,
        da: Mapping[str, Any],
        timeout: Optional[float] = None,
        on_code: Optional[Callable[[DeviceAuthorization], Any]] = None,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> Token:
        """Poll the token endpoint until the user approves (RFC 8628 section 3.4).

        :param da: what :meth:`device_authorization` returned (or a stored copy).
        :param timeout: give up after this many seconds (the device code's own expiry
            always applies).
        :param on_code: called once with ``da`` before polling, to show the code.
        :param sleep: waits between polls (tests pass a fake).
        :raises AccessDenied: the user refused.
        :raises ExpiredToken: the device code expired first.
        :raises DeviceFlowTimeout: ``timeout`` passed first.
        """
        from .device import poll_device_token

        return poll_device_token(self, da, timeout, on_code, sleep)

    # Extensions (extensions.py): JWT bearer, token exchange, logout, PAR ---------------
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
        from .extensions import jwt_bearer

        return jwt_bearer(self, assertion, scope, claims)

    def jwt_bearer_assertion(self, **claims: Any) -> str:
        """A fresh assertion for :meth:`jwt_bearer`, signed with the client's key."""
        from .extensions import jwt_bearer_assertion

        return jwt_bearer_assertion(self, claims)

    def token_exchange(
        self,
        subject_token: TokenLike,
        subject_token_type: str = "access_token",  # noqa: S107 - a token type, not a secret
        actor_token: Optional[TokenLike] = None,
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
        from .extensions import token_exchange

        return token_exchange(self, subject_token, subject_token_type, actor_token,
                              actor_token_type, requested_token_type, audience, resource,
                              scope, params)

    def logout_url(self, id_token_hint: Optional[TokenLike] = None,
                   post_logout_redirect_uri: Optional[str] = None,
                   state: Optional[str] = None, **params: Any) -> str:
        """The URL that signs the user out at the provider (its ``end_session_url``;
        OpenID Connect RP-Initiated Logout 1.0).

        :param id_token_hint: the id_token from sign-in (or the Token holding it).
        :param post_logout_redirect_uri: where the provider sends the user afterwards
            (registered for the client); ``state`` comes back with them.
        :param params: other parameters (``logout_hint``, ``ui_locales``).
        """
        from .extensions import logout_url

        return logout_url(self, id_token_hint, post_logout_redirect_uri, state, params)

    def push_authorization_request(self, **params: Any) -> PushedAuthorizationRequest:
        """Push authorization parameters to the PAR endpoint yourself (RFC 9126); returns
        a :class:`~oauth2_core.par.PushedAuthorizationRequest` (``request_uri``).
        :meth:`begin_authorization` does this with ``par=True``."""
        from .par import push_authorization_request

        return push_authorization_request(self, params)

    # Using tokens ----------------------------------------------------------------------
    def auth(self, token: Optional[TokenLike] = None,
             on_token_refresh: Optional[TokenCallback] = None, *,
             token_key: Optional[str] = None, store: Optional[StoreLike] = None) -> OAuth2Auth:
        """A ``requests`` auth that attaches ``token`` and renews it before it expires (or
        once after a 401 ``invalid_token``).  With no token, client credentials are used.

        :param token_key: share the token under this key (one per user or service):
            sessions with the same key and store send one refresh between them.
        :param store: a :class:`~oauth2_core.stores.TokenStore` or a store URL
            (``"redis://127.0.0.1:6379/0"``); a token it holds wins over ``token``, which
            only seeds it.  Default: a store private to this process.
        """
        from .auth import OAuth2Auth

        return OAuth2Auth(self, _as_token(token) if token is not None else None,
                          on_token_refresh=on_token_refresh, leeway=self.leeway,
                          store=store, token_key=token_key)

    def session(self, token: Optional[TokenLike] = None,
                on_token_refresh: Optional[TokenCallback] = None, *,
                token_key: Optional[str] = None,
                store: Optional[StoreLike] = None) -> OAuth2Session:
        """A ``requests.Session`` using :meth:`auth`, with the client's timeout."""
        from .auth import OAuth2Session

        return OAuth2Session(self.auth(token, on_token_refresh, token_key=token_key,
                                       store=store), timeout=self.timeout)

    def attach_credentials(self, request: requests.PreparedRequest, token: Token) -> None:
        """Put ``token`` on ``request`` through the ``oauth2_attach_credentials`` hook."""
        plugins = self.plugins
        generation, attach = self._attach_impl
        if generation != plugins.generation:  # first call, or the plugins changed
            generation = plugins.generation  # read first: a change meanwhile is seen next time
            attach = plugins.positional_impl("oauth2_attach_credentials", self.provider,
                                             _ATTACH_ARGS)
            self._attach_impl = (generation, attach)
        if attach is not None:
            attach(self.provider, request, token, self)
        else:
            plugins.call("oauth2_attach_credentials", self.provider, request=request,
                         token=token, client=self)

    # Plumbing --------------------------------------------------------------------------
    def send(self, url: str, data: dict[str, Any], endpoint: str) -> requests.Response:
        """Authenticate and send a request to a token-type endpoint through the hooks."""
        response = self.transport.send_token_request(self._token_request(url, data, endpoint))
        if self.dpop_key is not None and self.dpop_key.should_retry(response):
            # RFC 9449 section 8: the server wants its nonce in the proof; the request is
            # prepared again, so the proof and any client assertion are fresh.
            response = self.transport.send_token_request(
                self._token_request(url, data, endpoint))
            self.dpop_key.learn_nonce(response)
        return response

    def _token_request(self, url: str, data: dict[str, Any], endpoint: str) -> TokenRequest:
        request = TokenRequest(
            url=url, data=dict(data), endpoint=endpoint,
            headers={"Accept": "application/json"}, client_id=self.client_id,
            client_secret=self.client_secret, auth_method=self.token_endpoint_auth_method,
        )
        self.plugins.call("oauth2_prepare_token_request", self.provider, request=request,
                          client=self)
        return request

    def _authorize_params(self, scope: Scope, response_type: str,
                          redirect_uri: Optional[str], params: dict[str, Any]) -> dict[str, Any]:
        if not self.client_id:
            raise ConfigurationError(
                f"provider {self.provider.name!r}: client_id is not set (pass client_id=... "
                f"or set {self.provider.env_prefix}CLIENT_ID)"
            )
        query: dict[str, Any] = {"response_type": response_type, "client_id": self.client_id}
        redirect = redirect_uri or self.redirect_uri
        if redirect:
            query["redirect_uri"] = redirect
        joined = self._join_scope(scope if scope is not None else self.scope)
        if joined:
            query["scope"] = joined
        query.update(self.provider.extra_authorize_params)
        query.update({k: v for k, v in params.items() if v is not None})
        return query

    def _build_authorize_url(self, params: dict[str, Any]) -> str:
        url: Optional[str] = self.plugins.call(
            "oauth2_build_authorize_url", self.provider, params=params, client=self
        )
        if url is None:
            raise ConfigurationError("no plugin built the authorization URL")
        return url

    def _join_scope(self, scope: Scope) -> str:
        return self.provider.scope_separator.join(parse_scope(scope))

    def _raise_endpoint_error(self, response: requests.Response, what: str,
                              sent: Iterable[Any]) -> None:
        from .error_codes import raise_for_error_fields

        try:
            fields = response.json()
        except ValueError:
            fields = None
        try:
            if isinstance(fields, dict):
                raise_for_error_fields(fields, response)
            raise OAuth2Error(f"{what}_failed", f"{what} endpoint answered HTTP "
                              f"{response.status_code}", status_code=response.status_code,
                              response=response)
        except OAuth2Error as exc:
            _scrub(exc, sent)
            raise


def client(provider: Union[str, Provider], **settings: Any) -> OAuth2Client:
    """Build a client for an installed provider (by name) or a :class:`Provider`.

    :raises ProviderNotFound: listing the installed providers and the package to install.
    """
    return OAuth2Client(provider, **settings)


def _scrub(exc: OAuth2Error, sent: Iterable[Any]) -> None:
    """Remove anything we sent (codes, secrets) from a server-provided description."""
    if not exc.description:
        return
    exc.description = scrub(exc.description, sent)
    exc.args = (exc._message(),)


def _as_token(token: TokenLike) -> Token:
    if isinstance(token, Token):
        return token
    if isinstance(token, str):
        return Token(access_token=token)
    return Token(token)


def _refresh_token_value(value: Optional[TokenLike]) -> str:
    if isinstance(value, Mapping):
        value = value.get("refresh_token")
    if not value or not isinstance(value, str):
        raise ConfigurationError("refresh_token needs a refresh token (or a Token that has one)")
    return value


def _token_value(token: TokenLike, hint: Optional[str],
                 prefer_refresh: bool = True) -> tuple[str, Optional[str]]:
    if isinstance(token, str):
        return token, hint
    keys = ("refresh_token", "access_token") if prefer_refresh else ("access_token",
                                                                       "refresh_token")
    if hint in keys:
        keys = (hint,)  # type: ignore[assignment]
    for key in keys:
        value = token.get(key)
        if isinstance(value, str) and value:
            return value, hint or key
    raise ConfigurationError("the token has neither an access_token nor a refresh_token")


def _retry_policy(setting: Union[RetryPolicy, bool, int, None]) -> RetryPolicy:
    from .retry import as_retry_policy

    return as_retry_policy(setting)
