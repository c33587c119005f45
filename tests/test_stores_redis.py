"""RedisStore against a real redis-server: the lock (expiry, safe release), fencing, key
expiry, and every way Redis can fail."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from acme import TOKEN_URL, bearer
from redis_server import free_port, redis_client, running_redis

import oauth2_core
from oauth2_core import ConfigurationError, InsecureTransportError, Token
from oauth2_core.stores import StaleTokenError, TokenStoreError
from oauth2_core.stores.redis import DEFAULT_REFRESH_TOKEN_TTL, RedisStore, record_ttl

API = "https://api.acme.test/me"
PASSWORD = "redis-pa55word"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as url:
        yield url


@pytest.fixture
def redis(redis_url: str) -> Iterator[Any]:
    client = redis_client(redis_url)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def store(redis_url: str, redis: Any) -> Iterator[RedisStore]:
    store = RedisStore.from_url(redis_url)
    yield store
    store.close()


def down_url() -> str:
    """A Redis URL, with a password, where nothing listens."""
    return f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"


def rotating() -> Token:
    return Token(access_token="at-1", refresh_token="rt-1", expires_in=60,
                 expires_at=int(time.time()) - 1)


# The lock ----------------------------------------------------------------------------
def test_the_lock_outlives_a_token_request(store: RedisStore, redis: Any) -> None:
    with store.refresh_lock("k", request_timeout=7):
        ttl_ms = redis.pttl(store.lock_key("k"))
    assert 14_000 < ttl_ms <= 15_000  # twice the request timeout plus one second
    assert redis.exists(store.lock_key("k")) == 0  # released on exit


def test_the_lock_value_is_random_per_holder(store: RedisStore, redis: Any) -> None:
    owners = []
    for _ in range(2):
        with store.refresh_lock("k"):
            owners.append(redis.get(store.lock_key("k")))
    assert owners[0] != owners[1] and len(owners[0]) == 32


def test_a_dead_holders_lock_frees_itself_at_its_expiry(store: RedisStore, redis: Any) -> None:
    redis.set(store.lock_key("k"), "a-dead-holder", px=300)
    with store.refresh_lock("k") as lease:  # waits for the expiry, then takes it
        lease.save(Token(access_token="after"))
    assert store.load("k").access_token == "after"


def test_a_lock_that_never_frees_is_a_clear_error(redis_url: str, redis: Any) -> None:
    store = RedisStore.from_url(redis_url, wait_timeout=0.2)
    redis.set(store.lock_key("k"), "stuck")
    with pytest.raises(TokenStoreError, match=r"gave up after 0\.2 s .* key 'k'"), \
            store.refresh_lock("k"):
        pass  # pragma: no cover


def test_a_holder_whose_lock_expired_does_not_release_its_successors(store, redis) -> None:
    with store.refresh_lock("k"):
        redis.set(store.lock_key("k"), "successor")  # ours expired; someone else took it
    assert redis.get(store.lock_key("k")) == b"successor"


# Fencing -----------------------------------------------------------------------------------
def test_a_stale_holder_cannot_overwrite_a_newer_token(store: RedisStore, redis: Any) -> None:
    store.save("k", Token(access_token="v1"))
    with store.refresh_lock("k") as stalled:
        redis.delete(store.lock_key("k"))  # its lock expires while it stalls
        with store.refresh_lock("k") as successor:
            successor.save(Token(access_token="v2"))
        with pytest.raises(StaleTokenError, match="newer token"):
            stalled.save(Token(access_token="v1-late"))
    assert store.load("k").access_token == "v2"


def test_a_save_under_a_lease_is_fenced_against_any_other_save(store: RedisStore) -> None:
    with store.refresh_lock("k") as lease:
        store.save("k", Token(access_token="logged-in-again"))  # e.g. a new login
        with pytest.raises(StaleTokenError):
            lease.save(Token(access_token="refreshed"))
    assert store.load("k").access_token == "logged-in-again"


def test_versions_keep_growing_when_the_record_is_deleted(store: RedisStore) -> None:
    versions = []
    for _ in range(2):
        with store.refresh_lock("k") as lease:
            lease.save(Token(access_token="at"))
            versions.append(int(lease.version))  # type: ignore[attr-defined]
        store.delete("k")
    assert versions[1] > versions[0]


def test_a_session_whose_refresh_stalled_adopts_the_newer_token(acme, store, redis,
                                                                requests_mock) -> None:
    """The holder's lock expired during its refresh and another worker saved a newer
    token: the late result is dropped, never saved, never reported."""
    requests_mock.get(API, json={})
    store.save("k", rotating())

    def stalled_refresh(request: Any, context: Any) -> dict[str, object]:
        redis.delete(store.lock_key("k"))
        store.save("k", Token(access_token="winner", refresh_token="rt-w", expires_in=60))
        return bearer("late", refresh_token="rt-late")

    requests_mock.post(TOKEN_URL, json=stalled_refresh)
    reported: list[Token] = []
    session = acme.session(token_key="k", store=store, on_token_refresh=reported.append)
    session.get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer winner"
    assert store.load("k").refresh_token == "rt-w" and reported == []


# Expiry of stored tokens -----------------------------------------------------------------
def test_record_ttl() -> None:
    now = 1_000_000.0
    with_rt = Token(access_token="a", refresh_token="r", expires_at=now + 100)
    assert record_ttl(with_rt, now, 3600) == 3700
    assert record_ttl(with_rt, now, None) is None
    assert record_ttl(Token(access_token="a", expires_at=now + 100), now, 3600) == 100
    assert record_ttl(Token(access_token="a", expires_at=now - 5), now, 3600) == 1.0
    assert record_ttl(Token(access_token="a"), now, 3600) is None  # expiry unknown


def test_stored_tokens_expire_with_their_token(store: RedisStore, redis: Any) -> None:
    store.save("cc", Token(access_token="a", expires_in=300))
    store.save("user", Token(access_token="a", refresh_token="r", expires_in=300))
    cc_ttl = redis.pttl("oauth2_core:{cc}:token")
    user_ttl = redis.pttl("oauth2_core:{user}:token")
    assert 290_000 < cc_ttl <= 300_000
    assert 290_000 < user_ttl - DEFAULT_REFRESH_TOKEN_TTL * 1000 <= 300_000
    assert redis.pttl("oauth2_core:{user}:version") > user_ttl  # versions outlive tokens


def test_keys_use_the_prefix_and_a_cluster_hash_tag(redis_url: str, redis: Any) -> None:
    store = RedisStore.from_url(redis_url, prefix="app1:")
    store.save("user:42", Token(access_token="a"))
    assert sorted(redis.keys("*")) == [b"app1:{user:42}:token", b"app1:{user:42}:version"]
    assert redis.ttl("app1:{user:42}:token") == -1  # no expiry known, no refresh token


# Failures -----------------------------------------------------------------------------------
def test_redis_down_is_a_clear_error_without_the_password() -> None:
    store = RedisStore.from_url(down_url(), socket_timeout=2)
    for action in (lambda: store.load("k"), lambda: store.save("k", Token(access_token="a")),
                   lambda: store.delete("k")):
        with pytest.raises(TokenStoreError, match=r"redis://127\.0\.0\.1:\d+/0 failed") as info:
            action()
        assert PASSWORD not in str(info.value)
    with pytest.raises(TokenStoreError, match="failed to lock"), store.refresh_lock("k"):
        pass  # pragma: no cover
    assert PASSWORD not in repr(store)


def test_a_session_with_redis_down_raises_and_never_refreshes(acme, requests_mock) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer())
    session = acme.session(rotating(), token_key="k", store=down_url())
    with pytest.raises(TokenStoreError) as info:
        session.get(API)
    assert PASSWORD not in str(info.value)
    assert refresh.call_count == 0  # no refresh the other workers would not know about


def test_a_fresh_token_keeps_working_while_redis_is_down(acme, requests_mock) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer())
    requests_mock.get(API, json={})
    with running_redis() as url:
        store = RedisStore.from_url(url, socket_timeout=2)
        store.save("k", Token(access_token="cached", refresh_token="rt", expires_in=3600))
        session = acme.session(token_key="k", store=store)
        session.get(API)
    # redis-server is gone now: the cached token still serves requests...
    assert session.get(API).status_code == 200
    # ...and renewing it is an error, not a refresh nobody else would see.
    session.auth._token["expires_at"] = int(time.time()) - 1  # type: ignore[union-attr]
    with pytest.raises(TokenStoreError):
        session.get(API)
    assert refresh.call_count == 0


def test_a_refresh_that_cannot_be_saved_is_kept_reported_and_raised(acme, store,
                                                                   requests_mock) -> None:
    import redis as redis_module

    refresh = requests_mock.post(TOKEN_URL, json=bearer("secret-at", refresh_token="rt-2"))
    requests_mock.get(API, json={})
    store.save("k", rotating())

    def down(*args: Any, **kwargs: Any) -> None:
        raise redis_module.ConnectionError("Connection refused")

    store._save_script = down  # type: ignore[method-assign]  # Redis dies mid-refresh
    reported: list[Token] = []
    session = acme.session(token_key="k", store=store, on_token_refresh=reported.append)
    with pytest.raises(TokenStoreError, match="could not save it") as info:
        session.get(API)
    assert info.value.token is not None and info.value.token.refresh_token == "rt-2"
    assert [t.refresh_token for t in reported] == ["rt-2"]  # your callback still has it
    assert "rt-2" not in str(info.value) and "secret-at" not in str(info.value)
    session.get(API)  # this session keeps the new token: no second refresh
    assert refresh.call_count == 1
    assert requests_mock.last_request.headers["Authorization"] == "Bearer secret-at"


def test_a_corrupt_record_is_an_error_that_quotes_nothing(store: RedisStore, redis) -> None:
    redis.hset("oauth2_core:{k}:token", mapping={"data": '{"token": "secret-at"', "version": 1})
    with pytest.raises(TokenStoreError, match="key 'k', holds a corrupt") as info:
        store.load("k")
    assert "secret-at" not in str(info.value)


def test_plain_redis_to_another_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAUTH2_INSECURE_TRANSPORT", raising=False)
    with pytest.raises(InsecureTransportError, match="rediss://") as info:
        RedisStore.from_url(f"redis://:{PASSWORD}@10.1.2.3:6379/0")
    assert PASSWORD not in str(info.value)
    assert RedisStore.from_url("redis://10.1.2.3:6379/0", allow_insecure=True)
    assert RedisStore.from_url("rediss://redis.internal:6380/0")  # TLS: fine anywhere
    monkeypatch.setenv("OAUTH2_INSECURE_TRANSPORT", "1")
    assert RedisStore.from_url("redis://10.1.2.3:6379/0")
    with pytest.raises(ConfigurationError, match="not a Redis URL"):
        RedisStore.from_url("http://127.0.0.1:6379")


def test_without_the_redis_client_the_error_names_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis -> ImportError
    with pytest.raises(ConfigurationError, match=r"pip install 'oauth2-core\[redis\]'"):
        RedisStore.from_url("redis://127.0.0.1:6379/0")


def test_open_store_reads_redis_urls(redis_url: str, redis: Any, pm: Any) -> None:
    store = oauth2_core.open_store(redis_url, plugins=pm, prefix="viahook:", lock_expiry=3)
    assert isinstance(store, RedisStore) and store.lock_expiry == 3
    store.save("k", Token(access_token="a"))
    assert redis.exists("viahook:{k}:token") == 1
    assert repr(store) == f"RedisStore({redis_url!r}, prefix='viahook:')"


def test_threads_with_separate_sessions_refresh_once_through_redis(acme, store,
                                                                   requests_mock) -> None:
    count = []

    def slow(request: Any, context: Any) -> dict[str, object]:
        count.append(1)
        time.sleep(0.2)
        return bearer("new", refresh_token="rt-2")

    requests_mock.post(TOKEN_URL, json=slow)
    requests_mock.get(API, json={})
    store.save("k", rotating())
    barrier = threading.Barrier(12)

    def call() -> None:
        session = acme.session(token_key="k", store=RedisStore(store.client))
        barrier.wait()
        session.get(API)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(count) == 1
