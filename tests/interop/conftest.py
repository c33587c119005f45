"""Run panva's oidc-provider (server.mjs) on loopback for the interoperability tests.

The server is started once per test session on a free port.  Without Node.js or
``npm ci`` in this directory the tests are skipped, unless ``OAUTH2_INTEROP_REQUIRED=1``
(set by CI), which turns a missing or broken server into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 20.0
HTTP_TIMEOUT = 10.0
MAX_REDIRECTS = 12
_FORM_FIELD = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"/>')
_FORM_ACTION = re.compile(r'<form [^>]*action="([^"]+)"')


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("OAUTH2_INTEROP_REQUIRED") == "1":
        pytest.fail(f"interop server unavailable (OAUTH2_INTEROP_REQUIRED=1): {reason}",
                    pytrace=False)
    pytest.skip(f"interop server unavailable: {reason}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_discovery(issuer: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    url = issuer + "/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return True
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def issuer() -> Iterator[str]:
    """The issuer URL of a running oidc-provider, ``http://127.0.0.1:<port>``."""
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        _unavailable(f"oidc-provider is not installed: run `npm ci` in {HERE}")
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([node, "server.mjs", str(port)], cwd=HERE,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            if not _wait_for_discovery(issuer, process):
                log.seek(0)
                output = log.read().decode("utf-8", "replace")[-2000:]
                _unavailable(f"server.mjs did not answer discovery within {START_TIMEOUT} s "
                             f"(exit code {process.poll()}):\n{output}")
            yield issuer
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class HeadlessUser:
    """A user agent with a cookie jar that approves requests at the interop server.

    The server's ``/interaction/:uid`` route signs the user in and consents in code,
    so following redirects is all a "browser" has to do.
    """

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.browser = requests.Session()

    def authorize(self, authorization_url: str) -> str:
        """Follow ``authorization_url`` through login and consent; return the URL the
        server redirects to outside itself (the callback), without fetching it."""
        url = authorization_url
        for _ in range(MAX_REDIRECTS):
            response = self.browser.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
            if not response.is_redirect:
                raise AssertionError(f"GET {urlsplit(url).path} answered HTTP "
                                     f"{response.status_code}, not a redirect:\n"
                                     f"{response.text[:500]}")
            url = urljoin(url, response.headers["Location"])
            if not self._on_issuer(url):
                return url
        raise AssertionError(f"more than {MAX_REDIRECTS} redirects at the authorization server")

    def approve_device(self, verification_uri: str, user_code: str) -> None:
        """Enter ``user_code`` at ``verification_uri``, confirm it, sign in and consent,
        as a user would on a second device."""
        done = self._confirm_device(verification_uri, user_code, confirm="yes")
        if "Sign-in Success" not in done.text:
            raise AssertionError(f"device approval ended at HTTP {done.status_code}:\n"
                                 f"{done.text[:500]}")

    def deny_device(self, verification_uri: str, user_code: str) -> None:
        """Enter ``user_code`` and then abort, as a user who did not start the request."""
        self._confirm_device(verification_uri, user_code, abort="yes")

    def _confirm_device(self, verification_uri: str, user_code: str,
                        **answer: str) -> requests.Response:
        page = self.browser.get(verification_uri, timeout=HTTP_TIMEOUT)
        page.raise_for_status()
        confirm = self._submit(page, user_code=user_code)
        return self._submit(confirm, user_code=user_code, **answer)

    def _submit(self, page: requests.Response, **fields: str) -> requests.Response:
        """Post the page's form (its hidden xsrf field plus ``fields``), following
        redirects through the interaction routes."""
        action = _FORM_ACTION.search(page.text)
        if action is None:
            raise AssertionError(f"no form on the page:\n{page.text[:500]}")
        data = dict(_FORM_FIELD.findall(page.text))
        data.update(fields)
        response = self.browser.post(urljoin(page.url, action.group(1)), data=data,
                                     timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response

    def _on_issuer(self, url: str) -> bool:
        here, there = urlsplit(self.issuer), urlsplit(url)
        return (here.scheme, here.netloc) == (there.scheme, there.netloc)


@pytest.fixture
def user(issuer: str) -> Iterator[HeadlessUser]:
    """A fresh headless user (new cookie jar, so no earlier sign-in carries over)."""
    headless = HeadlessUser(issuer)
    with headless.browser:
        yield headless
