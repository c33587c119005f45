"""OpenID Connect Core section 5.3: the UserInfo endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import requests

from ..errors import ConfigurationError
from ..hookspecs import hookimpl
from ..providers import Provider
from ..tokens import Token

if TYPE_CHECKING:
    from ..client import OAuth2Client
    from ..userinfo import UserInfo


@hookimpl(trylast=True)
def oauth2_userinfo(provider: Provider, session: requests.Session, token: Token,
                    client: OAuth2Client) -> Optional[UserInfo]:
    if not provider.userinfo_url:
        if token.id_token:  # OpenID Connect without a UserInfo endpoint: the id_token
            return client.userinfo_from_id_token(token)
        raise ConfigurationError(f"provider {provider.name!r} has no userinfo_url")
    from ..userinfo import UserInfo, fetch_profile

    info = UserInfo.from_claims(fetch_profile(session, provider.userinfo_url))
    # Completed with the id_token's claims, once both are known to name the same user.
    return client.merge_id_token_claims(info, token)
