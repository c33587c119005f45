"""The 'acme' provider the core's tests use, and token-endpoint answers."""

from __future__ import annotations

from oauth2_core import Provider

ACME = Provider(
    name="acme",
    authorize_url="https://id.acme.test/authorize",
    token_url="https://id.acme.test/token",
    revocation_url="https://id.acme.test/revoke",
    introspection_url="https://id.acme.test/introspect",
    userinfo_url="https://id.acme.test/userinfo",
    issuer="https://id.acme.test",
)
TOKEN_URL = ACME.token_url


def bearer(access_token: str = "at-1", **extra: object) -> dict[str, object]:
    """A token endpoint's JSON answer."""
    body: dict[str, object] = {"access_token": access_token, "token_type": "Bearer",
                               "expires_in": 3600}
    body.update(extra)
    return body
