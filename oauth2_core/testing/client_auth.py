"""Client authentication at the test server (RFC 6749 section 2.3).

``client_secret_basic`` undoes the form-urlencoding RFC 6749 section 2.3.1 applies
before Base64, so a secret like ``a:b%c+d /e`` arrives intact only from a client that
encodes it right.  A client must use the method it registered, and only one.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Optional
from urllib.parse import unquote_plus

from .errors import ProtocolError
from .messages import Request, single

if TYPE_CHECKING:
    from .authority import Authority
    from .models import ServerClient

__all__ = ["authenticate_client"]


def _invalid_client(description: str, realm: str, basic: bool) -> ProtocolError:
    # RFC 6749 5.2: a 401, and a challenge in the scheme the client tried.
    headers = {"WWW-Authenticate": f'Basic realm="{realm}"'} if basic else {}
    return ProtocolError("invalid_client", description, status=401, headers=headers)


def _basic_credentials(header: str, realm: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _invalid_client("malformed Basic credentials", realm, True) from None
    if ":" not in decoded:
        raise _invalid_client("malformed Basic credentials", realm, True)
    client_id, secret = decoded.split(":", 1)
    return unquote_plus(client_id), unquote_plus(secret)


def authenticate_client(authority: Authority, request: Request,
                        form: Mapping[str, list[str]],
                        allow_public: bool = True) -> ServerClient:
    """The client making ``request``, authenticated, or a :class:`ProtocolError`.

    :param allow_public: False where a public client may not call (introspection).
    """
    realm = authority.issuer
    header = request.headers.get("authorization", "")
    basic = header[:6].lower() == "basic "
    body_id, body_secret = single(form, "client_id"), single(form, "client_secret")
    secret: Optional[str] = None
    if basic:
        if body_secret is not None:
            raise ProtocolError("invalid_request", "the client used more than one "
                                "authentication method (RFC 6749 section 2.3)")
        client_id, secret = _basic_credentials(header, realm)
        if body_id is not None and body_id != client_id:
            raise _invalid_client("client_id in the body differs from the Basic "
                                  "credentials", realm, True)
        method = "client_secret_basic"
    elif body_secret is not None:
        client_id, secret, method = body_id or "", body_secret, "client_secret_post"
    elif body_id is not None:
        client_id, method = body_id, "none"
    else:
        raise _invalid_client("client authentication is required", realm, True)
    client = authority.client(client_id)
    if client is None:
        raise _invalid_client("unknown client", realm, basic)
    if client.token_endpoint_auth_method != method:
        raise _invalid_client(f"this client authenticates with "
                              f"{client.token_endpoint_auth_method}, not {method}", realm,
                              basic)
    if not client.is_public:
        expected = (client.client_secret or "").encode("utf-8")
        if not hmac.compare_digest(expected, (secret or "").encode("utf-8")):
            raise _invalid_client("wrong client secret", realm, basic)
    elif not allow_public:
        raise _invalid_client("a public client may not use this endpoint", realm, False)
    return client
