"""`FileStore`: tokens in one JSON file, shared by the processes of one host.

Writes go to a private temporary file in the same directory, are flushed to disk and
then renamed over the old file (``os.replace`` is atomic), so a reader or a crash never
sees half a file.  Locks are ``flock``s on sidecar files, never on the data file, which
every write replaces (a lock on it would lock an old inode): ``<path>.lock`` guards each
read-modify-write, and one small file per key in ``<path>.locks/`` is that key's refresh
section, so refreshing one key never waits for another.  The kernel drops an ``flock``
when its process dies, so a killed holder never blocks the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

from ..errors import ConfigurationError
from ..tokens import Token
from ..transport import DEFAULT_TIMEOUT
from .base import RefreshLease, TokenStore, TokenStoreError, decode_token, encode_token

__all__ = ["FileStore"]

_FORMAT = "oauth2_core.tokens/1"


def _import_fcntl() -> Any:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        raise ConfigurationError(
            "FileStore needs fcntl file locks (Linux, macOS, BSD); use a RedisStore"
        ) from None
    return fcntl


class _FileLease(RefreshLease):
    def __init__(self, store: FileStore, key: str) -> None:
        super().__init__(store.load(key))
        self._store = store
        self._key = key

    def save(self, token: Token) -> None:
        # The flock is held until the section ends and cannot expire: no fencing needed.
        self._store._update(self._key, token, DEFAULT_TIMEOUT)


class FileStore(TokenStore):
    """Tokens in a JSON file (mode 0600) that the processes of one host share.

    :param path: the file; created on the first save.  The lock file ``<path>.lock`` and
        the directory ``<path>.locks/`` (one empty file per key) sit next to it.
    :param wait_timeout: seconds to wait for another process's refresh before giving up;
        by default four times the request timeout plus two seconds.
    :raises ConfigurationError: on a platform without ``fcntl``.
    """

    def __init__(self, path: Union[str, os.PathLike[str]],
                 wait_timeout: Optional[float] = None) -> None:
        self._fcntl = _import_fcntl()
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.key_lock_dir = self.path.with_name(self.path.name + ".locks")
        self.wait_timeout = wait_timeout

    def __repr__(self) -> str:
        return f"FileStore({str(self.path)!r})"

    def load(self, key: str) -> Optional[Token]:
        record = self._read().get(key)
        return None if record is None else decode_token(record, self._where(key))

    def save(self, key: str, token: Token) -> None:
        self._update(key, token, DEFAULT_TIMEOUT)

    def delete(self, key: str) -> None:
        with self._locked(self.lock_path, DEFAULT_TIMEOUT):
            tokens = self._read()
            if tokens.pop(key, None) is not None:
                self._write(tokens)

    @contextmanager
    def refresh_lock(self, key: str, request_timeout: float = DEFAULT_TIMEOUT
                     ) -> Iterator[RefreshLease]:
        try:
            self.key_lock_dir.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise TokenStoreError(f"cannot create lock directory {str(self.key_lock_dir)!r}: "
                                  f"{exc.strerror}") from None
        # Hashed: a key is any text, a file name is not.
        name = hashlib.sha256(key.encode()).hexdigest()[:32]
        with self._locked(self.key_lock_dir / name, request_timeout):
            yield _FileLease(self, key)

    # File handling ---------------------------------------------------------------------
    def _where(self, key: str) -> str:
        return f"token file {str(self.path)!r}, key {key!r},"

    def _update(self, key: str, token: Token, request_timeout: float) -> None:
        with self._locked(self.lock_path, request_timeout):
            tokens = self._read()
            tokens[key] = json.loads(encode_token(token))
            self._write(tokens)

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, "rb") as f:
                mode = os.fstat(f.fileno()).st_mode
                if mode & (stat.S_IRWXG | stat.S_IRWXO):
                    raise TokenStoreError(
                        f"token file {str(self.path)!r} is open to other users "
                        f"(mode {stat.S_IMODE(mode):o}); run: chmod 600 {self.path}"
                    )
                content = f.read()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise TokenStoreError(f"cannot read token file {str(self.path)!r}: "
                                  f"{exc.strerror}") from None
        try:
            data = json.loads(content)
            tokens = data["tokens"] if data.get("format") == _FORMAT else None
        except (ValueError, AttributeError, KeyError):
            tokens = None
        if not isinstance(tokens, dict):
            # Never overwritten: it may be the only copy of someone's refresh tokens.
            raise TokenStoreError(f"token file {str(self.path)!r} is corrupt (not a file "
                                  "this store wrote); repair or remove it")
        return tokens

    def _write(self, tokens: dict[str, Any]) -> None:
        directory = self.path.parent
        try:
            # mkstemp creates the file 0600 whatever the umask; os.replace keeps that mode.
            fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.",
                                        suffix=".tmp")
        except OSError as exc:
            raise TokenStoreError(f"cannot write token file {str(self.path)!r}: "
                                  f"{exc.strerror}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"format": _FORMAT, "tokens": tokens}, f, separators=(",", ":"))
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise TokenStoreError(f"cannot write token file {str(self.path)!r}: "
                                  f"{exc.strerror}") from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_directory(directory)  # so the rename itself survives a power cut

    @contextmanager
    def _locked(self, lock_path: Path, request_timeout: float) -> Iterator[None]:
        fcntl = self._fcntl
        wait = self.wait_timeout if self.wait_timeout is not None else 4 * request_timeout + 2
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise TokenStoreError(f"cannot open lock file {str(lock_path)!r}: "
                                  f"{exc.strerror}") from None
        try:
            deadline = time.monotonic() + wait
            delay = 0.002
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TokenStoreError(
                            f"gave up after {wait:g} s waiting for the lock on "
                            f"{str(lock_path)!r}"
                        ) from None
                    time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter
                    delay = min(delay * 2, 0.05)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse it; the rename stands
        pass
    finally:
        os.close(fd)
