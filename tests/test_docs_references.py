"""Documents that point at code and tests keep pointing at something real.

docs/SECURITY.md maps each requirement to ``file::name`` of the code that meets it and
the test that proves it; each provider package's README pins every quirk it handles to
a test.  A rename that leaves either stale fails here, not in a reader's hands.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = sorted(p for p in (REPO / "plugins").iterdir() if (p / "setup.cfg").exists())


def _defines(source: str, name: str) -> bool:
    """Whether ``source`` defines ``name`` (a function, class, method or module global)."""
    last = re.escape(name.rsplit(".", 1)[-1])
    return re.search(rf"^\s*(?:async\s+)?(?:def|class)\s+{last}\b|^{last}\s*[:=]", source,
                     re.MULTILINE) is not None


def test_every_reference_in_the_security_mapping_exists() -> None:
    text = (REPO / "docs" / "SECURITY.md").read_text(encoding="utf-8")
    references = set(re.findall(r"`([\w./-]+\.py)::([\w.]+)`", text))
    assert len(references) > 200  # the pattern still finds the mapping's references
    missing = [f"{path}::{name}" for path, name in sorted(references)
               if not (REPO / path).is_file()
               or not _defines((REPO / path).read_text(encoding="utf-8"), name)]
    assert missing == []


def test_a_missing_name_is_noticed() -> None:
    source = "class Token:\n    def refresh(self): ...\nLIMIT = 3\n"
    assert _defines(source, "Token.refresh") and _defines(source, "LIMIT")
    assert not _defines(source, "Token.revoke") and not _defines(source, "refres")


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_each_provider_package_documents_its_quirks_with_tests(package: Path) -> None:
    setup = configparser.ConfigParser()
    setup.read(package / "setup.cfg")
    readme_name = setup["metadata"]["long_description"].removeprefix("file:").strip()
    readme = (package / readme_name).read_text(encoding="utf-8")
    assert readme.startswith(f"# {package.name}\n")
    for heading in ("## Install", "## Quirks handled", "## Uncertain", "## Example"):
        assert f"\n{heading}\n" in readme, heading
    quirks = readme.split("\n## Quirks handled\n", 1)[1].split("\n## ", 1)[0]
    # One bullet per quirk; a long one wraps onto indented lines.
    bullets = re.split(r"\n(?=- )", quirks.strip())
    assert bullets and all("`test_" in line for line in bullets), quirks
    tests = "".join(p.read_text(encoding="utf-8") for p in (package / "tests").glob("*.py"))
    cited = set(re.findall(r"`(test_\w+)`", readme))
    assert {name for name in cited if not _defines(tests, name)} == set()
