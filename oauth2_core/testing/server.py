"""A real OAuth 2.0 / OpenID Connect authorization server on loopback, for tests and demos.

::

    from oauth2_core.testing.server import AuthorizationServer

    with AuthorizationServer() as server:            # http://127.0.0.1:<free port>
        app = server.register_client(client_id="app", client_secret="s3cret",
                                     redirect_uris=["http://127.0.0.1:5000/cb"])
        client = server.client(app)                   # an OAuth2Client wired to it
        req = client.begin_authorization(scope="openid email")
        token = client.complete_authorization(server.authorize(req.url), req)

It speaks RFC 6749 (code, refresh, client credentials, password), RFC 7636 (PKCE),
RFC 7009 (revocation), RFC 7662 (introspection), RFC 8414 and OpenID Connect Discovery
(metadata), RFC 8628 (device flow), RFC 9207 (``iss``) and OpenID Connect Core (signed
id_tokens and UserInfo, when the ``jwt`` extra is installed).  ``/api/me`` is a
protected resource for exercising sessions, refresh and 401 handling.

Endpoints: ``/.well-known/openid-configuration``, ``/.well-known/oauth-authorization-server``,
``/authorize`` (and ``/authorize/decision`` behind the consent page), ``/token``,
``/revoke``, ``/introspect``, ``/userinfo``, ``/device_authorization``, ``/device``,
``/jwks``, ``/api/me``.  Behaviour is tuned through :attr:`AuthorizationServer.config`
(a :class:`~oauth2_core.testing.config.ServerConfig`), including injected faults.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from . import endpoints
from .authority import DEVICE_CODE_GRANT, Authority
from .authorize import authorize, decide
from .browser import AuthorizeFailed, follow_authorize_url
from .config import ServerConfig
from .listener import LoopbackHTTPServer
from .messages import RecordedRequest, Request, Response
from .models import ServerClient, User
from .signing import Signer, jwt_available

if TYPE_CHECKING:
    from ..client import OAuth2Client
    from ..providers import Provider

__all__ = [
    "AuthorizationServer",
    "AuthorizeFailed",
    "RecordedRequest",
    "ServerClient",
    "ServerConfig",
    "User",
]

logger = logging.getLogger("oauth2_core.testing.server")

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
Endpoint = Callable[[Authority, Request], Response]
#: path -> (endpoint name, allowed methods, handler)
ROUTES: dict[str, tuple[str, tuple[str, ...], Endpoint]] = {
    "/.well-known/openid-configuration": ("metadata", ("GET",), endpoints.metadata),
    "/.well-known/oauth-authorization-server": ("metadata", ("GET",), endpoints.metadata),
    "/authorize": ("authorize", ("GET", "POST"), authorize),
    "/authorize/decision": ("authorize", ("POST",), decide),
    "/token": ("token", ("POST",), endpoints.token),
    "/revoke": ("revoke", ("POST",), endpoints.revoke),
    "/introspect": ("introspect", ("POST",), endpoints.introspect),
    "/userinfo": ("userinfo", ("GET", "POST"), endpoints.userinfo),
    "/device_authorization": ("device_authorization", ("POST",),
                              endpoints.device_authorization),
    "/device": ("device", ("GET", "POST"), endpoints.device_verification),
    "/jwks": ("jwks", ("GET",), endpoints.jwks),
    "/api/me": ("api", ("GET", "POST", "PUT", "PATCH", "DELETE"), endpoints.api_me),
}

_GENERATE: Any = object()


class AuthorizationServer:
    """An authorization server on ``127.0.0.1`` and a free port (or ``port``).

    Use it as a context manager, or call :meth:`start` and :meth:`stop`.  A user
    ``alice`` (password ``wonderland``) exists; add others with :meth:`add_user`.

    :param id_tokens: sign id_tokens and publish ``/jwks``; by default when PyJWT with
        cryptography (the ``jwt`` extra) is installed.  False serves plain OAuth 2.0.
    :param clock: the server's time (``time.time``); tests may pass one that jumps ahead
        to expire codes and tokens without waiting.
    """

    def __init__(self, *, port: int = 0, id_tokens: Optional[bool] = None,
                 clock: Callable[[], float] = time.time,
                 config: Optional[ServerConfig] = None) -> None:
        self.config = config if config is not None else ServerConfig()
        if id_tokens is None:
            id_tokens = jwt_available()
        self.authority = Authority(self.config, clock, Signer() if id_tokens else None)
        self._port = port
        self._http: Optional[LoopbackHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self._stopping = threading.Event()
        self._log_lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        #: Exceptions endpoints raised (each answered with a 500); empty in a good run.
        self.errors: list[BaseException] = []
        self.add_user("alice", password="wonderland", email="alice@example.com",
                      name="Alice Liddell", given_name="Alice", family_name="Liddell")

    # Lifecycle ---------------------------------------------------------------------------
    def start(self) -> AuthorizationServer:
        """Listen and serve in a background thread.  Returns the server."""
        if self._http is not None:
            raise RuntimeError("the server is already running")
        if self._stopping.is_set():
            raise RuntimeError("a stopped server cannot be started again; make a new one")
        self._http = LoopbackHTTPServer(self.handle, self._port)
        self.authority.issuer = f"http://127.0.0.1:{self._http.server_address[1]}"
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.02,),
                                        name=f"oauth2-test-server-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection."""
        self._stopping.set()  # wakes endpoints sleeping in a delay fault
        if self._http is None:
            return
        self._http.shutdown()
        self._http.close_connections()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join()
        self._http = None

    def __enter__(self) -> AuthorizationServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.authority.issuer or "not started"
        return f"AuthorizationServer({where})"

    @property
    def issuer(self) -> str:
        """``http://127.0.0.1:PORT``: the issuer identifier and base URL."""
        if not self.authority.issuer:
            raise RuntimeError("the server is not started")
        return self.authority.issuer

    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("the server is not started")
        return int(self._http.server_address[1])

    def url(self, path: str) -> str:
        """An absolute URL on this server: ``server.url("/token")``."""
        return self.issuer + ("" if path.startswith("/") else "/") + path

    # Registration --------------------------------------------------------------------
    def register_client(
        self,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = _GENERATE,
        redirect_uris: Union[list[str], tuple[str, ...]] = ("http://127.0.0.1/callback",),
        token_endpoint_auth_method: Optional[str] = None,
        grant_types: Optional[Union[list[str], tuple[str, ...]]] = None,
        scope: Optional[Union[list[str], tuple[str, ...]]] = None,
        client_name: str = "",
    ) -> ServerClient:
        """Register (or re-register) a client and return it.

        :param client_id: random if omitted.
        :param client_secret: random if omitted; None registers a public client
            (``token_endpoint_auth_method="none"``, PKCE required).
        :param redirect_uris: matched exactly, except that a loopback IP URI registered
            without a port accepts any port (RFC 8252 section 7.3).
        :param token_endpoint_auth_method: ``client_secret_basic`` (default with a
            secret), ``client_secret_post``, or ``none``.
        :param grant_types: every grant by default (no client_credentials or password
            for public clients).
        :param scope: the scopes it may request; None allows any.
        """
        if client_secret is _GENERATE:
            client_secret = secrets.token_urlsafe(24)
        method = token_endpoint_auth_method or (
            "client_secret_basic" if client_secret else "none")
        if method not in AUTH_METHODS:
            raise ValueError(f"token_endpoint_auth_method must be one of {AUTH_METHODS}")
        if (method == "none") != (not client_secret):
            raise ValueError("a client has a secret exactly when its "
                             "token_endpoint_auth_method is not 'none'")
        if grant_types is None:
            grant_types = ["authorization_code", "refresh_token", DEVICE_CODE_GRANT]
            if method != "none":
                grant_types += ["client_credentials", "password"]
        unknown = set(grant_types) - set(endpoints.GRANT_TYPES)
        if unknown:
            raise ValueError(f"unknown grant types {sorted(unknown)}")
        for uri in redirect_uris:
            if "#" in uri or ":" not in uri:
                raise ValueError(f"redirect URI {uri!r} must be absolute, without a "
                                 "fragment (RFC 6749 section 3.1.2)")
        client_id = client_id or f"client-{secrets.token_hex(6)}"
        client = ServerClient(client_id, client_secret or None, tuple(redirect_uris), method,
                              tuple(grant_types), tuple(scope) if scope is not None else None,
                              client_name or client_id)
        self.authority.register_client(client)
        return client

    def add_user(self, username: str, *, password: Optional[str] = None,
                 sub: Optional[str] = None, email: Optional[str] = None,
                 name: Optional[str] = None, **claims: Any) -> User:
        """Add (or replace) a user.  ``claims`` are OpenID Connect standard claims
        (``given_name``, ``picture``, ...); ``sub`` defaults to the username."""
        all_claims: dict[str, Any] = {"preferred_username": username}
        if email is not None:
            all_claims.update(email=email, email_verified=True)
        if name is not None:
            all_claims["name"] = name
        all_claims.update(claims)
        user = User(username, sub or username, password, all_claims)
        self.authority.add_user(user)
        return user

    def user(self, username: str) -> Optional[User]:
        return self.authority.user(username)

    # Clients of this server ----------------------------------------------------------
    def provider(self, **changes: Any) -> Provider:
        """An :class:`~oauth2_core.Provider` with every endpoint of this server."""
        from ..providers import Provider

        signs = self.authority.signer is not None
        provider = Provider(
            name="testserver", title="oauth2-core test server",
            authorize_url=self.url("/authorize"), token_url=self.url("/token"),
            revocation_url=self.url("/revoke"), introspection_url=self.url("/introspect"),
            userinfo_url=self.url("/userinfo"),
            device_authorization_url=self.url("/device_authorization"),
            jwks_url=self.url("/jwks") if signs else None, issuer=self.issuer,
            default_scopes=("openid", "profile", "email"),
            require_iss=self.config.authorization_response_iss is not False,
            id_token_signing_algs=("RS256",) if signs else (),
        )
        return provider.with_endpoints(**changes) if changes else provider

    def client(self, registered: Optional[ServerClient] = None,
               **settings: Any) -> OAuth2Client:
        """An :class:`~oauth2_core.OAuth2Client` for ``registered`` (a new confidential
        client if omitted), with a fresh plugin manager unless ``plugins=`` is given."""
        from ..client import OAuth2Client
        from ..plugins import make_plugin_manager

        if registered is None:
            registered = self.register_client()
        settings.setdefault("plugins", make_plugin_manager())
        if registered.redirect_uris:
            settings.setdefault("redirect_uri", registered.redirect_uris[0])
        return OAuth2Client(self.provider(), registered.client_id, registered.client_secret,
                            **settings)

    # Acting as the user --------------------------------------------------------------
    def authorize(self, url: str, *, approve: bool = True,
                  username: Optional[str] = None) -> str:
        """Be the browser: open the authorization ``url``, press Allow (or Deny) on the
        consent page if ``config.consent`` shows one, and return the callback URL the
        server redirects to.

        :param username: sign in as this user instead of the default one.
        :raises AuthorizeFailed: the server showed an error page instead of redirecting.
        """
        if not url.startswith(self.url("/authorize")):
            raise ValueError(f"not this server's authorization URL: {url.split('?')[0]}")
        return follow_authorize_url(self.issuer, url, approve, username)

    def approve_device(self, user_code: str, username: Optional[str] = None) -> None:
        """Approve a device request, as the user would at ``/device``.

        :raises LookupError: no pending request has this user code.
        """
        self._decide_device(user_code, True, username)

    def deny_device(self, user_code: str) -> None:
        self._decide_device(user_code, False, None)

    def _decide_device(self, user_code: str, approve: bool, username: Optional[str]) -> None:
        user = self.authority.user(username or self.config.default_user)
        if user is None:
            raise LookupError(f"no user {username or self.config.default_user!r}")
        if not self.authority.decide_device(user_code, approve, user.sub):
            raise LookupError("no pending device request has that user code")

    def revoke(self, token: str) -> bool:
        """Revoke a token (and, for a refresh token, its grant) from the server side, so
        the next request with it gets a 401.  False if the token is unknown."""
        return self.authority.revoke_any(token)

    def rotate_signing_key(self, keep_old: bool = True) -> str:
        """Sign id_tokens with a new key (new ``kid``); returns the kid."""
        if self.authority.signer is None:
            raise RuntimeError("this server does not sign id_tokens")
        return self.authority.signer.rotate(keep_old)

    # What happened -----------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy)."""
        with self._log_lock:
            return list(self._requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        """The requests one endpoint received (``"token"``, ``"api"``, ...)."""
        return [r for r in self.requests if r.endpoint == endpoint]

    def clear_requests(self) -> None:
        with self._log_lock:
            self._requests.clear()

    def reset(self) -> None:
        """Default config, no faults, no codes or tokens, an empty request log; clients
        and users stay.  (For a server shared between tests.)"""
        self.config.reset()
        self.authority.clear()
        self.clear_requests()
        self.errors.clear()

    # Dispatch ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        """Answer one request (called by the HTTP handler threads)."""
        route = ROUTES.get(request.path)
        endpoint = route[0] if route is not None else None
        with self._log_lock:
            self._requests.append(RecordedRequest.of(endpoint, request))
        if route is None:
            return Response.json({"error": "not_found"}, 404)
        name, methods, handler = route
        if request.method not in methods:
            return Response.json({"error": "method_not_allowed"}, 405,
                                 {"Allow": ", ".join(methods)})
        grant_type = next(iter(request.form.get("grant_type", [])), None)
        fault = self.config.take_fault(name, grant_type)
        if fault is not None:
            if fault.delay:
                self._stopping.wait(fault.delay)
            parts = fault.response_parts()
            if parts is not None:
                status, content_type, body, headers = parts
                return Response(status, body.encode("utf-8"),
                                {"Content-Type": content_type, **headers})
        try:
            return handler(self.authority, request)
        except Exception as exc:  # a bug here must show in the test, not hang the client
            self.errors.append(exc)
            logger.exception("the test server failed on %s %s", request.method, request.path)
            return Response.json({"error": "server_error"}, 500)
