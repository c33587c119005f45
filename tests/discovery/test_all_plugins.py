"""Run by the "plugins" tox env, where the core and every package under plugins/ are
pip-installed (not editable) into one environment: discovery at scale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

import oauth2_core
from oauth2_core.plugins import installed_entry_points
from oauth2_core.testing import check_plugin_contract

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from seed_readme import SEED_README  # noqa: E402

PACKAGES = sorted(p.name for p in (REPO / "plugins").iterdir() if (p / "setup.cfg").exists())
BUILT_IN = set(oauth2_core.make_plugin_manager().providers())


def providers_in_subprocess(**env: str) -> set[str]:
    code = "import json, oauth2_core; print(json.dumps(sorted(oauth2_core.providers())))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, **env}, cwd="/")
    return set(json.loads(out.stdout))


def test_there_are_at_least_thirty_provider_packages() -> None:
    assert len(PACKAGES) >= 30


def test_every_installed_package_provides_its_provider() -> None:
    pm = oauth2_core.make_plugin_manager(load_entrypoints=True)
    providers = pm.providers()
    for package in PACKAGES:
        name = package.removeprefix("oauth2-")
        assert name in providers, package
        assert pm.package_of(name) == package
    assert pm.load_errors == {}


def test_every_entry_point_loads_and_keeps_the_contract() -> None:
    eps = installed_entry_points()
    assert {f"oauth2-{ep.name}" for ep in eps} >= set(PACKAGES)
    for ep in eps:
        check_plugin_contract(ep.load(), entry_point=ep.name)


def test_allow_and_block_lists_with_everything_installed() -> None:
    everything = providers_in_subprocess()
    assert providers_in_subprocess(OAUTH2_CORE_LOAD_PLUGINS="google,oauth2-github") == (
        {"google", "github"} | BUILT_IN)
    assert providers_in_subprocess(OAUTH2_CORE_LOAD_PLUGINS="") == BUILT_IN
    assert providers_in_subprocess(OAUTH2_CORE_DISABLE_PLUGINS="google") == (
        everything - {"google"})


def test_client_by_name_imports_only_its_plugin() -> None:
    code = ("import json, sys, oauth2_core; oauth2_core.client('google', client_id='i');"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('oauth2_')"
            " and m != 'oauth2_core' and not m.startswith('oauth2_core.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd="/")
    assert json.loads(out.stdout) == ["oauth2_google"]


def test_the_seed_readme_runs_verbatim_against_the_google_plugin(requests_mock) -> None:
    token = requests_mock.post("https://oauth2.googleapis.com/token", json={
        "access_token": "ya29.seed", "token_type": "Bearer", "expires_in": 3599})
    requests_mock.get("https://www.googleapis.com/plus/v1/people/me", json={"id": "me"})
    requests_mock.get("https://graph.facebook.com/me", json={"id": "fb"})
    namespace = {"requests": requests, "session": {}, "access_token": "ya29.seed",
                 "get_request_parameter": {"code": "4/seed"}.__getitem__,
                 "response": {"access_token": "fb-token"}}
    exec(SEED_README, namespace)  # noqa: S102 - running the documented snippet is the test
    url = urlsplit(namespace["authorization_url"])
    assert url.netloc == "accounts.google.com"
    assert parse_qs(url.query)["scope"] == ["email"]
    assert parse_qs(token.last_request.text)["code"] == ["4/seed"]
    assert namespace["session"] == {"access_token": "ya29.seed"}
    assert namespace["data"] == {"id": "fb"}
