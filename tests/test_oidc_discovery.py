"""Discovery (OpenID Connect Discovery 1.0, RFC 8414): locations, issuer check, cache,
and how the metadata shapes the client."""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from oidc_support import CLIENT_ID, CLIENT_SECRET, ISSUER, FakeIssuer

import oauth2_core
from oauth2_core import (
    PKCE_SUPPORTED,
    PKCE_UNSUPPORTED,
    ConfigurationError,
    DiscoveryError,
    InsecureTransportError,
    Provider,
)
from oauth2_core import discovery as discovery_module
from oauth2_core.discovery import clear_discovery_cache, metadata_urls

WELL_KNOWN = f"{ISSUER}/.well-known/openid-configuration"


def oidc(pm: Any, **settings: Any) -> oauth2_core.OAuth2Client:
    settings.setdefault("issuer", ISSUER)
    settings.setdefault("client_id", CLIENT_ID)
    return oauth2_core.client("oidc", plugins=pm, **settings)


def test_metadata_locations_follow_both_specs() -> None:
    assert metadata_urls("https://id.example") == [
        "https://id.example/.well-known/openid-configuration",
        "https://id.example/.well-known/oauth-authorization-server"]
    assert metadata_urls("https://id.example/tenants/a/") == [
        "https://id.example/tenants/a/.well-known/openid-configuration",
        "https://id.example/.well-known/oauth-authorization-server/tenants/a"]


def test_the_oidc_provider_is_built_in(pm) -> None:
    assert pm.providers()["oidc"].discover is True


def test_a_client_gets_every_endpoint_from_discovery(idp, requests_mock, pm) -> None:
    idp.serve(requests_mock)
    provider = oidc(pm, client_secret=CLIENT_SECRET).provider
    assert provider.issuer == ISSUER
    assert (provider.authorize_url, provider.token_url, provider.revocation_url,
            provider.introspection_url, provider.userinfo_url,
            provider.device_authorization_url, provider.jwks_url,
            provider.end_session_url) == tuple(f"{ISSUER}/{p}" for p in (
                "authorize", "token", "revoke", "introspect", "userinfo", "device", "jwks",
                "logout"))
    assert provider.require_iss is True and provider.pkce == PKCE_SUPPORTED
    assert provider.id_token_signing_algs == ("RS256", "ES256")


def test_metadata_is_fetched_once_per_issuer(idp, requests_mock, pm) -> None:
    served = idp.serve(requests_mock)
    oidc(pm)
    oidc(pm, client_id="another-client")
    assert served["metadata"].call_count == 1


def test_concurrent_clients_share_one_fetch(idp, requests_mock, pm) -> None:
    served = idp.serve(requests_mock)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def build() -> None:
        start.wait()
        try:
            oidc(pm)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=build) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and served["metadata"].call_count == 1


def test_the_cache_expires(idp, requests_mock, pm, monkeypatch) -> None:
    served = idp.serve(requests_mock)
    now = [1000.0]
    monkeypatch.setattr(discovery_module._cache, "clock", lambda: now[0])
    oidc(pm)
    now[0] += discovery_module.DEFAULT_METADATA_TTL - 1
    oidc(pm)
    assert served["metadata"].call_count == 1
    now[0] += 2
    oidc(pm)
    assert served["metadata"].call_count == 2


def test_a_failed_discovery_is_not_cached(idp, requests_mock, pm) -> None:
    requests_mock.get(WELL_KNOWN, status_code=503)
    requests_mock.get(f"{ISSUER}/.well-known/oauth-authorization-server", status_code=404)
    with pytest.raises(DiscoveryError, match=r"HTTP 503.*HTTP 404"):
        oidc(pm)
    idp.serve(requests_mock)
    assert oidc(pm).provider.token_url == f"{ISSUER}/token"


def test_the_issuer_must_match_exactly(idp, requests_mock, pm) -> None:
    idp.serve(requests_mock, issuer="https://evil.example")
    with pytest.raises(DiscoveryError, match=re.escape(
                       "is for issuer 'https://evil.example', not 'https://id.example'")) as info:
        oidc(pm)
    assert isinstance(info.value, oauth2_core.OAuth2Error)
    assert info.value.error == "discovery_failed"


def test_a_trailing_slash_is_part_of_the_issuer(requests_mock, pm) -> None:
    slashed = FakeIssuer(issuer=ISSUER + "/")
    slashed.serve(requests_mock)
    assert oidc(pm, issuer=ISSUER + "/").provider.issuer == ISSUER + "/"
    clear_discovery_cache()
    with pytest.raises(DiscoveryError, match="trailing slash"):
        oidc(pm, issuer=ISSUER)  # same document, but the issuer asked for differs


def test_an_issuer_mismatch_is_not_papered_over_by_the_fallback(idp, requests_mock,
                                                                pm) -> None:
    idp.serve(requests_mock, issuer="https://evil.example")
    fallback = requests_mock.get(f"{ISSUER}/.well-known/oauth-authorization-server",
                                 json=idp.metadata())
    with pytest.raises(DiscoveryError):
        oidc(pm)
    assert fallback.call_count == 0


