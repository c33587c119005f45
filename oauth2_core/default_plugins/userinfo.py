"""OpenID Connect Core section 5.3: the UserInfo endpoint."""

from __future__ import annotations

from typing import Optional

import requests

from ..errors import ConfigurationError, OAuth2Error
from ..hookspecs import hookimpl
from ..providers import Provider
from ..userinfo import UserInfo


@hookimpl(trylast=True)
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if not provider.userinfo_url:
        raise ConfigurationError(f"provider {provider.name!r} has no userinfo_url")
    response = session.get(provider.userinfo_url)
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
    return UserInfo.from_claims(claims)
