"""Google (OpenID Connect) for oauth2-core.

Pure data: Google follows the RFCs and OpenID Connect, so only the endpoints, the
defaults and the issuer its id_tokens may carry differ from the core's behaviour.
"""

from __future__ import annotations

from typing import Callable

from oauth2_core import Provider, hookimpl

GOOGLE = Provider(
    name="google",
    title="Google",
    authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
    token_url="https://oauth2.googleapis.com/token",
    revocation_url="https://oauth2.googleapis.com/revoke",
    userinfo_url="https://openidconnect.googleapis.com/v1/userinfo",
    jwks_url="https://www.googleapis.com/oauth2/v3/certs",
    device_authorization_url="https://oauth2.googleapis.com/device/code",
    issuer="https://accounts.google.com",
    # Google documents both values for an id_token's iss (developers.google.com/identity/
    # openid-connect/openid-connect, "Validating an ID token").
    id_token_issuer_aliases=("accounts.google.com",),
    default_scopes=("openid", "email", "profile"),
    token_endpoint_auth_method="client_secret_post",
    docs_url="https://console.cloud.google.com/apis/credentials",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(GOOGLE)
