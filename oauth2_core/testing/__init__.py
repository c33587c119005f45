"""Test helpers for applications and plugin authors.

- :func:`plugin_manager`: a fresh plugin manager with the defaults and your plugins.
- :func:`check_plugin_contract`: the checks every provider plugin must pass.
- :func:`fake_token_endpoint`: a token endpoint on a ``requests_mock`` mocker.

The loopback authorization server lives in :mod:`oauth2_core.testing.server` and the
pytest fixtures in :mod:`oauth2_core.testing.pytest_plugin`.
"""

from __future__ import annotations

from .contract import check_plugin_contract, plugin_manager
from .mocks import fake_token_endpoint

__all__ = ["check_plugin_contract", "fake_token_endpoint", "plugin_manager"]
