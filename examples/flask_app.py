"""Sign users in with OAuth 2.0 / OpenID Connect in a Flask app, using oauth2-core.

Run it::

    pip install oauth2-core "oauth2-core[jwt]" flask
    python examples/flask_app.py              # or --port 8000
    # then open http://127.0.0.1:5000/ (the IP, not "localhost"; see below)

With nothing else installed it offers one provider: the loopback authorization server
that ships with oauth2-core (``oauth2_core.testing``), started inside this process on a
free port.  So the whole flow runs on any machine, with no account anywhere: the
provider's consent page (Allow / Deny), the profile page, and logging out, which revokes
the token.  Its user is "alice".

Adding a real provider (GitHub here; any installed ``oauth2-<name>`` package works alike):

1. ``pip install oauth2-github``.  ``oauth2 providers`` lists what is installed.
2. Register an application with the provider (the plugin's README and
   ``Provider.docs_url`` say where), giving the redirect URI
   ``http://127.0.0.1:5000/callback/github``.
3. ``export OAUTH2_GITHUB_CLIENT_ID=... OAUTH2_GITHUB_CLIENT_SECRET=...`` (the names
   come from ``Provider.env_prefix``) and restart.  Every installed provider with a client
   id set gets a "Log in with" button.  ``OAUTH2_GITHUB_REDIRECT_URI`` overrides the
   redirect URI, for example behind a reverse proxy.

Before you deploy a copy of this:

- drop the test server (``start_test_server`` and its use in ``create_app``);
- set ``FLASK_SECRET_KEY`` (otherwise every restart signs everybody out);
- serve over HTTPS and set ``SESSION_COOKIE_SECURE = True``;
- set ``TOKEN_STORE_URL`` to a ``redis://`` or ``file://`` store when more than one
  process serves the app.  Tokens stay on the server, in that store; the session cookie
  (signed, not encrypted: the browser can read it) holds only a random key and the
  user's public profile.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import secrets
from collections.abc import Iterable
from typing import Any, Optional, Union

from flask import Flask, abort, flash, redirect, render_template, request, session, url_for
from jinja2 import DictLoader
from werkzeug.wrappers import Response

import oauth2_core
from oauth2_core import AccessDenied, AuthorizationRequest, OAuth2Client, OAuth2CoreError
from oauth2_core.testing.server import AuthorizationServer, ServerConfig

logger = logging.getLogger("flask_app")

#: The client this app registers on the built-in test server.
TEST_CLIENT_ID = "flask-example"
# A loopback redirect URI registered without a port matches every port (RFC 8252
# section 7.3), so the app may run on any --port.
TEST_REDIRECT_URI = "http://127.0.0.1/callback/testserver"

Page = Union[str, Response, tuple[str, int]]


def configured_providers() -> list[oauth2_core.Provider]:
    """The installed providers whose client id is set (``OAUTH2_<NAME>_CLIENT_ID``)."""
    installed = oauth2_core.providers()
    return [provider for _, provider in sorted(installed.items())
            if os.environ.get(provider.env_prefix + "CLIENT_ID")]


def start_test_server() -> AuthorizationServer:
    """oauth2-core's loopback authorization server, with a consent page like a real
    provider's, stopped when the process exits."""
    server = AuthorizationServer(config=ServerConfig(consent=True)).start()
    atexit.register(server.stop)
    return server


def make_clients(providers: Iterable[oauth2_core.Provider],
                 test_server: AuthorizationServer) -> dict[str, OAuth2Client]:
    """One client per provider, by name; credentials come from the environment."""
    clients: dict[str, OAuth2Client] = {}
    for provider in providers:
        try:
            clients[provider.name] = oauth2_core.client(provider)
        except OAuth2CoreError as exc:  # e.g. "oidc" needs issuer=..., discovery failed
            logger.warning("not offering %s: %s", provider.name, exc)
    registered = test_server.register_client(TEST_CLIENT_ID, redirect_uris=[TEST_REDIRECT_URI],
                                             client_name="oauth2-core Flask example")
    # redirect_uri=None: the callback URL is built per request, with the app's real port.
    clients["testserver"] = test_server.client(registered, redirect_uri=None)
    return clients


