"""A pytest plugin that fails the session if a secret reached a log line, an error
message or a repr.  Enabled with ``-p secret_scan`` (``tests/`` on ``sys.path``), as
``tox -e slow`` does over the whole core suite.

While the tests run it records every secret value that crosses the library:

- client secrets (``OAuth2Client``), PKCE verifiers (``AuthorizationRequest``), and the
  tokens of every ``Token`` built;
- what the client sends and receives through ``Transport.request``: secret form or JSON
  fields (codes, refresh tokens, passwords, assertions, ...) both ways, and the
  credentials of an ``Authorization`` header.

It captures every log record on the root logger at DEBUG, the message and repr of
every ``OAuth2CoreError`` created, and the repr of every ``Token``,
``AuthorizationRequest``, ``OAuth2Client``, ``OAuth2Auth``, ``TokenRequest``,
``OAuth2BearerToken`` and ``DeviceAuthorization`` created.  At the end it looks for each
recorded value (8 characters or more, and not a single lower-case word) in all of them
and lists where one showed up, never the value.  Log records of other libraries (urllib3
logs request lines with their query) are listed too, but do not fail the session: the
library cannot reword them.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl

import pytest

from oauth2_core import (
    AuthorizationRequest,
    OAuth2Auth,
    OAuth2BearerToken,
    OAuth2Client,
    Token,
    errors,
    transport,
)
from oauth2_core.device import DeviceAuthorization

MIN_LENGTH = 8
OUTSIDE = "(outside tests)"
#: Shown to the user on purpose (RFC 8628 section 3.3): not a secret.
NOT_SECRET = frozenset({"user_code"})
SECRET_FIELDS = transport.SECRET_FIELDS - NOT_SECRET
WATCHED_REPRS = (Token, AuthorizationRequest, OAuth2Client, OAuth2Auth, transport.TokenRequest,
                 OAuth2BearerToken, DeviceAuthorization)


class SecretScan:
    """Records secrets and the texts they must not reach; scans at the end."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: Secret values by the test that used them; those of session fixtures are
        #: under OUTSIDE and searched for everywhere.  Keeping them per test matters:
        #: one test's secret is another test's issuer URL or error code.
        self.secrets: dict[str, set[str]] = {}
        self.test = OUTSIDE
        #: Off while a hypothesis test runs: its generated "tokens" are random
        #: strings such as "invalid_grant" that legitimately appear everywhere.
        self.recording = True
        #: (test, where, text) triples to search.
        self.texts: list[tuple[str, str, str]] = []
        #: Log records of other libraries (urllib3, werkzeug): reported, not failed on.
        self.foreign_texts: list[tuple[str, str, str]] = []
        self._pending_objects: list[tuple[str, object]] = []
        self._pending_errors: list[tuple[str, BaseException]] = []
        self._undo: list[Callable[[], None]] = []
        self.counts = {"log records": 0, "errors": 0, "reprs": 0}
        #: Where secrets showed up, once the session is over.
        self.result: list[str] = []
        self.foreign_result: list[str] = []

    # Recording ---------------------------------------------------------------------
    def secret(self, value: Any) -> None:
        # Short values and single lower-case words ("refreshed") are too common to
        # mean anything when found: tests use such words as tokens.
        if (self.recording and isinstance(value, str) and len(value) >= MIN_LENGTH
                and not (value.isalpha() and value.islower())):
            with self.lock:
                self.secrets.setdefault(self.test, set()).add(value)

    @property
    def secret_count(self) -> int:
        return sum(len(values) for values in self.secrets.values())

    def secret_fields(self, value: Any) -> None:
        """Record the secret-bearing fields of form data or JSON, at any depth."""
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and _is_secret_key(key):
                    self.secret(item)
                self.secret_fields(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                self.secret_fields(item)

    def authorization_header(self, headers: Any) -> None:
        value = (headers or {}).get("Authorization")
        if not isinstance(value, str) or " " not in value:
            return
        scheme, _, credentials = value.partition(" ")
        self.secret(credentials)
        if scheme.lower() == "basic":
            try:
                pair = base64.b64decode(credentials).decode("utf-8")
            except ValueError:
                return
            self.secret(pair.partition(":")[2])

    def response_body(self, content: bytes) -> None:
        try:
            self.secret_fields(json.loads(content))
            return
        except (ValueError, UnicodeDecodeError):
            pass
        with contextlib.suppress(UnicodeDecodeError, ValueError):
            self.secret_fields(dict(parse_qsl(content.decode("utf-8"))))

    def watch(self, obj: object) -> None:
        with self.lock:
            self._pending_objects.append((self.test, obj))

    def error(self, exc: BaseException) -> None:
        with self.lock:
            self._pending_errors.append((self.test, exc))

    def log(self, where: str, text: str, ours: bool) -> None:
        with self.lock:
            (self.texts if ours else self.foreign_texts).append((self.test, where, text))
            self.counts["log records"] += 1

    def flush(self) -> None:
        """Turn the objects and errors seen so far into texts (after each test, so
        their final state is scanned and they are not kept alive)."""
        with self.lock:
            objects, self._pending_objects = self._pending_objects, []
            failures, self._pending_errors = self._pending_errors, []
        for test, obj in objects:
            self.texts.append((test, f"repr of {type(obj).__name__} created in {test}",
                               _safe_repr(obj)))
            self.counts["reprs"] += 1
        for test, exc in failures:
            text = f"{_safe_str(exc)}\n{_safe_repr(exc)}"
            self.texts.append((test, f"message of {type(exc).__name__} raised in {test}",
                               text))
            self.counts["errors"] += 1

    # Scanning ------------------------------------------------------------------------
    def hits(self, texts: list[tuple[str, str, str]]) -> list[str]:
        """Where among ``texts`` a secret of the same test (or of a session fixture)
        showed up: places, never values."""
        self.flush()
        shared = self.secrets.get(OUTSIDE, set())
        found = []
        for test, where, text in texts:
            by_prefix: dict[str, list[str]] = {}
            for value in shared | self.secrets.get(test, set()):
                by_prefix.setdefault(value[:MIN_LENGTH], []).append(value)
            if _contains_any(text, by_prefix):
                found.append(where)
        return found

    # Installing the probes -----------------------------------------------------------
    def install(self) -> None:
        scan = self

        def after_init(cls: type, record: Callable[[Any], None]) -> None:
            original = cls.__init__  # type: ignore[misc]

            @functools.wraps(original)
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                original(self, *args, **kwargs)
                record(self)

            cls.__init__ = init  # type: ignore[misc]
            scan._undo.append(lambda: setattr(cls, "__init__", original))

        def token(obj: Token) -> None:
            scan.secret_fields(dict(obj))
            scan.watch(obj)

        def client(obj: OAuth2Client) -> None:
            scan.secret(obj.client_secret)
            scan.watch(obj)

        def authorization_request(obj: AuthorizationRequest) -> None:
            scan.secret(obj.code_verifier)
            scan.watch(obj)

        def token_request(obj: transport.TokenRequest) -> None:
            scan.secret(obj.client_secret)
            scan.secret_fields(obj.data)
            scan.watch(obj)

        def bearer(obj: OAuth2BearerToken) -> None:
            scan.secret(obj.access_token)
            scan.watch(obj)

        def device(obj: DeviceAuthorization) -> None:
            scan.secret_fields(dict(obj))
            scan.watch(obj)

        after_init(Token, token)
        after_init(OAuth2Client, client)
        after_init(AuthorizationRequest, authorization_request)
        after_init(transport.TokenRequest, token_request)
        after_init(OAuth2Auth, scan.watch)
        after_init(OAuth2BearerToken, bearer)
        after_init(DeviceAuthorization, device)

        base = errors.OAuth2CoreError

        def error_init(self: BaseException, *args: Any, **kwargs: Any) -> None:
            super(base, self).__init__(*args, **kwargs)
            scan.error(self)

        assert "__init__" not in vars(base)  # it inherits Exception's: wrap, then remove
        base.__init__ = error_init  # type: ignore[method-assign,assignment]
        scan._undo.append(lambda: delattr(base, "__init__"))

        request = transport.Transport.request

        @functools.wraps(request)
        def recorded_request(self: transport.Transport, method: str, url: str,
                             log_data: Any = None, **kwargs: Any) -> Any:
            scan.secret_fields(log_data)
            for name in ("data", "json", "params"):
                scan.secret_fields(kwargs.get(name))
            scan.authorization_header(kwargs.get("headers"))
            response = request(self, method, url, log_data, **kwargs)
            scan.response_body(response.content)
            return response

        transport.Transport.request = recorded_request  # type: ignore[method-assign]
        scan._undo.append(lambda: setattr(transport.Transport, "request", request))

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()


class _LogCollector(logging.Handler):
    def __init__(self, scan: SecretScan) -> None:
        super().__init__(logging.DEBUG)
        self.scan = scan
        self.formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string: scan its parts
            text = f"{record.msg} {record.args}"
        if record.exc_info:
            text += "\n" + self.formatter.formatException(record.exc_info)
        ours = record.name == "oauth2_core" or record.name.startswith("oauth2_core.")
        self.scan.log(f"log record of {record.name!r} ({record.levelname}) in "
                      f"{self.scan.test}", text, ours)


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    if lowered in NOT_SECRET:
        return False
    # Provider-specific names (Slack's "bot_access_token"), but not metadata such as
    # "token_endpoint" or "token_endpoint_auth_method".
    return lowered in SECRET_FIELDS or lowered.endswith(("_token", "_secret"))


def _contains_any(text: str, by_prefix: dict[str, list[str]]) -> bool:
    for start in range(len(text) - MIN_LENGTH + 1):
        candidates = by_prefix.get(text[start:start + MIN_LENGTH])
        if candidates and any(text.startswith(value, start) for value in candidates):
            return True
    return False


def _safe_repr(obj: object) -> str:
    try:
        return repr(obj)
    except Exception as exc:  # a repr that fails is a bug too, but not this plugin's
        return f"<repr failed: {type(exc).__name__}>"


def _safe_str(obj: object) -> str:
    try:
        return str(obj)
    except Exception as exc:
        return f"<str failed: {type(exc).__name__}>"


# pytest hooks ------------------------------------------------------------------------
_SCAN_KEY = pytest.StashKey[SecretScan]()
_STATE: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    scan = SecretScan()
    scan.install()
    handler = _LogCollector(scan)
    root = logging.getLogger()
    _STATE.update(handler=handler, level=root.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    config.stash[_SCAN_KEY] = scan


def pytest_unconfigure(config: pytest.Config) -> None:
    scan: Optional[SecretScan] = config.stash.get(_SCAN_KEY, None)
    if scan is None:
        return
    scan.uninstall()
    root = logging.getLogger()
    root.removeHandler(_STATE["handler"])
    root.setLevel(_STATE["level"])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    scan = item.config.stash[_SCAN_KEY]
    scan.test = item.nodeid
    scan.recording = not getattr(getattr(item, "obj", None), "is_hypothesis_test", False)
    yield
    scan.flush()
    scan.test = OUTSIDE
    scan.recording = True


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    scan = session.config.stash[_SCAN_KEY]
    hits = scan.result = scan.hits(scan.texts)
    scan.foreign_result = scan.hits(scan.foreign_texts)
    if hits or not scan.secret_count:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    scan = config.stash[_SCAN_KEY]
    hits = scan.result
    counts = ", ".join(f"{n} {what}" for what, n in scan.counts.items())
    terminalreporter.section("secret scan")
    terminalreporter.write_line(
        f"{scan.secret_count} secret values recorded; scanned {counts}: {len(hits)} hits")
    if not scan.secret_count:
        terminalreporter.write_line("FAILED: no secret was recorded, so the scan proved nothing",
                                    red=True)
    for where in hits:
        terminalreporter.write_line(f"FAILED: a secret value appears in the {where}", red=True)
    for where in scan.foreign_result:
        terminalreporter.write_line(f"note (another library's log, not failed on): a secret "
                                    f"value appears in the {where}", yellow=True)
