"""oauth2-core against panva's oidc-provider: every flow, through the public API only.

The server (server.mjs, started by conftest.py) is an independent, OpenID-certified
implementation; these tests check that what the client sends is what a real
authorization server expects, and that what it answers is understood.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

import oauth2_core

if TYPE_CHECKING:  # the fixture's type; importing conftest at run time is fragile
    from conftest import HeadlessUser

#: Registered for every browser-flow client in server.mjs; never fetched.
REDIRECT_URI = "http://127.0.0.1/callback"
#: The client_secret_basic client: RFC 6749 section 2.3.1 form-urlencoding matters here.
BASIC_ID = "a:b%c+d /e"
BASIC_SECRET = "s3:cr%et+ /&=?x"
POST_ID, POST_SECRET = "interop-post", "interop-post-secret"
SHORT_LIVED_ID, SHORT_LIVED_SECRET = "interop-short-lived", "interop-short-lived-secret"
PUBLIC_ID = "interop-public"
DEVICE_ID = "interop-device"

MakeClient = Callable[..., oauth2_core.OAuth2Client]


@pytest.fixture(scope="module")
def provider(issuer: str) -> oauth2_core.Provider:
    """The interop server described by hand (the discovery tests discover it instead)."""
    return oauth2_core.Provider(
        name="interop",
        issuer=issuer,
        authorize_url=f"{issuer}/auth",
        token_url=f"{issuer}/token",
        revocation_url=f"{issuer}/token/revocation",
        introspection_url=f"{issuer}/token/introspection",
        userinfo_url=f"{issuer}/me",
        device_authorization_url=f"{issuer}/device/auth",
        jwks_url=f"{issuer}/jwks",
        require_iss=True,  # oidc-provider always sends RFC 9207 iss
    )


@pytest.fixture
def make_client(provider: oauth2_core.Provider) -> MakeClient:
    def make(client_id: str, client_secret: Optional[str] = None,
             **settings: Any) -> oauth2_core.OAuth2Client:
        return oauth2_core.client(provider, client_id=client_id, client_secret=client_secret,
                                  redirect_uri=REDIRECT_URI,
                                  plugins=oauth2_core.make_plugin_manager(), **settings)
    return make


def sign_in(client: oauth2_core.OAuth2Client, user: HeadlessUser,
            **params: Any) -> oauth2_core.Token:
    """The whole authorization-code flow: begin, approve headlessly, complete."""
    request = client.begin_authorization(**params)
    return client.complete_authorization(user.authorize(request.url), request)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def with_query(url: str, **changes: Optional[str]) -> str:
    """``url`` with some query parameters replaced (or removed, for None)."""
    params = {k: v[0] for k, v in query_of(url).items()}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlunsplit(urlsplit(url)._replace(query=urlencode(params)))


def offline_sign_in(client: oauth2_core.OAuth2Client, user: HeadlessUser) -> oauth2_core.Token:
    """Sign in with a refresh token: oidc-provider honours offline_access only together
    with prompt=consent (OpenID Connect Core section 11)."""
    token = sign_in(client, user, scope=["openid", "offline_access"], prompt="consent")
    assert token.refresh_token, "the server issued no refresh token"
    return token


# 1. Authorization code + PKCE, public client ----------------------------------------
def test_public_client_signs_in_with_pkce(make_client: MakeClient, user: HeadlessUser) -> None:
    client = make_client(PUBLIC_ID, token_endpoint_auth_method="none")
    request = client.begin_authorization(scope=["openid", "email"], login_hint="alice")
    sent = query_of(request.url)
    assert sent["code_challenge_method"] == ["S256"]
    assert sent["client_id"] == [PUBLIC_ID]

    token = client.complete_authorization(user.authorize(request.url), request)

    assert token.access_token
    assert set(token.scopes) == {"openid", "email"}
    info = client.userinfo(token)
    assert info.id == "alice"
    assert info.email == "alice@example.test"
    assert info.email_verified is True


def test_refusal_at_the_server_raises_access_denied(make_client: MakeClient,
                                                    user: HeadlessUser) -> None:
    client = make_client(PUBLIC_ID, token_endpoint_auth_method="none")
    request = client.begin_authorization(scope=["openid"], login_hint="deny")
    callback = user.authorize(request.url)
    assert query_of(callback)["error"] == ["access_denied"]

    with pytest.raises(oauth2_core.AccessDenied):
        client.complete_authorization(callback, request)


# 2-3. Confidential clients: each authentication method, enforced by the server -------
def test_client_secret_basic_with_special_characters(make_client: MakeClient,
                                                     user: HeadlessUser) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET, token_endpoint_auth_method="client_secret_basic")

    token = sign_in(client, user, scope=["openid", "profile"])

    assert client.userinfo(token).id == "interop-user"


def test_client_secret_post(make_client: MakeClient, user: HeadlessUser) -> None:
    client = make_client(POST_ID, POST_SECRET, token_endpoint_auth_method="client_secret_post")

    token = sign_in(client, user, scope=["openid", "profile"], login_hint="bob")

    assert client.userinfo(token).username == "bob"


@pytest.mark.parametrize(("client_id", "secret", "wrong_method"), [
    (BASIC_ID, BASIC_SECRET, "client_secret_post"),
    (POST_ID, POST_SECRET, "client_secret_basic"),
], ids=["basic-client-sends-post", "post-client-sends-basic"])
def test_server_holds_clients_to_their_registered_method(
    make_client: MakeClient, client_id: str, secret: str, wrong_method: str
) -> None:
    """The harness check behind the two tests above: a client that sent its secret the
    other way would not pass them."""
    client = make_client(client_id, secret, token_endpoint_auth_method=wrong_method)

    with pytest.raises(oauth2_core.InvalidClient):
        client.client_credentials()


def test_wrong_client_secret_is_invalid_client(make_client: MakeClient) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET + "x")

    with pytest.raises(oauth2_core.InvalidClient) as excinfo:
        client.client_credentials()
    assert BASIC_SECRET not in str(excinfo.value)


# 4-5. Refresh: real expiry, rotation, reuse detection --------------------------------
def test_session_refreshes_an_expired_token_and_keeps_the_rotated_one(
    make_client: MakeClient, user: HeadlessUser, issuer: str
) -> None:
    client = make_client(SHORT_LIVED_ID, SHORT_LIVED_SECRET)
    token = offline_sign_in(client, user)
    assert token["expires_in"] == 2
    assert token.expires_at is not None
    refreshed: list[oauth2_core.Token] = []

    with client.session(token, on_token_refresh=refreshed.append) as session:
        # Past the client's idea of expiry and the server's (clockTolerance is 0 there).
        time.sleep(max(0.0, token.expires_at - time.time()) + 1.5)
        with pytest.raises(oauth2_core.InvalidToken) as expired:
            client.userinfo(token)  # one-shot calls never refresh
        assert expired.value.status_code == 401

        response = session.get(f"{issuer}/me")  # the userinfo endpoint

        assert response.status_code == 200
        assert response.json()["sub"] == "interop-user"
        assert refreshed, "on_token_refresh was not called"
        assert session.token is refreshed[-1]
    new_token = refreshed[0]
    assert new_token.refresh_token and new_token.refresh_token != token.refresh_token
    assert new_token.access_token != token.access_token


def test_reusing_a_rotated_refresh_token_is_invalid_grant(make_client: MakeClient,
                                                          user: HeadlessUser) -> None:
    client = make_client(SHORT_LIVED_ID, SHORT_LIVED_SECRET)
    token = offline_sign_in(client, user)
    rotated = client.refresh_token(token)
    assert rotated.refresh_token != token.refresh_token

    with pytest.raises(oauth2_core.InvalidGrant) as excinfo:
        client.refresh_token(token)
    assert token.refresh_token is not None
    assert token.refresh_token not in str(excinfo.value)


# 6. Client credentials -----------------------------------------------------------------
def test_client_credentials(make_client: MakeClient) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET)

    token = client.client_credentials(scope=["api:read"])

    assert token.access_token
    assert token.refresh_token is None
    assert token.scopes == ("api:read",)
    info = client.introspect_token(token)
    assert info["active"] is True
    assert info["client_id"] == BASIC_ID
    assert info["scope"] == "api:read"


# 7. Revocation, seen through introspection ---------------------------------------------
def test_revoked_access_token_introspects_inactive(make_client: MakeClient) -> None:
    client = make_client(POST_ID, POST_SECRET, token_endpoint_auth_method="client_secret_post")
    token = client.client_credentials()
    assert client.introspect_token(token)["active"] is True

    client.revoke_token(token)

    assert client.introspect_token(token) == {"active": False}


def test_revoking_a_token_revokes_its_refresh_token(make_client: MakeClient,
                                                    user: HeadlessUser) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET)
    token = offline_sign_in(client, user)
    assert token.refresh_token is not None
    assert client.introspect_token(token.refresh_token)["active"] is True

    client.revoke_token(token)  # a Token: its refresh token goes, ending the grant

    assert client.introspect_token(token.refresh_token)["active"] is False
    with pytest.raises(oauth2_core.InvalidGrant):
        client.refresh_token(token)


# 10. Code exchange errors are typed ------------------------------------------------------
def test_wrong_pkce_verifier_is_invalid_grant(make_client: MakeClient,
                                             user: HeadlessUser) -> None:
    client = make_client(PUBLIC_ID, token_endpoint_auth_method="none")
    request = client.begin_authorization(scope=["openid"])
    callback = user.authorize(request.url)
    other = client.begin_authorization(scope=["openid"])  # a valid verifier, not ours
    forged = oauth2_core.AuthorizationRequest.from_dict(
        {**request.to_dict(), "code_verifier": other.code_verifier}
    )

    with pytest.raises(oauth2_core.InvalidGrant) as excinfo:
        client.complete_authorization(callback, forged)
    assert other.code_verifier is not None
    assert other.code_verifier not in str(excinfo.value)


def test_replayed_code_is_invalid_grant(make_client: MakeClient, user: HeadlessUser) -> None:
    client = make_client(BASIC_ID, BASIC_SECRET)
    request = client.begin_authorization(scope=["openid"])
    callback = user.authorize(request.url)
    client.complete_authorization(callback, request)

    with pytest.raises(oauth2_core.InvalidGrant) as excinfo:
        client.complete_authorization(callback, request)
    assert query_of(callback)["code"][0] not in str(excinfo.value)


# 11. RFC 9207 iss --------------------------------------------------------------------------
def test_callback_carries_the_issuer(make_client: MakeClient, user: HeadlessUser,
                                     issuer: str) -> None:
    client = make_client(PUBLIC_ID, token_endpoint_auth_method="none")
    request = client.begin_authorization(scope=["openid"])

    callback = user.authorize(request.url)

    assert query_of(callback)["iss"] == [issuer]
    assert client.complete_authorization(callback, request).access_token


@pytest.mark.parametrize("forged_iss", ["http://127.0.0.1:1", "http://localhost:{port}",
                                        "{issuer}/", None],
                         ids=["other-issuer", "other-host-name", "trailing-slash", "missing"])
def test_tampered_issuer_is_refused_before_the_code_is_spent(
    make_client: MakeClient, user: HeadlessUser, issuer: str, forged_iss: Optional[str]
) -> None:
    client = make_client(PUBLIC_ID, token_endpoint_auth_method="none")
    request = client.begin_authorization(scope=["openid"])
    callback = user.authorize(request.url)
    iss = forged_iss and forged_iss.format(issuer=issuer, port=urlsplit(issuer).port)

    with pytest.raises(oauth2_core.IssuerMismatch):
        client.complete_authorization(with_query(callback, iss=iss), request)

    # The code was not sent anywhere: the genuine callback still completes.
    assert client.complete_authorization(callback, request).access_token


# 8. Device authorization grant (RFC 8628) ----------------------------------------------
class RecordedSleep:
    """``poll_device_token``'s sleep: really waits, records each interval, and runs
    ``before`` (once) ahead of the wait that follows the n-th poll."""

    def __init__(self, after_polls: int, before: Callable[[], None]) -> None:
        self.waits: list[float] = []
        self.after_polls = after_polls
        self.before = before

    def __call__(self, seconds: float) -> None:
        if len(self.waits) == self.after_polls:
            self.before()
        self.waits.append(seconds)
        time.sleep(seconds)


def test_device_flow_end_to_end(make_client: MakeClient, user: HeadlessUser,
                                issuer: str) -> None:
    client = make_client(DEVICE_ID, token_endpoint_auth_method="none")
    da = client.device_authorization(scope=["openid", "offline_access"])
    assert da.verification_uri == f"{issuer}/device"
    assert "interval" not in da  # oidc-provider sends none: RFC 8628 says poll every 5 s
    # The user approves on their phone after the first poll came back pending.
    sleep = RecordedSleep(after_polls=1, before=lambda: user.approve_device(
        da.verification_uri, da.user_code))

    token = client.poll_device_token(da, timeout=60, sleep=sleep)

    assert sleep.waits == [5.0, 5.0]  # pending once, then the token; never slow_down
    assert token.access_token and token.refresh_token
    assert client.userinfo(token).id == "interop-user"
    assert client.refresh_token(token).access_token  # the grant is a normal one


def test_device_flow_refused_by_the_user_is_access_denied(make_client: MakeClient,
                                                          user: HeadlessUser) -> None:
    client = make_client(DEVICE_ID, token_endpoint_auth_method="none")
    da = client.device_authorization(scope=["openid"])
    sleep = RecordedSleep(after_polls=0, before=lambda: user.deny_device(
        da.verification_uri, da.user_code))

    with pytest.raises(oauth2_core.AccessDenied) as excinfo:
        client.poll_device_token(da, timeout=60, sleep=sleep)
    assert sleep.waits == [5.0]
    assert da.device_code not in str(excinfo.value)


# 9. Discovery, id_token validation, nonce ------------------------------------------------
@pytest.fixture
def discovered(issuer: str) -> oauth2_core.OAuth2Client:
    """A confidential client of the interop server, configured by discovery alone."""
    return oauth2_core.client("oidc", issuer=issuer, client_id=BASIC_ID,
                              client_secret=BASIC_SECRET, redirect_uri=REDIRECT_URI,
                              plugins=oauth2_core.make_plugin_manager())


def test_discovery_configures_the_client(discovered: oauth2_core.OAuth2Client,
                                         issuer: str) -> None:
    found = discovered.provider
    assert found.issuer == issuer
    assert found.authorize_url == f"{issuer}/auth"
    assert found.token_url == f"{issuer}/token"
    assert found.userinfo_url == f"{issuer}/me"
    assert found.jwks_url == f"{issuer}/jwks"
    assert found.device_authorization_url == f"{issuer}/device/auth"
    assert found.require_iss is True  # authorization_response_iss_parameter_supported
    assert discovered.token_endpoint_auth_method == "client_secret_basic"


def test_discovered_client_signs_in_and_validates_the_id_token(
    discovered: oauth2_core.OAuth2Client, user: HeadlessUser, issuer: str
) -> None:
    request = discovered.begin_authorization(scope=["openid", "email"])
    assert request.nonce and query_of(request.url)["nonce"] == [request.nonce]

    token = discovered.complete_authorization(user.authorize(request.url), request)

    claims = discovered.validate_id_token(token, nonce=request.nonce)
    assert claims["iss"] == issuer
    assert claims["aud"] == BASIC_ID
    assert claims["nonce"] == request.nonce
    assert claims["sub"] == "interop-user"
    assert discovered.userinfo(token).email == "interop-user@example.test"


def test_discovered_public_client_uses_pkce_without_a_secret(issuer: str,
                                                             user: HeadlessUser) -> None:
    client = oauth2_core.client("oidc", issuer=issuer, client_id=PUBLIC_ID,
                                redirect_uri=REDIRECT_URI,
                                plugins=oauth2_core.make_plugin_manager())
    assert client.token_endpoint_auth_method == "none"

    token = sign_in(client, user, scope=["openid"])

    assert client.validate_id_token(token)["aud"] == PUBLIC_ID


def test_id_token_with_another_nonce_is_refused(discovered: oauth2_core.OAuth2Client,
                                                user: HeadlessUser) -> None:
    request = discovered.begin_authorization(scope=["openid"])
    callback = user.authorize(request.url)
    replayed = oauth2_core.AuthorizationRequest.from_dict(
        {**request.to_dict(), "nonce": "a-nonce-from-another-sign-in"}
    )

    with pytest.raises(oauth2_core.InvalidIDToken):
        discovered.complete_authorization(callback, replayed)


def test_id_token_with_a_forged_signature_is_refused(discovered: oauth2_core.OAuth2Client,
                                                     user: HeadlessUser) -> None:
    request = discovered.begin_authorization(scope=["openid"])
    token = discovered.complete_authorization(user.authorize(request.url), request)
    assert token.id_token is not None
    header, payload, signature = token.id_token.split(".")
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    forged = ".".join([header, payload, signature[:middle] + flipped + signature[middle + 1:]])

    with pytest.raises(oauth2_core.InvalidIDToken) as excinfo:
        discovered.validate_id_token(forged, nonce=request.nonce)
    assert forged not in str(excinfo.value)
