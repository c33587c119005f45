"""`UserInfo`: the signed-in user, normalised across providers."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

from .errors import InvalidToken, OAuth2Error

if TYPE_CHECKING:
    import requests

__all__ = ["UserInfo", "fetch_profile"]


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


def fetch_profile(session: requests.Session, url: str, method: str = "GET",
                  **kwargs: Any) -> dict[str, Any]:
    """Call a profile endpoint with the token-attaching ``session``; return its JSON object.

    For ``oauth2_userinfo`` implementations: a 401 ``invalid_token`` raises
    :class:`~oauth2_core.InvalidToken`; any other non-200 answer, or a body that is not a
    JSON object, raises ``OAuth2Error("userinfo_failed")``.
    """
    from .auth import is_invalid_token_response  # auth imports the client's modules

    response = session.request(method, url, **kwargs)
    if is_invalid_token_response(response):
        raise InvalidToken(description="the profile endpoint rejected the token",
                           status_code=401, response=response)
    if response.status_code != 200:
        raise OAuth2Error("userinfo_failed", f"profile endpoint answered HTTP "
                          f"{response.status_code}", status_code=response.status_code,
                          response=response)
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise OAuth2Error("userinfo_failed", "profile response is not a JSON object",
                          status_code=response.status_code, response=response)
    return data
