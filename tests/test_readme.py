"""The README's examples are real files: keep them identical."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("path", ["tests/tutorial/oauth2_acme.py",
                                  "tests/tutorial/test_acme_tutorial.py",
                                  "tests/test_server_readme_example.py"])
def test_tutorial_code_in_the_readme_is_the_tested_file(path: str) -> None:
    assert f"```python\n{(ROOT / path).read_text()}```" in README


def test_the_readme_names_the_two_commands() -> None:
    assert "python -m pip install tox && tox" in README
    assert "python -m pip install . && oauth2 demo" in README
    assert (ROOT / ".ci" / "run").read_text().count("pip install -q tox && tox") == 1
