"""The device authorization grant on the server side (RFC 8628).

A device asks for a code pair, the user approves the user code at ``/device`` (or the
test calls ``server.approve_device``), and the device's polls get the answers of
section 3.5 in order: ``authorization_pending``, ``slow_down`` when it polls faster
than ``interval`` (which then grows by 5 seconds for good), ``access_denied``,
``expired_token``, and at last the tokens.
"""

from __future__ import annotations

import re
import secrets
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import ProtocolError
from .models import DeviceRequest

if TYPE_CHECKING:
    from .config import ServerConfig
    from .models import Grant, ServerClient

__all__ = ["DEVICE_CODE_GRANT", "DeviceFlow", "normalise_user_code"]

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
#: RFC 8628 section 6.1: consonants only, so no word (and no 0/O, 1/I confusion) forms.
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
SLOW_DOWN_STEP = 5


def normalise_user_code(user_code: str) -> str:
    """RFC 8628 section 6.1: case and separators do not matter when the user types it."""
    return re.sub(r"[\s-]", "", user_code).upper()


class DeviceFlow:
    """The device-flow part of :class:`~oauth2_core.testing.authority.Authority`."""

    if TYPE_CHECKING:  # provided by Authority
        config: ServerConfig
        clock: Callable[[], float]
        _lock: threading.RLock
        _devices: dict[str, DeviceRequest]

        def now(self) -> int: ...
        def check_scope(self, client: ServerClient,
                        requested: tuple[str, ...]) -> tuple[str, ...]: ...
        def _new_grant(self, client: ServerClient, scope: tuple[str, ...],
                       sub: Optional[str], auth_time: int) -> Grant: ...
        def _issue(self, client: ServerClient, grant: Grant) -> dict[str, Any]: ...

    def start_device(self, client: ServerClient, scope: tuple[str, ...]) -> DeviceRequest:
        scope = self.check_scope(client, scope)
        with self._lock:
            while True:
                user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
                if self._device_by_user_code(user_code) is None:
                    break
            device = DeviceRequest(secrets.token_urlsafe(32), user_code, client.client_id,
                                   scope, self.now() + self.config.device_code_ttl,
                                   self.config.device_interval)
            self._devices[device.device_code] = device
            return device

    def pending_device(self, user_code: str) -> Optional[DeviceRequest]:
        """The unexpired request still waiting for a decision, by its user code."""
        with self._lock:
            device = self._device_by_user_code(user_code)
            if device is None or device.status != "pending" or self.now() >= device.expires_at:
                return None
            return device

    def decide_device(self, user_code: str, approve: bool, sub: str) -> bool:
        """Approve or deny the request with this user code; False if there is none."""
        with self._lock:
            device = self.pending_device(user_code)
            if device is None:
                return False
            device.status = "approved" if approve else "denied"
            device.sub = sub
            return True

    def poll_device(self, client: ServerClient, device_code: str) -> dict[str, Any]:
        """The device_code grant: RFC 8628 section 3.5's answers, in its order."""
        with self._lock:
            device = self._devices.get(device_code)
            if device is None or device.client_id != client.client_id:
                raise ProtocolError("invalid_grant", "unknown device_code, or issued to "
                                    "another client")
            if device.status == "used":
                raise ProtocolError("invalid_grant", "the device_code was already used")
            now = self.clock()
            if now >= device.expires_at:
                raise ProtocolError("expired_token", "the device_code expired")
            if device.status == "denied":
                raise ProtocolError("access_denied", "the user denied the request")
            too_soon = (device.last_poll is not None and self.config.enforce_device_interval
                        and now - device.last_poll < device.interval)
            device.last_poll = now
            if too_soon:
                device.interval += SLOW_DOWN_STEP  # for this and every later poll
                raise ProtocolError("slow_down", f"poll at most every {device.interval} s")
            if device.status == "pending" or device.sub is None:
                raise ProtocolError("authorization_pending", "the user has not decided yet")
            device.status = "used"
            grant = self._new_grant(client, device.scope, device.sub, int(now))
            return self._issue(client, grant)

    def _device_by_user_code(self, user_code: str) -> Optional[DeviceRequest]:
        wanted = normalise_user_code(user_code)
        return next((d for d in self._devices.values() if d.user_code == wanted), None)