@pytest.mark.parametrize("answer", [{"text": "<html>login</html>"}, {"json": ["a", "list"]}])
def test_non_json_metadata_is_a_discovery_error(requests_mock, pm, answer) -> None:
    requests_mock.get(WELL_KNOWN, **answer)
    requests_mock.get(f"{ISSUER}/.well-known/oauth-authorization-server", status_code=404)
    with pytest.raises(DiscoveryError, match="not a JSON object"):
        oidc(pm)


def test_rfc8414_metadata_is_found_by_path_insertion(requests_mock, pm) -> None:
    issuer = "https://as.example/tenant1"
    server = FakeIssuer(issuer=issuer)
    requests_mock.get(f"{issuer}/.well-known/openid-configuration", status_code=404)
    requests_mock.get("https://as.example/.well-known/oauth-authorization-server/tenant1",
                      json=server.metadata())
    assert oidc(pm, issuer=issuer).provider.token_url == f"{issuer}/token"


def test_discovery_needs_an_issuer(pm, monkeypatch, idp, requests_mock) -> None:
    with pytest.raises(ConfigurationError, match=r"issuer='https://\.\.\.'.*OAUTH2_OIDC_ISSUER"):
        oauth2_core.client("oidc", client_id=CLIENT_ID, plugins=pm)
    idp.serve(requests_mock)
    monkeypatch.setenv("OAUTH2_OIDC_ISSUER", ISSUER)
    assert oauth2_core.client("oidc", plugins=pm).provider.issuer == ISSUER


def test_a_plain_http_issuer_is_refused(pm) -> None:
    with pytest.raises(InsecureTransportError):
        oidc(pm, issuer="http://id.example")


def test_discovered_endpoints_are_checked_for_https(idp, requests_mock, pm) -> None:
    idp.serve(requests_mock, token_endpoint="http://id.example/token")
    with pytest.raises(InsecureTransportError, match="token_url"):
        oidc(pm)


# How metadata shapes the client -----------------------------------------------------------
@pytest.mark.parametrize(("supported", "secret", "expected"), [
    (["client_secret_basic", "client_secret_post"], CLIENT_SECRET, "client_secret_basic"),
    (["client_secret_post", "none"], CLIENT_SECRET, "client_secret_post"),
    (None, CLIENT_SECRET, "client_secret_basic"),
    (["private_key_jwt"], CLIENT_SECRET, "private_key_jwt"),
    (["client_secret_basic", "none"], None, "none"),
    (["private_key_jwt", "none"], None, "none"),
])
def test_the_auth_method_follows_the_metadata(idp, requests_mock, pm, supported, secret,
                                              expected) -> None:
    idp.serve(requests_mock, token_endpoint_auth_methods_supported=supported)
    assert oidc(pm, client_secret=secret).token_endpoint_auth_method == expected


def test_the_users_auth_method_wins(idp, requests_mock, pm) -> None:
    idp.serve(requests_mock)
    client = oidc(pm, client_secret=CLIENT_SECRET,
                  token_endpoint_auth_method="client_secret_post")
    assert client.token_endpoint_auth_method == "client_secret_post"


def test_pkce_is_dropped_only_when_the_server_lists_methods_without_s256(idp, requests_mock,
                                                                          pm) -> None:
    idp.serve(requests_mock, code_challenge_methods_supported=["plain"])
    client = oidc(pm)
    assert client.provider.pkce == PKCE_UNSUPPORTED
    assert "code_challenge" not in parse_qs(urlsplit(client.begin_authorization().url).query)
    clear_discovery_cache()
    idp.serve(requests_mock, code_challenge_methods_supported=None)
    assert oidc(pm).provider.pkce == PKCE_SUPPORTED


def test_iss_is_required_only_when_advertised(idp, requests_mock, pm) -> None:
    idp.serve(requests_mock, authorization_response_iss_parameter_supported=None)
    assert oidc(pm).provider.require_iss is False


def test_any_provider_with_an_issuer_can_be_discovered(idp, requests_mock, pm) -> None:
    served = idp.serve(requests_mock)
    pinned = Provider(name="kc", issuer=ISSUER, token_url=f"{ISSUER}/custom-token")
    plain = oauth2_core.client(pinned, client_id=CLIENT_ID, plugins=pm)
    assert plain.provider.authorize_url is None and served["metadata"].call_count == 0

    discovered = oauth2_core.client(pinned, client_id=CLIENT_ID, plugins=pm, discover=True)
    assert discovered.provider.authorize_url == f"{ISSUER}/authorize"
    assert discovered.provider.token_url == f"{ISSUER}/custom-token"  # its own value wins
    by_field = oauth2_core.client(pinned.with_endpoints(discover=True), client_id=CLIENT_ID,
                                  plugins=pm)
    assert by_field.provider.userinfo_url == f"{ISSUER}/userinfo"


def test_discovery_can_be_switched_off_for_the_oidc_provider(pm) -> None:
    client = oauth2_core.client("oidc", client_id=CLIENT_ID, plugins=pm, discover=False)
    assert client.provider.token_url is None
