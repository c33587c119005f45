"""Token stores: one token and one refresh shared by threads, processes and hosts.

- :class:`MemoryStore`: the threads of one process (what sessions use by default).
- :class:`FileStore`: the processes of one host, through a JSON file (mode 0600).
- :class:`~oauth2_core.stores.redis.RedisStore`: every process on every host (the
  ``redis`` extra).
- :func:`open_store`: a store from a URL, through the ``oauth2_token_store`` hook.
"""

from __future__ import annotations

from .base import RefreshLease, StaleTokenError, TokenStore, TokenStoreError
from .factory import open_store
from .file import FileStore
from .memory import MemoryStore

__all__ = [
    "FileStore",
    "MemoryStore",
    "RefreshLease",
    "StaleTokenError",
    "TokenStore",
    "TokenStoreError",
    "open_store",
]
