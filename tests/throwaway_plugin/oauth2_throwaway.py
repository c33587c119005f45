"""A provider plugin installed for real by the "install" tox environment."""

from __future__ import annotations

from typing import Callable, Optional

import requests

from oauth2_core import Provider, Token, hookimpl

THROWAWAY = Provider(name="throwaway", authorize_url="https://throwaway.test/authorize",
                     token_url="https://throwaway.test/token")

#: Under a second entry point whose name is not this package's ("oauth2-castaway").
CASTAWAY = Provider(name="castaway", token_url="https://castaway.test/token")


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(THROWAWAY)
    register(CASTAWAY)


@hookimpl
def oauth2_attach_credentials(provider: Provider, request: requests.PreparedRequest,
                              token: Token) -> Optional[object]:
    if provider.name != "throwaway":
        return None
    request.headers["X-Throwaway-Token"] = token["access_token"]
    return True
