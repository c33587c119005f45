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
from typing import TYPE_CHECKING, Any, Callable, Optional, Union
from urllib.parse import urlencode, urlsplit

from .error_codes import InvalidToken
from .errors import ConfigurationError, OAuth2Error, TokenResponseError
from .tokens import Token

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .client import OAuth2Client
    from .dpop import DPoPKey

    # Type aliases, for annotations only (evaluated at import, a typing alias costs
    # about as much as a small module).
    Assertion = Union[str, Callable[[], str], None]
    TokenOrValue = Union[Token, Mapping[str, Any], str]

__all__ = ["TOKEN_EXCHANGE_GRANT", "TOKEN_TYPES"]

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


# What OAuth2Client's extension methods run (imported on first use) -------------------
def setup_dpop(client: OAuth2Client, dpop: Union[bool, str, DPoPKey]) -> None:
    """Give ``client`` its DPoP key (``client(..., dpop=True)``, a PEM key or a key)."""
    from .dpop import DPoPKey

    alg = client.settings.get("dpop_alg")
    client.dpop_key = dpop if isinstance(dpop, DPoPKey) else DPoPKey(
        None if dpop is True else dpop, alg=alg)
    if "dpop" not in client.provider.token_types:
        client.provider = client.provider.with_endpoints(
            token_types=(*client.provider.token_types, "dpop"))


# JWT bearer grant (RFC 7523 section 2.1) -----------------------------------------
def jwt_bearer(client: OAuth2Client, assertion: Assertion, scope: Any,
               claims: dict[str, Any]) -> Token:
    """:meth:`OAuth2Client.jwt_bearer` (RFC 7523 section 2.1)."""
    from .jwt_auth import JWT_BEARER_GRANT

    if assertion is not None and claims:
        raise ConfigurationError("claims= apply to the assertion the client signs, "
                                 "not to one given as assertion=")
    value = assertion() if callable(assertion) else assertion
    if value is None:
        value = jwt_bearer_assertion(client, claims)
    joined = client._join_scope(scope if scope is not None else client._service_scope)
    token = client.request_token(JWT_BEARER_GRANT, assertion=value, scope=joined or None)
    token.grant_type = JWT_BEARER_GRANT
    client._jwt_bearer_renewal = (assertion, scope, claims)
    return token


def jwt_bearer_assertion(client: OAuth2Client, claims: dict[str, Any]) -> str:
    """:meth:`OAuth2Client.jwt_bearer_assertion`."""
    from .jwt_auth import (
        ASSERTION_LIFETIME,
        assertion_audience,
        assertion_claims,
        assertion_key,
    )

    if not client.client_id and not ("iss" in claims and "sub" in claims):
        raise ConfigurationError("a JWT bearer assertion needs the client_id (or iss= "
                                 "and sub=)")
    lifetime = float(client.settings.get("client_assertion_lifetime") or ASSERTION_LIFETIME)
    body = assertion_claims(client.client_id or "", client.client_id or "",
                            assertion_audience(client), lifetime, **claims)
    return assertion_key(client, "private_key_jwt").sign(body, feature="jwt-bearer")


def renew_jwt_bearer(client: OAuth2Client) -> Token:
    """A new JWT bearer token, with a new assertion (the renewal of its sessions)."""
    renewal = client._jwt_bearer_renewal
    if renewal is None:  # a token loaded from a store: the client's own assertion
        return jwt_bearer(client, None, None, {})
    assertion, scope, claims = renewal
    if isinstance(assertion, str):
        raise InvalidToken(description="the token expired and its JWT bearer assertion "
                           "was given as a string; pass assertion= a callable that "
                           "returns a fresh one so the token can be renewed")
    return jwt_bearer(client, assertion, scope, claims)


