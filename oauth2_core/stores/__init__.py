"""Token stores: one token and one refresh shared by threads, processes and hosts.

- :class:`MemoryStore`: the threads of one process (what sessions use by default).
- :class:`FileStore`: the processes of one host, through a JSON file (mode 0600).
- :class:`~oauth2_core.stores.redis.RedisStore`: every process on every host (the
  ``redis`` extra).
- :func:`open_store`: a store from a URL, through the ``oauth2_token_store`` hook.
"""

from __future__ import annotations

from typing import Any

from .base import RefreshLease, StaleTokenError, TokenStore, TokenStoreError
from .factory import open_store
from .memory import MemoryStore


def __getattr__(name: str) -> Any:
    # FileStore pulls in pathlib and tempfile: keep them out of `import oauth2_core`.
    if name == "FileStore":
        from .file import FileStore

        return FileStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "FileStore",
    "MemoryStore",
    "RefreshLease",
    "StaleTokenError",
    "TokenStore",
    "TokenStoreError",
    "open_store",
]
