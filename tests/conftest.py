"""Shared fixtures for the core's tests: a fresh plugin manager and an 'acme' provider."""

from __future__ import annotations

import pytest
from acme import ACME

import oauth2_core
from oauth2_core.plugins import PluginManager


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
