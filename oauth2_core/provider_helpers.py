"""Small helpers for provider plugins: the logic several providers' quirks share.

A provider plugin is mostly data; where its hooks must read a provider's own error shapes,
envelopes or headers, these functions do the part that is the same from one provider to
the next, so each plugin keeps only what is really its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

from .default_plugins.token_response import describe_body, form_object, json_object
from .error_codes import error_class
from .errors import OAuth2Error, TokenResponseError

if TYPE_CHECKING:
    import requests

__all__ = [
    "envelope_object",
    "error_message",
    "mapped_error",
    "raise_for_mapped_error",
    "set_user_agent",
    "token_fields",
]


def token_fields(response: requests.Response, *, form_encoded: bool = False) -> dict[str, Any]:
    """A token endpoint's answer as fields, for an ``oauth2_parse_token_response`` hook
    that must read them before the core's parser does.

    :param form_encoded: also accept an ``application/x-www-form-urlencoded`` body (GitHub
        without ``Accept: application/json``, legacy Facebook).
    :raises TokenResponseError: for any other body, saying what came instead (an HTML
        error page, JSON that is not an object, ...) but never the body itself.
    """
    fields = json_object(response)
    if fields is None and form_encoded:
        fields = form_object(response)
    if fields is None:
        expected = "JSON or form-encoded fields" if form_encoded else "a JSON object"
        raise TokenResponseError(description=f"expected {expected}, got "
                                 f"{describe_body(response)}",
                                 status_code=response.status_code, response=response)
    return fields


def mapped_error(code: str, classes: Mapping[str, type[OAuth2Error]],
                 description: Any = None, uri: Any = None,
                 response: Optional[requests.Response] = None) -> OAuth2Error:
    """The exception for a provider's own error ``code``, keeping that code in ``.error``.

    The class is the RFC one ``classes`` maps the code to (``{"bad_verification_code":
    InvalidGrant}``), else the class of an RFC 6749 code, else :class:`OAuth2Error`; so a
    caller catches ``InvalidGrant`` and still sees what the provider said.
    """
    cls = classes.get(code) or error_class(code)
    return cls(code, str(description) if description else None,
               uri if isinstance(uri, str) else None,
               getattr(response, "status_code", None), response)


def raise_for_mapped_error(fields: Mapping[str, Any], classes: Mapping[str, type[OAuth2Error]],
                           response: Optional[requests.Response] = None) -> None:
    """Raise :func:`mapped_error` if ``fields["error"]`` is one of the codes in ``classes``
    (with ``error_description`` and ``error_uri``); any other answer is left to the
    caller (the core's parser reads RFC-shaped errors, even with HTTP 200)."""
    code = fields.get("error")
    if isinstance(code, str) and code in classes:
        raise mapped_error(code, classes, fields.get("error_description"),
                           fields.get("error_uri"), response)


def envelope_object(body: Any, key: str = "data") -> Optional[dict[str, Any]]:
    """The object a JSON answer wraps in ``body[key]``: that object itself (X's
    ``{"data": {...}}``, GraphQL's ``data``) or the first of a list of them (Twitch Helix,
    Instagram's token answer).  A shallow copy; None when there is no such object."""
    inner = body.get(key) if isinstance(body, Mapping) else None
    if isinstance(inner, list):
        inner = inner[0] if inner else None
    return dict(inner) if isinstance(inner, Mapping) else None


def error_message(body: Any) -> Optional[str]:
    """The explanation an error answer's JSON ``body`` carries, or None.

    Read, in this order: RFC 6749/6750 ``error_description``; a Graph-style
    ``{"error": {"message"}}``; a top-level ``message``; RFC 9457's ``detail``; GraphQL's
    ``errors`` (a list of ``{"message"}``, or one string); and last a bare ``error`` code.
    Only what the server wrote: nothing we sent is added.
    """
    if not isinstance(body, Mapping):
        return None
    error, errors = body.get("error"), body.get("errors")
    if isinstance(errors, list):
        errors = errors[0] if errors else None
    candidates = (
        body.get("error_description"),
        error.get("message") if isinstance(error, Mapping) else None,
        body.get("message"),
        body.get("detail"),
        errors.get("message") if isinstance(errors, Mapping) else errors,
        error,
    )
    return next((c for c in candidates if isinstance(c, str) and c), None)


def set_user_agent(request: requests.PreparedRequest, configured: Any, default: str) -> None:
    """Name the application in ``User-Agent``, for APIs that refuse or throttle requests
    without one (GitHub, Reddit).

    ``configured`` (the client's ``user_agent`` setting) always wins; without it a
    User-Agent the caller chose is kept, and only a missing one or requests' own
    ``python-requests/x.y`` becomes ``default``.
    """
    current = request.headers.get("User-Agent", "")
    if configured:
        request.headers["User-Agent"] = str(configured)
    elif not current or current.startswith("python-requests/"):
        request.headers["User-Agent"] = default
