"""GitLab (gitlab.com or a self-managed instance; OpenID Connect) for oauth2-core.

Pure data.  ``base`` is the instance's URL (``https://gitlab.com`` by default; a
self-managed one may live under a path).

GitLab's token endpoint is Doorkeeper's: besides ``expires_in`` it sends ``created_at``,
the Unix time the token was first issued.  The expiry is still counted from the answer,
never from ``created_at``: Doorkeeper may hand out an existing token again, and then its
``expires_in`` is the time that token has left, not its full lifetime (doorkeeper-gem
PRs 228 and 778).  ``created_at`` is kept in the Token as sent.
"""

from __future__ import annotations

from typing import Callable

from oauth2_core import Provider, hookimpl

GITLAB = Provider(
    name="gitlab",
    title="GitLab",
    authorize_url="{base}/oauth/authorize",
    token_url="{base}/oauth/token",
    revocation_url="{base}/oauth/revoke",
    userinfo_url="{base}/oauth/userinfo",
    jwks_url="{base}/oauth/discovery/keys",
    issuer="{base}",
    default_scopes=("openid", "profile", "email"),
    token_endpoint_auth_method="client_secret_post",
    template_defaults={"base": "https://gitlab.com"},
    template_patterns={
        "base": r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~-]+)*/?",
    },
    docs_url="https://gitlab.com/-/user_settings/applications",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(GITLAB)

