"""`UserInfo`: the signed-in user, normalised across providers."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Optional

__all__ = ["UserInfo"]


@dataclasses.dataclass(frozen=True)
class UserInfo:
    """Who signed in.  ``raw`` keeps everything the provider returned.

    ``id`` is the provider's stable subject identifier (always a string); ``email`` is
    None when the provider hides it, and ``email_verified`` is None when it does not say.
    """

    id: str
    email: Optional[str] = None
    email_verified: Optional[bool] = None
    name: Optional[str] = None
    username: Optional[str] = None
    picture: Optional[str] = None
    raw: Mapping[str, Any] = dataclasses.field(default_factory=dict, repr=False)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> UserInfo:
        """From OpenID Connect standard claims (``sub``, ``email``, ``name``, ...)."""
        verified = claims.get("email_verified")
        if isinstance(verified, str):  # some providers send "true"/"false"
            verified = verified.lower() == "true"
        name = claims.get("name") or " ".join(
            str(p) for p in (claims.get("given_name"), claims.get("family_name")) if p
        )
        return cls(
            id=str(claims.get("sub") or claims.get("id") or ""),
            email=claims.get("email") or None,
            email_verified=verified if isinstance(verified, bool) else None,
            name=name or None,
            username=claims.get("preferred_username") or claims.get("nickname") or None,
            picture=claims.get("picture") or None,
            raw=dict(claims),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (for a web session)."""
        return dataclasses.asdict(self)
