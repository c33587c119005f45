"""Test helpers for applications and plugin authors.

- :func:`plugin_manager`: a fresh plugin manager with the defaults and your plugins.
- :func:`check_plugin_contract`: the checks every provider plugin must pass.
- :func:`fake_token_endpoint`: a token endpoint on a ``requests_mock`` mocker.

A real authorization server on loopback, for testing an app without a real provider:

- :class:`oauth2_core.testing.server.AuthorizationServer` (``with AuthorizationServer()
  as server: ...``): code + PKCE, refresh with rotation, client credentials, password,
  device flow, revocation, introspection, UserInfo, signed id_tokens, a protected
  ``/api/me``, and injected faults (``server.config.fault("token", 503)``);
- pytest fixtures, installed with oauth2-core (:mod:`oauth2_core.testing.pytest_plugin`):
  ``oauth2_server``, ``oauth2_server_session`` and ``oauth2_client``.
"""

from __future__ import annotations

from .contract import check_plugin_contract, plugin_manager
from .mocks import fake_token_endpoint

__all__ = ["check_plugin_contract", "fake_token_endpoint", "plugin_manager"]
