"""A fake token endpoint for fast unit tests with ``requests_mock``."""

from __future__ import annotations

from typing import Any, Optional


def fake_token_endpoint(
    mocker: Any,
    url: str,
    token: Optional[dict[str, Any]] = None,
    status_code: int = 200,
    method: str = "POST",
    **response: Any,
) -> Any:
    """Make ``url`` answer like a token endpoint and return the matcher.

    :param mocker: a ``requests_mock.Mocker`` (the ``requests_mock`` pytest fixture).
    :param token: the JSON body; a fresh bearer token if omitted.
    :param response: passed on to ``requests_mock`` (``headers=``, ``text=``, ...).
    :return: the matcher: ``.call_count``, ``.last_request.text``, ...
    """
    if token is None and "json" in response:
        token = response.pop("json")
    if token is None and "text" not in response and "content" not in response:
        token = {
            "access_token": "fake-access-token",
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "fake-refresh-token",
        }
    if token is not None:
        response["json"] = token
    return mocker.register_uri(method, url, status_code=status_code, **response)
