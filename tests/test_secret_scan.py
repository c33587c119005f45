"""The secret scan (``tests/secret_scan.py``, run by ``tox -e slow``) must catch a leak:
otherwise its "0 hits" over the whole suite would prove nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TESTS = str(Path(__file__).parent)

LEAKY = '''
import logging
import oauth2_core

def test_leak():
    oauth2_core.Token(access_token="leaked-access-token-123")
    logging.getLogger("oauth2_core").debug("using leaked-access-token-123")
'''

CLEAN = '''
import logging
import oauth2_core

def test_clean():
    token = oauth2_core.Token(access_token="kept-access-token-456")
    logging.getLogger("oauth2_core").debug("using %r", token)
'''

FOREIGN = '''
import logging
import oauth2_core

def test_other_library():
    oauth2_core.Token(access_token="kept-access-token-789")
    logging.getLogger("urllib3").debug("GET /?access_token=kept-access-token-789")
'''


@pytest.fixture(autouse=True)
def _scan_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        filter(None, [TESTS, os.environ.get("PYTHONPATH")])))


def _run(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makepyfile(source)
    return pytester.runpytest_subprocess("-p", "secret_scan", "-p", "no:cacheprovider")


def test_a_secret_in_our_log_fails_the_session_without_showing_it(
        pytester: pytest.Pytester) -> None:
    result = _run(pytester, LEAKY)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*1 hits*", "*FAILED: a secret value appears in the log "
                                 "record of 'oauth2_core'*test_leak*"])
    assert "leaked-access-token-123" not in result.stdout.str()


def test_a_redacted_repr_passes(pytester: pytest.Pytester) -> None:
    result = _run(pytester, CLEAN)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*1 secret values recorded*: 0 hits*"])


def test_another_librarys_log_is_reported_but_not_failed(pytester: pytest.Pytester) -> None:
    result = _run(pytester, FOREIGN)
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*note (another library's log, not failed on)*urllib3*"])
