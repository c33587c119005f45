"""HTTP requests and responses of the test server, as plain values.

Endpoints are functions from a :class:`Request` to a :class:`Response`, so they know
nothing of sockets; the server records each request as a :class:`RecordedRequest`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..transport import SECRET_HEADERS, redact
from .errors import ProtocolError

__all__ = ["RecordedRequest", "Request", "Response", "add_query"]


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values


@dataclasses.dataclass
class Request:
    """One HTTP request.  ``headers`` keys are lower case."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""

    @classmethod
    def build(cls, method: str, target: str, headers: Mapping[str, str],
              body: bytes = b"") -> Request:
        parts = urlsplit(target)
        query = _multi(parse_qsl(parts.query, keep_blank_values=True))
        return cls(method.upper(), parts.path or "/", query,
                   {k.lower(): v for k, v in headers.items()}, body)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def form(self) -> dict[str, list[str]]:
        """The body's fields when it is ``application/x-www-form-urlencoded``."""
        if self.content_type != "application/x-www-form-urlencoded":
            return {}
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return _multi(parse_qsl(text, keep_blank_values=True))

    def params(self) -> dict[str, list[str]]:
        """The query of a GET, the form of a POST (OpenID Connect allows either)."""
        return self.form if self.method == "POST" else self.query


def single(params: Mapping[str, list[str]], name: str) -> Optional[str]:
    """The parameter's value; a repeated one is an error (RFC 6749 section 3.1)."""
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise ProtocolError("invalid_request", f"parameter {name!r} is repeated")
    return values[0] or None  # RFC 6749 3.1: an empty parameter counts as omitted


@dataclasses.dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: Optional[Mapping[str, str]] = None,
             no_store: bool = False) -> Response:
        all_headers = {"Content-Type": "application/json"}
        if no_store:  # RFC 6749 section 5.1: responses with tokens are never cached
            all_headers.update({"Cache-Control": "no-store", "Pragma": "no-cache"})
        all_headers.update(headers or {})
        return cls(status, json.dumps(data).encode("utf-8"), all_headers)

    @classmethod
    def form(cls, data: Mapping[str, Any], status: int = 200) -> Response:
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
        return cls(status, urlencode(fields).encode("ascii"), {
            "Content-Type": "application/x-www-form-urlencoded", "Cache-Control": "no-store",
            "Pragma": "no-cache"})

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8",
                                                  "Cache-Control": "no-store"})

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> Response:
        return cls(status, b"", {"Location": location, "Cache-Control": "no-store"})


def add_query(url: str, params: Mapping[str, Optional[str]]) -> str:
    """``url`` with ``params`` added to its query, which is kept (RFC 6749 3.1.2)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    pairs += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(pairs)))


def _first(values: Mapping[str, list[str]]) -> dict[str, str]:
    return {name: items[0] for name, items in values.items()}


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    """A request the server received, for assertions in tests.

    ``query`` and ``form`` hold each parameter's first value.  The values are kept as
    sent (a test may check that a secret was sent), but the repr masks secrets.
    """

    endpoint: Optional[str]
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]

    @classmethod
    def of(cls, endpoint: Optional[str], request: Request) -> RecordedRequest:
        return cls(endpoint, request.method, request.path, _first(request.query),
                   _first(request.form), dict(request.headers))

    def __repr__(self) -> str:
        headers = {k: "***" if k in SECRET_HEADERS else v for k, v in self.headers.items()}
        return (f"RecordedRequest({self.method} {self.path}, endpoint={self.endpoint!r}, "
                f"query={redact(self.query)!r}, form={redact(self.form)!r}, "
                f"headers={headers!r})")
