"""The standard behaviour on every hook: the RFCs, with no provider's quirks.

One module, so that start-up imports and registers one plugin rather than one per
topic.  Each hook below is a thin entry point: the work lives in a topic module
(:mod:`.token_response`, :mod:`.client_auth`, :mod:`.parameters`, :mod:`.dpop`),
imported the first time the hook needs it, since a client is often built long
before (or without ever) making a token request.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import requests

from ..errors import ConfigurationError
from ..hookspecs import hookimpl
from ..providers import Provider
from ..tokens import Token
from ..transport import TokenRequest, is_loopback

if TYPE_CHECKING:
    from ..client import OAuth2Client
    from ..stores.base import TokenStore
    from ..userinfo import UserInfo


# RFC 6749 section 4.1.1: the authorization request URL ------------------------------
@hookimpl(trylast=True)
def oauth2_build_authorize_url(provider: Provider, params: dict[str, Any]) -> Optional[str]:
    if not provider.authorize_url:
        raise ConfigurationError(f"provider {provider.name!r} has no authorize_url")
    from .parameters import normalise_parameters

    normalise_parameters(params)  # resource lists, authorization_details as JSON
    query = urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
    separator = "&" if urlsplit(provider.authorize_url).query else "?"
    return f"{provider.authorize_url}{separator}{query}"


# Token-type requests: parameters, then a DPoP proof, then client authentication -----
@hookimpl(trylast=True)
def oauth2_prepare_token_request(provider: Provider, request: TokenRequest,
                                 client: OAuth2Client) -> None:
    normalise_parameters, authenticate_client = _token_request_steps()
    normalise_parameters(request.data, json_body=request.body_format == "json")
    dpop_key = getattr(client, "dpop_key", None)
    if dpop_key is not None:
        from .dpop import add_proof  # oauth2_core.dpop's JOSE code: only for DPoP clients

        add_proof(request, dpop_key)
    # Last: a client assertion (RFC 7523) signs nothing the steps above change, but a
    # plugin that takes over client authentication sees the finished parameters.
    authenticate_client(provider, request, client)


# RFC 6749 sections 5.1 and 5.2: reading the token endpoint's answer ----------------
@hookimpl(trylast=True)
def oauth2_parse_token_response(provider: Provider, response: requests.Response) -> Token:
    return _token_response_parser()(provider, response)


# The helpers load on the first token request.  An import statement in a function runs
# the import machinery on every call (~10,000 instructions, 1 % of a token request), so
# each is imported once, through a cached function.
@functools.cache
def _token_request_steps() -> tuple[Callable[..., None], Callable[..., None]]:
    from .client_auth import authenticate_client
    from .parameters import normalise_parameters

    return normalise_parameters, authenticate_client


@functools.cache
def _token_response_parser() -> Callable[[Provider, requests.Response], Token]:
    from .token_response import parse_token_response

    return parse_token_response


# RFC 6750 (and RFC 9449 for DPoP tokens): the access token on API requests ---------
@hookimpl(trylast=True)
def oauth2_attach_credentials(
    provider: Provider, request: requests.PreparedRequest, token: Token, client: OAuth2Client
) -> Optional[object]:
    # Read from the dict, not through Token.token_type: this runs for every API call.
    kind = token.get("token_type")
    if kind and str(kind).lower() == "dpop":  # bound to the client's key, sent with a proof
        from .dpop import attach_dpop_token

        return attach_dpop_token(provider, request, token, client)
    if provider.api_headers:
        for name, value in provider.api_headers.items():
            request.headers.setdefault(name, value)  # a header the caller set wins
    if provider.token_delivery == "query":
        url, name = request.url or "", provider.token_query_param
        parts = urlsplit(url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if any(key == name for key, _ in pairs):
            # A request sent again after a 401 carries the rejected token: replace it
            # instead of adding a second.
            kept = [(key, value) for key, value in pairs if key != name]
            url = parts._replace(query=urlencode(kept)).geturl()
        request.prepare_url(url, {name: token["access_token"]})
    else:
        request.headers["Authorization"] = (
            f"{provider.authorization_scheme} {token['access_token']}"
        )
    return True


# OpenID Connect Core section 5.3: the UserInfo endpoint ----------------------------
@hookimpl(trylast=True)
def oauth2_userinfo(provider: Provider, session: requests.Session, token: Token,
                    client: OAuth2Client) -> Optional[UserInfo]:
    if not provider.userinfo_url:
        if token.id_token:  # OpenID Connect without a UserInfo endpoint: the id_token
            return client.userinfo_from_id_token(token)
        raise ConfigurationError(f"provider {provider.name!r} has no userinfo_url")
    from ..userinfo import UserInfo, fetch_profile

    info = UserInfo.from_claims(fetch_profile(session, provider.userinfo_url))
    # Completed with the id_token's claims, once both are known to name the same user.
    return client.merge_id_token_claims(info, token)


# The built-in token stores ----------------------------------------------------------
@hookimpl(trylast=True)
def oauth2_token_store(url: str, options: dict[str, Any]) -> Optional[TokenStore]:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from ..stores.memory import MemoryStore  # the stores load with the first session

        return MemoryStore(**options)
    if scheme == "file":
        from ..stores.file import FileStore  # pathlib/tempfile only when used

        return FileStore(_file_path(url), **options)
    if scheme in ("redis", "rediss", "unix"):
        from ..stores.redis import RedisStore  # RedisStore imports redis only when used

        return RedisStore.from_url(url, **options)
    return None


def _file_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc and not is_loopback(parts.netloc):
        raise ConfigurationError(f"a file:// token store must be local, not on {parts.netloc!r}")
    if not parts.path:
        raise ConfigurationError("a file:// token store needs a path: file:///path/tokens.json")
    return unquote(parts.path)
