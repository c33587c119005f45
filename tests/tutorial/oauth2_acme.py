"""Acme for oauth2-core: endpoints as data, and one quirk as a hook."""

from __future__ import annotations

from typing import Callable, Optional

import requests

from oauth2_core import Provider, Token, UserInfo, hookimpl

ACME = Provider(
    name="acme",
    title="Acme ID",
    authorize_url="https://id.acme.example/oauth/authorize",
    token_url="https://id.acme.example/oauth/token",
    default_scopes=("profile",),
    scope_separator=",",
    token_endpoint_auth_method="client_secret_post",
    api_headers={"Acme-Version": "2024-01"},
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(ACME)


@hookimpl
def oauth2_userinfo(provider: Provider, session: requests.Session,
                    token: Token) -> Optional[UserInfo]:
    if provider.name != "acme":
        return None  # a provider plugin acts only for its own providers
    # Acme wraps its profile in "data" and may hide the email.
    data = session.get("https://api.acme.example/v2/me").json()["data"]
    return UserInfo(id=str(data["id"]), email=data.get("email"), name=data.get("name"),
                    username=data.get("handle"), raw=data)
