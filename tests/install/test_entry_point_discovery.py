"""Run by the "install" tox env: the core and oauth2-throwaway are pip-installed (not
editable), so these tests prove discovery through a real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import oauth2_core
from oauth2_core.testing import check_plugin_contract

REPO = Path(__file__).resolve().parents[2]


def run(code: str, **env: str) -> object:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, env={**os.environ, **env}, cwd="/")
    return json.loads(out.stdout)


def test_the_core_is_installed_not_imported_from_the_source_tree() -> None:
    installed_at = Path(oauth2_core.__file__).resolve().parent
    assert installed_at != REPO / "oauth2_core"
    assert installed_at.parent.name == "site-packages"


def test_an_installed_plugin_is_found_without_user_code() -> None:
    assert "throwaway" in oauth2_core.providers()
    client = oauth2_core.client("throwaway", client_id="i")
    assert client.provider.token_url == "https://throwaway.test/token"
    assert client.plugins.package_of("throwaway") == "oauth2-throwaway"


def test_client_by_name_imports_only_that_plugin() -> None:
    code = ("import json, sys, oauth2_core; oauth2_core.client('throwaway', client_id='i');"
            "print(json.dumps('oauth2_throwaway' in sys.modules))")
    assert run(code) is True


def test_a_provider_not_named_after_its_package_is_found_by_reading_every_package() -> None:
    code = ("import json, oauth2_core; c = oauth2_core.client('castaway', client_id='i');"
            "print(json.dumps([c.provider.token_url, c.plugins.package_of('castaway')]))")
    assert run(code) == ["https://castaway.test/token", "oauth2-throwaway"]


def test_the_installed_plugin_keeps_the_contract() -> None:
    import oauth2_throwaway

    check_plugin_contract(oauth2_throwaway, entry_point="throwaway")


def test_env_allow_and_block_lists_apply_to_installed_plugins() -> None:
    code = "import json, oauth2_core; print(json.dumps(sorted(oauth2_core.providers())))"
    assert "throwaway" in run(code)
    built_in = sorted(oauth2_core.make_plugin_manager().providers())
    assert run(code, OAUTH2_CORE_LOAD_PLUGINS="") == built_in
    assert "throwaway" in run(code, OAUTH2_CORE_LOAD_PLUGINS="oauth2-throwaway")
    blocked = run(code, OAUTH2_CORE_DISABLE_PLUGINS="oauth2-throwaway")
    assert isinstance(blocked, list) and not {"throwaway", "castaway"} & set(blocked)
    # By entry-point name, only that entry point is skipped; the other loads the module.
    assert "throwaway" in run(code, OAUTH2_CORE_DISABLE_PLUGINS="castaway")
