"""One token, many processes: refresh once, survive a killed holder, and never replay a
rotated refresh token.  Workers are real processes ("spawn"), the store is a real
redis-server (or a file), the authorization server is the loopback test server with
refresh-token rotation and reuse detection."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis_server import (
    new_grant,
    redis_client,
    refresh_tokens_sent,
    run_workers,
    running_redis,
    worker,
)

from oauth2_core.stores import FileStore
from oauth2_core.stores.redis import RedisStore
from oauth2_core.testing.server import AuthorizationServer

KEY = "user:alice"
#: Length of the rotation run; CI uses the full 30 seconds.
ROTATION_SECONDS = float(os.environ.get("OAUTH2_ROTATION_SECONDS", "30"))


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as url:
        yield url


@pytest.fixture
def store(redis_url: str) -> Iterator[RedisStore]:
    redis_client(redis_url).flushdb()
    store = RedisStore.from_url(redis_url)
    yield store
    store.close()


@pytest.fixture
def server() -> Iterator[AuthorizationServer]:
    with AuthorizationServer(id_tokens=False) as server:
        server.config.rotate_refresh_tokens = True  # and a reused one revokes the grant
        yield server
        assert server.errors == []


def outcome(summaries: list[dict[str, Any]]) -> tuple[list[str], list[int], set[str]]:
    errors = [e for s in summaries for e in s["errors"]]
    statuses = [code for s in summaries for code in s["statuses"]]
    used = {token for s in summaries for token in s["used"]}
    return errors, statuses, used


def test_8_processes_of_8_threads_refresh_an_expired_token_once(server, store, redis_url):
    """64 sessions in 8 processes share one expired token: one refresh request reaches
    the token endpoint, and every call uses its result."""
    token, settings = new_grant(server)
    store.save(KEY, token)
    server.config.fault("token", delay=0.5, grant_type="refresh_token")  # stay in flight
    server.clear_requests()
    summaries = run_workers({**settings, "redis_url": redis_url, "key": KEY, "threads": 8,
                             "calls": 1}, processes=8)
    errors, statuses, used = outcome(summaries)
    print(f"\n8x8: {len(refresh_tokens_sent(server))} refresh request(s), "
          f"{len(statuses)} API calls")
    assert errors == []
    assert refresh_tokens_sent(server) == [token.refresh_token]  # exactly one refresh
    stored = store.load(KEY)
    assert statuses == [200] * 64 and used == {stored.access_token}
    assert stored.refresh_token != token.refresh_token  # the rotated one was kept


def test_a_holder_killed_mid_refresh_delays_the_others_only_until_its_lock_expires(
        server, store, redis_url) -> None:
    token, settings = new_grant(server)
    store.save(KEY, token)
    # The holder's refresh hangs and ends without a token (the response never arrives).
    server.config.fault("token", 503, delay=60, grant_type="refresh_token", times=1)
    server.clear_requests()
    config = {**settings, "redis_url": redis_url, "key": KEY, "calls": 1, "timeout": 5,
              "store_options": {"lock_expiry": 1, "wait_timeout": 120}}
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    holder = context.Process(target=worker, args=({**config, "threads": 1}, None, results))
    holder.start()
    try:
        deadline = time.monotonic() + 120
        while not server.requests_to("token") and time.monotonic() < deadline:
            time.sleep(0.01)  # wait until the holder has the lock and its request is out
        lock_ttl_ms = store.client.pttl(store.lock_key(KEY))
    finally:
        holder.kill()
        holder.join(30)
    assert holder.exitcode == -signal.SIGKILL
    assert 0 < lock_ttl_ms <= 11_000  # it expires: twice the 5 s timeout plus 1 s at most
    assert store.client.exists(store.lock_key(KEY))  # the others will find it held...
    assert store.load(KEY) == token  # ...and the stored grant intact

    summaries = run_workers({**config, "threads": 2}, processes=2, barrier=False)
    errors, statuses, used = outcome(summaries)
    assert errors == [] and statuses == [200] * 4  # they got through once it expired
    sent = refresh_tokens_sent(server)
    assert sent == [token.refresh_token, token.refresh_token]  # the dead one, then one more
    assert used == {store.load(KEY).access_token}


def test_rotating_refresh_tokens_across_processes_never_meet_invalid_grant(
        server, store, redis_url) -> None:
    """Access tokens live 2 s, refresh tokens rotate, a replayed refresh token revokes
    the whole grant.  4 processes x 3 threads call the API for 30 seconds."""
    server.config.access_token_ttl = 2
    token, settings = new_grant(server)
    store.save(KEY, token)
    server.clear_requests()
    summaries = run_workers({**settings, "redis_url": redis_url, "key": KEY, "threads": 3,
                             "seconds": ROTATION_SECONDS, "pause": 0.05}, processes=4)
    errors, statuses, used = outcome(summaries)
    sent = refresh_tokens_sent(server)
    print(f"\nrotation: {len(sent)} refreshes, {len(statuses)} API calls, "
          f"{len(errors)} errors in {ROTATION_SECONDS:g} s")
    assert errors == []  # an invalid_grant would be an InvalidGrant here
    assert len(sent) == len(set(sent))  # no refresh token was ever presented twice
    assert len(sent) >= ROTATION_SECONDS / 2 / 3  # the token really expired, many times
    assert set(statuses) == {200}
    assert len(used) == len(sent)  # one access token per refresh, all of them used
    assert store.load(KEY).refresh_token not in sent  # the newest, still unused, is stored


def test_processes_on_one_host_share_a_file_store(server, tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    token, settings = new_grant(server)
    FileStore(path).save(KEY, token)
    server.config.fault("token", delay=0.5, grant_type="refresh_token")
    server.clear_requests()
    summaries = run_workers({**settings, "file": str(path), "key": KEY, "threads": 4,
                             "calls": 1}, processes=4)
    errors, statuses, used = outcome(summaries)
    assert errors == [] and statuses == [200] * 16
    assert refresh_tokens_sent(server) == [token.refresh_token]
    assert used == {FileStore(path).load(KEY).access_token}
