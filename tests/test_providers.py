"""Provider: validated data, URL templates, environment settings."""

from __future__ import annotations

import pytest

import oauth2_core
from oauth2_core import ConfigurationError, InsecureTransportError, Provider

MS = Provider(
    name="ms",
    authorize_url="https://login.example/{tenant}/oauth2/v2.0/authorize",
    token_url="https://login.example/{tenant}/oauth2/v2.0/token",
    issuer="https://login.example/{tenant}/v2.0",
    template_defaults={"tenant": "common"},
    template_patterns={"tenant": r"[A-Za-z0-9.-]+"},
)


def test_templates_are_filled_from_settings(pm) -> None:
    client = oauth2_core.client(MS, client_id="i", tenant="contoso.example", plugins=pm)
    assert client.provider.token_url == "https://login.example/contoso.example/oauth2/v2.0/token"
    assert client.provider.issuer == "https://login.example/contoso.example/v2.0"
    assert client.settings == {"tenant": "contoso.example"}


def test_template_defaults_apply_when_the_setting_is_absent(pm) -> None:
    client = oauth2_core.client(MS, client_id="i", plugins=pm)
    assert client.provider.authorize_url == (
        "https://login.example/common/oauth2/v2.0/authorize"
    )


def test_a_missing_template_value_is_named() -> None:
    provider = Provider(name="okta-like", token_url="https://{domain}/oauth2/v1/token")
    with pytest.raises(ConfigurationError, match=r"needs the setting 'domain'.*domain=\.\.\."):
        provider.resolve({})


@pytest.mark.parametrize("value", ["evil.example/x?", "a b", "x#y", "user@evil", "a\\b"])
def test_template_values_cannot_break_out_of_the_url(value: str) -> None:
    provider = Provider(name="t", token_url="https://{domain}/token")
    with pytest.raises(ConfigurationError):
        provider.resolve({"domain": value})


def test_template_patterns_are_enforced() -> None:
    with pytest.raises(ConfigurationError, match="does not match"):
        MS.resolve({"tenant": "bad/tenant"})


def test_a_base_url_setting_loses_its_trailing_slash() -> None:
    provider = Provider(name="gl", token_url="{base}/oauth/token")
    assert provider.resolve({"base": "https://git.example/"}).token_url == (
        "https://git.example/oauth/token"
    )


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Has Spaces"), ("name", "acme\n"), ("name", ""), ("name", "-acme"),
    ("name", "acmé"), ("pkce", "maybe"), ("token_delivery", "carrier-pigeon"),
    ("token_endpoint_auth_method", "client_secret_carrier"),
])
def test_invalid_provider_data_is_refused(field: str, value: str) -> None:
    kwargs = {"name": "ok", field: value}
    with pytest.raises(ConfigurationError):
        Provider(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("field", "given", "kept"), [
    ("default_scopes", "openid email", ("openid", "email")),
    ("token_types", "Bearer", ("bearer",)),
    ("id_token_signing_algs", "RS256", ("RS256",)),
    ("id_token_issuer_aliases", "accounts.google.com", ("accounts.google.com",)),
])
def test_a_lone_string_in_a_names_field_is_split_on_spaces_not_into_letters(
        field: str, given: str, kept: tuple[str, ...]) -> None:
    provider = Provider(name="p", **{field: given})
    assert getattr(provider, field) == kept
    assert getattr(provider.with_endpoints(), field) == kept


@pytest.mark.parametrize("field", ["default_scopes", "token_types", "id_token_signing_algs",
                                   "id_token_issuer_aliases"])
@pytest.mark.parametrize("value", [("openid", ""), ("openid", None), [b"openid"]])
def test_a_names_field_holds_only_non_empty_strings(field: str, value: object) -> None:
    with pytest.raises(ConfigurationError, match=f"provider 'p': {field} must be"):
        Provider(name="p", **{field: value})


def test_provider_is_frozen_and_its_mappings_read_only() -> None:
    provider = Provider(name="p", extra_authorize_params={"a": "1"})
    with pytest.raises(AttributeError):
        provider.name = "q"  # type: ignore[misc]
    with pytest.raises(TypeError):
        provider.extra_authorize_params["b"] = "2"  # type: ignore[index]


