"""requests-oauth2's README runs with only the package name changed."""

from __future__ import annotations

from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from seed_readme import SEED_README

import oauth2_core
from oauth2_core import Provider, hookimpl, services
from oauth2_core import plugins as plugins_module


class GoogleLike:
    """Stands in for the oauth2-google plugin (whose own tests run this with the real one)."""

    @hookimpl
    def oauth2_register_providers(self, register: Callable[[Provider], None]) -> None:
        register(Provider(name="google", authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
                          token_url="https://oauth2.googleapis.com/token",
                          token_endpoint_auth_method="client_secret_post"))


@pytest.fixture
def global_pm(monkeypatch) -> plugins_module.PluginManager:
    pm = oauth2_core.make_plugin_manager()
    pm.register(GoogleLike())
    monkeypatch.setattr(plugins_module, "_global_pm", pm)
    monkeypatch.setattr(services, "_classes", {})
    return pm


def test_the_seed_readme_runs_with_only_the_package_renamed(global_pm, requests_mock) -> None:
    import requests

    token = requests_mock.post("https://oauth2.googleapis.com/token",
                               json={"access_token": "ya29.seed", "token_type": "Bearer",
                                     "expires_in": 3599})
    requests_mock.get("https://www.googleapis.com/plus/v1/people/me", json={"id": "me"})
    requests_mock.get("https://graph.facebook.com/me", json={"id": "fb"})
    web_session: dict[str, str] = {}
    namespace = {
        "requests": requests,
        "get_request_parameter": lambda name: {"code": "4/seed-code"}[name],
        "session": web_session,
        "access_token": "ya29.seed",
        "response": {"access_token": "fb-token"},
    }
    exec(SEED_README, namespace)  # noqa: S102 - running the documented snippet is the test

    url = urlsplit(namespace["authorization_url"])
    assert url.netloc == "accounts.google.com"
    assert parse_qs(url.query) == {
        "scope": ["email"], "response_type": ["code"], "client_id": ["your-google-client-id"],
        "redirect_uri": ["http://localhost:5000/google/oauth2callback"]}
    assert parse_qs(token.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["4/seed-code"],
        "redirect_uri": ["http://localhost:5000/google/oauth2callback"],
        "client_id": ["your-google-client-id"], "client_secret": ["super-secret"]}
    assert web_session == {"access_token": "ya29.seed"}
    people, graph = requests_mock.request_history[1:]
    assert people.headers["Authorization"] == "Bearer ya29.seed"
    assert parse_qs(urlsplit(graph.url).query) == {"access_token": ["fb-token"]}
    assert namespace["data"] == {"id": "fb"}


def test_service_classes_are_client_subclasses_matched_case_insensitively(global_pm) -> None:
    from oauth2_core.services import GoogleClient

    assert issubclass(GoogleClient, oauth2_core.OAuth2Client)
    assert services.GOOGLEClient(client_id="i").provider.name == "google"


def test_an_unknown_service_names_the_package_to_install(global_pm) -> None:
    with pytest.raises(oauth2_core.ProviderNotFound, match="pip install oauth2-nosuch"):
        services.NosuchClient  # noqa: B018
    with pytest.raises(AttributeError):
        services.not_a_client  # noqa: B018