def create_app(test_server: Optional[AuthorizationServer] = None,
               providers: Optional[Iterable[oauth2_core.Provider]] = None,
               secret_key: Optional[str] = None,
               token_store: Optional[oauth2_core.TokenStore] = None) -> Flask:
    """The Flask app.

    :param test_server: the loopback authorization server to offer (one is started if
        omitted).  Tests pass their own to watch what it receives.
    :param providers: the real providers to offer (default: :func:`configured_providers`).
    :param secret_key: signs the session cookie (default: ``FLASK_SECRET_KEY``, or random).
    :param token_store: where the users' tokens are kept (default: ``TOKEN_STORE_URL``,
        or this process's memory).
    """
    app = Flask(__name__)
    app.secret_key = secret_key or os.environ.get("FLASK_SECRET_KEY") or secrets.token_hex(32)
    # Lax: the cookie still comes with the provider's redirect back (a top-level GET),
    # but not with another site's POST to /logout.
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.jinja_loader = DictLoader(TEMPLATES)
    if test_server is None:
        test_server = start_test_server()
    clients = make_clients(configured_providers() if providers is None else providers,
                           test_server)
    tokens = token_store or oauth2_core.open_store(os.environ.get("TOKEN_STORE_URL",
                                                                  "memory://"))

    def client_for(name: str) -> OAuth2Client:
        client = clients.get(name)
        if client is None:
            abort(404)
        return client

    def failed(message: str, error: str = "") -> tuple[str, int]:
        return render_template("failed.html", message=message, error=error), 400

    @app.get("/")
    def home() -> Page:
        return render_template("home.html", clients=clients.values(), user=session.get("user"))

    @app.get("/login/<name>")
    def login(name: str) -> Page:
        client = client_for(name)
        redirect_uri = client.redirect_uri or url_for("callback", name=name, _external=True)
        authorization = client.begin_authorization(redirect_uri=redirect_uri)
        # The state, PKCE verifier and nonce that the callback must match.
        session["authorization"] = authorization.to_dict()
        return redirect(authorization.url)

    @app.get("/callback/<name>")
    def callback(name: str) -> Page:
        client = client_for(name)
        stored = session.pop("authorization", None)  # usable once
        if stored is None or stored.get("provider") != client.provider.name:
            return failed("This sign-in link has expired or was already used.")
        try:
            token = client.complete_authorization(
                request.url, AuthorizationRequest.from_dict(stored))
            user = client.userinfo(token)
        except AccessDenied:
            return render_template("denied.html", provider=client.provider)
        except OAuth2CoreError as exc:  # StateMismatch, InvalidGrant, TransportError, ...
            logger.warning("sign-in with %s failed: %r", name, exc)  # reprs hold no secrets
            return failed(f"{client.provider.title} could not sign you in.", exc_code(exc))
        session.clear()
        session["provider"] = name
        session["user"] = {k: v for k, v in user.to_dict().items() if k != "raw"}
        # The token stays on the server; the cookie carries only the key to it.
        session["token_key"] = token_key = secrets.token_urlsafe(32)
        tokens.save(token_key, token)
        return redirect(url_for("profile"))

    @app.get("/profile")
    def profile() -> Page:
        user = session.get("user")
        if user is None:
            return redirect(url_for("home"))
        client = clients.get(session.get("provider", ""))
        title = client.provider.title if client is not None else session.get("provider")
        return render_template("profile.html", user=user, provider_title=title)

    @app.post("/logout")
    def logout() -> Page:
        client = clients.get(session.get("provider", ""))
        token_key = session.get("token_key")
        token = tokens.load(token_key) if token_key else None
        if token_key:
            tokens.delete(token_key)
        if client is not None and token and client.provider.revocation_url:
            try:
                client.revoke_token(token)
            except OAuth2CoreError as exc:  # signed out here all the same
                logger.warning("could not revoke the token at %s: %r", client.provider.name,
                               exc)
        session.clear()
        flash("You have signed out.")
        return redirect(url_for("home"))

    return app


