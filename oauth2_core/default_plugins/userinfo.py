"""OpenID Connect Core section 5.3: the UserInfo endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import requests

from ..auth import is_invalid_token_response
from ..errors import ConfigurationError, InvalidToken, OAuth2Error
from ..hookspecs import hookimpl
from ..providers import Provider
from ..tokens import Token
from ..userinfo import UserInfo

if TYPE_CHECKING:
    from ..client import OAuth2Client


@hookimpl(trylast=True)
def oauth2_userinfo(provider: Provider, session: requests.Session, token: Token,
                    client: OAuth2Client) -> Optional[UserInfo]:
    if not provider.userinfo_url:
        if token.id_token:  # OpenID Connect without a UserInfo endpoint: the id_token
            return client._userinfo_from_id_token(token)
        raise ConfigurationError(f"provider {provider.name!r} has no userinfo_url")
    response = session.get(provider.userinfo_url)
    if is_invalid_token_response(response):
        raise InvalidToken(description="the userinfo endpoint rejected the token",
                           status_code=401, response=response)
    if response.status_code != 200:
        raise OAuth2Error("userinfo_failed", f"userinfo endpoint answered HTTP "
                          f"{response.status_code}", status_code=response.status_code,
                          response=response)
    try:
        claims = response.json()
    except ValueError:
        claims = None
    if not isinstance(claims, dict):
        raise OAuth2Error("userinfo_failed", "userinfo response is not a JSON object",
                          status_code=response.status_code, response=response)
    # Completed with the id_token's claims, after checking both name the same user.
    return client._merge_id_token_claims(UserInfo.from_claims(claims), token)
