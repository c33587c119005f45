"""`Token`: a token response as a ``dict`` with attributes.

It stays a plain ``dict`` so ``token["access_token"]`` works as in requests-oauth2 and
``json.dumps(token)`` stores it; ``expires_at`` is stamped on construction so a stored
token keeps its real expiry when loaded again.
"""

from __future__ import annotations

import math
import re
import time
from typing import Any, Optional

from .errors import TokenResponseError

#: Refresh this long before expiry, at most (see ``auth.LEEWAY_FRACTION``).
DEFAULT_LEEWAY = 60.0

__all__ = ["Token", "parse_scope"]

#: Scope separators seen in the wild (compiled on first use: not at import).
_SCOPE_SPLIT = r"[\s,]+"
_SECRET_KEYS = ("access_token", "refresh_token", "id_token")


def parse_scope(value: Any) -> tuple[str, ...]:
    """Scopes from a ``scope`` value: space- or comma-separated text, or a list."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(s for s in re.split(_SCOPE_SPLIT, value) if s)
    if isinstance(value, (list, tuple)):
        return tuple(s for item in value if item is not None for s in parse_scope(str(item)))
    return parse_scope(str(value))


def _number(name: str, value: Any) -> Optional[float]:
    """A non-negative finite number from an int, float or numeric string."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TokenResponseError(description=f"{name} must be a number, not a boolean")
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise TokenResponseError(description=f"{name} is not numeric") from None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise TokenResponseError(description=f"{name} must be a number")
    if not math.isfinite(number) or number < 0:
        raise TokenResponseError(description=f"{name} must be a finite number >= 0")
    return number


class Token(dict[str, Any]):
    """A token response.  ``Token(mapping)`` sets ``expires_at`` from ``expires_in``.

    ``expires_in`` of 0 or absent means the expiry is unknown: the token is never
    considered expired by time (a 401 still triggers a refresh in a session).

    :raises TokenResponseError: for a negative or non-numeric ``expires_in``/``expires_at``.
    """

    #: How the token was obtained ("client_credentials", ...); not stored in the dict.
    grant_type: Optional[str] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _stamp(self, "expires_in", "expires_at")
        # Some servers say when the refresh token dies too (Keycloak, GitHub, LinkedIn).
        for lifetime in ("refresh_expires_in", "refresh_token_expires_in"):
            if lifetime in self:
                _stamp(self, lifetime, "refresh_expires_at")

    @property
    def access_token(self) -> Optional[str]:
        return self.get("access_token")

    @property
    def refresh_token(self) -> Optional[str]:
        return self.get("refresh_token")

    @property
    def id_token(self) -> Optional[str]:
        return self.get("id_token")

    @property
    def token_type(self) -> str:
        return str(self.get("token_type") or "Bearer")

    @property
    def expires_at(self) -> Optional[float]:
        value = self.get("expires_at")
        return float(value) if value is not None else None

    @property
    def refresh_expires_at(self) -> Optional[float]:
        """When the refresh token expires, if the server said (else None)."""
        value = self.get("refresh_expires_at")
        return float(value) if value is not None else None

    @property
    def lifetime(self) -> Optional[float]:
        """The ``expires_in`` the token was issued with, if known."""
        try:
            return float(self["expires_in"]) or None
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def scopes(self) -> tuple[str, ...]:
        return parse_scope(self.get("scope"))

    def is_expired(self, leeway: float = 0, now: Optional[float] = None) -> bool:
        """Whether the token expires within ``leeway`` seconds (never, if unknown)."""
        expires_at = self.expires_at
        if expires_at is None:
            return False
        return (time.time() if now is None else now) + leeway >= expires_at

    def copy(self) -> Token:
        token = Token(self)
        token.grant_type = self.grant_type
        return token

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.items() if k not in _SECRET_KEYS}
        hidden = ", ".join(f"{k}=***" for k in _SECRET_KEYS if self.get(k))
        return f"Token({hidden}{', ' if hidden and shown else ''}{_safe(shown)})"

    __str__ = __repr__


def _stamp(token: Token, lifetime_key: str, absolute_key: str) -> None:
    """Set ``absolute_key`` = now + ``token[lifetime_key]`` unless already given; a
    lifetime of 0 means unknown/unlimited."""
    lifetime = _number(lifetime_key, token.get(lifetime_key))
    absolute = _number(absolute_key, token.get(absolute_key))
    if absolute is None and lifetime:
        token[absolute_key] = int(time.time() + lifetime)
    elif absolute_key in token and absolute is None:
        del token[absolute_key]


def _safe(values: dict[str, Any]) -> str:
    # Providers nest tokens (Slack's authed_user) or add secrets of their own, so only
    # plain values under harmless keys are shown.
    parts = []
    for key, value in values.items():
        if key != "token_type" and ("token" in key or "secret" in key):
            parts.append(f"{key}=***")
        elif isinstance(value, (dict, list)):
            parts.append(f"{key}=<{type(value).__name__}>")
        else:
            parts.append(f"{key}={value!r}")
    return ", ".join(parts)