# Token exchange (RFC 8693) -------------------------------------------------------
def token_exchange(
    client: OAuth2Client,
    subject_token: TokenOrValue,
    subject_token_type: str,
    actor_token: Optional[TokenOrValue],
    actor_token_type: Optional[str],
    requested_token_type: Optional[str],
    audience: Union[str, Iterable[str], None],
    resource: Union[str, Iterable[str], None],
    scope: Any,
    params: dict[str, Any],
) -> Token:
    """:meth:`OAuth2Client.token_exchange` (RFC 8693)."""
    subject_type = _token_type(subject_token_type)
    data: dict[str, Any] = dict(params)
    data.update(
        subject_token=_token_of(subject_token, subject_type),
        subject_token_type=subject_type,
        requested_token_type=_token_type(requested_token_type),
        audience=_listed(audience), resource=_listed(resource),
        scope=client._join_scope(scope) if scope is not None else None,
    )
    if actor_token is not None:
        actor_type = _token_type(actor_token_type or "access_token")
        data.update(actor_token=_token_of(actor_token, actor_type),
                    actor_token_type=actor_type)
    elif actor_token_type is not None:
        raise ConfigurationError("actor_token_type without an actor_token")
    token = _exchange(client, data)
    if not isinstance(token.get("issued_token_type"), str):
        raise TokenResponseError(description="the token exchange answer has no "
                                 "issued_token_type (RFC 8693 section 2.2.1)")
    return token


def _exchange(client: OAuth2Client, params: dict[str, Any]) -> Token:
    # request_token, except that "N_A" is an accepted token_type: the answer's
    # token_type when the issued token is not an access token (section 2.2.1).
    from .client import _scrub

    url = client.provider.token_url
    if not url:
        raise ConfigurationError(f"provider {client.provider.name!r} has no token_url")
    data = {k: v for k, v in params.items() if v is not None}
    data["grant_type"] = TOKEN_EXCHANGE_GRANT
    provider = client.provider.with_endpoints(
        token_types=(*client.provider.token_types, "n_a"))
    response = client.send(url, data, endpoint="token")
    try:
        token: Optional[Token] = client.plugins.call(
            "oauth2_parse_token_response", provider, response=response, client=client)
    except OAuth2Error as exc:
        _scrub(exc, [*data.values(), client.client_secret])
        raise
    if token is None:
        raise TokenResponseError(description="no plugin parsed the token response")
    return token


# Logout (OpenID Connect RP-Initiated Logout 1.0) ----------------------------------
def logout_url(client: OAuth2Client, id_token_hint: Union[TokenOrValue, None],
               post_logout_redirect_uri: Optional[str], state: Optional[str],
               params: dict[str, Any]) -> str:
    """:meth:`OAuth2Client.logout_url` (OpenID Connect RP-Initiated Logout 1.0)."""
    url = client.provider.end_session_url
    if not url:
        raise ConfigurationError(f"provider {client.provider.name!r} has no "
                                 "end_session_url")
    hint = id_token_hint
    if isinstance(hint, Mapping):
        hint = hint.get("id_token")
        if not isinstance(hint, str) or not hint:
            raise ConfigurationError("id_token_hint: the token has no id_token")
    query = {"id_token_hint": hint, "client_id": client.client_id,
             "post_logout_redirect_uri": post_logout_redirect_uri, "state": state}
    query.update(params)
    encoded = urlencode({k: v for k, v in query.items() if v is not None}, doseq=True)
    return f"{url}{'&' if urlsplit(url).query else '?'}{encoded}"


# PAR (RFC 9126) and JAR (RFC 9101) -----------------------------------------------
def authorization_url(client: OAuth2Client, query: dict[str, Any], par: Optional[bool],
                      signed_request: Optional[bool]) -> str:
    """The authorization URL of :meth:`OAuth2Client.begin_authorization` for ``query``:
    plain, pushed (PAR), signed (JAR) or both.  Plugins adjust ``query`` first in every
    case."""
    if client.dpop_key is not None:
        query.setdefault("dpop_jkt", client.dpop_key.jkt)  # RFC 9449 section 10
    if par is None:
        par = bool(client.settings.get("par")) or client.provider.require_par
    if signed_request is None:
        signed_request = bool(client.settings.get("signed_request"))
    url = client._build_authorize_url(query)  # plugins adjust the parameters in place
    if not (par or signed_request):
        return url
    from .default_plugins.standard import oauth2_build_authorize_url as join
    from .jar import signed_request_params
    from .par import push_authorization_request

    sent: dict[str, Any] = signed_request_params(client, query) if signed_request else query
    if par:
        pushed = push_authorization_request(client, sent)
        sent = {"client_id": client.client_id, "request_uri": pushed.request_uri}
    front = join(client.provider, sent)
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
