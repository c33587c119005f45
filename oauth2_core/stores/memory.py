"""`MemoryStore`: tokens shared by the threads of one process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Optional

from ..tokens import Token
from ..transport import DEFAULT_TIMEOUT
from .base import RefreshLease, TokenStore

__all__ = ["MemoryStore", "process_store"]


class _MemoryLease(RefreshLease):
    def __init__(self, store: MemoryStore, key: str) -> None:
        super().__init__(store.load(key))
        self._store = store
        self._key = key

    def save(self, token: Token) -> None:
        # A thread lock cannot expire, so nobody else can have saved meanwhile.
        self._store.save(self._key, token)


class MemoryStore(TokenStore):
    """A dict and one lock per key: single-flight refresh among the threads of one
    process.  What a session uses when it is given no store.

    Tokens are kept as given, not copied, so a session and its store share one object.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, Token] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryStore(keys={len(self._tokens)})"

    def load(self, key: str) -> Optional[Token]:
        return self._tokens.get(key)

    def save(self, key: str, token: Token) -> None:
        self._tokens[key] = token

    def delete(self, key: str) -> None:
        self._tokens.pop(key, None)

    @contextmanager
    def refresh_lock(self, key: str, request_timeout: float = DEFAULT_TIMEOUT
                     ) -> Iterator[RefreshLease]:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            yield _MemoryLease(self, key)


_PROCESS_STORE = MemoryStore()


def process_store() -> MemoryStore:
    """The process-wide store that sessions given a ``token_key`` but no store share."""
    return _PROCESS_STORE
