"""Run the test authorization server until interrupted, for demos and manual testing::

    python -m oauth2_core.testing --port 8765 --client-id demo --client-secret demo-secret
"""

from __future__ import annotations

import argparse
import contextlib
import threading
from typing import Optional

from .server import AuthorizationServer


def main(argv: Optional[list[str]] = None) -> int:
    """Start a server with one registered client and print what an app needs."""
    parser = argparse.ArgumentParser(
        prog="python -m oauth2_core.testing",
        description="A loopback OAuth 2.0 / OpenID Connect server for tests and demos.")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--client-id", default="demo")
    parser.add_argument("--client-secret", default=None,
                        help="default: a random one; '' registers a public client")
    parser.add_argument("--redirect-uri", action="append", dest="redirect_uris",
                        help="repeatable; default http://127.0.0.1/callback (any port)")
    parser.add_argument("--consent", action="store_true", help="show an Allow/Deny page")
    args = parser.parse_args(argv)
    with AuthorizationServer(port=args.port) as server:
        server.config.consent = args.consent
        redirect_uris = args.redirect_uris or ["http://127.0.0.1/callback"]
        if args.client_secret is None:
            client = server.register_client(args.client_id, redirect_uris=redirect_uris)
        else:
            client = server.register_client(args.client_id, args.client_secret or None,
                                            redirect_uris=redirect_uris)
        print(f"issuer         {server.issuer}", flush=True)
        print(f"client_id      {client.client_id}")
        if args.client_secret is None and client.client_secret:
            print(f"client_secret  {client.client_secret}  (generated for this run)")
        print(f"redirect_uris  {' '.join(client.redirect_uris)}")
        print("user           alice / wonderland")
        print("Ctrl-C stops the server.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
