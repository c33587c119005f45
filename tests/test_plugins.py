"""Plugin discovery: entry points, allow/block lists, broken plugins, lazy loading."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from typing import Any, Callable, Optional

import pytest

import oauth2_core
from oauth2_core import PluginError, PluginLoadWarning, Provider, ProviderNotFound, hookimpl
from oauth2_core import plugins as plugins_module


def provider_module(name: str) -> types.ModuleType:
    module = types.ModuleType(f"oauth2_{name}")

    @hookimpl
    def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
        register(Provider(name=name, token_url=f"https://{name}.test/token"))

    module.oauth2_register_providers = oauth2_register_providers  # type: ignore[attr-defined]
    return module


@dataclass
class FakeDist:
    name: str


@dataclass
class FakeEntryPoint:
    name: str
    loader: Callable[[], Any]
    loads: list[str]
    package: str = ""

    @property
    def dist(self) -> FakeDist:
        return FakeDist(self.package or f"oauth2-{self.name}")

    def load(self) -> Any:
        self.loads.append(self.name)
        return self.loader()


def fake_installed(monkeypatch, eps: list[Any]) -> list[Optional[str]]:
    """Make ``eps`` the installed entry points; returns the log of lookups (None: all
    packages were read, else the distribution asked for)."""
    lookups: list[Optional[str]] = []

    def installed_entry_points(distribution: Optional[str] = None) -> list[Any]:
        lookups.append(distribution)
        return [ep for ep in eps if distribution in (None, ep.dist.name)]

    monkeypatch.setattr(plugins_module, "installed_entry_points", installed_entry_points)
    return lookups


@pytest.fixture
def installed(monkeypatch) -> list[str]:
    """Three installed plugins (alpha, beta, gamma); returns the log of loaded ones."""
    loads: list[str] = []
    eps = [FakeEntryPoint(n, lambda n=n: provider_module(n), loads)
           for n in ("alpha", "beta", "gamma")]
    fake_installed(monkeypatch, eps)
    return loads


BUILT_IN = set(oauth2_core.make_plugin_manager().providers())


def discovering() -> plugins_module.PluginManager:
    return oauth2_core.make_plugin_manager(load_entrypoints=True)


def test_installed_plugins_are_discovered_without_user_code(installed) -> None:
    assert set(discovering().providers()) == {"alpha", "beta", "gamma"} | BUILT_IN


def test_client_by_name_imports_only_that_plugin(installed) -> None:
    pm = discovering()
    client = oauth2_core.client("beta", client_id="i", plugins=pm)
    assert client.provider.token_url == "https://beta.test/token"
    assert installed == ["beta"]
    assert pm.package_of("beta") == "oauth2-beta"


def test_client_by_name_reads_only_its_own_package_metadata(monkeypatch) -> None:
    loads: list[str] = []
    lookups = fake_installed(monkeypatch, [
        FakeEntryPoint(n, lambda n=n: provider_module(n), loads) for n in ("alpha", "beta")])
    oauth2_core.client("beta", client_id="i", plugins=discovering())
    assert lookups == ["oauth2-beta"] and loads == ["beta"]


def test_a_provider_from_an_unconventionally_named_package_is_still_found(
        monkeypatch) -> None:
    loads: list[str] = []
    lookups = fake_installed(monkeypatch, [
        FakeEntryPoint("alpha", lambda: provider_module("alpha"), loads),
        FakeEntryPoint("delta", lambda: provider_module("delta"), loads, "acme-idps")])
    pm = discovering()
    assert oauth2_core.client("delta", client_id="i", plugins=pm).provider.name == "delta"
    assert lookups == ["oauth2-delta", None] and loads == ["delta"]
    assert pm.package_of("delta") == "acme-idps"


def test_found_by_name_the_package_name_is_the_one_asked_for(monkeypatch) -> None:
    # Its metadata spells the name otherwise; reading it would cost start-up 0.6 M
    # instructions, and the two spellings name one package to pip.
    beta = FakeEntryPoint("beta", lambda: provider_module("beta"), [], "OAuth2_Beta")
    monkeypatch.setattr(plugins_module, "installed_entry_points",
                        lambda distribution=None: [beta])
    pm = discovering()
    oauth2_core.client("beta", client_id="i", plugins=pm)
    assert pm.package_of("beta") == "oauth2-beta"


@pytest.mark.parametrize("spelling", ["oauth2-beta", "OAuth2_Beta", "oauth2.beta", "BETA"])
def test_allow_and_block_lists_match_a_package_name_in_any_spelling(
        installed, monkeypatch, spelling) -> None:
    monkeypatch.setenv("OAUTH2_CORE_LOAD_PLUGINS", spelling)
    assert set(discovering().providers()) == {"beta"} | BUILT_IN
    monkeypatch.delenv("OAUTH2_CORE_LOAD_PLUGINS")
    monkeypatch.setenv("OAUTH2_CORE_DISABLE_PLUGINS", spelling)
    assert set(discovering().providers()) == {"alpha", "gamma"} | BUILT_IN


def test_allow_list_limits_loading(installed, monkeypatch) -> None:
    monkeypatch.setenv("OAUTH2_CORE_LOAD_PLUGINS", "alpha, oauth2-gamma")
    assert set(discovering().providers()) == {"alpha", "gamma"} | BUILT_IN


def test_empty_allow_list_loads_none(installed, monkeypatch) -> None:
    monkeypatch.setenv("OAUTH2_CORE_LOAD_PLUGINS", "")
    assert set(discovering().providers()) == BUILT_IN


def test_block_list_skips_plugins(installed, monkeypatch) -> None:
    monkeypatch.setenv("OAUTH2_CORE_DISABLE_PLUGINS", "beta")
    pm = discovering()
    assert set(pm.providers()) == {"alpha", "gamma"} | BUILT_IN
    with pytest.raises(ProviderNotFound):
        oauth2_core.client("beta", plugins=pm)


def test_unknown_provider_lists_installed_ones_and_the_package(installed) -> None:
    with pytest.raises(ProviderNotFound) as info:
        oauth2_core.client("nope", plugins=discovering())
    message = str(info.value)
    assert "alpha, beta, gamma" in message
    assert "pip install oauth2-nope" in message


def test_a_plugin_that_fails_to_import_is_reported_and_others_work(monkeypatch) -> None:
    def broken() -> Any:
        raise ImportError("No module named 'missing_dependency'")

    loads: list[str] = []
    eps = [FakeEntryPoint("broken", broken, loads),
           FakeEntryPoint("alpha", lambda: provider_module("alpha"), loads)]
    fake_installed(monkeypatch, eps)
    pm = discovering()
    with pytest.warns(PluginLoadWarning, match="oauth2-broken"):
        assert set(pm.providers()) == {"alpha"} | BUILT_IN
    assert "oauth2-broken" in pm.load_errors["broken"]
    with pytest.raises(ProviderNotFound, match="failed to load: oauth2-broken"):
        oauth2_core.client("broken", plugins=pm)


def test_a_misspelled_hook_fails_loudly_naming_the_plugin(pm) -> None:
    class Typo:
        @hookimpl
        def oauth2_atach_credentials(self, provider: Provider) -> None:  # the typo
            return None

    with pytest.raises(PluginError, match="oauth2_atach_credentials"):
        pm.register(Typo(), name="typo-plugin")
    assert pm.get_plugin("typo-plugin") is None


def test_a_misspelled_hook_in_an_installed_plugin_names_its_distribution(monkeypatch) -> None:
    module = types.ModuleType("oauth2_typo")

    @hookimpl
    def oauth2_register_provider(register: Any) -> None:  # missing "s"
        return None

    module.oauth2_register_provider = oauth2_register_provider  # type: ignore[attr-defined]
    eps = [FakeEntryPoint("typo", lambda: module, [])]
    fake_installed(monkeypatch, eps)
    with pytest.raises(PluginError, match=r"oauth2-typo.*oauth2_register_provider"):
        discovering().providers()


def test_two_plugins_registering_one_name_is_an_error(pm) -> None:
    pm.register(provider_module("dup"), name="first")
    pm.register(provider_module("dup"), name="second")
    with pytest.raises(PluginError, match="'dup' is registered by both"):
        pm.providers()


def test_registering_something_that_is_not_a_provider_is_an_error(pm) -> None:
    class Bad:
        @hookimpl
        def oauth2_register_providers(self, register: Any) -> None:
            register({"name": "dict"})

    pm.register(Bad(), name="bad")
    with pytest.raises(PluginError, match="not a Provider"):
        pm.providers()


def test_unregistering_a_plugin_removes_its_providers(pm) -> None:
    module = provider_module("temp")
    pm.register(module)
    assert "temp" in pm.providers()
    pm.unregister(module)
    assert "temp" not in pm.providers()


def test_fresh_manager_reads_no_entry_points(installed) -> None:
    assert set(oauth2_core.make_plugin_manager().providers()) == BUILT_IN
    assert installed == []


def test_global_providers_function_uses_the_global_manager(installed, monkeypatch) -> None:
    monkeypatch.setattr(plugins_module, "_global_pm", None)
    assert set(oauth2_core.providers()) == {"alpha", "beta", "gamma"} | BUILT_IN


def test_two_entry_points_may_name_one_module(monkeypatch) -> None:
    module = provider_module("primary")
    loads: list[str] = []
    eps = [FakeEntryPoint("primary", lambda: module, loads),
           FakeEntryPoint("alias", lambda: module, loads)]
    fake_installed(monkeypatch, eps)
    assert "primary" in discovering().providers()
    assert loads == ["primary", "alias"]


def _registered(pm: Any, plugin: object) -> set[tuple[str, object]]:
    return {(impl.function.__name__, impl.function)
            for caller in pm.get_hookcallers(plugin) or ()
            for impl in caller.get_hookimpls() if impl.plugin is plugin}


def test_module_plugins_register_the_same_hookimpls_as_plain_pluggy() -> None:
    # PluginManager reads a module plugin's dict instead of pluggy's descriptor-safe
    # lookup: it must find exactly what pluggy finds, and nothing else.
    import pluggy

    from oauth2_core import hookspecs
    from oauth2_core.default_plugins import DEFAULT_PLUGINS

    module = types.ModuleType("oauth2_mixed")

    @hookimpl
    def oauth2_parse_token_response(provider: Provider, response: Any, client: Any) -> None:
        return None

    class Holder:
        @staticmethod
        @hookimpl
        def oauth2_attach_credentials(provider: Provider, request: Any, token: Any,
                                      client: Any) -> None:
            return None

    def oauth2_userinfo_unmarked(provider: Provider) -> None:
        return None

    vars(module).update(
        oauth2_parse_token_response=oauth2_parse_token_response,
        oauth2_attach_credentials=Holder.__dict__["oauth2_attach_credentials"],
        helper=oauth2_userinfo_unmarked, Holder=Holder, pytest=pytest, constant="x",
        marked_lambda=hookimpl(specname="oauth2_token_store")(lambda url, options: None))
    for plugin in (*DEFAULT_PLUGINS, module):
        ours, plain = oauth2_core.make_plugin_manager(), pluggy.PluginManager("oauth2_core")
        plain.add_hookspecs(hookspecs)
        if plugin in DEFAULT_PLUGINS:
            ours.unregister(plugin)
        ours.register(plugin)
        plain.register(plugin)
        assert _registered(ours, plugin) == _registered(plain, plugin) != set()
    assert {name for name, _ in _registered(ours, module)} == {
        "oauth2_parse_token_response", "oauth2_attach_credentials", "<lambda>"}


def test_an_entry_point_without_a_distribution_still_loads(monkeypatch) -> None:
    # Python 3.9's EntryPoint has no .dist: the entry point's name stands in for it.
    bare = types.SimpleNamespace(name="omega", load=lambda: provider_module("omega"))
    monkeypatch.setattr(plugins_module, "installed_entry_points",
                        lambda distribution=None: [] if distribution else [bare])
    pm = discovering()
    assert oauth2_core.client("omega", client_id="i", plugins=pm).provider.name == "omega"
    assert pm.package_of("omega") == "omega"


def _dist_info(site: Any, dirname: str, entry_points: str) -> None:
    info = site / dirname
    info.mkdir(parents=True)
    name = dirname.partition("-")[0].replace("_", "-")
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


def test_one_distribution_is_found_from_directory_listings(tmp_path, monkeypatch) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _dist_info(first, "oauth2_fake-2.0.dist-info", "[oauth2_core]\nfake = fake_first\n")
    _dist_info(first, "oauth2_fake_extra-1.0.dist-info", "[oauth2_core]\nextra = fake_extra\n")
    _dist_info(second, "oauth2_fake-1.0.dist-info", "[oauth2_core]\nfake = fake_second\n")
    (first / "not-a-distribution").write_text("")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(first), str(second)])
    found = plugins_module.installed_entry_points("oauth2-fake")
    # The first directory on sys.path wins, as for imports; a longer name is another package.
    assert [(ep.name, ep.value, ep.dist.name) for ep in found] == [
        ("fake", "fake_first", "oauth2-fake")]
    assert list(plugins_module.dist_info_dirs("oauth2-fake")) == [
        str(first / "oauth2_fake-2.0.dist-info"), str(second / "oauth2_fake-1.0.dist-info")]
    assert plugins_module.installed_entry_points("oauth2-absent") == []


def test_the_standard_librarys_directories_are_not_listed(tmp_path, monkeypatch) -> None:
    # No installer puts packages beside the standard library, whose ~280 entries were
    # most of this search; one put there by hand is found by the full scan instead.
    stdlib, site = tmp_path / "lib", tmp_path / "site"
    _dist_info(stdlib, "oauth2_fake-9.0.dist-info", "[oauth2_core]\nfake = fake_stdlib\n")
    _dist_info(stdlib / "lib-dynload", "oauth2_fake-8.0.dist-info", "")
    _dist_info(site, "oauth2_fake-1.0.dist-info", "[oauth2_core]\nfake = fake_site\n")
    monkeypatch.setattr(plugins_module.os, "__file__", str(stdlib / "os.py"))
    monkeypatch.setattr(sys, "path", [str(stdlib), str(stdlib / "lib-dynload"), str(site)])
    assert list(plugins_module.dist_info_dirs("oauth2-fake")) == [
        str(site / "oauth2_fake-1.0.dist-info")]
