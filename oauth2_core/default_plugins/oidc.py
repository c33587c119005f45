"""The built-in "oidc" provider: any OpenID Connect provider, found by discovery.

``oauth2_core.client("oidc", issuer="https://id.example", client_id=...)`` fills every
endpoint, the PKCE and ``iss`` policy and the client authentication method from the
issuer's metadata (see :mod:`oauth2_core.discovery`).
"""

from __future__ import annotations

from typing import Callable

from ..hookspecs import hookimpl
from ..providers import Provider

OIDC = Provider(
    name="oidc",
    title="OpenID Connect (discovered)",
    default_scopes=("openid",),
    discover=True,
    docs_url="https://openid.net/specs/openid-connect-discovery-1_0.html",
)


@hookimpl(trylast=True)
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(OIDC)
