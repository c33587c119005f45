"""oauth2-core against panva's oidc-provider: the extensions beyond RFC 6749.

private_key_jwt and client_secret_jwt (RFC 7523), PAR (RFC 9126), DPoP (RFC 9449) with
server nonces, JAR (RFC 9101), resource indicators (RFC 8707) and authorization details
(RFC 9396), RP-initiated logout, and the two grants oidc-provider leaves to its
``registerGrantType`` extension point: the JWT bearer grant (RFC 7523 section 2.1) and
token exchange (RFC 8693), whose handlers in server.mjs are ours.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

import oauth2_core
from oauth2_core import hookimpl
from oauth2_core.jwt_auth import JWT_BEARER_GRANT

if TYPE_CHECKING:
    from conftest import HeadlessUser

REDIRECT_URI = "http://127.0.0.1/callback"
SIGNED_OUT_URI = "http://127.0.0.1/signed-out"
BASIC_ID, BASIC_SECRET = "a:b%c+d /e", "s3:cr%et+ /&=?x"
PKJWT_ID = "interop-private-key-jwt"
SERVICE_SHORT_ID = "interop-service-short-lived"
CSJWT_ID, CSJWT_SECRET = "interop-client-secret-jwt", "interop-client-secret-jwt-0123456789abcdef"
PAR_ID, PAR_SECRET = "interop-par-required", "interop-par-required-secret"
JAR_ID = "interop-jar"
DPOP_ID, DPOP_SHORT_ID = "interop-dpop", "interop-dpop-short-lived"
API = "https://api.interop.test/"
REPORTS = "https://reports.interop.test/"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


def derived_key(label: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 key whose public half server.mjs registers under ``label``."""
    secret = int.from_bytes(hashlib.sha256(label.encode()).digest(), "big")
    return ec.derive_private_key(secret, ec.SECP256R1())


KEY_A = derived_key("oauth2-core interop key A")
KEY_B = derived_key("oauth2-core interop key B")
#: Key A as a PEM text (how keys usually arrive from a secret store)...
KEY_A_PEM = KEY_A.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
#: ...and key B as a private JWK.
KEY_B_JWK = {**ECAlgorithm.to_jwk(KEY_B, as_dict=True), "kid": "interop-key-b"}

MakeClient = Callable[..., oauth2_core.OAuth2Client]


@pytest.fixture(scope="module")
def provider(issuer: str) -> oauth2_core.Provider:
    return oauth2_core.Provider(
        name="interop",
        issuer=issuer,
        authorize_url=f"{issuer}/auth",
        token_url=f"{issuer}/token",
        revocation_url=f"{issuer}/token/revocation",
        introspection_url=f"{issuer}/token/introspection",
        userinfo_url=f"{issuer}/me",
        jwks_url=f"{issuer}/jwks",
        par_url=f"{issuer}/request",
        end_session_url=f"{issuer}/session/end",
        require_iss=True,
    )


@pytest.fixture
def make_client(provider: oauth2_core.Provider) -> MakeClient:
    def make(client_id: str, client_secret: Optional[str] = None, *,
             via: Optional[oauth2_core.Provider] = None,
             **settings: Any) -> oauth2_core.OAuth2Client:
        return oauth2_core.client(via or provider, client_id=client_id,
                                  client_secret=client_secret, redirect_uri=REDIRECT_URI,
                                  plugins=settings.pop("plugins", None)
                                  or oauth2_core.make_plugin_manager(), **settings)
    return make


def pk_client(make_client: MakeClient, client_id: str = PKJWT_ID,
              **settings: Any) -> oauth2_core.OAuth2Client:
    settings.setdefault("private_key", KEY_A_PEM)
    return make_client(client_id, token_endpoint_auth_method="private_key_jwt", **settings)


def sign_in(client: oauth2_core.OAuth2Client, user: HeadlessUser,
            **params: Any) -> oauth2_core.Token:
    request = client.begin_authorization(**params)
    return client.complete_authorization(user.authorize(request.url), request)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


