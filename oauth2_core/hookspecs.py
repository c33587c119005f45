"""The hooks: the plugin author's manual.

A plugin is a module (or object) with functions decorated ``@oauth2_core.hookimpl``,
named like the specifications below.  A function may accept any subset of a hook's
arguments, so new arguments never break old plugins.

Provider plugins act only for their own providers: every behaviour hook receives the
``provider`` and must return ``None`` (and change nothing) when ``provider.name`` is
not theirs.  The core's standard behaviour is implemented as ``trylast`` hookimpls in
``oauth2_core.default_plugins``; a ``firstresult`` hook falls through to it when every
plugin returns ``None``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

import pluggy

if TYPE_CHECKING:
    import requests

    from .client import OAuth2Client
    from .providers import Provider
    from .stores import TokenStore
    from .tokens import Token
    from .transport import TokenRequest
    from .userinfo import UserInfo

#: The pluggy project name and the entry-point group plugins declare.
PROJECT_NAME = "oauth2_core"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    """Register the providers this plugin offers.

    Called once per plugin manager, the first time providers are needed.

    :param register: call ``register(Provider(...))`` once per provider.  Registering a
        name twice is an error naming both plugins.
    :return: ignored.
    """


@hookspec(firstresult=True)
def oauth2_build_authorize_url(
    provider: Provider, params: dict[str, Any], client: OAuth2Client
) -> Optional[str]:
    """Build the authorization URL the user's browser is sent to.

    Stops at the first non-None result.  A plugin that only needs to change the
    parameters (add ``access_type``, rename ``scope``, drop ``code_challenge``) mutates
    ``params`` and returns None; the default joins ``provider.authorize_url`` and
    ``params`` (lists become repeated parameters).

    :param provider: the provider, with its URL templates filled.
    :param params: the query parameters, already holding ``response_type``,
        ``client_id``, ``redirect_uri``, ``scope`` (joined with the provider's
        separator), ``state``, PKCE and ``nonce`` as they apply.
    :param client: the client building the URL (``client.client_id``,
        ``client.settings``).
    :return: the full URL, or None to let the next implementation build it.
    """


@hookspec
def oauth2_prepare_token_request(
    provider: Provider, request: TokenRequest, client: OAuth2Client
) -> None:
    """Adjust a request to the token endpoint (or revocation/introspection) before it
    is sent.

    Every implementation is called; the default, which runs last, authenticates the
    client according to ``request.auth_method`` unless a plugin set
    ``request.client_authenticated = True`` because it did so itself.

    :param provider: the provider.
    :param request: a mutable :class:`~oauth2_core.TokenRequest`: ``url``, ``method``,
        ``headers``, ``data`` (form fields; lists repeat), ``body_format`` ("form" or
        "json"), ``endpoint`` ("token", "revocation", "introspection", "device", "par"),
        ``client_id``, ``client_secret``, ``auth_method``, ``client_authenticated``.
    :param client: the client sending the request.
    :return: ignored.
    """


@hookspec(firstresult=True)
def oauth2_parse_token_response(
    provider: Provider, response: requests.Response, client: OAuth2Client
) -> Optional[Token]:
    """Turn the token endpoint's response into a :class:`~oauth2_core.Token`.

    Stops at the first non-None result.  The default accepts a JSON object whatever
    its Content-Type and raises :class:`~oauth2_core.TokenResponseError` for anything
    else, so a provider with form-encoded bodies, errors in HTTP 200 or nested tokens
    implements this hook.  Raise an ``OAuth2Error`` subclass (see
    ``oauth2_core.error_codes.error_class``) for an error response.

    :param provider: the provider.
    :param response: the ``requests.Response`` (its body is already read).
    :param client: the client that sent the request.
    :return: the token, or None to let the next implementation parse it.
    """


@hookspec(firstresult=True)
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, token: Token, client: OAuth2Client
) -> Optional[object]:
    """Put the access token on an outgoing API request.

    Stops at the first non-None result.  The default follows ``provider.token_delivery``
    (``Authorization: <scheme> <token>`` or a query parameter) and adds
    ``provider.api_headers``.  Implement it for extra headers that depend on the client
    (Twitch's ``Client-Id``), request signing, or custom header names.

    :param provider: the provider.
    :param request: the outgoing ``requests.PreparedRequest``; mutate ``.headers`` or
        use ``.prepare_url()`` to change the query.
    :param token: the current, fresh token.
    :param client: the client whose session sends the request.
    :return: any non-None value once the credentials are attached.
    """


@hookspec(firstresult=True)
def oauth2_userinfo(
    provider: Provider, session: requests.Session, token: Token, client: OAuth2Client
) -> Optional[UserInfo]:
    """Fetch the signed-in user and return a normalised :class:`~oauth2_core.UserInfo`.

    Stops at the first non-None result.  The default GETs ``provider.userinfo_url``
    (OpenID Connect claims) with ``session``.  A provider whose profile lives elsewhere
    or needs several calls (GitHub's hidden emails) implements this hook.

    :param provider: the provider.
    :param session: a ``requests.Session`` that already attaches ``token`` and has the
        client's timeout.
    :param token: the token to use as given; it is not refreshed.
    :param client: the client.
    :return: the user, or None to let the next implementation fetch it.
    """


@hookspec(firstresult=True)
def oauth2_token_store(url: str, options: dict[str, Any]) -> Optional[TokenStore]:
    """Open the token store a URL names, for :func:`oauth2_core.open_store`.

    Stops at the first non-None result.  The defaults understand ``memory://``,
    ``file:///path/tokens.json`` and ``redis://`` / ``rediss://`` / ``unix://``; a plugin
    adds a backend (a database, a cloud secret manager) by answering its own scheme
    with a :class:`~oauth2_core.stores.TokenStore` and returning None for the rest.

    :param url: the store's URL as the user wrote it (it may hold a password: never put
        it in a message).
    :param options: the keyword arguments given to ``open_store`` (``prefix=``, ...).
    :return: the store, or None to let the next implementation try.
    """
