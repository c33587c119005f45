"""``oauth2 demo``: the OAuth 2 web flow, step by step, with every HTTP exchange shown.

By default it runs offline against the built-in loopback authorization server, playing
both the web app and the user; ``--provider``/``--issuer`` run the same steps against a
real provider, with you signing in through your browser.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlsplit

from ..client import OAuth2Client, client
from ..tokens import Token
from ..transport import SECRET_FIELDS, redact
from .loopback import LoopbackListener

DEMO_SCOPE = ["openid", "profile", "email"]


def _out(text: str = "") -> None:
    print(text, flush=True)


def _step(number: int, title: str) -> None:
    _out(f"\n== Step {number}: {title}")


def _show_url(url: str) -> None:
    parts = urlsplit(url)
    _out(f"   {parts.scheme}://{parts.netloc}{parts.path}")
    for key, value in parse_qsl(parts.query):
        _out(f"     {key} = {'***' if key in SECRET_FIELDS else value}")


class _ExchangePrinter(logging.Handler):
    """Prints the client's (already redacted) request/response log lines."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.name != "oauth2_core":
            return  # e.g. the built-in server's own log
        message = record.getMessage()
        arrow = "->" if message.startswith("request") else "<-"
        text = message.split(" ", 1)[1]
        _out(f"   {arrow} {text if len(text) <= 400 else text[:400] + ' ...'}")


@contextmanager
def _show_exchanges() -> Iterator[None]:
    logger = logging.getLogger("oauth2_core")
    handler, level = _ExchangePrinter(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def run_demo(args: argparse.Namespace) -> int:
    if args.provider or args.issuer:
        return _real_provider_demo(args)
    from ..testing.server import AuthorizationServer  # only the demo needs the server

    with AuthorizationServer() as server:
        app = server.register_client(client_id="demo-app", client_name="oauth2 demo",
                                     redirect_uris=["http://127.0.0.1:5000/callback"])
        oauth = server.client(app)
        _out(f"A built-in authorization server is running at {server.issuer}")
        _out("(no accounts, no internet: the demo plays both the web app and the user)")
        def consent(url: str) -> str:
            _out("   (the demo is the user 'alice': it signs in and clicks Allow)")
            return server.authorize(url)

        return _walk_through(oauth, consent, api_url=server.url("/api/me"))


def _real_provider_demo(args: argparse.Namespace) -> int:
    from . import _settings

    name = args.provider or "oidc"
    with LoopbackListener() as listener:
        oauth = client(name, client_id=args.client_id, client_secret=args.client_secret,
                       redirect_uri=listener.redirect_uri, **_settings(args))

        def consent(url: str) -> str:
            _out("   Opening your browser; sign in and approve (Ctrl-C to cancel).")
            webbrowser.open(url)
            return listener.wait(300)

        return _walk_through(oauth, consent, api_url=None, scope=args.scope)


def _walk_through(oauth: OAuth2Client, consent: Callable[[str], str],
                  api_url: Optional[str], scope: Any = None) -> int:
    scope = scope or (DEMO_SCOPE if oauth.provider.issuer else None)
    _step(1, "the app sends the user to the authorization URL (with state and PKCE)")
    req = oauth.begin_authorization(scope=scope)
    _show_url(req.url)
    _out("   The app keeps state, the PKCE code_verifier and the nonce in its session.")

    _step(2, "the user signs in and approves on the provider's consent screen")
    callback_url = consent(req.url)

    _step(3, "the provider redirects back to the app with a one-time code")
    _show_url(callback_url)

    _step(4, "the app checks state and iss, and exchanges the code (and verifier)")
    with _show_exchanges():
        token = oauth.complete_authorization(callback_url, req)
    _out(f"   Got {token!r}")

    _step(5, "the app calls an API with the access token")
    if api_url:
        with oauth.session(token) as session:
            response = session.get(api_url)
        _out(f"   -> GET {api_url}  Authorization: Bearer ***")
        _out(f"   <- {response.status_code} {json.dumps(redact(response.json()))}")
        response.raise_for_status()
    user = oauth.userinfo(token)
    _out(f"   -> GET {oauth.provider.userinfo_url}  Authorization: Bearer ***")
    _out(f"   Signed in as {user.name or user.username or user.id} <{user.email}>")

    refreshed: list[Token] = []
    if token.refresh_token:
        _step(6, "later, the access token expires: the app refreshes it")
        with _show_exchanges():
            new_token = oauth.refresh_token(token)
        refreshed.append(new_token)
        rotated = new_token.refresh_token != token.refresh_token
        _out(f"   New access token; refresh token {'rotated' if rotated else 'kept'}")
        token = new_token
    else:
        _step(6, "(the provider issued no refresh token: skipping refresh)")

    if oauth.provider.revocation_url:
        _step(7, "the user logs out: the app revokes the token")
        with _show_exchanges():
            oauth.revoke_token(token)
        if oauth.provider.introspection_url:
            with _show_exchanges():
                active = oauth.introspect_token(token["access_token"])["active"]
            _out(f"   Introspection now says active={active}")
    else:
        _step(7, "(the provider has no revocation endpoint: skipping revocation)")
    _out("\nDone: that is the whole OAuth 2 web flow.  Run with --verbose for headers too.")
    sys.stdout.flush()
    return 0
