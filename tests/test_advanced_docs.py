"""The README's "Beyond the basics" section: every example is valid Python that uses names
the API really has."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

import oauth2_core

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
DOC = README.split("## Beyond the basics", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```python\n(.*?)```", DOC, re.S)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_each_example_parses(block: str) -> None:
    # Examples are view-function bodies (some end in `return redirect(...)`).
    ast.parse("def example():\n" + textwrap.indent(block, "    "))


def test_the_client_methods_the_examples_call_exist() -> None:
    called = set(re.findall(r"\bclient\.(\w+)\(", DOC))
    assert called >= {"jwt_bearer", "token_exchange", "logout_url", "begin_authorization",
                      "push_authorization_request", "client_credentials", "refresh_token"}
    missing = {name for name in called if not hasattr(oauth2_core.OAuth2Client, name)}
    assert not missing
