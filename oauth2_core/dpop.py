"""DPoP (RFC 9449): access tokens bound to a key the client holds.

``oauth2_core.client(..., dpop=True)`` gives the client a fresh ES256 key (or
``dpop=<key>`` uses yours, so tokens stay usable across restarts).  Every token request
then carries a proof (``htm``, ``htu``, ``iat``, ``jti``), the server binds the tokens
to the key, and each API call with a ``DPoP`` token sends ``Authorization: DPoP <token>``
with a proof that also hashes the token (``ath``).  A server may demand a nonce of its
choosing: it answers ``use_dpop_nonce`` with a ``DPoP-Nonce`` header, and the request is
sent once more with a proof that carries it.  Nonces are remembered per origin.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from typing import Optional
from urllib.parse import urlsplit, urlunsplit

import requests

from .errors import ConfigurationError
from .jws import SigningKey, SigningKeyLike, b64url_sha256, generate_signing_key, load_signing_key

__all__ = ["DPOP_TOKEN_TYPE", "DPoPKey", "is_nonce_challenge"]

DPOP_TOKEN_TYPE = "DPoP"
DEFAULT_DPOP_ALG = "ES256"
#: Token-type endpoints whose requests carry a proof (RFC 9449 sections 5 and 10.1).
PROOF_ENDPOINTS = frozenset({"token", "par"})
# RFC 9449 section 8.1: nonce = 1*NQCHAR, which rules out quotes, backslash and spaces.
_NONCE = re.compile(r"^[\x21\x23-\x5b\x5d-\x7e]{1,1024}$")
_USE_NONCE = re.compile(r'\berror\s*=\s*"?use_dpop_nonce"?', re.I)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}"


def target_uri(url: str) -> str:
    """The ``htu`` of a proof: the URL without query and fragment (section 4.2)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def is_nonce_challenge(response: requests.Response) -> bool:
    """Whether ``response`` refuses a proof for want of the server's nonce: HTTP 400
    ``{"error": "use_dpop_nonce"}`` from an authorization server (section 8), or 401
    with ``WWW-Authenticate: DPoP error="use_dpop_nonce"`` from a resource server
    (section 9)."""
    if response.status_code == 401:
        challenge = response.headers.get("WWW-Authenticate", "")
        return "dpop" in challenge.lower() and bool(_USE_NONCE.search(challenge))
    if response.status_code == 400:
        try:
            body = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            return False
        return isinstance(body, dict) and body.get("error") == "use_dpop_nonce"
    return False


class DPoPKey:
    """A client's DPoP key pair and the nonces servers gave it, per origin.

    :param key: a private key (JWK, PEM or ``cryptography`` object, see
        :func:`~oauth2_core.jws.load_signing_key`); None for a fresh one.
    :param alg: the proof algorithm (default: the key's own; ES256 for a fresh key).
    """

    def __init__(self, key: Optional[SigningKeyLike] = None, alg: Optional[str] = None) -> None:
        if key is None:
            self.signing_key: SigningKey = generate_signing_key(alg or DEFAULT_DPOP_ALG)
        else:
            self.signing_key = load_signing_key(key, alg=alg, what="dpop key")
        if self.signing_key.is_symmetric:
            raise ConfigurationError("a DPoP key must be an asymmetric private key")
        self._public_jwk = self.signing_key.public_jwk()
        self._nonces: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DPoPKey(alg={self.signing_key.alg!r}, jkt={self.jkt!r})"

    @property
    def jkt(self) -> str:
        """The key's thumbprint, which the server records in bound tokens (``cnf.jkt``)."""
        return self.signing_key.thumbprint()

    def proof(self, method: str, url: str, access_token: Optional[str] = None) -> str:
        """A fresh proof JWT for one request; with ``access_token`` it carries ``ath``
        (for resource requests), and the origin's nonce when the server gave one."""
        claims: dict[str, object] = {
            "jti": secrets.token_urlsafe(16),
            "htm": method.upper(),
            "htu": target_uri(url),
            "iat": int(time.time()),
        }
        nonce = self.nonce_for(url)
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = b64url_sha256(access_token)
        headers = {"typ": "dpop+jwt", "jwk": self._public_jwk}
        return self.signing_key.sign(claims, headers=headers, feature="DPoP")

    def nonce_for(self, url: str) -> Optional[str]:
        with self._lock:
            return self._nonces.get(_origin(url))

    def learn_nonce(self, response: requests.Response) -> Optional[str]:
        """Remember the ``DPoP-Nonce`` a response carries (any response may rotate it,
        section 8.2) for the origin it came from; return it."""
        nonce = response.headers.get("DPoP-Nonce")
        if not nonce or not _NONCE.match(nonce):
            return None
        with self._lock:
            self._nonces[_origin(response.url or "")] = nonce
        return nonce

    def should_retry(self, response: requests.Response) -> bool:
        """Learn the nonce of ``response``; True when it is a nonce challenge that came
        with a new nonce, so the request is worth sending again with a new proof."""
        sent = self.nonce_for(response.url or "")
        nonce = self.learn_nonce(response)
        return is_nonce_challenge(response) and nonce is not None and nonce != sent
