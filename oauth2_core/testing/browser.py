"""Being the browser: follow an authorization URL to the redirect back, without one.

Uses real HTTP, like a browser: the GET, then (on a consent page) the form's POST.
"""

from __future__ import annotations

import html
import re
from typing import Optional

import requests

from .authorize import USER_COOKIE

__all__ = ["AuthorizeFailed", "follow_authorize_url"]

TIMEOUT = 10.0
_TRANSACTION = re.compile(r'name="transaction" value="([^"]*)"')
_ERROR = re.compile(r'<p id="error">([^<]*)</p><p id="error_description">([^<]*)</p>')


class AuthorizeFailed(AssertionError):
    """The authorization server answered with a page instead of a redirect (an unknown
    client, an unregistered redirect URI, ...).  ``error`` and ``description`` say why."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"the authorization server answered HTTP {status}: {error}"
                         + (f" ({description})" if description else ""))
        self.status = status
        self.error = error
        self.description = description


def _failure(response: requests.Response) -> AuthorizeFailed:
    found = _ERROR.search(response.text)
    if found is None:
        return AuthorizeFailed(response.status_code, "unexpected_response", "")
    return AuthorizeFailed(response.status_code, html.unescape(found.group(1)),
                           html.unescape(found.group(2)))


def _location(response: requests.Response) -> Optional[str]:
    if response.status_code in (302, 303) and "Location" in response.headers:
        return response.headers["Location"]
    return None


def follow_authorize_url(issuer: str, url: str, approve: bool = True,
                         username: Optional[str] = None) -> str:
    """The callback URL the server at ``issuer`` redirects ``url`` to.

    :param approve: press Allow (True) or Deny on the consent page; without a consent
        page (``config.consent`` off) the request is approved, so Deny is an error.
    :param username: the signed-in user (a session cookie, as a browser would send).
    """
    with requests.Session() as browser:
        if username is not None:
            browser.cookies.set(USER_COOKIE, username)
        response = browser.get(url, allow_redirects=False, timeout=TIMEOUT)
        location = _location(response)
        if location is not None:
            if not approve:
                raise ValueError("the server approved without asking; set "
                                 "server.config.consent = True to press Deny")
            return location
        found = _TRANSACTION.search(response.text) if response.status_code == 200 else None
        if found is None:
            raise _failure(response)
        form = {"transaction": html.unescape(found.group(1)),
                "decision": "allow" if approve else "deny"}
        if username is not None:
            form["username"] = username
        response = browser.post(issuer + "/authorize/decision", data=form,
                                allow_redirects=False, timeout=TIMEOUT)
        location = _location(response)
        if location is None:
            raise _failure(response)
        return location
