"""Install every provider package under plugins/ (not editable), in one pip run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PLUGINS = sorted(p for p in (Path(__file__).resolve().parents[1] / "plugins").iterdir()
                 if (p / "setup.cfg").exists())

if __name__ == "__main__":
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *map(str, PLUGINS)],
                   check=True)
    print(f"installed {len(PLUGINS)} provider packages")
