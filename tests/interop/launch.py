"""Start panva's oidc-provider (server.mjs) on a free loopback port.

Shared by the interop tests (conftest.py) and the benchmarks (benchmarks/interop.py),
which add this directory to ``sys.path``.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
START_TIMEOUT = 20.0


class ServerUnavailable(Exception):
    """Node or oidc-provider is missing, or the server did not start."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_discovery(issuer: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(issuer + "/.well-known/openid-configuration",
                            timeout=2).status_code == 200:
                return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def oidc_provider() -> Iterator[str]:
    """Run server.mjs until the block ends; yields its issuer, ``http://127.0.0.1:<port>``.

    :raises ServerUnavailable: saying what to install, or how the server failed.
    """
    node = shutil.which("node")
    if node is None:
        raise ServerUnavailable("node is not installed")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise ServerUnavailable(f"oidc-provider is not installed: run `npm ci` in {HERE}")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([node, "server.mjs", str(port)], cwd=HERE,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            if not _wait_for_discovery(issuer, process):
                log.seek(0)
                output = log.read().decode("utf-8", "replace")[-2000:]
                raise ServerUnavailable(
                    f"server.mjs did not answer discovery within {START_TIMEOUT} s "
                    f"(exit code {process.poll()}):\n{output}")
            yield issuer
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
