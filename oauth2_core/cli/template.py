"""``oauth2 new-plugin NAME``: write a working provider plugin package to start from.

The package has the entry point, a ``Provider`` to fill in, one contract test and a README;
``pip install ./oauth2-NAME`` makes ``oauth2_core.client("NAME")`` work at once.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ConfigurationError

FILES = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
""",
    "setup.cfg": """\
[metadata]
name = oauth2-{name}
version = 0.1.0
description = {title} provider for oauth2-core
long_description = file: README.md
long_description_content_type = text/markdown

[options]
py_modules = {module}
python_requires = >=3.9
install_requires =
    oauth2-core>=0.1

[options.extras_require]
test =
    pytest
    requests-mock

[options.entry_points]
oauth2_core =
    {name} = {module}
""",
    "{module}.py": '''\
"""{title} for oauth2-core."""

from __future__ import annotations

from typing import Callable

from oauth2_core import Provider, hookimpl

PROVIDER = Provider(
    name="{name}",
    title="{title}",
    authorize_url="https://{name}.example/oauth/authorize",  # TODO: the real endpoints
    token_url="https://{name}.example/oauth/token",
    userinfo_url="https://{name}.example/oauth/userinfo",
    default_scopes=(),
    token_endpoint_auth_method="client_secret_basic",
)


@hookimpl
def oauth2_register_providers(register: Callable[[Provider], None]) -> None:
    register(PROVIDER)


# Add behaviour hooks (see oauth2_core/hookspecs.py) only for real quirks, and return
# None from them for every other provider:
#
# @hookimpl
# def oauth2_attach_credentials(provider, request, token):
#     if provider.name != "{name}":
#         return None
#     ...
''',
    "tests/test_{module}.py": '''\
"""{title}: the plugin contract and the exact token request."""

from __future__ import annotations

from urllib.parse import parse_qs

import {module}

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager


def test_contract() -> None:
    [provider] = check_plugin_contract({module}, entry_point="{name}")
    assert provider.name == "{name}"


def test_code_exchange(requests_mock) -> None:
    client = oauth2_core.client("{name}", client_id="id", client_secret="secret",
                                redirect_uri="https://app.example/cb",
                                plugins=plugin_manager({module}))
    endpoint = fake_token_endpoint(requests_mock, {module}.PROVIDER.token_url)
    token = client.get_token(code="the-code")
    assert parse_qs(endpoint.last_request.text)["code"] == ["the-code"]
    assert token.access_token == "fake-access-token"
''',
    "README.md": """\
# oauth2-{name}

{title} provider for [oauth2-core](https://pypi.org/project/oauth2-core/).

## Install

    pip install ./oauth2-{name}

## Use

```python
import oauth2_core
client = oauth2_core.client("{name}", client_id="...", client_secret="...",
                            redirect_uri="https://app.example/cb")
req = client.begin_authorization()
```

## Quirks handled

None yet.

## Test

    pip install -e './oauth2-{name}[test]' && pytest oauth2-{name}/tests
""",
}


def write_plugin(name: str, directory: Path) -> Path:
    """Write ``oauth2-<name>/`` under ``directory`` and return its path."""
    if not re.fullmatch(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", name):
        raise ConfigurationError(f"plugin name {name!r}: use lowercase letters, digits and '-'")
    root = directory / f"oauth2-{name}"
    if root.exists():
        raise ConfigurationError(f"{root} already exists")
    values = {"name": name, "module": "oauth2_" + name.replace("-", "_"),
              "title": name.replace("-", " ").title()}
    for relative, text in FILES.items():
        path = root / relative.format(**values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(**values))
    return root
