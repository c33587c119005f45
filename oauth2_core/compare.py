"""Constant-time comparison for values an attacker could guess byte by byte from timing:
``state``, ``iss``, ``nonce`` and token hashes."""

from __future__ import annotations

import hmac
from typing import Optional

__all__ = ["equal"]


def equal(a: Optional[str], b: Optional[str]) -> bool:
    """Constant-time comparison of two optional strings (None never equals anything)."""
    if a is None or b is None:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
