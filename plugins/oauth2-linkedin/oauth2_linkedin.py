"""LinkedIn ("Sign In with LinkedIn using OpenID Connect") for oauth2-core.

Pure data.  LinkedIn's habits are all expressible as provider fields:

- the client authenticates in the form body only (``client_secret_post``);
- its id_token never carries a ``nonce``, so none is sent (``send_nonce=False``) and
  there is nothing to compare;
- PKCE is not offered to web apps, so no ``code_challenge`` is sent.

The legacy ``r_liteprofile``/``r_emailaddress`` flow and its ``/v2/me`` profile were
retired on 2023-08-01 and are not supported.
"""

from __future__ import annotations

from typing import Callable

from oauth2_core import PKCE_UNSUPPORTED, Provider, hookimpl

LINKEDIN = Provider(
    name="linkedin",
    title="LinkedIn",
    authorize_url="https://www.linkedin.com/oauth/v2/authorization",
    token_url="https://www.linkedin.com/oauth/v2/accessToken",
    userinfo_url="https://api.linkedin.com/v2/userinfo",
    jwks_url="https://www.linkedin.com/oauth/openid/jwks",
    issuer="https://www.linkedin.com/oauth",
    default_scopes=("openid", "profile", "email"),
    token_endpoint_auth_method="client_secret_post",
    pkce=PKCE_UNSUPPORTED,
    send_nonce=False,
    id_token_nonce=False,
    docs_url="https://www.linkedin.com/developers/apps",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(LINKEDIN)
