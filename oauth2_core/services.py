"""requests-oauth2's ``services`` module: ``GoogleClient`` and friends, for installed providers.

``from oauth2_core.services import GoogleClient`` resolves, on first use, to a client
class for the installed ``google`` provider; the name is matched case-insensitively
without the ``Client`` suffix (``GitHubClient`` -> ``github``).
"""

from __future__ import annotations

from typing import Any

from .client import OAuth2Client
from .errors import ProviderNotFound
from .plugins import get_plugin_manager

_classes: dict[str, type[OAuth2Client]] = {}


def service_class(attribute: str) -> type[OAuth2Client]:
    """The ``OAuth2Client`` subclass for a ``<Name>Client`` attribute."""
    if attribute in _classes:
        return _classes[attribute]
    if not attribute.endswith("Client") or attribute == "Client":
        raise AttributeError(f"module 'oauth2_core.services' has no attribute {attribute!r}")
    wanted = attribute[: -len("Client")].lower()
    pm = get_plugin_manager()
    try:
        provider = pm.get_provider(wanted)
    except ProviderNotFound:
        names = {n.replace("-", "").replace("_", ""): n for n in pm.providers()}
        if wanted not in names:
            raise
        provider = pm.get_provider(names[wanted])

    def __init__(self: OAuth2Client, *args: Any, **settings: Any) -> None:
        OAuth2Client.__init__(self, provider.name, *args, **settings)

    cls = type(attribute, (OAuth2Client,), {"__init__": __init__, "__module__": __name__,
                                           "__doc__": f"An OAuth2Client for {provider.title}."})
    _classes[attribute] = cls
    return cls


def __getattr__(attribute: str) -> type[OAuth2Client]:
    if attribute.startswith("__"):
        raise AttributeError(attribute)
    return service_class(attribute)
