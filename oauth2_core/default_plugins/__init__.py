"""The standard (RFC) behaviour, as plugins on the same hooks provider plugins use.

Every hookimpl here is ``trylast``, so any plugin that returns a value (or, for
``oauth2_prepare_token_request``, changes the request) comes first.  :mod:`.standard`
implements every behaviour hook; :mod:`.oidc` registers the built-in ``oidc`` provider
(a plugin of its own, since a plugin that registers providers is called only for them).
The other modules here are the helpers those hooks use, loaded on first use; provider
plugins import some of them too (``token_response.json_object``,
``client_auth.basic_credentials``).
"""

from . import oidc, standard

DEFAULT_PLUGINS = (standard, oidc)
