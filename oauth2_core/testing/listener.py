"""The socket side of the test server: a threaded HTTP/1.1 server on 127.0.0.1 that turns
each request into a :class:`Request` and writes back the :class:`Response`."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

from .messages import Request, Response

__all__ = ["LoopbackHTTPServer"]

logger = logging.getLogger("oauth2_core.testing.server")

MAX_BODY_BYTES = 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    server_version = "oauth2-core-test-server"
    # Headers and body leave in one write, and without Nagle's delay: otherwise each
    # keep-alive response waits ~40 ms for the client's delayed ACK.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: LoopbackHTTPServer

    def _serve(self) -> None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._write(Response.json({"error": "invalid_request", "error_description":
                                       "chunked request bodies are not supported"}, 411))
            self.close_connection = True
            return
        length = self.headers.get("Content-Length", "0")
        size = int(length) if length.isdigit() else 0
        if size > MAX_BODY_BYTES:
            self._write(Response.json({"error": "invalid_request"}, 413))
            self.close_connection = True
            return
        body = self.rfile.read(size) if size else b""
        request = Request.build(self.command, self.path, dict(self.headers.items()), body)
        self._write(self.server.respond(request))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        # The path only: a query may carry an access token (RFC 6750 section 2.3).
        logger.debug("%s %s -> %s", self.command, self.path.split("?")[0], code)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("http: " + format, *args)


class LoopbackHTTPServer(ThreadingHTTPServer):
    """Serves ``handle`` on ``127.0.0.1:port`` (0: a free port), a thread per connection."""

    daemon_threads = True
    #: socketserver's default backlog of 5 resets connections when many threads (a
    #: refresh storm, a load test) connect at once.
    request_queue_size = 256

    def __init__(self, handle: Callable[[Request], Response], port: int) -> None:
        self.respond = handle
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("connection error from %s", client_address, exc_info=True)

    def close_connections(self) -> None:
        """End idle keep-alive connections, so their threads finish."""
        with self.connections_lock:
            for connection in list(self.connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
