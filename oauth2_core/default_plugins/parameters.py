"""Structured request parameters: resource indicators (RFC 8707) and
``authorization_details`` (RFC 9396), in authorization and token requests alike.

``resource`` may be one URI or a list, sent as repeated parameters; each must be an
absolute URI without a fragment (RFC 8707 section 2).  ``authorization_details`` may be
a list or a dict (one detail), sent as its JSON text.  The standard hooks
(:mod:`.standard`) apply them to authorization URLs and token-type requests (token, PAR)
alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigurationError

__all__ = ["normalise_parameters"]


def normalise_parameters(params: MutableMapping[str, Any], json_body: bool = False) -> None:
    """Put ``resource`` and ``authorization_details`` in ``params`` in their wire form
    (``json_body``: the request is JSON, so the details stay structured)."""
    resource = params.get("resource")
    if resource is not None:
        values = [resource] if isinstance(resource, str) else list(resource)
        for value in values:
            parts = urlsplit(value) if isinstance(value, str) else None
            if parts is None or not parts.scheme or parts.fragment or "#" in value:
                raise ConfigurationError(f"resource {value!r} must be an absolute URI "
                                         "without a fragment (RFC 8707 section 2)")
        params["resource"] = values[0] if len(values) == 1 else values
    details = params.get("authorization_details")
    if isinstance(details, Mapping):
        details = [details]
    if isinstance(details, (list, tuple)):
        details = list(details)
        params["authorization_details"] = details if json_body else json.dumps(
            details, separators=(",", ":"))
