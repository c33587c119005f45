"""The contract every provider plugin keeps, as a function its own tests call."""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any, Optional

import requests

from ..client import OAuth2Client
from ..plugins import PluginManager, installed_entry_points, make_plugin_manager
from ..providers import Provider
from ..tokens import Token
from ..transport import TokenRequest


class ContractError(AssertionError):
    """A plugin breaks the provider-plugin contract."""


def _require(condition: object, message: str) -> None:
    if not condition:
        raise ContractError(message)


BEHAVIOUR_HOOKS = (
    "oauth2_build_authorize_url",
    "oauth2_prepare_token_request",
    "oauth2_parse_token_response",
    "oauth2_attach_credentials",
    "oauth2_userinfo",
)


def plugin_manager(*plugins: object) -> PluginManager:
    """A fresh plugin manager with the core's defaults and ``plugins`` registered
    in-process (no entry points are read)."""
    pm = make_plugin_manager()
    for plugin in plugins:
        pm.register(plugin)
    return pm


class _NoNetwork(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        raise AssertionError("a plugin hook used the network for another provider")


def _other_provider_arguments() -> dict[str, Any]:
    other = Provider(
        name="contract-other", authorize_url="https://other.example/authorize",
        token_url="https://other.example/token", userinfo_url="https://other.example/userinfo",
    )
    client = OAuth2Client(other, client_id="other-id", client_secret="other-secret",
                          redirect_uri="https://app.example/cb", plugins=make_plugin_manager())
    response = requests.Response()
    response.status_code = 200
    response._content = b'{"access_token": "x", "token_type": "Bearer"}'
    prepared = requests.Request("GET", "https://api.other.example/me").prepare()
    return {
        "provider": other,
        "client": client,
        "params": {"response_type": "code", "client_id": "other-id"},
        "request": TokenRequest(url=other.token_url or "", data={"grant_type": "x"},
                                client_id="other-id", client_secret="other-secret"),
        "response": response,
        "token": Token(access_token="x", token_type="Bearer"),
        "session": _NoNetwork(),
        "_prepared": prepared,
    }


def check_plugin_contract(module: ModuleType, entry_point: Optional[str] = None) -> list[Provider]:
    """Check a provider plugin module and return the providers it registers.

    - it registers at least one valid :class:`Provider` and no hook name is misspelled;
    - each behaviour hook returns None, and changes nothing, for any other provider;
    - if ``entry_point`` is given, that entry point in group ``oauth2_core`` loads
      ``module`` (run this where the package is installed).
    """
    pm = plugin_manager(module)
    providers = pm.providers_of(module)
    _require(providers, f"{module.__name__} registers no provider")
    for provider in providers:
        _require(provider.token_url or provider.authorize_url, f"{provider.name}: no endpoints")
    args = _other_provider_arguments()
    for hook_name in BEHAVIOUR_HOOKS:
        function = getattr(module, hook_name, None)
        if function is None:
            continue
        call_args = dict(args)
        if hook_name == "oauth2_attach_credentials":
            call_args["request"] = args["_prepared"]
        snapshot = copy.deepcopy({k: v for k, v in call_args.items()
                                  if k in ("params",)})
        request_before = repr(call_args["request"]), dict(getattr(call_args["request"],
                                                                   "headers", {}))
        impl = pm.hook.__dict__[hook_name].get_hookimpls()
        argnames = next(i.argnames for i in impl if i.function is function)
        result = function(**{name: call_args[name] for name in argnames})
        _require(result is None, f"{hook_name} returned {result!r} for another provider")
        _require(call_args["params"] == snapshot["params"], f"{hook_name} changed params")
        _require((repr(call_args["request"]), dict(getattr(call_args["request"], "headers", {}))
                ) == request_before, f"{hook_name} changed another provider's request")
    if entry_point is not None:
        found = [ep for ep in installed_entry_points() if ep.name == entry_point]
        _require(found, f"no installed entry point {entry_point!r} in group oauth2_core")
        _require(found[0].load() is module, f"entry point {entry_point!r} loads another module")
    return providers
