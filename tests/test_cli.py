"""The `oauth2` console script, run for real in a subprocess against the loopback server."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from oauth2_core.testing.server import AuthorizationServer

OAUTH2 = shutil.which("oauth2") or ""


def cli(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen[str]:
    command = [OAUTH2] if OAUTH2 else [sys.executable, "-m", "oauth2_core"]
    return subprocess.Popen([*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})}, **kwargs)


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60
        ) -> subprocess.CompletedProcess[str]:
    process = cli(*args, env=env)
    out, err = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.fixture
def server() -> Iterator[AuthorizationServer]:
    with AuthorizationServer() as s:
        s.register_client(client_id="cli-app", client_secret="cli-secret",
                          redirect_uris=["http://127.0.0.1/callback"])
        yield s


def secret_env(**extra: str) -> dict[str, str]:
    return {"OAUTH2_OIDC_CLIENT_SECRET": "cli-secret", **extra}


def wait_for_line(stream, pattern: str, deadline: float = 20) -> re.Match[str]:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        line = stream.readline()
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no line matching {pattern!r}")


def test_the_console_script_is_installed() -> None:
    assert OAUTH2, "pip install the package: the `oauth2` script is missing"


def test_demo_runs_offline_and_shows_no_secret() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    for step in range(1, 8):
        assert f"== Step {step}:" in result.stdout
    assert "Signed in as Alice Liddell" in result.stdout
    assert "active=False" in result.stdout
    assert "'code': '***'" in result.stdout and "Traceback" not in result.stderr


def test_providers_lists_the_built_in_openid_provider() -> None:
    result = run("providers", "--json")
    assert result.returncode == 0
    assert "oidc" in {row["name"] for row in json.loads(result.stdout)}


def test_login_with_the_browser_step_automated_saves_a_private_token_file(server, tmp_path):
    token_file = tmp_path / "token.json"
    process = cli("login", "--issuer", server.issuer, "--client-id", "cli-app",
                  "--no-browser", "--save", str(token_file), "--json", env=secret_env())
    url = wait_for_line(process.stderr, r"(http://127\.0\.0\.1:\d+/authorize\?\S+)").group(1)
    callback = server.authorize(url)  # the user signs in and approves
    page = requests.get(callback, timeout=10)  # the browser follows the redirect
    assert "You can close this window" in page.text
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    token = json.loads(out)
    assert token["access_token"] and token["refresh_token"]
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert json.loads(token_file.read_text())["token"]["access_token"] == token["access_token"]


def test_token_refreshes_an_expired_token_file(server, tmp_path) -> None:
    token_file = tmp_path / "token.json"
    provider_client = server.client(server.register_client(
        client_id="cli-app", client_secret="cli-secret",
        redirect_uris=["http://127.0.0.1/callback"]))
    req = provider_client.begin_authorization(scope=["openid"])
    token = provider_client.complete_authorization(server.authorize(req.url), req)
    token["expires_at"] = int(time.time()) - 10
    token_file.write_text(json.dumps({"provider": "oidc", "client_id": "cli-app",
                                      "settings": {"issuer": server.issuer},
                                      "token": dict(token)}))
    result = run("token", "--file", str(token_file), env=secret_env())
    assert result.returncode == 0, result.stderr
    fresh = result.stdout.strip()
    assert fresh and fresh != token["access_token"]
    assert json.loads(token_file.read_text())["token"]["access_token"] == fresh
    again = run("token", "--file", str(token_file), env=secret_env())
    assert again.stdout.strip() == fresh  # still fresh: no second refresh


def test_device_login_prints_the_code_and_polls(server) -> None:
    server.config.device_interval = 1
    process = cli("login", "--issuer", server.issuer, "--client-id", "cli-app", "--device",
                  "--print-access-token", env=secret_env())
    code = wait_for_line(process.stderr, r"enter the code: (\S+)").group(1)
    server.approve_device(code)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert out.strip() and "\n" not in out.strip()


def test_client_credentials_login(server) -> None:
    result = run("login", "--issuer", server.issuer, "--client-id", "cli-app",
                 "--client-credentials", "--print-access-token", env=secret_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_login_without_flags_prints_no_secret(server) -> None:
    result = run("login", "--issuer", server.issuer, "--client-id", "cli-app",
                 "--client-credentials", env=secret_env())
    assert result.returncode == 0
    assert result.stdout == "" and "access_token=***" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("login", "no-such-provider"), "pip install oauth2-no-such-provider"),
    (("login",), "name a provider"),
    (("login", "--issuer", "http://127.0.0.1:9/", "--client-credentials"), "ConnectionError"),
    (("token", "--file", "/nonexistent/token.json"), "oauth2 login --save"),
    (("login", "oidc", "--set", "novalue"), "KEY=VALUE"),
])
def test_expected_failures_print_one_line_and_exit_1(args, message) -> None:
    result = run(*args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("oauth2: error:") and message in lines[0]


def test_denied_consent_is_one_clear_line(server) -> None:
    server.config.consent = True
    process = cli("login", "--issuer", server.issuer, "--client-id", "cli-app", "--no-browser",
                  env=secret_env())
    url = wait_for_line(process.stderr, r"(http://127\.0\.0\.1:\d+/authorize\?\S+)").group(1)
    requests.get(server.authorize(url, approve=False), timeout=10)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert "access_denied" in err.strip().splitlines()[-1] and "Traceback" not in err


def test_waiting_for_the_browser_times_out_cleanly(server) -> None:
    result = run("login", "--issuer", server.issuer, "--client-id", "cli-app",
                 "--no-browser", "--timeout", "1", env=secret_env())
    assert result.returncode == 1
    assert "no redirect arrived within 1 s" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_while_waiting_exits_130_without_a_traceback(server) -> None:
    process = cli("login", "--issuer", server.issuer, "--client-id", "cli-app", "--no-browser",
                  env=secret_env())
    wait_for_line(process.stderr, r"Waiting for the browser")
    process.send_signal(2)  # SIGINT, as Ctrl-C sends
    _out, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert "cancelled" in err and "Traceback" not in err


def test_verbose_traces_requests_with_secrets_redacted(server) -> None:
    result = run("--verbose", "login", "--issuer", server.issuer, "--client-id", "cli-app",
                 "--client-credentials", "--print-access-token", env=secret_env())
    token = result.stdout.strip()
    assert "request POST" in result.stderr and "'Authorization': '***'" in result.stderr
    assert token not in result.stderr and "cli-secret" not in result.stderr


def test_python_dash_m_runs_the_same_command() -> None:
    result = subprocess.run([sys.executable, "-m", "oauth2_core", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("oauth2-core ")


def test_new_plugin_writes_a_package(tmp_path: Path) -> None:
    result = run("new-plugin", "acme-id", "--dir", str(tmp_path))
    assert result.returncode == 0
    root = tmp_path / "oauth2-acme-id"
    assert "acme-id = oauth2_acme_id" in (root / "setup.cfg").read_text()
    assert (root / "tests" / "test_oauth2_acme_id.py").exists()
    again = run("new-plugin", "acme-id", "--dir", str(tmp_path))
    assert again.returncode == 1 and "already exists" in again.stderr
