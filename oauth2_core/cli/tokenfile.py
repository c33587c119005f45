"""The CLI's token file: what ``oauth2 login --save`` writes and ``oauth2 token`` reads.

JSON with the provider, client id, non-secret settings and the token; written atomically
(temp file + rename) with mode 0600, since it holds a refresh token.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ..tokens import Token


def save(path: Path, provider: str, client_id: str, settings: dict[str, Any],
         token: Token) -> None:
    data = {"provider": provider, "client_id": client_id, "settings": settings,
            "token": dict(token)}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> tuple[str, str, dict[str, Any], Token]:
    try:
        data = json.loads(path.read_text())
        return data["provider"], data["client_id"], dict(data["settings"]), Token(data["token"])
    except FileNotFoundError:
        raise ConfigurationError(f"no token file at {path}: run `oauth2 login --save`") from None
    except (ValueError, KeyError, TypeError):
        raise ConfigurationError(f"{path} is not an oauth2 token file") from None
