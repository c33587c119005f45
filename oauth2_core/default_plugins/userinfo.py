"""OpenID Connect Core section 5.3: the UserInfo endpoint."""

from __future__ import annotations

from typing import Optional

import requests

from ..errors import ConfigurationError
from ..hookspecs import hookimpl
from ..providers import Provider
from ..userinfo import UserInfo, fetch_profile


@hookimpl(trylast=True)
def oauth2_userinfo(provider: Provider, session: requests.Session) -> Optional[UserInfo]:
    if not provider.userinfo_url:
        raise ConfigurationError(f"provider {provider.name!r} has no userinfo_url")
    return UserInfo.from_claims(fetch_profile(session, provider.userinfo_url))
