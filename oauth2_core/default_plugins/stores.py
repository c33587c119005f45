"""The built-in token stores, offered through the ``oauth2_token_store`` hook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional
from urllib.parse import unquote, urlsplit

from ..errors import ConfigurationError
from ..hookspecs import hookimpl
from ..transport import is_loopback

if TYPE_CHECKING:
    from ..stores.base import TokenStore


@hookimpl(trylast=True)
def oauth2_token_store(url: str, options: dict[str, Any]) -> Optional[TokenStore]:
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        from ..stores.memory import MemoryStore  # the stores load with the first session

        return MemoryStore(**options)
    if scheme == "file":
        from ..stores.file import FileStore  # pathlib/tempfile only when used

        return FileStore(_file_path(url), **options)
    if scheme in ("redis", "rediss", "unix"):
        from ..stores.redis import RedisStore  # RedisStore imports redis only when used

        return RedisStore.from_url(url, **options)
    return None


def _file_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc and not is_loopback(parts.netloc):
        raise ConfigurationError(f"a file:// token store must be local, not on {parts.netloc!r}")
    if not parts.path:
        raise ConfigurationError("a file:// token store needs a path: file:///path/tokens.json")
    return unquote(parts.path)
