"""The ``oauth2`` command: list providers, sign in, print tokens, and run the demo.

Built on argparse so the core keeps its two dependencies. Expected failures (bad
provider name, denied consent, network errors, timeouts) print one line and exit 1;
Ctrl-C exits 130. Secrets are printed only when asked (``--json``,
``--print-access-token``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import webbrowser
from pathlib import Path
from typing import Any, Optional

from .. import __version__
from ..client import OAuth2Client, client
from ..errors import OAuth2CoreError
from ..plugins import get_plugin_manager
from ..tokens import Token
from . import tokenfile
from .loopback import LoopbackListener


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oauth2", description="OAuth 2.0 from the terminal.")
    parser.add_argument("--version", action="version", version=f"oauth2-core {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="trace HTTP exchanges on stderr (secrets redacted)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("providers", help="list installed providers")
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = commands.add_parser("demo", help="walk through the OAuth 2 web flow, offline")
    p.add_argument("--provider", help="run against this installed provider instead")
    p.add_argument("--issuer", help="run against this OpenID Connect issuer instead")
    _client_options(p)

    p = commands.add_parser("login", help="sign in and print or save the token")
    p.add_argument("provider", nargs="?", help="provider name (or use --issuer)")
    p.add_argument("--issuer", help="an OpenID Connect issuer, discovered")
    _client_options(p)
    how = p.add_mutually_exclusive_group()
    how.add_argument("--device", action="store_true", help="device flow (RFC 8628)")
    how.add_argument("--client-credentials", action="store_true",
                     help="client credentials grant (no user)")
    p.add_argument("--no-browser", action="store_true", help="print the URL, do not open it")
    p.add_argument("--port", type=int, default=0, help="loopback redirect port (default: any)")
    p.add_argument("--timeout", type=float, default=300, help="seconds to wait for the user")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the whole token as JSON")
    out.add_argument("--print-access-token", action="store_true",
                     help="print only the access token")
    p.add_argument("--save", type=Path, metavar="FILE", help="save the token (mode 0600)")

    p = commands.add_parser("new-plugin", help="write a provider plugin package to start from")
    p.add_argument("name", help="the provider name, e.g. acme")
    p.add_argument("--dir", type=Path, default=Path("."), help="where to write oauth2-NAME/")

    p = commands.add_parser("token", help="print a fresh access token from a token file")
    p.add_argument("--file", type=Path, required=True, help="a file from `login --save`")
    p.add_argument("--json", action="store_true", help="print the whole token as JSON")
    return parser


def _client_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--client-id", help="default: $OAUTH2_<NAME>_CLIENT_ID")
    p.add_argument("--client-secret",
                   help="default: $OAUTH2_<NAME>_CLIENT_SECRET (prefer the variable)")
    p.add_argument("--scope", action="append", default=None, help="repeat or space-separate")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="provider setting, e.g. --set tenant=common")


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep:
            raise OAuth2CoreError(f"--set takes KEY=VALUE, not {item!r}")
        settings[key] = value
    if getattr(args, "issuer", None):
        settings["issuer"] = args.issuer
    return settings


def _make_client(args: argparse.Namespace, redirect_uri: Optional[str] = None) -> OAuth2Client:
    name = args.provider or ("oidc" if args.issuer else None)
    if not name:
        raise OAuth2CoreError("name a provider (see `oauth2 providers`) or give --issuer")
    return client(name, client_id=args.client_id, client_secret=args.client_secret,
                  redirect_uri=redirect_uri, **_settings(args))


def cmd_providers(args: argparse.Namespace) -> int:
    pm = get_plugin_manager()
    rows = []
    for name, provider in pm.providers().items():
        package = pm.package_of(name)
        rows.append({
            "name": name, "title": provider.title, "package": package or "(built in)",
            "version": _version(package),
            "pkce": provider.pkce, "refresh": bool(provider.token_url),
            "revoke": bool(provider.revocation_url), "openid": bool(provider.issuer),
            "device": bool(provider.device_authorization_url),
        })
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'name':<16} {'package':<22} {'version':<9} capabilities")
    for row in rows:
        caps = ", ".join(c for c in ("openid", "revoke", "device") if row[c])
        caps = ", ".join(filter(None, [f"pkce {row['pkce']}", caps]))
        print(f"{row['name']:<16} {row['package']:<22} {row['version']:<9} {caps}")
    for name, error in sorted(pm.load_errors.items()):
        print(f"{name:<16} failed to load: {error}")
    return 0


def _version(package: Optional[str]) -> str:
    if not package:
        return __version__
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def cmd_login(args: argparse.Namespace) -> int:
    scope = args.scope
    if args.client_credentials:
        oauth = _make_client(args)
        token = oauth.client_credentials(scope=scope)
    elif args.device:
        oauth = _make_client(args)
        token = _device_login(oauth, scope, args.timeout)
    else:
        with LoopbackListener(port=args.port) as listener:
            oauth = _make_client(args, redirect_uri=listener.redirect_uri)
            req = oauth.begin_authorization(scope=scope)
            _say(f"Open this URL to sign in:\n\n  {req.url}\n")
            if not args.no_browser:
                webbrowser.open(req.url)
            _say("Waiting for the browser to come back (Ctrl-C to cancel)...")
            callback_url = listener.wait(args.timeout, on_tick=_tick)
        token = oauth.complete_authorization(callback_url, req)
    if args.save:
        tokenfile.save(args.save, oauth.provider.name, oauth.client_id or "",
                       _settings(args), token)
        _say(f"Saved the token to {args.save}")
    _print_token(token, args.json, args.print_access_token)
    return 0


def _device_login(oauth: OAuth2Client, scope: Any, timeout: float) -> Token:
    da = oauth.device_authorization(scope=scope)

    def show(code: Any) -> None:
        where = code.get("verification_uri_complete") or code["verification_uri"]
        _say(f"On any device, open {where}\nand enter the code: {code['user_code']}\n")
        _say("Waiting for approval (Ctrl-C to cancel)...")

    show(da)
    token: Token = oauth.poll_device_token(da, timeout=timeout)
    return token


def cmd_new_plugin(args: argparse.Namespace) -> int:
    from .template import write_plugin

    root = write_plugin(args.name, args.dir)
    _say(f"Wrote {root}/: fill in the Provider in {root.name.replace('-', '_')}.py, then\n"
         f"  pip install -e '{root}[test]' && pytest {root}/tests")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    provider, client_id, settings, token = tokenfile.load(args.file)
    oauth = client(provider, client_id=client_id, **settings)

    def save(new_token: Token) -> None:
        tokenfile.save(args.file, provider, client_id, settings, new_token)

    fresh = oauth.auth(token, on_token_refresh=save).fresh_token()
    _print_token(fresh, args.json, print_access_token=not args.json)
    return 0


def _print_token(token: Token, as_json: bool, print_access_token: bool) -> None:
    if as_json:
        print(json.dumps(dict(token), indent=2))
    elif print_access_token:
        print(token["access_token"])
    else:
        _say(f"Signed in: {token!r}\n(--json or --print-access-token prints the secrets)")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _tick(remaining: float) -> None:
    if int(remaining) % 30 == 0:
        _say(f"  still waiting ({remaining:.0f} s left)")


def main(argv: Optional[list[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
        logging.getLogger("oauth2_core").setLevel(logging.DEBUG)
    commands = {"providers": cmd_providers, "login": cmd_login, "token": cmd_token,
                "new-plugin": cmd_new_plugin, "demo": _demo}
    try:
        return commands[args.command](args)
    except KeyboardInterrupt:
        _say("oauth2: cancelled")
        return 130
    except OAuth2CoreError as exc:
        _say(f"oauth2: error: {exc}")
        return 1


def _demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(args)
