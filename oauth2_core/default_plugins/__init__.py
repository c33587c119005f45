"""The standard (RFC) behaviour, as plugins on the same hooks provider plugins use.

Every hookimpl here is ``trylast``, so any plugin that returns a value (or, for
``oauth2_prepare_token_request``, changes the request) comes first.
"""

from . import (
    authorize,
    client_auth,
    credentials,
    dpop,
    oidc,
    parameters,
    stores,
    token_response,
    userinfo,
)

DEFAULT_PLUGINS = (authorize, client_auth, credentials, dpop, oidc, parameters, stores,
                   token_response, userinfo)
