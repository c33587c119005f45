"""Every hook, called through the client, and a third-party plugin that uses them all."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

import pluggy
import pytest
import requests
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import Provider, Token, TokenRequest, UserInfo, hookimpl, hookspecs
from oauth2_core.default_plugins.token_response import form_object, token_from_fields

HOOKS = sorted(n for n in dir(hookspecs) if n.startswith("oauth2_"))


def test_every_hook_has_a_test_and_a_documented_parameter_list() -> None:
    tests = {n for n in globals() if n.startswith("test_hook_")}
    for name in HOOKS:
        assert f"test_hook_{name.removeprefix('oauth2_')}" in tests, name
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        for param in inspect.signature(getattr(hookspecs, name)).parameters:
            assert f":param {param}:" in doc, (name, param)
        assert ":return:" in doc


def test_hook_register_providers(pm) -> None:
    class Plugin:
        @hookimpl
        def oauth2_register_providers(self, register: Callable[[Provider], None]) -> None:
            register(Provider(name="one", token_url="https://one.test/token"))
            register(Provider(name="two", token_url="https://two.test/token"))

    plugin = Plugin()
    pm.register(plugin)
    assert {p.name for p in pm.providers_of(plugin)} == {"one", "two"}
    assert {"one", "two"} <= set(pm.providers())


def test_hook_build_authorize_url(pm) -> None:
    seen: dict[str, Any] = {}

    class Plugin:
        @hookimpl
        def oauth2_build_authorize_url(self, provider: Provider, params: dict[str, Any],
                                       client: oauth2_core.OAuth2Client) -> Optional[str]:
            seen.update(params, client=client)
            params["added"] = "yes"  # adjust and fall through to the default
            return None

    pm.register(Plugin())
    client = oauth2_core.client(ACME, client_id="cid", redirect_uri="https://app.test/cb",
                                plugins=pm)
    url = client.authorize_url(scope=["a", "b"], prompt="consent")
    assert seen["client"] is client and seen["scope"] == "a b" and seen["prompt"] == "consent"
    assert parse_qs(urlsplit(url).query)["added"] == ["yes"]


def test_hook_prepare_token_request(pm, requests_mock) -> None:
    class Plugin:
        @hookimpl
        def oauth2_prepare_token_request(self, request: TokenRequest) -> None:
            request.headers["X-Extra"] = "1"
            request.data["audience"] = "api"

    pm.register(Plugin())
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    oauth2_core.client(ACME, client_id="i", client_secret="s", plugins=pm).client_credentials()
    assert endpoint.last_request.headers["X-Extra"] == "1"
    assert parse_qs(endpoint.last_request.text)["audience"] == ["api"]
    assert endpoint.last_request.headers["Authorization"].startswith("Basic ")


def test_hook_prepare_token_request_can_authenticate_the_client_itself(pm, requests_mock):
    class Plugin:
        @hookimpl
        def oauth2_prepare_token_request(self, request: TokenRequest) -> None:
            request.headers["Authorization"] = "Custom scheme"
            request.client_authenticated = True

    pm.register(Plugin())
    endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    oauth2_core.client(ACME, client_id="i", client_secret="s", plugins=pm).client_credentials()
    assert endpoint.last_request.headers["Authorization"] == "Custom scheme"
    assert "client_secret" not in endpoint.last_request.text


def test_hook_parse_token_response(pm, requests_mock) -> None:
    class Plugin:
        @hookimpl
        def oauth2_parse_token_response(self, provider: Provider,
                                        response: requests.Response) -> Optional[Token]:
            fields = form_object(response)
            return token_from_fields(provider, fields, response) if fields else None

    pm.register(Plugin())
    requests_mock.post(TOKEN_URL, text="access_token=form-at&token_type=bearer")
    client = oauth2_core.client(ACME, client_id="i", client_secret="s", plugins=pm)
    assert client.client_credentials().access_token == "form-at"
    requests_mock.post(TOKEN_URL, json=bearer("json-at"))  # falls through to the default
    assert client.client_credentials().access_token == "json-at"


def test_hook_attach_credentials(pm, requests_mock) -> None:
    class Plugin:
        @hookimpl
        def oauth2_attach_credentials(self, request: requests.PreparedRequest,
                                      token: Token) -> object:
            request.headers["X-Token"] = token["access_token"]
            return True

    pm.register(Plugin())
    requests_mock.get("https://api.acme.test/me", json={})
    session = oauth2_core.client(ACME, client_id="i", plugins=pm).session(Token(access_token="t"))
    session.get("https://api.acme.test/me")
    assert requests_mock.last_request.headers["X-Token"] == "t"
    assert "Authorization" not in requests_mock.last_request.headers


def test_hook_userinfo(pm, requests_mock) -> None:
    class Plugin:
        @hookimpl
        def oauth2_userinfo(self, session: requests.Session, token: Token) -> UserInfo:
            data = session.get("https://api.acme.test/profile").json()
            return UserInfo(id=str(data["id"]), username=data["login"], raw=data)

    pm.register(Plugin())
    requests_mock.get("https://api.acme.test/profile", json={"id": 7, "login": "ada"})
    user = oauth2_core.client(ACME, client_id="i", plugins=pm).userinfo(Token(access_token="t"))
    assert (user.id, user.username) == ("7", "ada")
    assert requests_mock.last_request.headers["Authorization"] == "Bearer t"


class AcmePlugin:
    """A third-party plugin: registers 'acme2' and changes three behaviours for it only."""

    @hookimpl
    def oauth2_register_providers(self, register: Callable[[Provider], None]) -> None:
        register(Provider(name="acme2", authorize_url="https://acme2.test/auth",
                          token_url="https://acme2.test/token"))

    @hookimpl
    def oauth2_build_authorize_url(self, provider: Provider,
                                   params: dict[str, Any]) -> Optional[str]:
        if provider.name != "acme2":
            return None
        return f"https://acme2.test/custom-login?app={params['client_id']}"

    @hookimpl
    def oauth2_parse_token_response(self, provider: Provider,
                                    response: requests.Response) -> Optional[Token]:
        if provider.name != "acme2":
            return None
        return Token(access_token=response.json()["result"]["token"])

    @hookimpl
    def oauth2_attach_credentials(self, provider: Provider, request: requests.PreparedRequest,
                                  token: Token) -> Optional[object]:
        if provider.name != "acme2":
            return None
        request.headers["X-Acme-Key"] = token["access_token"]
        return True


def test_inline_third_party_plugin_changes_only_its_own_provider(pm, requests_mock) -> None:
    pm.register(AcmePlugin())
    mine = oauth2_core.client("acme2", client_id="cid", client_secret="s", plugins=pm)
    other = oauth2_core.client(ACME, client_id="cid", client_secret="s", plugins=pm)

    assert mine.authorize_url() == "https://acme2.test/custom-login?app=cid"
    assert other.authorize_url().startswith("https://id.acme.test/authorize?")

    requests_mock.post("https://acme2.test/token", json={"result": {"token": "nested"}})
    requests_mock.post(TOKEN_URL, json=bearer("standard"))
    assert mine.client_credentials().access_token == "nested"
    assert other.client_credentials().access_token == "standard"

    requests_mock.get("https://api.test/x", json={})
    mine.session(Token(access_token="k1")).get("https://api.test/x")
    assert requests_mock.last_request.headers["X-Acme-Key"] == "k1"
    other.session(Token(access_token="k2")).get("https://api.test/x")
    assert requests_mock.last_request.headers["Authorization"] == "Bearer k2"
    assert "X-Acme-Key" not in requests_mock.last_request.headers


def test_a_provider_plugins_hooks_are_not_even_called_for_other_providers(pm) -> None:
    calls: list[str] = []

    class Greedy:
        @hookimpl
        def oauth2_register_providers(self, register: Callable[[Provider], None]) -> None:
            register(Provider(name="greedy", token_url="https://g.test/token"))

        @hookimpl
        def oauth2_build_authorize_url(self, provider: Provider) -> None:
            calls.append(provider.name)

    class Observer:  # registers no provider, so it sees every provider
        @hookimpl
        def oauth2_build_authorize_url(self, provider: Provider) -> None:
            calls.append(f"observer:{provider.name}")

    pm.register(Greedy())
    pm.register(Observer())
    oauth2_core.client(ACME, client_id="i", plugins=pm).authorize_url()
    assert calls == ["observer:acme"]


def test_a_hook_registered_after_first_use_takes_effect(pm, requests_mock) -> None:
    client = oauth2_core.client(ACME, client_id="i", plugins=pm)
    requests_mock.get("https://api.test/x", json={})
    client.session(Token(access_token="t")).get("https://api.test/x")

    class Late:
        @hookimpl
        def oauth2_attach_credentials(self, request: requests.PreparedRequest) -> object:
            request.headers["X-Late"] = "1"
            return True

    pm.register(Late())
    client.session(Token(access_token="t")).get("https://api.test/x")
    assert requests_mock.last_request.headers["X-Late"] == "1"


def test_tracing_and_wrappers_see_every_call_even_with_one_implementation(
        pm, requests_mock) -> None:
    # With one plain implementation the manager calls it directly; tracing and wrappers
    # must still see the call.
    client = oauth2_core.client(ACME, client_id="i", plugins=pm)
    requests_mock.get("https://api.test/x", json={})
    client.session(Token(access_token="t")).get("https://api.test/x")  # fast path cached
    traced: list[str] = []
    undo = pm.add_hookcall_monitoring(lambda name, impls, kwargs: traced.append(name),
                                      lambda outcome, name, impls, kwargs: None)
    client.session(Token(access_token="t")).get("https://api.test/x")
    undo()
    assert traced == ["oauth2_attach_credentials"]

    wrapped: list[Optional[object]] = []

    class Wrapper:
        @hookimpl(wrapper=True)
        def oauth2_attach_credentials(self) -> Any:
            result = yield
            wrapped.append(result)
            return result

    pm.register(Wrapper())
    client.session(Token(access_token="t")).get("https://api.test/x")
    assert wrapped == [True]
    assert requests_mock.last_request.headers["Authorization"] == "Bearer t"


def test_a_missing_hook_argument_is_pluggys_error_not_a_key_error(pm) -> None:
    with pytest.raises(pluggy.HookCallError, match="token"):
        pm.call("oauth2_attach_credentials", ACME, request=requests.PreparedRequest())


@pytest.mark.parametrize("name", HOOKS)
def test_default_plugins_implement_every_behaviour_hook_as_trylast(pm, name: str) -> None:
    impls = getattr(pm.hook, name).get_hookimpls()
    if name == "oauth2_register_providers":
        return
    defaults = [i for i in impls if i.plugin_name.startswith("oauth2_core.default_plugins")]
    assert defaults and all(i.trylast for i in defaults)


def test_hook_token_store(pm, requests_mock, tmp_path) -> None:
    from oauth2_core.stores import FileStore, MemoryStore, TokenStore

    opened: list[tuple[str, dict[str, Any]]] = []

    class VaultStore(MemoryStore):
        pass

    class Plugin:
        @hookimpl
        def oauth2_token_store(self, url: str, options: dict[str, Any]) -> Optional[TokenStore]:
            if not url.startswith("vault:"):
                return None  # not ours: the next implementation (the defaults) answers
            opened.append((url, options))
            return VaultStore()

    pm.register(Plugin())
    store = oauth2_core.open_store("vault://secrets/tokens", plugins=pm, mount="kv")
    assert isinstance(store, VaultStore) and opened == [("vault://secrets/tokens", {"mount": "kv"})]
    path = tmp_path / "tokens.json"
    file_store = oauth2_core.open_store(f"file://{path}", plugins=pm)
    assert isinstance(file_store, FileStore) and file_store.path == path
    with pytest.raises(oauth2_core.ConfigurationError, match="'nosuch'"):
        oauth2_core.open_store("nosuch://x", plugins=pm)
    # A session given a store URL opens it through the hook and keeps the token there.
    requests_mock.post(TOKEN_URL, json=bearer("from-cc"))
    requests_mock.get("https://api.test/x", json={})
    session = oauth2_core.client(ACME, client_id="i", client_secret="s", plugins=pm).session(
        store="vault://secrets/tokens", token_key="svc")
    session.get("https://api.test/x")
    assert isinstance(session.auth.store, VaultStore)  # type: ignore[union-attr]
    assert session.auth.store.load("svc").access_token == "from-cc"  # type: ignore[union-attr]
