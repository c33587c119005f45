"""DPoP (RFC 9449) on the wire: proofs on token requests, DPoP tokens on API calls.

The standard ``oauth2_attach_credentials`` (:mod:`.standard`) hands tokens whose
``token_type`` is ``DPoP`` to :func:`attach_dpop_token`.  Nonce challenges from a
resource server are answered by a response hook on the request itself, which works for
one-shot calls and sessions alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import requests

from ..errors import ConfigurationError
from ..providers import Provider
from ..tokens import Token
from ..transport import TokenRequest

if TYPE_CHECKING:
    from ..client import OAuth2Client
    from ..dpop import DPoPKey

# Attributes the session's own 401 handling (oauth2_core.auth) keeps on a request; a
# request re-sent with a nonce keeps them, so a later invalid_token still renews.
_CARRIED = ("_oauth2_token", "_oauth2_auth", "_oauth2_retried")


def add_proof(request: TokenRequest, key: DPoPKey) -> None:
    """A DPoP proof made with ``key`` on a token-type request (RFC 9449 section 5)."""
    from ..dpop import PROOF_ENDPOINTS

    if request.endpoint in PROOF_ENDPOINTS:
        request.headers["DPoP"] = key.proof(request.method, request.url)


def attach_dpop_token(provider: Provider, request: requests.PreparedRequest, token: Token,
                      client: OAuth2Client) -> object:
    """``Authorization: DPoP <token>`` and a proof with ``ath`` (RFC 9449 section 7)."""
    key: Optional[DPoPKey] = getattr(client, "dpop_key", None)
    if key is None:
        raise ConfigurationError("this token is DPoP-bound: use a client made with "
                                 "dpop=<the key it was issued for>")
    access_token = token["access_token"]
    for name, value in provider.api_headers.items():
        request.headers.setdefault(name, value)
    request.headers["Authorization"] = f"DPoP {access_token}"
    request.headers["DPoP"] = key.proof(request.method or "GET", request.url or "",
                                        access_token)
    request._oauth2_dpop = (key, access_token)  # type: ignore[attr-defined]
    # A copied request shares the hook list: register the (module-level) hook once.
    hooks = request.hooks.setdefault("response", [])
    if _answer_nonce_challenge not in hooks:
        hooks.append(_answer_nonce_challenge)
    return True


def _answer_nonce_challenge(response: requests.Response, **kwargs: Any) -> requests.Response:
    """Send the request once more when the resource server asked for its nonce."""
    request = response.request
    bound = getattr(request, "_oauth2_dpop", None)
    if bound is None or getattr(request, "_oauth2_dpop_retried", False):
        return response
    key, access_token = bound
    if not key.should_retry(response):
        return response
    response.content  # noqa: B018  # drain the body so the connection can be reused
    response.close()
    retry = request.copy()
    for name in _CARRIED:
        if hasattr(request, name):
            setattr(retry, name, getattr(request, name))
    retry._oauth2_dpop = bound  # type: ignore[attr-defined]
    retry._oauth2_dpop_retried = True  # type: ignore[attr-defined]
    seek = getattr(retry.body, "seek", None)
    if seek is not None:
        seek(0)  # a file-like body was read by the first attempt
    retry.headers["DPoP"] = key.proof(retry.method or "GET", retry.url or "", access_token)
    new_response: requests.Response = response.connection.send(retry, **kwargs)
    key.learn_nonce(new_response)
    new_response.history.append(response)
    new_response.request = retry
    return new_response
