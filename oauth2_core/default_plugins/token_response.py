"""RFC 6749 sections 5.1 and 5.2: reading a token endpoint's answer."""

from __future__ import annotations

import json
from typing import Any, Optional
from urllib.parse import parse_qsl

import requests

from ..error_codes import raise_for_error_fields
from ..errors import TokenResponseError
from ..providers import Provider
from ..tokens import Token


def json_object(response: requests.Response) -> Optional[dict[str, Any]]:
    """The body as a JSON object, whatever the Content-Type says; None if it is not one."""
    try:
        value = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def form_object(response: requests.Response) -> Optional[dict[str, Any]]:
    """The body as ``application/x-www-form-urlencoded`` fields (GitHub's default, legacy
    Facebook); None unless it parses to at least one field."""
    try:
        text = response.content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "=" not in text or text.lstrip().startswith(("{", "[", "<")):
        return None
    fields = dict(parse_qsl(text.strip(), keep_blank_values=True))
    return fields or None


def describe_body(response: requests.Response) -> str:
    """Words for a body that is not a JSON object (never the body itself)."""
    content_type = response.headers.get("Content-Type", "no Content-Type").split(";")[0]
    try:
        value = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        kind = "HTML" if b"<html" in response.content[:512].lower() else "non-JSON"
        return f"a {kind} body ({content_type}, {len(response.content)} bytes)"
    return f"JSON that is not an object (a {type(value).__name__})"


def token_from_fields(provider: Provider, fields: dict[str, Any],
                      response: requests.Response) -> Token:
    """Validate a token response's fields (RFC 6749 section 5.1) and build the Token."""
    status = response.status_code
    raise_for_error_fields(fields, response)
    if status != 200:
        raise TokenResponseError(description=f"HTTP {status} without an error code",
                                 status_code=status, response=response)
    access_token = fields.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise TokenResponseError(description="the response has no access_token",
                                 status_code=status, response=response)
    token_type = fields.get("token_type")
    if token_type is not None and (
        not isinstance(token_type, str) or token_type.lower() not in provider.token_types
    ):
        raise TokenResponseError(
            description=f"token_type {token_type!r} is not one of {list(provider.token_types)}",
            status_code=status, response=response,
        )
    try:
        return Token(fields)
    except TokenResponseError as exc:
        raise TokenResponseError(description=exc.description, status_code=status,
                                 response=response) from None


def parse_token_response(provider: Provider, response: requests.Response) -> Token:
    """The standard reading of a token response: a JSON object, checked; never a redirect."""
    if 300 <= response.status_code < 400:
        raise TokenResponseError(
            description=f"the endpoint redirected (HTTP {response.status_code}); redirects "
            "are not followed with client credentials",
            status_code=response.status_code, response=response,
        )
    fields = json_object(response)
    if fields is None:
        raise TokenResponseError(
            description=f"expected a JSON object, got {describe_body(response)}",
            status_code=response.status_code, response=response,
        )
    return token_from_fields(provider, fields, response)
