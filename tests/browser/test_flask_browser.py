"""The Flask example, end to end in headless Chromium: a real browser clicks through
the example app and oauth2-core's test authorization server, both on loopback.

Why Selenium rather than Playwright: Debian ships ``chromium`` and ``chromium-driver``
built from the same source at the same version, and chromedriver speaks the W3C
WebDriver standard, so the pair always matches whatever version apt installs.
Playwright drives Chromium through its own protocol client pinned to one Chromium
build (which it wants to download), and only tries its best with another one.  With
``Service("/usr/bin/chromedriver")`` Selenium downloads nothing.

Each step saves a screenshot (see the ``screenshots`` fixture) so a person can look at
what the user sees.  Waits are generous and never asserted on: a slow machine only
makes the test slower.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oauth2_core.testing.server import AuthorizationServer

WAIT = 30.0  # seconds a page may take to appear


def wait_for(browser: Any, css: str) -> Any:
    """The visible element matching ``css``, once the page shows it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT).until(
        expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css)))


def snap(browser: Any, folder: Path, name: str) -> None:
    path = folder / f"{len(list(folder.glob('*.png'))) + 1:02d}-{name}.png"
    assert browser.save_screenshot(str(path)), f"no screenshot at {path}"


def bearer_token_sent_to_userinfo(server: AuthorizationServer) -> str:
    [call] = server.requests_to("userinfo")
    scheme, _, token = call.headers["authorization"].partition(" ")
    assert scheme == "Bearer"
    return token


def open_consent_page(browser: Any, app_url: str, server: AuthorizationServer,
                      screenshots: Path) -> None:
    browser.get(app_url + "/")
    login = wait_for(browser, "#login-testserver")
    assert login.text == "Log in with oauth2-core test server"
    snap(browser, screenshots, "home")
    login.click()
    wait_for(browser, "#allow")
    assert browser.current_url.startswith(server.url("/authorize?"))
    assert browser.find_element("id", "client").text == "oauth2-core Flask example"
    scopes = [li.text for li in browser.find_elements("css selector", "#scopes li")]
    assert scopes == ["openid", "profile", "email"]
    snap(browser, screenshots, "consent")


def test_allow_shows_the_profile_and_log_out_revokes_the_token(
        browser: Any, app_url: str, auth_server: AuthorizationServer,
        screenshots: Path) -> None:
    open_consent_page(browser, app_url, auth_server, screenshots)

    browser.find_element("id", "allow").click()
    name = wait_for(browser, "#name")
    assert browser.current_url == app_url + "/profile"
    assert name.text == "Alice Liddell"
    assert browser.find_element("id", "email").text == "alice@example.com (verified)"
    assert browser.find_element("id", "username").text == "alice"
    assert browser.find_element("id", "provider").text == "oauth2-core test server"
    picture = browser.find_element("id", "picture")
    assert browser.execute_script("return arguments[0].naturalWidth", picture) == 96
    snap(browser, screenshots, "profile")
    access_token = bearer_token_sent_to_userinfo(auth_server)
    introspector = auth_server.client(auth_server.authority.client("flask-example"))
    assert introspector.introspect_token(access_token)["active"] is True

    browser.find_element("id", "logout").click()
    flash = wait_for(browser, ".flash")
    assert flash.text == "You have signed out."
    assert browser.current_url == app_url + "/"
    wait_for(browser, "#login-testserver")
    snap(browser, screenshots, "signed-out")
    [revocation] = auth_server.requests_to("revoke")
    assert revocation.form["token_type_hint"] == "refresh_token"
    # Revoking the refresh token ended the grant: the access token is dead too.
    assert introspector.introspect_token(access_token)["active"] is False

    browser.get(app_url + "/profile")  # the session is gone
    wait_for(browser, "#login-testserver")
    assert browser.current_url == app_url + "/"


def test_deny_shows_a_friendly_page_and_gets_no_token(
        browser: Any, app_url: str, auth_server: AuthorizationServer,
        screenshots: Path) -> None:
    open_consent_page(browser, app_url, auth_server, screenshots)

    browser.find_element("id", "deny").click()
    message = wait_for(browser, "#message")
    assert browser.title == "Not signed in"
    assert message.text.startswith("You chose not to sign in with oauth2-core test server.")
    snap(browser, screenshots, "denied")
    assert auth_server.requests_to("token") == []

    browser.find_element("link text", "Back to the home page").click()
    wait_for(browser, "#login-testserver")


def test_a_forged_callback_shows_a_friendly_error_and_gets_no_token(
        browser: Any, app_url: str, auth_server: AuthorizationServer,
        screenshots: Path) -> None:
    open_consent_page(browser, app_url, auth_server, screenshots)

    # An attacker's link carrying their own code, in a browser that started a sign-in.
    browser.get(app_url + "/callback/testserver?code=attackers-code&state=forged")
    message = wait_for(browser, "#message")
    assert browser.title == "Sign-in failed"
    assert message.text == ("oauth2-core test server could not sign you in. "
                            "Please try again.")
    assert browser.find_element("id", "error").text == "state_mismatch"
    assert "Traceback" not in browser.page_source
    snap(browser, screenshots, "forged-callback")
    assert auth_server.requests_to("token") == []
