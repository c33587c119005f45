"""What every token store promises, checked against each built-in store, and how a
session uses a store: read once, served from memory while fresh, renewed once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, Optional

import pytest
import requests
from acme import TOKEN_URL, bearer
from redis_server import redis_client, running_redis

from oauth2_core import OAuth2Client, Token
from oauth2_core.stores import FileStore, MemoryStore, RefreshLease, TokenStore
from oauth2_core.stores.redis import RedisStore
from oauth2_core.transport import DEFAULT_TIMEOUT

API = "https://api.acme.test/me"
INVALID = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as url:
        yield url


@pytest.fixture(params=["memory", "file", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[TokenStore]:
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "file":
        yield FileStore(tmp_path / "tokens.json")
    else:
        url = request.getfixturevalue("redis_url")
        redis_client(url).flushdb()
        redis_store = RedisStore.from_url(url)
        yield redis_store
        redis_store.close()


class CountingStore(TokenStore):
    """Counts the reads a session makes of the store it wraps."""

    def __init__(self, inner: TokenStore) -> None:
        self.inner = inner
        self.loads = 0
        self.locks = 0

    def load(self, key: str) -> Optional[Token]:
        self.loads += 1
        return self.inner.load(key)

    def save(self, key: str, token: Token) -> None:
        self.inner.save(key, token)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def refresh_lock(self, key: str, request_timeout: float = DEFAULT_TIMEOUT
                     ) -> AbstractContextManager[RefreshLease]:
        self.locks += 1
        return self.inner.refresh_lock(key, request_timeout)


def expired() -> Token:
    return Token(access_token="old", refresh_token="rt-1", expires_in=3600,
                 expires_at=int(time.time()) - 10)


# The store itself ---------------------------------------------------------------------
def test_a_missing_key_loads_as_none(store: TokenStore) -> None:
    assert store.load("nobody") is None


def test_a_saved_token_loads_with_its_expiry_and_how_it_was_obtained(store) -> None:
    token = Token(access_token="at", refresh_token="rt", expires_in=3600,
                  expires_at=1_900_000_000, scope="a b")
    token.grant_type = "client_credentials"
    store.save("user:1", token)
    loaded = store.load("user:1")
    assert loaded == token and loaded.expires_at == 1_900_000_000  # not restarted
    assert loaded.grant_type == "client_credentials"  # renewal needs it
    assert store.load("user:2") is None


def test_delete_forgets_the_token(store: TokenStore) -> None:
    store.save("k", Token(access_token="at"))
    store.delete("k")
    store.delete("k")  # deleting twice is fine
    assert store.load("k") is None


def test_the_lease_holds_the_stored_token_and_saves_for_everyone(store) -> None:
    with store.refresh_lock("k") as lease:
        assert lease.token is None
        lease.save(Token(access_token="first"))
    with store.refresh_lock("k") as lease:
        assert lease.token is not None and lease.token.access_token == "first"
        lease.save(Token(access_token="second"))
    assert store.load("k").access_token == "second"


def test_the_refresh_section_admits_one_holder_at_a_time(store: TokenStore) -> None:
    events: list[str] = []
    holding = threading.Event()

    def hold(name: str) -> None:
        with store.refresh_lock("k"):
            events.append(f"{name} in")
            holding.set()
            time.sleep(0.2)  # long enough for the other thread to be knocking
            events.append(f"{name} out")

    first = threading.Thread(target=hold, args=("a",))
    first.start()
    holding.wait(10)
    second = threading.Thread(target=hold, args=("b",))
    second.start()
    first.join()
    second.join()
    assert events == ["a in", "a out", "b in", "b out"]


def test_keys_have_separate_refresh_sections(store: TokenStore) -> None:
    with store.refresh_lock("a"), store.refresh_lock("b") as lease:
        lease.save(Token(access_token="b"))  # "a" being held does not block "b"
    assert store.load("b").access_token == "b"


# Sessions on a store ---------------------------------------------------------------------
def test_sessions_sharing_a_key_send_one_refresh(acme: OAuth2Client, store, requests_mock):
    """16 threads, each with its own session on one key: one refresh for all of them."""
    refreshes: list[int] = []

    def slow_refresh(request: Any, context: Any) -> dict[str, object]:
        refreshes.append(1)
        time.sleep(0.2)  # keep it in flight while the others arrive
        return bearer("new", refresh_token="rt-2")

    requests_mock.post(TOKEN_URL, json=slow_refresh)
    requests_mock.get(API, json={})
    store.save("user:1", expired())
    saved: list[Token] = []
    barrier = threading.Barrier(16)
    used: list[str] = []

    def call() -> None:
        session = acme.session(token_key="user:1", store=store, on_token_refresh=saved.append)
        barrier.wait()
        used.append(session.get(API).request.headers["Authorization"])

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refreshes) == 1 and len(saved) == 1
    assert used == ["Bearer new"] * 16
    assert store.load("user:1").refresh_token == "rt-2"


def test_a_fresh_token_is_served_from_memory(acme, store, requests_mock) -> None:
    requests_mock.get(API, json={})
    store.save("k", Token(access_token="at", expires_in=3600))
    counting = CountingStore(store)
    session = acme.session(token_key="k", store=counting)
    for _ in range(20):
        session.get(API)
    assert (counting.loads, counting.locks) == (1, 0)  # read once, on first use


def test_the_stored_token_wins_over_the_given_one(acme, store, requests_mock) -> None:
    requests_mock.get(API, json={})
    store.save("k", Token(access_token="stored", expires_in=3600))
    session = acme.session(Token(access_token="given", expires_in=3600), token_key="k",
                           store=store)
    session.get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer stored"


def test_the_given_token_seeds_an_empty_store(acme, store, requests_mock) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new", refresh_token="rt-2"))
    requests_mock.get(API, json={})
    session = acme.session(Token(access_token="given", refresh_token="rt", expires_in=3600),
                           token_key="k", store=store)
    session.get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer given"
    session.auth._token["expires_at"] = int(time.time()) - 1  # type: ignore[union-attr]
    session.get(API)
    assert refresh.call_count == 1 and store.load("k").access_token == "new"


def test_a_refreshed_token_is_in_the_store_before_it_is_used(acme, store, requests_mock):
    requests_mock.post(TOKEN_URL, json=bearer("new", refresh_token="rt-2"))
    store.save("k", expired())

    def api(request: Any, context: Any) -> dict[str, object]:
        assert store.load("k").access_token == "new"  # saved before this request left
        return {}

    requests_mock.get(API, json=api)
    acme.session(token_key="k", store=store).get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer new"


def test_a_token_renewed_elsewhere_is_adopted_without_a_refresh(acme, store, requests_mock):
    refresh = requests_mock.post(TOKEN_URL, json=bearer("mine"))
    requests_mock.get(API, json={})
    store.save("k", Token(access_token="a", refresh_token="rt", expires_in=3600))
    session = acme.session(token_key="k", store=store)
    session.get(API)
    session.auth._token["expires_at"] = int(time.time()) - 1  # type: ignore[union-attr]
    store.save("k", Token(access_token="theirs", refresh_token="rt-2", expires_in=3600))
    session.get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer theirs"
    assert refresh.call_count == 0


def test_a_401_rereads_the_store_before_refreshing(acme, store, requests_mock) -> None:
    """Another process refreshed and the server revoked the old access token: the 401
    is answered with the stored token, not with a second refresh."""
    refresh = requests_mock.post(TOKEN_URL, json=bearer("mine"))
    store.save("k", Token(access_token="old", refresh_token="rt", expires_in=3600))
    session = acme.session(token_key="k", store=store)

    revoked: set[str] = set()

    def api(request: Any, context: Any) -> dict[str, object]:
        if request.headers["Authorization"].split()[-1] in revoked:
            context.status_code, context.headers = 401, INVALID
        return {}

    requests_mock.get(API, json=api)
    session.get(API)  # loads "old"
    store.save("k", Token(access_token="theirs", refresh_token="rt-2", expires_in=3600))
    revoked.add("old")
    response = session.get(API)
    assert response.status_code == 200 and response.history[0].status_code == 401
    assert requests_mock.last_request.headers["Authorization"] == "Bearer theirs"
    assert refresh.call_count == 0


def test_a_401_with_nothing_newer_in_the_store_refreshes_once(acme, store, requests_mock):
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new", refresh_token="rt-2"))
    requests_mock.get(API, [{"status_code": 401, "headers": INVALID}, {"json": {}}])
    store.save("k", Token(access_token="revoked", refresh_token="rt", expires_in=3600))
    response = acme.session(token_key="k", store=store).get(API)
    assert response.status_code == 200 and refresh.call_count == 1
    assert store.load("k").access_token == "new"


def test_client_credentials_tokens_are_shared_and_refetched(acme, store, requests_mock):
    endpoint = requests_mock.post(TOKEN_URL, json=bearer("cc-1"))
    requests_mock.get(API, json={})
    acme.session(token_key="svc", store=store).get(API)
    stored = store.load("svc")
    assert stored.access_token == "cc-1" and stored.grant_type == "client_credentials"
    stored["expires_at"] = int(time.time()) - 1
    store.save("svc", stored)
    endpoint = requests_mock.post(TOKEN_URL, json=bearer("cc-2"))
    acme.session(token_key="svc", store=store).get(API)  # another worker, later
    assert "grant_type=client_credentials" in endpoint.last_request.text


def test_a_key_without_a_store_is_shared_within_the_process(acme, requests_mock) -> None:
    refresh = requests_mock.post(TOKEN_URL, json=bearer("new", refresh_token="rt-2"))
    requests_mock.get(API, json={})
    key = f"test-{time.monotonic_ns()}"
    acme.session(expired(), token_key=key).get(API)
    acme.session(expired(), token_key=key).get(API)  # a second session, same process
    assert refresh.call_count == 1
    assert requests_mock.last_request.headers["Authorization"] == "Bearer new"


def test_a_store_needs_a_key(acme) -> None:
    from oauth2_core import ConfigurationError

    with pytest.raises(ConfigurationError, match="token_key"):
        acme.session(store=MemoryStore())


def test_a_session_on_a_store_uses_the_requests_api(acme, store, requests_mock) -> None:
    requests_mock.get(API, json={})
    store.save("k", Token(access_token="at", expires_in=3600))
    with requests.Session() as session:
        session.auth = acme.auth(token_key="k", store=store)
        session.get(API)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer at"
