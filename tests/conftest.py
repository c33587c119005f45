"""Shared fixtures for the core's tests: a fresh plugin manager, an 'acme' provider,
process-wide caches emptied around each test, and a fake OpenID issuer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from acme import ACME

import oauth2_core
from oauth2_core.discovery import clear_discovery_cache
from oauth2_core.jwks import clear_jwks_cache
from oauth2_core.plugins import PluginManager

if TYPE_CHECKING:
    from oidc_support import FakeIssuer


@pytest.fixture
def pm() -> PluginManager:
    return oauth2_core.make_plugin_manager()


@pytest.fixture
def acme(pm: PluginManager) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(ACME, client_id="acme-id", client_secret="acme-secret",
                              redirect_uri="https://app.test/cb", plugins=pm)


@pytest.fixture(autouse=True)
def _no_provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OAUTH2_INSECURE_TRANSPORT", "OAUTH2_CORE_LOAD_PLUGINS",
                 "OAUTH2_CORE_DISABLE_PLUGINS", "OAUTH2_ACME_CLIENT_ID",
                 "OAUTH2_ACME_CLIENT_SECRET", "OAUTH2_ACME_REDIRECT_URI"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    # Discovery documents and JWKS are cached per process: no test may see another's.
    clear_discovery_cache()
    clear_jwks_cache()
    yield
    clear_discovery_cache()
    clear_jwks_cache()


@pytest.fixture
def idp() -> FakeIssuer:
    from oidc_support import FakeIssuer  # needs the jwt extra, which not every env has

    return FakeIssuer()


@pytest.fixture
def served(idp: FakeIssuer, requests_mock: Any) -> dict[str, Any]:
    """The fake issuer's discovery document, JWKS and endpoints on requests-mock."""
    return idp.serve(requests_mock)
