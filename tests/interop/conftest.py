"""Run panva's oidc-provider (server.mjs) on loopback for the interoperability tests.

The server is started once per test session on a free port.  Without Node.js or
``npm ci`` in this directory the tests are skipped, unless ``OAUTH2_INTEROP_REQUIRED=1``
(set by CI), which turns a missing or broken server into a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import NoReturn
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from launch import ServerUnavailable, oidc_provider

HTTP_TIMEOUT = 10.0
MAX_REDIRECTS = 12
_FORM_FIELD = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"/>')
_FORM_ACTION = re.compile(r'<form [^>]*action="([^"]+)"')


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("OAUTH2_INTEROP_REQUIRED") == "1":
        pytest.fail(f"interop server unavailable (OAUTH2_INTEROP_REQUIRED=1): {reason}",
                    pytrace=False)
    pytest.skip(f"interop server unavailable: {reason}")


@pytest.fixture(scope="session")
def issuer() -> Iterator[str]:
    """The issuer URL of a running oidc-provider, ``http://127.0.0.1:<port>``."""
    try:
        with oidc_provider() as running:
            yield running
    except ServerUnavailable as exc:
        _unavailable(str(exc))


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
