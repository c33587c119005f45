"""The OAuth error the test server's endpoints answer with."""

from __future__ import annotations

from typing import Optional

__all__ = ["ProtocolError"]


class ProtocolError(Exception):
    """An OAuth error to answer with (RFC 6749 section 5.2 and friends)."""

    def __init__(self, error: str, description: str = "", status: int = 400,
                 headers: Optional[dict[str, str]] = None) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers or {}

    def fields(self) -> dict[str, str]:
        fields = {"error": self.error}
        if self.description:
            fields["error_description"] = self.description
        return fields
