"""`UserInfo`: the signed-in user, normalised across providers."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import parse_qsl, urlsplit

from .error_codes import InvalidToken
from .errors import OAuth2Error

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
    JSON object, raises ``OAuth2Error("userinfo_failed")``, whose description adds the
    explanation the provider's error body gives, if any
    (:func:`~oauth2_core.provider_helpers.error_message`).  ``kwargs`` go to
    ``session.request`` (``params=``, ``json=``, ...).
    """
    from .auth import is_invalid_token_response  # auth imports the client's modules
    from .provider_helpers import error_message  # it imports the default plugins

    response = session.request(method, url, **kwargs)
    if is_invalid_token_response(response):
        raise InvalidToken(description="the profile endpoint rejected the token",
                           status_code=401, response=response)
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code != 200:
        why = _without_sent_credentials(error_message(data), response.request)
        raise OAuth2Error("userinfo_failed", f"profile endpoint answered HTTP "
                          f"{response.status_code}" + (f": {why}" if why else ""),
                          status_code=response.status_code, response=response)
    if not isinstance(data, dict):
        raise OAuth2Error("userinfo_failed", "profile response is not a JSON object",
                          status_code=response.status_code, response=response)
    return data


def _without_sent_credentials(text: Optional[str],
                              request: Optional[requests.PreparedRequest]) -> Optional[str]:
    """``text`` with the token we sent masked: a provider's error message may echo it."""
    if not text or request is None:
        return text
    sent = [value.split(" ", 1)[-1] for name, value in request.headers.items()
            if isinstance(value, str)
            and (name.lower() == "authorization" or "token" in name.lower())]
    sent += [value for name, value in parse_qsl(urlsplit(request.url or "").query)
             if "token" in name.lower()]  # RFC 6750 section 2.3: ?access_token=...
    for value in sent:
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text
