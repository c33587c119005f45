"""FileStore: a private file, atomic writes, corrupt files refused, locks that a killed
process does not keep."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import oauth2_core
from oauth2_core import ConfigurationError, Token
from oauth2_core.stores import FileStore, TokenStoreError


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "tokens.json"


def test_the_file_is_private_whatever_the_umask(path: Path) -> None:
    old = os.umask(0)
    try:
        FileStore(path).save("k", Token(access_token="secret-at"))
    finally:
        os.umask(old)
    assert mode(path) == 0o600


def test_the_file_stays_private_across_rewrites(path: Path) -> None:
    store = FileStore(path)
    for n in range(3):
        store.save(f"k{n}", Token(access_token=f"at-{n}"))
    assert mode(path) == 0o600
    assert [store.load(f"k{n}").access_token for n in range(3)] == ["at-0", "at-1", "at-2"]


def test_a_file_open_to_other_users_is_refused(path: Path) -> None:
    store = FileStore(path)
    store.save("k", Token(access_token="secret-at"))
    path.chmod(0o640)
    with pytest.raises(TokenStoreError, match=r"mode 640.*chmod 600") as info:
        store.load("k")
    assert "secret-at" not in str(info.value)


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary_file(path, monkeypatch):
    store = FileStore(path)
    store.save("k", Token(access_token="before"))
    before = path.read_bytes()

    def crash(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(TokenStoreError, match="No space left on device"):
        store.save("k", Token(access_token="after"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "tokens.json", "tokens.json.lock"]


def test_an_interrupted_write_leaves_no_temporary_file(path, monkeypatch) -> None:
    store = FileStore(path)

    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        store.save("k", Token(access_token="at"))
    assert not path.exists()
    assert [p.name for p in path.parent.iterdir()] == ["tokens.json.lock"]


def test_a_corrupt_file_is_an_error_and_is_never_overwritten(path: Path) -> None:
    path.write_text('{"tokens": {"k": {"token": {"access_token": "secret-at"')  # cut off
    path.chmod(0o600)
    store = FileStore(path)
    with pytest.raises(TokenStoreError, match="corrupt") as info:
        store.load("k")
    assert "secret-at" not in str(info.value)
    with pytest.raises(TokenStoreError, match="corrupt"):
        store.save("other", Token(access_token="at"))
    assert path.read_text().endswith('"secret-at"')  # the user's data is untouched


@pytest.mark.parametrize("content", ['[]', '{"tokens": {}}', '{"format": "x", "tokens": {}}'])
def test_json_this_store_did_not_write_is_corrupt(path: Path, content: str) -> None:
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(TokenStoreError, match="corrupt"):
        FileStore(path).load("k")


def test_a_corrupt_record_is_an_error_that_quotes_nothing(path: Path) -> None:
    store = FileStore(path)
    store.save("k", Token(access_token="at"))
    data = json.loads(path.read_text())
    data["tokens"]["k"] = {"token": {"access_token": "secret-at", "expires_in": -5}}
    path.write_text(json.dumps(data))
    with pytest.raises(TokenStoreError, match=r"key 'k'.*corrupt") as info:
        store.load("k")
    assert "secret-at" not in str(info.value)


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "missing" / "tokens.json")
    assert store.load("k") is None
    with pytest.raises(TokenStoreError, match="cannot open lock file"):
        store.save("k", Token(access_token="at"))


def test_waiting_for_a_held_lock_gives_up_after_the_wait_timeout(path: Path) -> None:
    holder, waiter = FileStore(path), FileStore(path, wait_timeout=0.1)
    with holder.refresh_lock("k"), pytest.raises(TokenStoreError, match=r"gave up after 0\.1 s"), \
            waiter.refresh_lock("k"):
        pass  # pragma: no cover - never entered
    with waiter.refresh_lock("k") as lease:  # free again once the holder is done
        assert lease.token is None


def test_a_killed_holder_does_not_keep_the_lock(path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from oauth2_core.stores import FileStore\n"
         f"with FileStore({str(path)!r}).refresh_lock('k'):\n"
         "    print('locked', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(TokenStoreError), FileStore(path, wait_timeout=0.1).refresh_lock("k"):
            pass  # pragma: no cover - the holder has it
        holder.kill()
        holder.wait(10)
        with FileStore(path, wait_timeout=30).refresh_lock("k") as lease:
            lease.save(Token(access_token="after"))
    finally:
        holder.kill()
        holder.wait(10)
        if holder.stdout is not None:
            holder.stdout.close()
    assert FileStore(path).load("k").access_token == "after"


def test_open_store_reads_file_urls(path: Path, pm: Any) -> None:
    store = oauth2_core.open_store(f"file://{path}", plugins=pm, wait_timeout=3)
    assert isinstance(store, FileStore) and store.path == path and store.wait_timeout == 3
    local = oauth2_core.open_store(f"file://localhost{path}", plugins=pm)
    assert isinstance(local, FileStore) and local.path == path
    with pytest.raises(ConfigurationError, match="must be local"):
        oauth2_core.open_store("file://fileserver/tokens.json", plugins=pm)
    with pytest.raises(ConfigurationError, match="needs a path"):
        oauth2_core.open_store("file://", plugins=pm)


def test_repr_names_the_file_only(path: Path) -> None:
    store = FileStore(path)
    store.save("k", Token(access_token="secret-at"))
    assert repr(store) == f"FileStore({str(path)!r})"
