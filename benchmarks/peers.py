"""One small adapter per library compared, so every measure treats them alike.

Each adapter answers four questions the way that library's documentation shows:
an authenticated session for a token that is still fresh (per-call cost), the code a
fresh interpreter runs to import it and build a client (cold start), a session that
renews an expired token by itself (refresh storm), and a way to fetch client-credentials
tokens with one reused connection pool (token round trips).
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.util
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable

import requests

from .bench_plugins import COLD_BASELINE, COLD_OURS

if TYPE_CHECKING:
    from .storm import RefreshSetup

ACCESS_TOKEN = "bench-token"
CLIENT_ID, CLIENT_SECRET = "bench", "s"
GOOGLE_AUTHORIZE = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN = "https://oauth2.googleapis.com/token"
REDIRECT_URI = "https://app.example/cb"
#: Every HTTP call a peer makes gets this timeout, as ours does by default.
TIMEOUT = 30.0
#: (fetch one access token, the session whose connections it reuses)
TokenFetcher = tuple[Callable[[], str], requests.Session]


@contextlib.contextmanager
def loopback_http_allowed() -> Iterator[None]:
    """Let requests-oauthlib talk to the loopback servers' ``http://`` URLs (oauthlib
    refuses plain http anywhere unless this variable is set; the others allow loopback)."""
    before = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["OAUTHLIB_INSECURE_TRANSPORT"]
        else:
            os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = before


def fresh_token() -> dict[str, Any]:
    return {"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600}


def google_installed() -> bool:
    """Whether the oauth2-google plugin is installed (it is where the benchmark runs;
    the smoke test's environment has only the core)."""
    import oauth2_core

    return "google" in oauth2_core.providers()


def _google_provider() -> Any:
    """``"google"`` from its plugin, or the same endpoints inline when it is missing."""
    import oauth2_core

    if google_installed():
        return "google"
    return oauth2_core.Provider(name="google", authorize_url=GOOGLE_AUTHORIZE,
                                token_url=GOOGLE_TOKEN)


class Library:
    """The adapter interface; ``name`` is the table's label, ``module`` what must import."""

    name = ""
    module = ""
    #: How it authenticates at the token endpoint as documented by default.
    auth_method = "client_secret_basic"
    cold_code = ""
    #: Why it cannot renew tokens by itself (empty: it can).
    no_refresh = ""

    def available(self) -> bool:
        return importlib.util.find_spec(self.module) is not None

    def api_session(self) -> requests.Session:
        raise NotImplementedError

    def refreshing_session(self, setup: RefreshSetup) -> requests.Session:
        raise NotImplementedError

    def token_fetcher(self, token_url: str, client_id: str, client_secret: str) -> TokenFetcher:
        raise NotImplementedError


def _static_bearer(request: requests.PreparedRequest) -> requests.PreparedRequest:
    request.headers["Authorization"] = f"Bearer {ACCESS_TOKEN}"
    return request


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


class PlainRequests(Library):
    """The baseline: ``requests`` with a static ``Authorization`` header, set (like the
    token request's empty auth) by an auth callable: requests reads ``~/.netrc`` for every
    request without ``auth``, a lookup every OAuth library's auth object skips too."""

    name, module, auth_method = "requests (baseline)", "requests", "client_secret_post"
    cold_code = COLD_BASELINE
    no_refresh = "n/a: a static header cannot renew"

    def api_session(self) -> requests.Session:
        session = requests.Session()
        session.auth = _static_bearer
        return session

    def token_fetcher(self, token_url: str, client_id: str, client_secret: str) -> TokenFetcher:
        session = requests.Session()
        form = {"grant_type": "client_credentials", "client_id": client_id,
                "client_secret": client_secret}

        def fetch() -> str:
            response = session.post(token_url, data=form, auth=_no_auth, timeout=TIMEOUT)
            response.raise_for_status()
            return str(response.json()["access_token"])

        return fetch, session


class OAuth2Core(Library):
    """oauth2-core, with every installed provider plugin loaded."""

    name, module = "oauth2-core", "oauth2_core"

    @property
    def cold_code(self) -> str:  # type: ignore[override]
        if google_installed():
            return COLD_OURS
        return COLD_OURS.replace("'google'", f"oauth2_core.Provider(name='google', "
                                 f"authorize_url={GOOGLE_AUTHORIZE!r}, "
                                 f"token_url={GOOGLE_TOKEN!r})")

    def api_session(self) -> requests.Session:
        import oauth2_core

        client = oauth2_core.client(_google_provider(), client_id=CLIENT_ID,
                                    client_secret=CLIENT_SECRET)
        return client.session(oauth2_core.Token(fresh_token()))

    def refreshing_session(self, setup: RefreshSetup) -> requests.Session:
        import oauth2_core

        provider = oauth2_core.Provider(name="bench-storm", token_url=setup.token_url)
        client = oauth2_core.client(provider, client_id=setup.client_id,
                                    client_secret=setup.client_secret)
        return client.session(oauth2_core.Token(setup.token))

    def token_fetcher(self, token_url: str, client_id: str, client_secret: str) -> TokenFetcher:
        import oauth2_core

        provider = oauth2_core.Provider(name="bench-interop", token_url=token_url,
                                        token_endpoint_auth_method="client_secret_post")
        client = oauth2_core.client(provider, client_id=client_id, client_secret=client_secret)
        return (lambda: str(client.client_credentials().access_token)), client.transport.session


class RequestsOAuthlib(Library):
    """requests-oauthlib's ``OAuth2Session`` (needs ``OAUTHLIB_INSECURE_TRANSPORT=1`` for
    the loopback servers; the measures set it)."""

    name, module, auth_method = "requests-oauthlib", "requests_oauthlib", "client_secret_post"
    cold_code = ("from requests_oauthlib import OAuth2Session; OAuth2Session("
                 f"{CLIENT_ID!r}, redirect_uri={REDIRECT_URI!r}, scope=['openid'])")

    def api_session(self) -> requests.Session:
        from requests_oauthlib import OAuth2Session

        return OAuth2Session(CLIENT_ID, token=fresh_token())

    def refreshing_session(self, setup: RefreshSetup) -> requests.Session:
        from requests_oauthlib import OAuth2Session

        return OAuth2Session(
            setup.client_id, token=dict(setup.token), auto_refresh_url=setup.token_url,
            auto_refresh_kwargs={"client_id": setup.client_id,
                                 "client_secret": setup.client_secret},
            token_updater=lambda token: None,
        )

    def token_fetcher(self, token_url: str, client_id: str, client_secret: str) -> TokenFetcher:
        from oauthlib.oauth2 import BackendApplicationClient
        from requests_oauthlib import OAuth2Session

        session = OAuth2Session(client=BackendApplicationClient(client_id=client_id))

        def fetch() -> str:
            token = session.fetch_token(token_url, client_id=client_id,
                                        client_secret=client_secret, include_client_id=True,
                                        timeout=TIMEOUT)
            return str(token["access_token"])

        return fetch, session


class Authlib(Library):
    """Authlib's ``authlib.integrations.requests_client.OAuth2Session``."""

    name, module = "Authlib", "authlib"
    cold_code = ("from authlib.integrations.requests_client import OAuth2Session; "
                 f"OAuth2Session({CLIENT_ID!r}, {CLIENT_SECRET!r}, "
                 f"redirect_uri={REDIRECT_URI!r}, authorization_endpoint={GOOGLE_AUTHORIZE!r}, "
                 f"token_endpoint={GOOGLE_TOKEN!r})")

    def api_session(self) -> requests.Session:
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(CLIENT_ID, CLIENT_SECRET, token=fresh_token(),
                             token_endpoint=GOOGLE_TOKEN, default_timeout=TIMEOUT)

    def refreshing_session(self, setup: RefreshSetup) -> requests.Session:
        from authlib.integrations.requests_client import OAuth2Session

        return OAuth2Session(setup.client_id, setup.client_secret, token=dict(setup.token),
                             token_endpoint=setup.token_url, default_timeout=TIMEOUT,
                             update_token=lambda *args, **kwargs: None)

    def token_fetcher(self, token_url: str, client_id: str, client_secret: str) -> TokenFetcher:
        from authlib.integrations.requests_client import OAuth2Session

        session = OAuth2Session(client_id, client_secret, default_timeout=TIMEOUT,
                                token_endpoint_auth_method="client_secret_post")

        def fetch() -> str:
            token = session.fetch_token(token_url, grant_type="client_credentials")
            return str(token["access_token"])

        return fetch, session


class RequestsOAuth2Client(Library):
    """requests-oauth2client: an ``OAuth2Client`` and its auth handlers on a plain
    ``requests.Session`` (``testing=True`` lets it use the loopback servers' http URLs)."""

    name, module = "requests-oauth2client", "requests_oauth2client"
    auth_method = "client_secret_post"
    cold_code = ("from requests_oauth2client import OAuth2Client; OAuth2Client("
                 f"token_endpoint={GOOGLE_TOKEN!r}, authorization_endpoint={GOOGLE_AUTHORIZE!r}, "
                 f"client_id={CLIENT_ID!r}, client_secret={CLIENT_SECRET!r}, "
                 f"redirect_uri={REDIRECT_URI!r})")

    def _client(self, token_url: str, client_id: str, client_secret: str,
                testing: bool = True) -> Any:
        from requests_oauth2client import OAuth2Client

        return OAuth2Client(token_url, client_id=client_id, client_secret=client_secret,
                            testing=testing)

    def api_session(self) -> requests.Session:
        from requests_oauth2client import BearerToken, OAuth2ClientCredentialsAuth

        client = self._client(GOOGLE_TOKEN, CLIENT_ID, CLIENT_SECRET, testing=False)
        session = requests.Session()
        session.auth = OAuth2ClientCredentialsAuth(
            client, token=BearerToken(ACCESS_TOKEN, expires_in=3600))
        return session

    def refreshing_session(self, setup: RefreshSetup) -> requests.Session:
        from requests_oauth2client import BearerToken, OAuth2AccessTokenAuth

        client = self._client(setup.token_url, setup.client_id, setup.client_secret)
        expires_at = datetime.datetime.fromtimestamp(setup.token["expires_at"],
                                                     datetime.timezone.utc)
        token = BearerToken(setup.token["access_token"], expires_at=expires_at,
                            refresh_token=setup.token["refresh_token"])
        session = requests.Session()
        session.auth = OAuth2AccessTokenAuth(client, token)
        return session

    def token_fetcher(self, token_url: str, client_id: str, client_secret: str) -> TokenFetcher:
        client = self._client(token_url, client_id, client_secret)
        return (lambda: str(client.client_credentials().access_token)), client.session


BASELINE = PlainRequests()
OURS = OAuth2Core()
PEERS: tuple[Library, ...] = (RequestsOAuthlib(), Authlib(), RequestsOAuth2Client())


def libraries() -> list[Library]:
    """The baseline, ours, and every importable peer, in table order."""
    return [BASELINE, OURS, *(peer for peer in PEERS if peer.available())]


def missing_peers() -> list[str]:
    return [peer.name for peer in PEERS if not peer.available()]
