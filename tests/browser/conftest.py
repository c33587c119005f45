"""Fixtures for the Flask example's tests: the example module, a test authorization server
with a consent page, the app served on loopback, and headless Chromium.

A missing tool (Flask, Selenium, chromium, chromedriver) skips the tests, except when
``OAUTH2_BROWSER_REQUIRED=1`` (CI sets it): then it fails them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn
from urllib.parse import quote

import pytest

from oauth2_core.testing.server import AuthorizationServer, ServerConfig

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "flask_app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1000,760",
)
# An avatar the browser can show offline; a real provider's picture is an https URL.
AVATAR = "data:image/svg+xml," + quote(
    '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96">'
    '<rect width="96" height="96" fill="#f59e0b"/>'
    '<text x="48" y="64" font-size="48" text-anchor="middle" fill="#fff" '
    'font-family="sans-serif">A</text></svg>')


def missing(what: str) -> NoReturn:
    """Skip for a missing tool, or fail if CI said the browser suite must run."""
    if os.environ.get("OAUTH2_BROWSER_REQUIRED") == "1":
        pytest.fail(f"{what}, and OAUTH2_BROWSER_REQUIRED=1", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def example() -> ModuleType:
    """``examples/flask_app.py``, imported as the module ``flask_app``."""
    if importlib.util.find_spec("flask") is None:
        missing("Flask is not installed")
    if "flask_app" not in sys.modules:
        spec = importlib.util.spec_from_file_location("flask_app", EXAMPLE)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["flask_app"] = module  # Flask finds its root path through it
        spec.loader.exec_module(module)
    return sys.modules["flask_app"]


@pytest.fixture
def auth_server() -> Iterator[AuthorizationServer]:
    """The test authorization server as the example configures it (a consent page), whose
    user alice also has a picture."""
    with AuthorizationServer(config=ServerConfig(consent=True)) as server:
        server.add_user("alice", password="wonderland", email="alice@example.com",
                        name="Alice Liddell", given_name="Alice", family_name="Liddell",
                        picture=AVATAR)
        yield server
        assert server.errors == []


@pytest.fixture
def app_url(example: ModuleType, auth_server: AuthorizationServer) -> Iterator[str]:
    """The example app, served by werkzeug in a thread on 127.0.0.1 and a free port."""
    from werkzeug.serving import make_server

    app = example.create_app(auth_server, providers=[])
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, name="flask-example", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Chromium driven by chromedriver, with a fresh profile (no cookies)."""
    for tool in (CHROMIUM, CHROMEDRIVER):
        if not os.access(tool, os.X_OK):
            missing(f"{tool} is not installed (apt-get install chromium chromium-driver)")
    if importlib.util.find_spec("selenium") is None:
        missing("Selenium is not installed (pip install selenium)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="oauth2-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # An explicit driver path: selenium-manager then downloads nothing.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def screenshots(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Where a test saves its screenshots: ``$OAUTH2_BROWSER_SCREENSHOTS/<test>`` if set
    (CI keeps them as artifacts), else the test's temporary directory."""
    root = os.environ.get("OAUTH2_BROWSER_SCREENSHOTS")
    folder = Path(root) / request.node.name if root else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