def exc_code(exc: Exception) -> str:
    return str(getattr(exc, "error", "")) or type(exc).__name__


def main(argv: Optional[list[str]] = None) -> None:
    """``python examples/flask_app.py [--port N]``: serve on 127.0.0.1."""
    parser = argparse.ArgumentParser(description="oauth2-core's Flask example")
    parser.add_argument("--port", type=int, default=5000, help="default: 5000")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    app = create_app()
    print(f"Open http://127.0.0.1:{args.port}/ in your browser (Ctrl+C to stop)", flush=True)
    app.run(host="127.0.0.1", port=args.port)


_BASE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 36em; margin: 3em auto;
         padding: 0 1em; color: #222; }
  a.button, button { display: inline-block; margin: .3em 0; padding: .6em 1.2em;
         border: 1px solid #2563eb; border-radius: .4em; background: #2563eb; color: #fff;
         font-size: 1em; text-decoration: none; cursor: pointer; }
  .flash { background: #ecfdf5; border: 1px solid #10b981; padding: .6em 1em; }
  .error { background: #fef2f2; border: 1px solid #ef4444; padding: .6em 1em; }
  dt { font-weight: bold; } dd { margin: 0 0 .6em 0; }
  img.avatar { width: 96px; height: 96px; border-radius: 50%; }
</style></head>
<body>
{% for message in get_flashed_messages() %}<p class="flash">{{ message }}</p>{% endfor %}
{% block body %}{% endblock %}
</body></html>
"""

_HOME = """{% extends "base.html" %}
{% block title %}oauth2-core Flask example{% endblock %}
{% block body %}
<h1>oauth2-core Flask example</h1>
{% if user %}
  <p>You are signed in as <strong>{{ user.name or user.username or user.id }}</strong>.
     <a href="{{ url_for('profile') }}">Your profile</a></p>
  <form method="post" action="{{ url_for('logout') }}">
    <button type="submit" id="logout">Log out</button></form>
{% else %}
  <p>Sign in with one of these providers:</p>
  {% for client in clients %}
    <p><a class="button" id="login-{{ client.provider.name }}"
          href="{{ url_for('login', name=client.provider.name) }}">Log in with
          {{ client.provider.title }}</a></p>
  {% endfor %}
{% endif %}
{% endblock %}
"""

_PROFILE = """{% extends "base.html" %}
{% block title %}Your profile{% endblock %}
{% block body %}
<h1>Your profile</h1>
{% if user.picture %}<img class="avatar" id="picture" src="{{ user.picture }}" alt="">{% endif %}
<dl>
  <dt>Name</dt><dd id="name">{{ user.name or "(not given)" }}</dd>
  <dt>Email</dt><dd id="email">{{ user.email or "(not given)" }}
    {% if user.email_verified %}(verified){% endif %}</dd>
  <dt>Username</dt><dd id="username">{{ user.username or "(not given)" }}</dd>
  <dt>Signed in with</dt><dd id="provider">{{ provider_title }}</dd>
</dl>
<form method="post" action="{{ url_for('logout') }}">
  <button type="submit" id="logout">Log out</button></form>
{% endblock %}
"""

_DENIED = """{% extends "base.html" %}
{% block title %}Not signed in{% endblock %}
{% block body %}
<h1>Not signed in</h1>
<p id="message">You chose not to sign in with {{ provider.title }}. That's fine: nothing
was shared with this site.</p>
<p><a href="{{ url_for('home') }}">Back to the home page</a></p>
{% endblock %}
"""

_FAILED = """{% extends "base.html" %}
{% block title %}Sign-in failed{% endblock %}
{% block body %}
<h1>Sign-in failed</h1>
<p class="error" id="message">{{ message }} Please try again.</p>
{% if error %}<p><small>Error code: <code id="error">{{ error }}</code></small></p>{% endif %}
<p><a href="{{ url_for('home') }}">Back to the home page</a></p>
{% endblock %}
"""

TEMPLATES: dict[str, Any] = {"base.html": _BASE, "home.html": _HOME,
                             "profile.html": _PROFILE, "denied.html": _DENIED,
                             "failed.html": _FAILED}

if __name__ == "__main__":
    main()
