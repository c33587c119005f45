"""`open_store`: a token store from a URL, chosen by the ``oauth2_token_store`` hook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ..errors import ConfigurationError
from .base import TokenStore

if TYPE_CHECKING:
    from ..plugins import PluginManager

__all__ = ["open_store"]


def open_store(url: str, *, plugins: Optional[PluginManager] = None,
               **options: Any) -> TokenStore:
    """Open the token store at ``url``.

    Built in: ``memory://``, ``file:///path/tokens.json``, ``redis://host:6379/0``,
    ``rediss://...`` and ``unix:///path/redis.sock`` (Redis needs the ``redis`` extra).
    Plugins add schemes through the ``oauth2_token_store`` hook.

    :param options: passed to the store (``prefix=``, ``lock_expiry=``, ...).
    :param plugins: a plugin manager; the global one (with installed plugins) otherwise.
    :raises ConfigurationError: no store understands the URL.
    """
    if plugins is None:
        from ..plugins import get_plugin_manager

        plugins = get_plugin_manager()
    plugins.providers()  # loads every installed plugin, so their stores are known
    store: Optional[TokenStore] = plugins.hook.oauth2_token_store(url=url, options=options)
    if store is None:
        scheme = url.split(":", 1)[0] if ":" in url else url
        raise ConfigurationError(f"no token store for URLs of scheme {scheme!r} (built in: "
                                 "memory, file, redis, rediss, unix)")
    return store
