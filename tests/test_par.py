"""RFC 9126: pushed authorization requests."""

from __future__ import annotations

from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

import pytest
from acme import ACME

import oauth2_core
from oauth2_core import ConfigurationError, InvalidRequest, TokenResponseError, hookimpl
from oauth2_core.discovery import clear_discovery_cache

PAR_URL = "https://id.acme.test/par"
PROVIDER = ACME.with_endpoints(name="acme-par", par_url=PAR_URL)
PUSHED = {"status_code": 201, "json": {"request_uri": "urn:ietf:params:oauth:request_uri:r1",
                                       "expires_in": 60}}


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def make(pm: Any, provider: oauth2_core.Provider = PROVIDER,
         **settings: Any) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(provider, client_id="app", client_secret="s3cret",
                              redirect_uri="https://app.test/cb", plugins=pm, **settings)


def test_the_request_is_pushed_and_the_url_names_only_client_and_request_uri(pm,
                                                                            requests_mock):
    endpoint = requests_mock.post(PAR_URL, **PUSHED)

    request = make(pm).begin_authorization(scope=["openid", "email"], par=True,
                                           login_hint="ann")

    assert request.url.startswith(ACME.authorize_url + "?")
    assert query(request.url) == {"client_id": ["app"],
                                  "request_uri": ["urn:ietf:params:oauth:request_uri:r1"]}
    pushed = parse_qs(endpoint.last_request.text)
    assert pushed["state"] == [request.state]
    assert pushed["nonce"] == [request.nonce]
    assert pushed["code_challenge_method"] == ["S256"]
    assert pushed["redirect_uri"] == ["https://app.test/cb"]
    assert pushed["scope"] == ["openid email"]
    assert pushed["login_hint"] == ["ann"]
    assert endpoint.last_request.headers["Authorization"].startswith("Basic ")


def test_plugins_adjust_what_is_pushed(pm, requests_mock) -> None:
    class AddsAccessType:
        @hookimpl
        def oauth2_build_authorize_url(self, params: dict[str, Any]) -> Optional[str]:
            params["access_type"] = "offline"
            return None

    pm.register(AddsAccessType())
    endpoint = requests_mock.post(PAR_URL, **PUSHED)
    request = make(pm).begin_authorization(par=True)
    assert parse_qs(endpoint.last_request.text)["access_type"] == ["offline"]
    assert "access_type" not in query(request.url)


@pytest.mark.parametrize(("provider", "settings"), [
    (PROVIDER.with_endpoints(require_par=True), {}),
    (PROVIDER, {"par": True}),
], ids=["provider-requires-it", "client-setting"])
def test_pushing_can_be_the_default(pm, requests_mock, provider, settings) -> None:
    requests_mock.post(PAR_URL, **PUSHED)
    request = make(pm, provider, **settings).begin_authorization()
    assert set(query(request.url)) == {"client_id", "request_uri"}


def test_par_false_sends_a_plain_request(pm) -> None:
    client = make(pm, PROVIDER.with_endpoints(require_par=True))
    assert "state" in query(client.begin_authorization(par=False).url)


def test_a_public_client_pushes_its_client_id(pm, requests_mock) -> None:
    endpoint = requests_mock.post(PAR_URL, **PUSHED)
    oauth2_core.client(PROVIDER, client_id="spa", plugins=pm).begin_authorization(par=True)
    assert parse_qs(endpoint.last_request.text)["client_id"] == ["spa"]
    assert "Authorization" not in endpoint.last_request.headers


def test_no_par_url_is_a_configuration_error(pm) -> None:
    with pytest.raises(ConfigurationError, match="par_url"):
        make(pm, ACME).begin_authorization(par=True)


def test_a_refused_push_raises_the_servers_error_without_secrets(pm, requests_mock) -> None:
    requests_mock.post(PAR_URL, status_code=400, json={
        "error": "invalid_request", "error_description": "bad s3cret redirect_uri"})
    with pytest.raises(InvalidRequest) as excinfo:
        make(pm).begin_authorization(par=True)
    assert "s3cret" not in str(excinfo.value)


@pytest.mark.parametrize("answer", [
    {"status_code": 201, "json": {"expires_in": 60}},
    {"status_code": 201, "json": {"request_uri": "urn:x", "expires_in": "soon"}},
    {"status_code": 201, "json": {"request_uri": "urn:x", "expires_in": 0}},
    {"status_code": 201, "text": "<html>ok</html>"},
], ids=["no-request-uri", "text-expiry", "zero-expiry", "html"])
def test_a_malformed_answer_is_a_token_response_error(pm, requests_mock, answer) -> None:
    requests_mock.post(PAR_URL, **answer)
    with pytest.raises(TokenResponseError):
        make(pm).begin_authorization(par=True)


def test_a_non_json_failure_names_the_endpoint(pm, requests_mock) -> None:
    requests_mock.post(PAR_URL, status_code=500, text="oops")
    with pytest.raises(oauth2_core.OAuth2Error, match="pushed_authorization_request"):
        make(pm).begin_authorization(par=True)


def test_push_authorization_request_can_be_called_directly(pm, requests_mock) -> None:
    endpoint = requests_mock.post(PAR_URL, **PUSHED)
    pushed = make(pm).push_authorization_request(response_type="code", scope="x")
    assert pushed.request_uri == "urn:ietf:params:oauth:request_uri:r1"
    assert pushed.expires_in == 60
    assert "r1" not in repr(pushed)
    assert parse_qs(endpoint.last_request.text)["scope"] == ["x"]


def test_discovery_fills_par_url_and_require_par(pm, requests_mock) -> None:
    clear_discovery_cache()
    issuer = "https://par.example"
    requests_mock.get(f"{issuer}/.well-known/openid-configuration", json={
        "issuer": issuer, "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token",
        "pushed_authorization_request_endpoint": f"{issuer}/par",
        "require_pushed_authorization_requests": True})
    client = oauth2_core.client("oidc", issuer=issuer, client_id="app", plugins=pm)
    clear_discovery_cache()
    assert client.provider.par_url == f"{issuer}/par"
    assert client.provider.require_par is True


def test_an_http_par_url_is_refused(pm) -> None:
    with pytest.raises(oauth2_core.InsecureTransportError, match="par_url"):
        make(pm, PROVIDER.with_endpoints(par_url="http://id.acme.test/par"))
