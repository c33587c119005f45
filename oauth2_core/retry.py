"""When a token request may be sent again: a small, bounded retry policy.

Retrying a token request is only safe when sending it twice cannot hurt:

- An authorization code is single-use (RFC 6749 section 4.1.2): a second exchange fails,
  and a server may revoke every token issued from the first.  Never retried.
- A refresh token may be rotated (RFC 9700 section 4.14.2): if the first request reached
  the server, it is spent, and sending it again looks like theft, so the server revokes
  the whole grant.  Retried only when the request certainly never reached the server
  (the connection could not be opened), or when the server said "not now" (429/503 with
  ``Retry-After``) instead of processing it.
- Client credentials have nothing to spend: also retried after a connection was reset
  or timed out mid-exchange.

Waits grow exponentially with jitter; a ``Retry-After`` longer than the policy's cap is
not waited for (the error is raised at once, carrying the response).
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any, Callable, Optional, Union

import requests
import urllib3.exceptions

from .errors import TransportError

__all__ = ["NO_RETRY", "RetryPolicy", "as_retry_policy", "retry_after_seconds"]

logger = logging.getLogger("oauth2_core")

#: Grants whose request may be repeated after a connection failure.
DEFAULT_GRANTS = frozenset({"refresh_token", "client_credentials"})
#: Grants that may be repeated even when the first request may have been processed.
DEFAULT_REPLAYABLE_GRANTS = frozenset({"client_credentials"})
#: Statuses meaning "not processed, try later" when they carry ``Retry-After``.
DEFAULT_STATUSES = frozenset({429, 503})


class RetryPolicy:
    """How often and how patiently a token request is retried; immutable.

    :param max_attempts: attempts in all, the first included (1 = never retry).
    :param backoff: seconds before the second attempt; doubled for each later one.
    :param max_backoff: the longest wait computed from ``backoff``.
    :param max_retry_after: the longest ``Retry-After`` honoured; a server asking for
        more gets its error raised at once instead.
    :param grant_types: grants retried when the connection could not be opened, or on
        a 429/503 with ``Retry-After``.  ``authorization_code`` is refused here: a code
        is single-use.
    :param replayable_grant_types: grants also retried after a reset or timeout, when
        the server may already have processed the request.
    :param statuses: HTTP statuses retried when they carry ``Retry-After``.
    :param sleep: how to wait (tests pass a recorder); not compared.
    """

    # A plain class rather than a frozen dataclass: every client builds one, and a
    # dataclass's generated methods cost start-up time in every program importing us.
    __slots__ = ("backoff", "grant_types", "max_attempts", "max_backoff", "max_retry_after",
                 "replayable_grant_types", "sleep", "statuses")

    max_attempts: int
    backoff: float
    max_backoff: float
    max_retry_after: float
    grant_types: frozenset[str]
    replayable_grant_types: frozenset[str]
    statuses: frozenset[int]
    sleep: Callable[[float], None]

    def __init__(
        self,
        max_attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        max_retry_after: float = 10.0,
        grant_types: frozenset[str] = DEFAULT_GRANTS,
        replayable_grant_types: frozenset[str] = DEFAULT_REPLAYABLE_GRANTS,
        statuses: frozenset[int] = DEFAULT_STATUSES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if "authorization_code" in grant_types | replayable_grant_types:
            raise ValueError("an authorization code is single-use: never retry its exchange")
        for name, value in (("max_attempts", max_attempts), ("backoff", backoff),
                            ("max_backoff", max_backoff), ("max_retry_after", max_retry_after),
                            ("grant_types", frozenset(grant_types)),
                            ("replayable_grant_types", frozenset(replayable_grant_types)),
                            ("statuses", frozenset(statuses)), ("sleep", sleep)):
            object.__setattr__(self, name, value)

    def _compared(self) -> tuple[Any, ...]:
        return (self.max_attempts, self.backoff, self.max_backoff, self.max_retry_after,
                self.grant_types, self.replayable_grant_types, self.statuses)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RetryPolicy is immutable: build a new one")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("RetryPolicy is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RetryPolicy):
            return NotImplemented
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        return hash(self._compared())

    def __repr__(self) -> str:
        return (f"RetryPolicy(max_attempts={self.max_attempts}, backoff={self.backoff}, "
                f"max_backoff={self.max_backoff}, max_retry_after={self.max_retry_after}, "
                f"grant_types={sorted(self.grant_types)}, "
                f"replayable_grant_types={sorted(self.replayable_grant_types)}, "
                f"statuses={sorted(self.statuses)})")

    def backoff_delay(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based), with jitter."""
        ceiling = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        # Jitter spreads out clients that failed together; not a security use of random.
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311

    def delay_after_error(self, grant_type: str, error: TransportError,
                          attempt: int) -> Optional[float]:
        """The wait before retrying after ``error``, or None to raise it."""
        if attempt >= self.max_attempts or grant_type not in self.grant_types:
            return None
        if error.status_code is not None:
            return None  # the server answered (e.g. an oversize body): not a network failure
        if connection_never_opened(error) or grant_type in self.replayable_grant_types:
            return self.backoff_delay(attempt)
        return None

    def delay_after_response(self, grant_type: str, response: requests.Response,
                             attempt: int) -> Optional[float]:
        """The wait before retrying after ``response``, or None to use it as it is."""
        if attempt >= self.max_attempts or grant_type not in self.grant_types:
            return None
        if response.status_code not in self.statuses:
            return None
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None or wait > self.max_retry_after:
            return None
        return max(wait, 0.0)

    def send(self, grant_type: str,
             send_once: Callable[[], requests.Response]) -> requests.Response:
        """Call ``send_once`` until it gives a final answer or the attempts run out."""
        attempt = 1
        while True:
            try:
                response = send_once()
            except TransportError as exc:
                wait = self.delay_after_error(grant_type, exc, attempt)
                if wait is None:
                    raise
                reason = exc.description or exc.error
            else:
                wait = self.delay_after_response(grant_type, response, attempt)
                if wait is None:
                    return response
                response.close()
                reason = f"HTTP {response.status_code} with Retry-After"
            logger.info("token request (%s) attempt %d of %d failed (%s); retrying in "
                        "%.2f s", grant_type, attempt, self.max_attempts, reason, wait)
            self.sleep(wait)
            attempt += 1


#: A policy that sends every request once.
NO_RETRY = RetryPolicy(max_attempts=1)


def as_retry_policy(value: Union[RetryPolicy, bool, int, None]) -> RetryPolicy:
    """The policy for a client's ``retry=`` setting: a :class:`RetryPolicy`, True/None
    for the default, False for none, or a number of attempts."""
    if isinstance(value, RetryPolicy):
        return value
    if value is None or value is True:
        return RetryPolicy()
    if value is False:
        return NO_RETRY
    if isinstance(value, int):
        return RetryPolicy(max_attempts=value)
    raise TypeError(f"retry= takes a RetryPolicy, a bool or a number, not {value!r}")


def retry_after_seconds(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP-date,
    RFC 9110 section 10.2.3); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        import email.utils  # only for an HTTP-date Retry-After

        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None  # RFC 9110 dates are always GMT; anything else is malformed
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def connection_never_opened(error: TransportError) -> bool:
    """Whether the request behind ``error`` certainly never reached the server: the
    connection was refused or could not be set up in time."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(cause, requests.ConnectionError):
        return False
    reason = cause.args[0] if cause.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    # NewConnectionError covers refused connections and failed name resolution.
    return isinstance(reason, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError))
