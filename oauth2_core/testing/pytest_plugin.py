"""pytest fixtures for testing an app against a real authorization server on loopback.

Installed with oauth2-core (entry point ``pytest11``), so any project's tests can use:

- ``oauth2_server``: a fresh :class:`~oauth2_core.testing.server.AuthorizationServer`
  for each test;
- ``oauth2_server_session``: one server for the whole session (call ``reset()`` where a
  test needs a clean one);
- ``oauth2_client``: an :class:`~oauth2_core.OAuth2Client` for a confidential client
  registered on ``oauth2_server``, with a fresh plugin manager (no installed provider
  plugin can change its behaviour).

A test fails if the server itself broke while answering it (``server.errors``).
Importing this module starts nothing; servers start when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from oauth2_core.client import OAuth2Client
    from oauth2_core.testing.server import AuthorizationServer

__all__ = ["oauth2_client", "oauth2_server", "oauth2_server_session"]

#: The confidential client the ``oauth2_client`` fixture registers.
CLIENT_ID = "test-client"
REDIRECT_URI = "http://127.0.0.1/callback"


def _serve() -> Iterator[AuthorizationServer]:
    from oauth2_core.testing.server import AuthorizationServer

    with AuthorizationServer() as server:
        yield server
        if server.errors:
            pytest.fail(f"the test authorization server failed: {server.errors[0]!r}",
                        pytrace=False)


@pytest.fixture
def oauth2_server() -> Iterator[AuthorizationServer]:
    """A test authorization server on ``127.0.0.1``, fresh for each test."""
    yield from _serve()


@pytest.fixture(scope="session")
def oauth2_server_session() -> Iterator[AuthorizationServer]:
    """One test authorization server shared by the whole test session."""
    yield from _serve()


@pytest.fixture
def oauth2_client(oauth2_server: AuthorizationServer) -> OAuth2Client:
    """A client of ``oauth2_server``: client id ``test-client``, a random secret,
    redirect URI ``http://127.0.0.1/callback`` (any port)."""
    registered = oauth2_server.register_client(client_id=CLIENT_ID,
                                               redirect_uris=[REDIRECT_URI])
    return oauth2_server.client(registered)
