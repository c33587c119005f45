"""The loopback redirect listener for native apps (RFC 8252 section 7.3).

A one-shot HTTP server on 127.0.0.1 and a random port receives the authorization
response, shows the user a short page, and hands the callback URL to the waiting CLI.
"""

from __future__ import annotations

import html
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qs, urlsplit

from ..errors import TransportError

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>{title}</h1><p>{text}</p></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server: LoopbackListener

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.path:
            self.send_error(404)
            return
        params = parse_qs(parts.query)
        if "error" in params:
            title, text = "Sign-in failed", f"The provider said: {params['error'][0]}."
        else:
            title, text = "Signed in", "You can close this window and return to the terminal."
        body = PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.callback_url = f"{self.server.redirect_uri}?{parts.query}"
        self.server.received.set()

    def log_message(self, format: str, *args: object) -> None:
        pass  # the query carries the authorization code: never print it


class LoopbackListener(HTTPServer):
    """Listens on ``127.0.0.1:<port>`` for the redirect back to ``path``."""

    def __init__(self, port: int = 0, path: str = "/callback") -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.path = path
        self.redirect_uri = f"http://127.0.0.1:{self.server_address[1]}{path}"
        self.callback_url: Optional[str] = None
        self.received = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> LoopbackListener:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()

    def wait(self, timeout: float, on_tick: Optional[Callable[[float], None]] = None) -> str:
        """Block until the redirect arrives (or ``timeout`` seconds pass); Ctrl-C works."""
        deadline = time.monotonic() + timeout
        while not self.received.wait(0.5):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransportError(description=f"no redirect arrived within {timeout:.0f} s")
            if on_tick is not None:
                on_tick(remaining)
        assert self.callback_url is not None  # noqa: S101 - set before the event
        return self.callback_url
