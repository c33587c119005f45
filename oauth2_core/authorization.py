"""The authorization-code redirect: PKCE, state, nonce, and checking the callback."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any, Optional, Union
from urllib.parse import parse_qsl, urlsplit

from .compare import equal
from .error_codes import raise_for_error_fields
from .errors import CallbackError, IssuerMismatch, StateMismatch

__all__ = ["AuthorizationRequest", "code_challenge", "make_code_verifier", "parse_callback"]

Callback = Union[str, Mapping[str, Any]]


def make_code_verifier() -> str:
    """A PKCE code verifier: 86 characters from 64 random bytes (RFC 7636 section 4.1)."""
    return secrets.token_urlsafe(64)


def code_challenge(verifier: str) -> str:
    """The S256 challenge: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclasses.dataclass(frozen=True)
class AuthorizationRequest:
    """Everything needed to finish an authorization started with ``begin_authorization``.

    Keep it server-side (or in a signed session) between the redirect and the callback:
    ``to_dict()`` gives a JSON-safe dict and ``from_dict()`` reads it back.
    """

    url: str
    state: str
    redirect_uri: Optional[str] = None
    code_verifier: Optional[str] = None
    nonce: Optional[str] = None
    scope: tuple[str, ...] = ()
    provider: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["scope"] = list(self.scope)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuthorizationRequest:
        names = {f.name for f in dataclasses.fields(cls)}
        if "url" not in data or "state" not in data:
            raise CallbackError(description="stored authorization request lacks url or state")
        values = {k: v for k, v in data.items() if k in names}
        values["scope"] = tuple(values.get("scope") or ())
        return cls(**values)

    def __repr__(self) -> str:
        return (f"AuthorizationRequest(provider={self.provider!r}, scope={list(self.scope)!r}, "
                f"redirect_uri={self.redirect_uri!r}, pkce={self.code_verifier is not None}, "
                f"nonce={self.nonce is not None})")


def parse_callback(callback: Callback) -> dict[str, str]:
    """The parameters of a callback: a full URL (query, or fragment if no query) or the
    parameters themselves (``request.args``, or ``request.form`` for ``form_post``)."""
    if isinstance(callback, str):
        parts = urlsplit(callback)
        query = parts.query or parts.fragment
        if not query and "=" in callback and "://" not in callback:
            query = callback.lstrip("?")
        return dict(parse_qsl(query, keep_blank_values=True))
    if isinstance(callback, Mapping):
        return {str(k): _single(v) for k, v in callback.items()}
    raise CallbackError(description=f"cannot read a callback from {type(callback).__name__}")


def _single(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise CallbackError(description="a callback parameter was repeated")
        value = value[0]
    return str(value)


def check_callback(
    params: Mapping[str, str],
    request: AuthorizationRequest,
    issuer: Optional[str],
    require_iss: bool,
) -> str:
    """Check state, ``iss`` (RFC 9207) and ``error``; return the authorization code."""
    if not equal(params.get("state"), request.state):
        carried = f" (it carried error={params['error']!r})" if params.get("error") else ""
        raise StateMismatch(description="the callback's state is missing or does not match "
                            f"the authorization request{carried}")
    iss = params.get("iss")
    if iss is not None and issuer is not None and not equal(iss, issuer):
        raise IssuerMismatch(description=f"the callback came from issuer {iss!r}, "
                             f"expected {issuer!r} (possible mix-up attack)")
    if iss is None and require_iss:
        raise IssuerMismatch(description="the callback lacks the iss parameter this "
                             "provider always sends (RFC 9207)")
    raise_for_error_fields(params)
    code = params.get("code")
    if not code:
        raise CallbackError(description="the callback has neither code nor error")
    return code
