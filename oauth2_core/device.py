"""The device authorization grant (RFC 8628): sign in on a TV or a CLI.

``client.device_authorization()`` asks for a user code, the user enters it at
``verification_uri`` on another device, and ``client.poll_device_token()`` polls the
token endpoint until they approve, honouring ``interval`` and ``slow_down``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from .error_codes import AuthorizationPending, ExpiredToken, SlowDown
from .errors import ConfigurationError, OAuth2Error, TokenResponseError, TransportError
from .tokens import Token

if TYPE_CHECKING:
    from .client import OAuth2Client

    # Type aliases, for annotations only (evaluated at import, a typing alias costs
    # about as much as a small module).
    Scope = Union[str, Iterable[str], None]

__all__ = ["DEVICE_CODE_GRANT", "DeviceAuthorization", "DeviceFlowTimeout"]

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: RFC 8628 section 3.2: poll every 5 seconds when the server does not say.
DEFAULT_INTERVAL = 5.0
#: RFC 8628 section 3.5: ``slow_down`` adds 5 seconds, for this and every later poll.
SLOW_DOWN_STEP = 5.0


class DeviceFlowTimeout(OAuth2Error):
    """``poll_device_token`` gave up: its ``timeout`` passed before the user approved."""

    code = "device_flow_timeout"


def _seconds(fields: Mapping[str, Any], name: str) -> Optional[float]:
    value = fields.get(name)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not math.isfinite(number) or number < 0:
        raise TokenResponseError(description=f"device authorization {name} is not a "
                                 "number of seconds")
    return number


class DeviceAuthorization(dict[str, Any]):
    """The device authorization response (RFC 8628 section 3.2), a ``dict`` with
    attributes.  ``expires_at`` is stamped on construction, like :class:`Token`'s.
    Its repr never shows the device code (nor the user code).

    :raises TokenResponseError: a required field is missing or malformed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Some providers (Google) spell it verification_url.
        if "verification_uri" not in self and "verification_url" in self:
            self["verification_uri"] = self["verification_url"]
        for name in ("device_code", "user_code", "verification_uri"):
            if not isinstance(self.get(name), str) or not self[name]:
                raise TokenResponseError(description=f"device authorization response "
                                         f"lacks {name}")
        expires_in = _seconds(self, "expires_in")
        if expires_in is None:
            raise TokenResponseError(description="device authorization response lacks "
                                     "expires_in")
        _seconds(self, "interval")
        if _seconds(self, "expires_at") is None:
            self["expires_at"] = time.time() + expires_in

    @property
    def device_code(self) -> str:
        return str(self["device_code"])

    @property
    def user_code(self) -> str:
        return str(self["user_code"])

    @property
    def verification_uri(self) -> str:
        return str(self["verification_uri"])

    @property
    def verification_uri_complete(self) -> Optional[str]:
        """The URI with the user code in it (for a QR code), if the server sent one."""
        value = self.get("verification_uri_complete")
        return value if isinstance(value, str) else None

    @property
    def expires_in(self) -> float:
        return _seconds(self, "expires_in") or 0.0

    @property
    def interval(self) -> float:
        """Seconds between polls: the server's, or 5."""
        return _seconds(self, "interval") or DEFAULT_INTERVAL

    @property
    def expires_at(self) -> float:
        return _seconds(self, "expires_at") or 0.0

    def __repr__(self) -> str:
        return (f"DeviceAuthorization(device_code=***, user_code=***, "
                f"verification_uri={self.verification_uri!r}, expires_in={self.expires_in:g}, "
                f"interval={self.interval:g})")

    __str__ = __repr__


# What OAuth2Client's device-flow methods run (imported on first use) -----------------
def device_authorization(client: OAuth2Client, scope: Scope,
                         params: dict[str, Any]) -> DeviceAuthorization:
    """:meth:`OAuth2Client.device_authorization` (RFC 8628 section 3.1)."""
    url = client.provider.device_authorization_url
    if not url:
        raise ConfigurationError(f"provider {client.provider.name!r} has no "
                                 "device_authorization_url")
    joined = client._join_scope(scope if scope is not None else client.scope)
    data = {k: v for k, v in {"scope": joined or None, **params}.items() if v is not None}
    response = client.send(url, data, endpoint="device")
    if response.status_code != 200:
        client._raise_endpoint_error(response, "device_authorization", [client.client_secret])
    try:
        fields = response.json()
    except ValueError:
        fields = None
    if not isinstance(fields, dict):
        raise TokenResponseError(description="device authorization response is not a "
                                 "JSON object", status_code=response.status_code,
                                 response=response)
    return DeviceAuthorization(fields)


def poll_device_token(
    client: OAuth2Client,
    da: Mapping[str, Any],
    timeout: Optional[float],
    on_code: Optional[Callable[[DeviceAuthorization], Any]],
    sleep: Callable[[float], Any],
) -> Token:
    """:meth:`OAuth2Client.poll_device_token` (RFC 8628 sections 3.4 and 3.5)."""
    if not isinstance(da, DeviceAuthorization):
        da = DeviceAuthorization(da)
    if on_code is not None:
        on_code(da)
    interval = da.interval
    expires_after = da.expires_at - time.time()
    started, waited = time.monotonic(), 0.0
    while True:
        # With a fake sleep no time passes, so the time asked to wait counts too.
        elapsed = max(time.monotonic() - started, waited)
        if elapsed + interval > expires_after:
            raise ExpiredToken(description="the device code expired before the user "
                               "approved the request")
        if timeout is not None and elapsed + interval > timeout:
            raise DeviceFlowTimeout(description=f"the user did not approve within "
                                    f"{timeout:g} s")
        sleep(interval)
        waited += interval
        try:
            return client.request_token(DEVICE_CODE_GRANT, device_code=da.device_code)
        except AuthorizationPending:
            continue
        except SlowDown:
            interval += SLOW_DOWN_STEP
        except TransportError:
            interval *= 2  # RFC 8628 section 3.5: back off after a connection timeout
