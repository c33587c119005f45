"""What sharing a token through Redis costs.

1. Per-call overhead while the token is fresh: a plain bearer session, the default
   in-memory store, and the Redis store (which serves a fresh token from memory), plus,
   for scale, what reading Redis on every call would cost.
2. Refresh latency under contention: N processes share one expired token; how long
   until every process has the new one, and how many refreshes that took.

Runs standalone: ``python benchmarks/bench_redis_store.py`` starts its own redis-server
(on a free loopback port, no persistence) and the loopback test authorization server.
Needs ``redis-server`` on PATH and ``pip install 'oauth2-core[redis]'``.
"""

from __future__ import annotations

import multiprocessing
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable

import requests

import oauth2_core
from oauth2_core import OAuth2BearerToken, Provider, Token
from oauth2_core.stores.redis import RedisStore
from oauth2_core.testing.server import AuthorizationServer

CALLS = 20_000  # auth calls per timing
HTTP_CALLS = 500  # GET round trips per timing
REPEAT = 5  # best of
PROCESS_COUNTS = (1, 2, 4, 8)


@contextmanager
def redis_server() -> Iterator[str]:
    executable = shutil.which("redis-server")
    if executable is None:
        sys.exit("redis-server is not installed (apt-get install -y redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    with tempfile.TemporaryDirectory() as workdir:
        process = subprocess.Popen(
            [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", workdir], stdout=subprocess.DEVNULL)
        try:
            store = RedisStore.from_url(url)
            for _ in range(200):
                try:
                    store.client.ping()
                    break
                except Exception:
                    time.sleep(0.05)
            store.close()
            yield url
        finally:
            process.kill()
            process.wait()


def best(fn: Callable[[], None], n: int) -> float:
    """Seconds per call: the best of REPEAT runs of n calls."""
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n)
    return min(times)


def fresh_token() -> Token:
    return Token(access_token="bench-at", refresh_token="bench-rt", expires_in=3600)


def per_call_overhead(redis_url: str, server: AuthorizationServer) -> None:
    app = server.register_client(client_id="bench", client_secret="s")
    client = server.client(app)
    request = client.begin_authorization(scope="profile")
    token = client.complete_authorization(server.authorize(request.url), request)
    store = RedisStore.from_url(redis_url)
    store.save("bench", token)
    api = server.url("/api/me")

    plain = OAuth2BearerToken(token["access_token"])
    memory = client.auth(token)
    cached = client.auth(token_key="bench", store=store)

    def read_every_call(r: requests.PreparedRequest) -> requests.PreparedRequest:
        loaded = store.load("bench")
        assert loaded is not None
        client.attach_credentials(r, loaded)
        return r

    variants: list[tuple[str, Any]] = [
        ("plain bearer (no refresh)", plain),
        ("memory store (default)", memory),
        ("redis store (cached)", cached),
        ("redis, read every call", read_every_call),
    ]
    prepared = requests.Request("GET", api).prepare()

    def call_auth(auth: Any) -> None:
        prepared.hooks["response"].clear()  # an auth registers its 401 hook on each call
        auth(prepared)
    print(f"\nPer-call overhead, fresh token (best of {REPEAT}; auth: {CALLS} calls on a "
          f"prepared request; GET: {HTTP_CALLS} loopback round trips)")
    print(f"{'variant':28} {'auth µs':>9} {'ratio':>7} {'GET µs':>9} {'ratio':>7}")
    plain_auth = plain_get = 0.0
    for name, auth in variants:
        auth_time = best(lambda a=auth: call_auth(a), CALLS)
        with requests.Session() as session:
            session.auth = auth
            session.get(api, timeout=10).raise_for_status()
            get_time = best(lambda s=session: s.get(api, timeout=10), HTTP_CALLS)
        if not plain_auth:
            plain_auth, plain_get = auth_time, get_time
        print(f"{name:28} {auth_time * 1e6:9.2f} {auth_time / plain_auth:7.2f} "
              f"{get_time * 1e6:9.0f} {get_time / plain_get:7.2f}")
    store.close()


def contention_worker(settings: dict[str, Any], barrier: Any, results: Any) -> None:
    provider = Provider(name="bench", token_url=settings["token_url"])
    client = oauth2_core.client(provider, client_id=settings["client_id"],
                                client_secret=settings["client_secret"],
                                plugins=oauth2_core.make_plugin_manager())
    store = RedisStore.from_url(settings["redis_url"])
    session = client.session(token_key="contended", store=store)
    store.client.ping()  # connect before the clock starts
    barrier.wait(120)
    start = time.perf_counter()
    session.get(settings["api_url"], timeout=30).raise_for_status()
    results.put(time.perf_counter() - start)
    store.close()


def contention(redis_url: str) -> None:
    print("\nRefresh under contention: N processes, one expired token, rotating refresh "
          "tokens (median of 3 runs)")
    print(f"{'processes':>9} {'refreshes':>9} {'all fresh ms':>12} {'vs 1':>6} "
          f"{'median ms':>10}")
    context = multiprocessing.get_context("spawn")
    reference = 0.0
    for count in PROCESS_COUNTS:
        slowest, medians, refreshes = [], [], []
        for _ in range(3):
            with AuthorizationServer(id_tokens=False) as server:
                server.config.rotate_refresh_tokens = True
                app = server.register_client(client_id="bench", client_secret="s")
                client = server.client(app)
                request = client.begin_authorization(scope="profile")
                token = client.complete_authorization(server.authorize(request.url), request)
                token["expires_at"] = int(time.time()) - 10
                store = RedisStore.from_url(redis_url)
                store.save("contended", token)
                store.close()
                server.clear_requests()
                settings = {"token_url": server.url("/token"), "api_url": server.url("/api/me"),
                            "client_id": "bench", "client_secret": "s", "redis_url": redis_url}
                barrier, results = context.Barrier(count), context.Queue()
                children = [context.Process(target=contention_worker,
                                            args=(settings, barrier, results))
                            for _ in range(count)]
                for child in children:
                    child.start()
                latencies = [results.get(timeout=120) for _ in children]
                for child in children:
                    child.join(60)
                refreshes.append(sum(1 for r in server.requests_to("token")
                                     if r.form.get("grant_type") == "refresh_token"))
                slowest.append(max(latencies))
                medians.append(statistics.median(latencies))
        all_fresh = statistics.median(slowest)
        reference = reference or all_fresh
        print(f"{count:9} {max(refreshes):9} {all_fresh * 1e3:12.1f} "
              f"{all_fresh / reference:6.2f} {statistics.median(medians) * 1e3:10.1f}")


def main() -> None:
    with redis_server() as redis_url, AuthorizationServer(id_tokens=False) as server:
        per_call_overhead(redis_url, server)
        contention(redis_url)


if __name__ == "__main__":
    main()
