"""Run by the "install" tox env: a package written by `oauth2 new-plugin` installs, is
discovered through its entry point, and its own tests pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, cwd=cwd).stdout


def test_a_generated_plugin_installs_is_discovered_and_passes_its_tests(tmp_path: Path) -> None:
    run(sys.executable, "-m", "oauth2_core", "new-plugin", "tmpl-idp", "--dir", str(tmp_path),
        cwd=tmp_path)
    package = tmp_path / "oauth2-tmpl-idp"
    run(sys.executable, "-m", "pip", "install", "-q", str(package), cwd=tmp_path)
    try:
        listed = run(sys.executable, "-m", "oauth2_core", "providers", "--json", cwd=tmp_path)
        row = next(r for r in json.loads(listed) if r["name"] == "tmpl-idp")
        assert row["package"] == "oauth2-tmpl-idp"
        out = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests",
                  cwd=package)
        assert "2 passed" in out
    finally:
        run(sys.executable, "-m", "pip", "uninstall", "-q", "-y", "oauth2-tmpl-idp",
            cwd=tmp_path)
