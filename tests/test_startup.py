"""What ``import oauth2_core`` and the first client cost: only the modules they need.

CLIs and workers pay start-up on every run (see benchmarks/); the stores, JOSE code,
discovery and user-info parsing load when first used, not at import.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import oauth2_core

LOADED_ON_FIRST_USE = [
    "oauth2_core.auth", "oauth2_core.stores", "oauth2_core.discovery", "oauth2_core.jwks",
    "oauth2_core.jws", "oauth2_core.dpop", "oauth2_core.userinfo", "oauth2_core.jwt_auth",
]


def _modules_after(code: str) -> set[str]:
    script = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout
    return set(json.loads(out))


def test_a_first_client_loads_no_optional_module() -> None:
    loaded = _modules_after(
        "import oauth2_core\n"
        "p = oauth2_core.Provider(name='x', authorize_url='https://x.test/a',"
        " token_url='https://x.test/t')\n"
        "c = oauth2_core.client(p, client_id='id', redirect_uri='https://app.test/cb')\n"
        "c.begin_authorization()"
    )
    assert "oauth2_core.client" in loaded
    assert loaded.isdisjoint(LOADED_ON_FIRST_USE), loaded.intersection(LOADED_ON_FIRST_USE)


def test_building_a_client_generates_no_code_and_skips_the_redirect_machinery() -> None:
    # Dataclasses generate their methods at import (Provider's alone took ~2.5 ms), and
    # a service using client credentials never needs the authorization-code module.
    loaded = _modules_after(
        "import oauth2_core\n"
        "p = oauth2_core.Provider(name='x', token_url='https://x.test/t')\n"
        "oauth2_core.client(p, client_id='id', client_secret='s')"
    )
    assert "oauth2_core.authorization" not in loaded
    assert "oauth2_core.retry" not in loaded  # the retry policy comes with the first token
    # The OpenID, device-flow and extension methods load their code when first called.
    # Nor does a class for every RFC error code get made before a server sends one.
    for module in ("idtoken", "device", "extensions", "compare", "error_codes"):
        assert f"oauth2_core.{module}" not in loaded
    assert "dataclasses" not in loaded - _modules_after("import requests, pluggy")
    # The standard hooks are one module; what they do loads with the first token request.
    helpers = {f"oauth2_core.default_plugins.{name}"
               for name in ("token_response", "client_auth", "parameters", "dpop")}
    assert loaded.isdisjoint(helpers), loaded & helpers


def test_a_session_loads_the_stores_when_it_is_made() -> None:
    loaded = _modules_after(
        "import oauth2_core\n"
        "p = oauth2_core.Provider(name='x', token_url='https://x.test/t')\n"
        "oauth2_core.client(p, client_id='id').session({'access_token': 'a'})"
    )
    assert {"oauth2_core.auth", "oauth2_core.stores.memory"} <= loaded


@pytest.mark.parametrize("name", ["OAuth2Auth", "OAuth2Session", "AuthorizationRequest",
                                  "DeviceAuthorization", "DiscoveryError", "TokenStore",
                                  "open_store", "UserInfo"])
def test_lazy_names_are_the_real_objects(name: str) -> None:
    value = getattr(oauth2_core, name)
    assert value.__name__ == name and value.__module__.startswith("oauth2_core.")
    assert name in dir(oauth2_core) and name in oauth2_core.__all__


@pytest.mark.parametrize("name", ["InvalidGrant", "AccessDenied", "SlowDown", "InvalidToken"])
def test_an_error_code_class_is_one_class_by_every_route(name: str) -> None:
    import oauth2_core.error_codes
    import oauth2_core.errors

    value = getattr(oauth2_core.error_codes, name)
    assert getattr(oauth2_core, name) is value
    assert getattr(oauth2_core.errors, name) is value
    assert issubclass(value, oauth2_core.OAuth2Error)
    assert name in dir(oauth2_core.errors) and name in oauth2_core.error_codes.__all__
    assert oauth2_core.errors.error_class(value.code) is value


def test_every_error_code_class_is_exported_lazily_from_the_package() -> None:
    # oauth2_core lists the names itself (reading error_codes.__all__ would load it):
    # a class added there must be added to _LAZY and __all__ too.
    import oauth2_core.error_codes

    classes = {name for name in oauth2_core.error_codes.__all__
               if isinstance(getattr(oauth2_core.error_codes, name), type)}
    lazy = {name for name, module in oauth2_core._LAZY.items() if module == "error_codes"}
    assert lazy == classes
    assert classes <= set(oauth2_core.__all__)


def test_an_error_code_class_named_first_from_errors_loads_its_module() -> None:
    loaded = _modules_after("from oauth2_core.errors import InvalidGrant, raise_for_error_fields")
    assert "oauth2_core.error_codes" in loaded


def test_an_unknown_name_in_errors_is_an_attribute_error() -> None:
    import oauth2_core.errors

    with pytest.raises(AttributeError, match="no attribute 'InvalidGrunt'"):
        oauth2_core.errors.InvalidGrunt  # noqa: B018


def test_a_dunder_probe_of_errors_loads_nothing() -> None:
    loaded = _modules_after("import oauth2_core.errors as e\n"
                            "assert not hasattr(e, '__path__') and not hasattr(e, '__wrapped__')")
    assert "oauth2_core.error_codes" not in loaded


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Oauth2Auth'"):
        oauth2_core.Oauth2Auth  # noqa: B018


def test_only_the_hook_specs_are_read_with_getattr_static(monkeypatch) -> None:
    # pluggy reads every name of a plugin (and of the spec module) through
    # inspect.getattr_static; for modules the manager reads their dict instead, which
    # takes about 1.6 M instructions off start-up.  pluggy itself still reads each spec
    # once, when it makes the spec's hook caller.
    import inspect

    calls: list[str] = []
    real = inspect.getattr_static

    def counting(obj: object, name: str, *default: object) -> object:
        calls.append(name)
        return real(obj, name, *default)

    monkeypatch.setattr(inspect, "getattr_static", counting)
    pm = oauth2_core.make_plugin_manager()
    hooks = {name for name in vars(pm.hook) if name.startswith("oauth2_")}
    assert sorted(calls) == sorted(hooks)
    assert {"oauth2_register_providers", "oauth2_attach_credentials"} <= hooks
    assert pm.hook.oauth2_attach_credentials.get_hookimpls()