def test_with_endpoints_copies_and_refuses_unknown_fields() -> None:
    provider = Provider(name="p", token_url="https://id.example/token", default_scopes=["a"])
    changed = provider.with_endpoints(userinfo_url="https://id.example/me")
    assert changed.userinfo_url == "https://id.example/me"
    assert changed.token_url == provider.token_url and provider.userinfo_url is None
    assert changed.default_scopes == ("a",)
    with pytest.raises(TypeError, match="no field token_uri"):
        provider.with_endpoints(token_uri="https://id.example/typo")


def test_providers_compare_by_value_and_hash_by_name() -> None:
    a = Provider(name="p", token_url="https://id.example/token", api_headers={"X": "1"})
    b = Provider(name="p", token_url="https://id.example/token", api_headers={"X": "1"})
    c = a.with_endpoints(token_url="https://id.example/other")
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert a != c and a != "p"


def test_fields_after_the_name_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        Provider("p", "P")  # type: ignore[misc]


def test_repr_names_only_what_differs_from_the_defaults() -> None:
    provider = Provider(name="p", token_url="https://id.example/token", require_iss=True)
    assert repr(provider) == ("Provider(name='p', token_url='https://id.example/token', "
                              "require_iss=True)")


def test_provider_survives_copy_and_pickle() -> None:
    import copy
    import pickle

    assert copy.copy(MS) is MS and copy.deepcopy({"p": MS})["p"] is MS
    restored = pickle.loads(pickle.dumps(MS))  # noqa: S301 - our own bytes
    assert restored == MS and restored.template_defaults["tenant"] == "common"


def test_defaults_title_and_env_prefix() -> None:
    provider = Provider(name="my-idp")
    assert provider.title == "My Idp"
    assert provider.env_prefix == "OAUTH2_MY_IDP_"


def test_missing_settings_come_from_the_environment(pm, monkeypatch) -> None:
    monkeypatch.setenv("OAUTH2_MS_CLIENT_ID", "env-id")
    monkeypatch.setenv("OAUTH2_MS_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("OAUTH2_MS_REDIRECT_URI", "https://app.test/env-cb")
    client = oauth2_core.client(MS, plugins=pm)
    assert (client.client_id, client.client_secret, client.redirect_uri) == (
        "env-id", "env-secret", "https://app.test/env-cb")
    explicit = oauth2_core.client(MS, client_id="arg-id", plugins=pm)
    assert explicit.client_id == "arg-id"


@pytest.mark.parametrize("url", ["http://id.example/token", "ftp://id.example/token"])
def test_plain_http_endpoints_are_refused(pm, url: str) -> None:
    with pytest.raises(InsecureTransportError, match="https"):
        oauth2_core.client(Provider(name="p", token_url=url), client_id="i", plugins=pm)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.0.0.2"])
def test_plain_http_is_allowed_on_loopback(pm, host: str) -> None:
    oauth2_core.client(Provider(name="p", token_url=f"http://{host}:8000/token"),
                       client_id="i", plugins=pm)


def test_plain_http_with_explicit_opt_in(pm, monkeypatch) -> None:
    provider = Provider(name="p", token_url="http://id.example/token")
    oauth2_core.client(provider, client_id="i", allow_insecure=True, plugins=pm)
    monkeypatch.setenv("OAUTH2_INSECURE_TRANSPORT", "1")
    oauth2_core.client(provider, client_id="i", plugins=pm)


def test_http_redirect_uri_is_refused_except_on_loopback(pm) -> None:
    provider = Provider(name="p", token_url="https://id.example/token")
    oauth2_core.client(provider, client_id="i", redirect_uri="http://localhost:5000/cb",
                       plugins=pm)
    oauth2_core.client(provider, client_id="i", redirect_uri="com.example.app:/cb", plugins=pm)
    with pytest.raises(InsecureTransportError):
        oauth2_core.client(provider, client_id="i", redirect_uri="http://app.example/cb",
                           plugins=pm)


def test_client_rejects_something_that_is_not_a_provider(pm) -> None:
    with pytest.raises(ConfigurationError):
        oauth2_core.client(42, plugins=pm)  # type: ignore[arg-type]