class Recorder:
    """A ``requests.Session`` for the client's own calls that keeps (path, status, body
    error, request headers) of each exchange, to show what happened on the wire."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.exchanges: list[tuple[str, int, Optional[str], dict[str, str]]] = []
        self.session.hooks["response"].append(self._record)

    def _record(self, response: requests.Response, **kwargs: Any) -> None:
        try:
            error = response.json().get("error")
        except ValueError:
            error = None
        self.exchanges.append((urlsplit(response.url).path, response.status_code, error,
                               dict(response.request.headers)))

    def statuses(self, path: str) -> list[tuple[int, Optional[str]]]:
        return [(status, error) for p, status, error, _ in self.exchanges if p == path]


def unverified(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


# 1. private_key_jwt and client_secret_jwt (RFC 7523 section 2.2) -------------------------
def test_private_key_jwt_at_the_token_introspection_and_revocation_endpoints(
    make_client: MakeClient,
) -> None:
    client = pk_client(make_client, private_key_id="interop-key-a")

    token = client.client_credentials(scope=["api:read"])

    info = client.introspect_token(token)
    assert info["active"] is True
    assert info["client_id"] == PKJWT_ID
    client.revoke_token(token)
    assert client.introspect_token(token) == {"active": False}


def test_private_key_jwt_signs_in_a_user(make_client: MakeClient, user: HeadlessUser) -> None:
    client = pk_client(make_client, private_key=KEY_A)  # a cryptography key object

    token = sign_in(client, user, scope=["openid", "email"], login_hint="carol")

    assert client.userinfo(token).email == "carol@example.test"


def test_client_secret_jwt_at_the_token_introspection_and_revocation_endpoints(
    make_client: MakeClient,
) -> None:
    client = make_client(CSJWT_ID, CSJWT_SECRET, token_endpoint_auth_method="client_secret_jwt")

    token = client.client_credentials()

    assert client.introspect_token(token)["client_id"] == CSJWT_ID
    client.revoke_token(token)
    assert client.introspect_token(token)["active"] is False


def test_the_assertion_audience_may_be_the_issuer(make_client: MakeClient) -> None:
    client = pk_client(make_client, client_assertion_audience="issuer")
    assert client.client_credentials().access_token


@pytest.mark.parametrize("settings", [
    {"private_key": KEY_B_JWK},                                  # not the registered key
    {"client_assertion_audience": "https://elsewhere.test/token"},  # for another server
], ids=["unregistered-key", "wrong-audience"])
def test_the_server_checks_what_the_assertion_says(make_client: MakeClient,
                                                   settings: dict[str, Any]) -> None:
    """The harness check: the tests above pass because the assertion is right."""
    with pytest.raises(oauth2_core.InvalidClient):
        pk_client(make_client, **settings).client_credentials()


class ReplayFirstAssertion:
    """A plugin that wraps every token request and swaps in the first client assertion
    it saw, as an attacker replaying a captured one would."""

    def __init__(self) -> None:
        self.first: Optional[str] = None

    @hookimpl(wrapper=True)
    def oauth2_prepare_token_request(self, request: oauth2_core.TokenRequest) -> Iterator[None]:
        yield None
        assertion = request.data.get("client_assertion")
        if self.first is None:
            self.first = assertion
        else:
            request.data["client_assertion"] = self.first
        return None


def test_a_replayed_assertion_is_rejected(make_client: MakeClient) -> None:
    fresh = pk_client(make_client)
    assert fresh.client_credentials().access_token
    assert fresh.client_credentials().access_token  # a new jti each time

    plugins = oauth2_core.make_plugin_manager()
    plugins.register(ReplayFirstAssertion())
    replaying = pk_client(make_client, plugins=plugins)
    assert replaying.client_credentials().access_token

    # The very assertion the server accepted a moment ago: only its reuse can fail it.
    with pytest.raises(oauth2_core.InvalidClient):
        replaying.client_credentials()


# 2. The JWT bearer grant (RFC 7523 section 2.1; server.mjs's handler) ----------------------
def test_jwt_bearer_grant_acts_for_the_assertions_subject(make_client: MakeClient) -> None:
    client = pk_client(make_client)

    token = client.jwt_bearer(scope="api:read", sub="dave")

    info = client.introspect_token(token)
    assert (info["active"], info["sub"], info["scope"]) == (True, "dave", "api:read")


def test_a_replayed_jwt_bearer_assertion_is_invalid_grant(make_client: MakeClient) -> None:
    client = pk_client(make_client)
    assertion = client.jwt_bearer_assertion(sub="dave")
    client.jwt_bearer(assertion=assertion)

    with pytest.raises(oauth2_core.InvalidGrant):
        client.jwt_bearer(assertion=assertion)


def test_a_session_renews_an_expired_jwt_bearer_token_with_a_new_assertion(
    make_client: MakeClient, issuer: str
) -> None:
    client = pk_client(make_client, SERVICE_SHORT_ID)
    token = client.jwt_bearer(sub="svc-user")
    assert token.grant_type == JWT_BEARER_GRANT and token["expires_in"] == 2
    assert token.expires_at is not None
    renewed: list[oauth2_core.Token] = []

    with client.session(token, on_token_refresh=renewed.append) as session:
        time.sleep(max(0.0, token.expires_at - time.time()) + 1.5)
        sent = session.get(f"{issuer}/jwks").request.headers["Authorization"]

    assert renewed and sent == f"Bearer {renewed[0].access_token}"
    inspector = pk_client(make_client)  # the short-lived client may not introspect
    assert inspector.introspect_token(renewed[0])["sub"] == "svc-user"
    assert inspector.introspect_token(token)["active"] is False  # really expired


# 3. Pushed authorization requests (RFC 9126) -----------------------------------------------
def test_a_pushed_request_leaves_only_client_id_and_request_uri_in_the_url(
    make_client: MakeClient, user: HeadlessUser
) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET)

    request = client.begin_authorization(scope=["openid", "email"], par=True)

    assert set(query_of(request.url)) == {"client_id", "request_uri"}
    assert query_of(request.url)["request_uri"][0].startswith("urn:ietf:params:oauth:")
    token = client.complete_authorization(user.authorize(request.url), request)
    assert client.validate_id_token(token, nonce=request.nonce)["aud"] == BASIC_ID


def test_a_client_that_must_push_is_refused_a_plain_request(make_client: MakeClient,
                                                            user: HeadlessUser) -> None:
    client = make_client(PAR_ID, PAR_SECRET)
    request = client.begin_authorization(scope=["openid"])

    with pytest.raises(oauth2_core.InvalidRequest, match="Pushed Authorization"):
        client.complete_authorization(user.authorize(request.url), request)


def test_a_provider_that_requires_par_gets_pushed_requests_automatically(
    make_client: MakeClient, provider: oauth2_core.Provider, user: HeadlessUser
) -> None:
    client = make_client(PAR_ID, PAR_SECRET, via=provider.with_endpoints(require_par=True))

    token = sign_in(client, user, scope=["openid"])

    assert token.access_token


def test_discovery_finds_the_par_endpoint(issuer: str) -> None:
    client = oauth2_core.client("oidc", issuer=issuer, client_id=PAR_ID,
                                client_secret=PAR_SECRET,
                                plugins=oauth2_core.make_plugin_manager())
    assert client.provider.par_url == f"{issuer}/request"


# 4. DPoP (RFC 9449), with server nonces ------------------------------------------------------
def test_dpop_binds_tokens_and_answers_nonce_challenges(make_client: MakeClient,
                                                        user: HeadlessUser) -> None:
    recorder = Recorder()
    client = make_client(DPOP_ID, dpop=True, session=recorder.session)
    assert client.dpop_key is not None
    jkt = client.dpop_key.jkt

    token = sign_in(client, user, scope=["openid", "offline_access", "email"],
                    prompt="consent")

    # The first proof had no nonce: refused with use_dpop_nonce, sent again with it.
    assert recorder.statuses("/token") == [(400, "use_dpop_nonce"), (200, None)]
    assert token.token_type == "DPoP"
    info = client.introspect_token(token)
    assert info["token_type"] == "DPoP" and info["cnf"] == {"jkt": jkt}
    assert client.userinfo(token).email == "interop-user@example.test"

    refreshed = client.refresh_token(token)  # same key, no new challenge

    assert refreshed.token_type == "DPoP" and refreshed.access_token != token.access_token
    assert client.introspect_token(refreshed)["cnf"] == {"jkt": jkt}
    assert recorder.statuses("/token")[-1] == (200, None)
    assert client.userinfo(refreshed).id == "interop-user"


def test_a_resource_server_nonce_challenge_is_answered_once(make_client: MakeClient,
                                                            user: HeadlessUser,
                                                            issuer: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    token = sign_in(make_client(DPOP_ID, dpop=key), user, scope=["openid"])
    # The same key in a new process: it has no nonce for the server yet.
    restarted = make_client(DPOP_ID, dpop=key)

    with restarted.session(token) as session:
        response = session.get(f"{issuer}/me")

    assert response.status_code == 200 and response.json()["sub"] == "interop-user"
    [challenge] = response.history
    assert challenge.status_code == 401
    assert 'error="use_dpop_nonce"' in challenge.headers["WWW-Authenticate"]
    assert response.request.headers["Authorization"] == f"DPoP {token.access_token}"


def test_a_dpop_token_is_useless_without_its_key(make_client: MakeClient, user: HeadlessUser,
                                                 issuer: str) -> None:
    token = sign_in(make_client(DPOP_ID, dpop=True), user, scope=["openid"])

    with pytest.raises(oauth2_core.InvalidToken):
        make_client(DPOP_ID, dpop=True).userinfo(token)  # another key
    stolen = requests.get(f"{issuer}/me", timeout=10,
                          headers={"Authorization": f"Bearer {token.access_token}"})
    assert stolen.status_code == 401


def test_a_session_refreshes_an_expired_dpop_token_with_the_same_key(
    make_client: MakeClient, user: HeadlessUser, issuer: str
) -> None:
    client = make_client(DPOP_SHORT_ID, dpop=KEY_B_JWK)
    token = sign_in(client, user, scope=["openid", "offline_access"], prompt="consent")
    assert token.expires_at is not None and token["expires_in"] == 2
    refreshed: list[oauth2_core.Token] = []

    with client.session(token, on_token_refresh=refreshed.append) as session:
        time.sleep(max(0.0, token.expires_at - time.time()) + 1.5)
        response = session.get(f"{issuer}/me")

    assert response.status_code == 200
    assert refreshed and refreshed[0].token_type == "DPoP"
    assert response.request.headers["Authorization"] == f"DPoP {refreshed[0].access_token}"


def test_a_pushed_request_binds_the_code_to_the_dpop_key(make_client: MakeClient,
                                                         user: HeadlessUser) -> None:
    recorder = Recorder()
    client = make_client(DPOP_ID, dpop=True, session=recorder.session)

    token = sign_in(client, user, scope=["openid"], par=True)

    assert recorder.statuses("/request") == [(400, "use_dpop_nonce"), (201, None)]
    assert token.token_type == "DPoP"
    [pushed] = [headers for path, status, _, headers in recorder.exchanges
                if path == "/request" and status == 201]
    assert unverified(pushed["DPoP"])["htu"].endswith("/request")


# 5. Token exchange (RFC 8693; server.mjs's handler) ------------------------------------------
def test_token_exchange_for_another_audience(make_client: MakeClient,
                                             user: HeadlessUser) -> None:
    user_token = sign_in(make_client(BASIC_ID, BASIC_SECRET), user, scope=["openid"],
                         login_hint="erin")
    service = pk_client(make_client)

    exchanged = service.token_exchange(user_token, audience=REPORTS)

    assert exchanged["issued_token_type"] == ACCESS_TOKEN_TYPE
    info = service.introspect_token(exchanged)
    assert info["sub"] == "erin"
    assert info["act"] == {"sub": PKJWT_ID}
    assert info["aud"] == REPORTS


def test_exchanging_an_unknown_token_is_invalid_grant(make_client: MakeClient) -> None:
    with pytest.raises(oauth2_core.InvalidGrant) as excinfo:
        pk_client(make_client).token_exchange("not-a-token-of-this-server")
    assert "not-a-token-of-this-server" not in str(excinfo.value)


# 6. JWT-secured authorization requests (RFC 9101) --------------------------------------------
def jar_client(make_client: MakeClient, **settings: Any) -> oauth2_core.OAuth2Client:
    settings.setdefault("private_key", KEY_B_JWK)
    return make_client(JAR_ID, token_endpoint_auth_method="private_key_jwt", **settings)


def test_a_signed_request_object_signs_in(make_client: MakeClient, user: HeadlessUser) -> None:
    client = jar_client(make_client)

    request = client.begin_authorization(scope=["openid", "email"], signed_request=True)

    assert set(query_of(request.url)) == {"client_id", "request"}
    token = client.complete_authorization(user.authorize(request.url), request)
    assert client.validate_id_token(token, nonce=request.nonce)["aud"] == JAR_ID


def test_a_signed_request_object_can_be_pushed(make_client: MakeClient,
                                               user: HeadlessUser) -> None:
    client = jar_client(make_client)
    token = sign_in(client, user, scope=["openid"], signed_request=True, par=True)
    assert token.access_token


@pytest.mark.parametrize(("settings", "error"), [
    ({}, "Request Object must be used"),
    ({"signed_request": True, "private_key": KEY_A_PEM}, "could not validate Request Object"),
], ids=["unsigned", "signed-with-another-key"])
def test_the_server_requires_a_valid_request_object(make_client: MakeClient,
                                                    user: HeadlessUser,
                                                    settings: dict[str, Any],
                                                    error: str) -> None:
    client = jar_client(make_client, **settings)
    request = client.begin_authorization(scope=["openid"])
    callback = user.authorize(request.url)

    with pytest.raises(oauth2_core.OAuth2Error, match=error):
        client.complete_authorization(callback, request)


# 7. Resource indicators (RFC 8707) and authorization details (RFC 9396) -----------------------
@pytest.fixture(scope="module")
def server_keys(issuer: str) -> jwt.PyJWKSet:
    return jwt.PyJWKSet.from_dict(requests.get(f"{issuer}/jwks", timeout=10).json())


def verified_access_token(raw: str, keys: jwt.PyJWKSet, audience: str,
                          issuer: str) -> dict[str, Any]:
    kid = jwt.get_unverified_header(raw)["kid"]
    claims: dict[str, Any] = jwt.decode(raw, keys[kid].key, algorithms=["RS256"],
                                        audience=audience, issuer=issuer)
    return claims


def test_a_resource_indicator_yields_a_jwt_access_token_for_that_resource(
    make_client: MakeClient, server_keys: jwt.PyJWKSet, issuer: str
) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET)

    token = client.client_credentials(scope=["api:read"], resource=API)

    claims = verified_access_token(token["access_token"], server_keys, API, issuer)
    assert claims["client_id"] == BASIC_ID
    assert claims["scope"] == "api:read"


def test_resources_repeat_in_the_authorization_request_and_each_refresh_picks_one(
    make_client: MakeClient, user: HeadlessUser, server_keys: jwt.PyJWKSet, issuer: str
) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET)
    request = client.begin_authorization(scope=["openid", "offline_access", "api:read"],
                                         prompt="consent", resource=[API, REPORTS])
    assert query_of(request.url)["resource"] == [API, REPORTS]
    token = client.complete_authorization(user.authorize(request.url), request)

    for resource in (API, REPORTS):
        refreshed = client.refresh_token(token, resource=resource)
        claims = verified_access_token(refreshed["access_token"], server_keys, resource,
                                       issuer)
        assert (claims["sub"], claims["scope"]) == ("interop-user", "api:read")
        token = refreshed  # the refresh token rotates


def test_an_unknown_resource_is_invalid_target(make_client: MakeClient) -> None:
    with pytest.raises(oauth2_core.OAuth2Error) as excinfo:
        make_client(BASIC_ID, BASIC_SECRET).client_credentials(resource="https://other.test/")
    assert excinfo.value.error == "invalid_target"


def test_authorization_details_travel_as_json(make_client: MakeClient,
                                              server_keys: jwt.PyJWKSet, issuer: str) -> None:
    details = [{"type": "interop_payment", "amount": {"currency": "EUR", "value": "42"}}]
    client = make_client(BASIC_ID, BASIC_SECRET)

    token = client.client_credentials(authorization_details=details, resource=API)

    assert token["authorization_details"] == details
    claims = verified_access_token(token["access_token"], server_keys, API, issuer)
    assert claims["authorization_details"] == details


# 8. RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) ------------------------------
_FORM_ACTION = re.compile(r'<form [^>]*action="([^"]+)"')
_XSRF = re.compile(r'name="xsrf" value="([^"]+)"')


def test_logout_ends_the_session_and_returns_with_state(make_client: MakeClient,
                                                        user: HeadlessUser) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET)
    token = sign_in(client, user, scope=["openid"])
    url = client.logout_url(token, post_logout_redirect_uri=SIGNED_OUT_URI, state="bye-1")

    page = user.browser.get(url, timeout=10)  # the confirmation page, with its form
    action, xsrf = _FORM_ACTION.search(page.text), _XSRF.search(page.text)
    assert page.status_code == 200 and action and xsrf, page.text[:500]
    done = user.browser.post(urljoin(page.url, action.group(1)), allow_redirects=False,
                             data={"xsrf": xsrf.group(1), "logout": "yes"}, timeout=10)

    assert done.is_redirect
    assert done.headers["Location"] == f"{SIGNED_OUT_URI}?state=bye-1"
    # Signed out for real: a silent sign-in now needs a login.
    silent = client.begin_authorization(scope=["openid"], prompt="none")
    assert query_of(user.authorize(silent.url))["error"] == ["login_required"]
