"""Helpers of the token-store tests: a throwaway ``redis-server``, grants on the loopback
authorization server, and worker processes that share one token.

``redis-server`` runs on a free loopback port with no persistence (``--save ''
--appendonly no``) and is killed afterwards.  Without ``redis-server`` or the ``redis``
client the Redis tests are skipped, unless ``OAUTH2_REDIS_REQUIRED=1`` (set by CI),
which turns that into a failure.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

import oauth2_core
from oauth2_core import Provider, Token
from oauth2_core.stores import FileStore, TokenStore
from oauth2_core.stores.redis import RedisStore

if TYPE_CHECKING:
    from oauth2_core.testing.server import AuthorizationServer

START_TIMEOUT = 10.0


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("OAUTH2_REDIS_REQUIRED") == "1":
        pytest.fail(f"Redis unavailable (OAUTH2_REDIS_REQUIRED=1): {reason}", pytrace=False)
    pytest.skip(f"Redis unavailable: {reason}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)


@contextmanager
def running_redis() -> Iterator[str]:
    """Start ``redis-server`` and yield its URL, ``redis://127.0.0.1:<port>/0``."""
    executable = shutil.which("redis-server")
    if executable is None:
        unavailable("redis-server is not installed (apt-get install -y redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        unavailable("the redis client is not installed (pip install 'oauth2-core[redis]')")
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with tempfile.TemporaryDirectory() as workdir, tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", workdir, "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(url, process, log)
            yield url
        finally:
            process.kill()
            process.wait(timeout=10)


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Any) -> None:
    client = redis_client(url)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if client.ping():
                    return
            except Exception:  # noqa: S110 - not listening yet
                pass
            time.sleep(0.05)
    finally:
        client.close()
    log.seek(0)
    output = log.read().decode("utf-8", "replace")[-2000:]
    process.kill()
    unavailable(f"redis-server did not answer within {START_TIMEOUT} s "
                f"(exit code {process.poll()}):\n{output}")


# Grants on the loopback authorization server ----------------------------------------
def new_grant(server: AuthorizationServer,
              client_id: str = "workers") -> tuple[Token, dict[str, Any]]:
    """A real grant: the authorization-code flow run against ``server``.  Returns its
    token, already expired for the client (so the first use must refresh it), and the
    settings a worker needs to reach the server as the same client."""
    app = server.register_client(client_id=client_id, client_secret="workers-secret")
    client = server.client(app)
    request = client.begin_authorization(scope="profile")
    token = client.complete_authorization(server.authorize(request.url), request)
    token["expires_at"] = int(time.time()) - 10
    settings = {"token_url": server.url("/token"), "api_url": server.url("/api/me"),
                "client_id": app.client_id, "client_secret": app.client_secret}
    return token, settings


def refresh_tokens_sent(server: AuthorizationServer) -> list[str]:
    """The refresh token of every refresh request the server received, in order."""
    return [r.form["refresh_token"] for r in server.requests_to("token")
            if r.form.get("grant_type") == "refresh_token"]


# Workers, run in child processes (multiprocessing "spawn") ---------------------------
def make_store(config: dict[str, Any]) -> TokenStore:
    if "file" in config:
        return FileStore(config["file"], **config.get("store_options", {}))
    return RedisStore.from_url(config["redis_url"], **config.get("store_options", {}))


def make_client(config: dict[str, Any]) -> oauth2_core.OAuth2Client:
    provider = Provider(name="loop", token_url=config["token_url"])
    return oauth2_core.client(provider, client_id=config["client_id"],
                              client_secret=config["client_secret"],
                              timeout=config.get("timeout", 10.0),
                              plugins=oauth2_core.make_plugin_manager())


def worker(config: dict[str, Any], barrier: Any, results: Any) -> None:
    """Run ``config["threads"]`` threads, each with its own session on the shared key,
    calling the API ``config["calls"]`` times or for ``config["seconds"]``, and put a
    summary on ``results``: statuses, access tokens used, errors."""
    store = make_store(config)
    client = make_client(config)
    statuses: list[int] = []
    used: set[str] = set()
    errors: list[str] = []
    guard = threading.Lock()

    def run() -> None:
        session = client.session(token_key=config["key"], store=store)
        try:
            if barrier is not None:
                barrier.wait(120)
            calls = 0
            until = time.monotonic() + config.get("seconds", float("inf"))
            while calls < config.get("calls", 1 << 30) and time.monotonic() < until:
                calls += 1
                response = session.get(config["api_url"], timeout=10)
                with guard:
                    statuses.append(response.status_code)
                    used.add(response.request.headers["Authorization"].split()[-1])
                time.sleep(config.get("pause", 0.0))
        except Exception as exc:
            with guard:
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run) for _ in range(config["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put({"statuses": statuses, "used": sorted(used), "errors": errors})
    store.close()


def run_workers(config: dict[str, Any], processes: int, *, barrier: bool = True,
                timeout: float = 180) -> list[dict[str, Any]]:
    """Start ``processes`` workers, wait for them and return their summaries."""
    context = multiprocessing.get_context("spawn")
    sync = context.Barrier(processes * config["threads"]) if barrier else None
    results = context.Queue()
    children = [context.Process(target=worker, args=(config, sync, results))
                for _ in range(processes)]
    for child in children:
        child.start()
    summaries = [results.get(timeout=timeout) for _ in children]
    for child in children:
        child.join(timeout)
    assert [child.exitcode for child in children] == [0] * processes
    return summaries
