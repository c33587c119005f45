"""The pytest fixtures as another project sees them (installed through ``pytest11``; run in
a subprocess, as plugins like hypothesis refuse a second start in one process), and
the command-line runner."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

pytest_plugins = ["pytester"]


def test_fixtures_are_installed_for_every_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_flow(oauth2_server, oauth2_client):
            assert oauth2_client.client_id == "test-client"
            assert oauth2_client.provider.issuer == oauth2_server.issuer
            assert oauth2_client.client_credentials().access_token

        def test_shared(oauth2_server_session):
            oauth2_server_session.reset()
            assert oauth2_server_session.requests == []
    """)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_broken_server_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import requests

        def test_it(oauth2_server, monkeypatch):
            monkeypatch.setattr(oauth2_server.authority, "introspect", None)
            oauth2_server.register_client(client_id="rs", client_secret="r")
            requests.post(oauth2_server.url("/introspect"), auth=("rs", "r"),
                          data={"token": "t"}, timeout=10)
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the test authorization server failed*"])


def test_command_line_runner() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "oauth2_core.testing", "--client-id", "demo",
         "--client-secret", "demo-secret"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        issuer = process.stdout.readline().split()[-1]
        response = requests.post(issuer + "/token", auth=("demo", "demo-secret"),
                                 data={"grant_type": "client_credentials"}, timeout=10)
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
