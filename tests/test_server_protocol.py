"""The test authorization server, driven by raw ``requests`` calls (not our client): each
test states one rule of RFC 6749 / 7636 / 7009 / 7662 / 8414 / 9207 / OpenID Connect."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any, Optional
from urllib.parse import parse_qs, quote_plus, urlsplit

import jwt
import pytest
import requests

from oauth2_core.testing.server import AuthorizationServer, ServerClient

REDIRECT = "http://127.0.0.1:5000/cb"
TIMEOUT = 10


@pytest.fixture
def app(oauth2_server: AuthorizationServer) -> ServerClient:
    return oauth2_server.register_client(client_id="app", client_secret="s3cret",
                                         redirect_uris=[REDIRECT])


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(server: AuthorizationServer, client_id: str = "app",
              **params: Optional[str]) -> requests.Response:
    query: dict[str, Optional[str]] = {
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
        "scope": "openid email", "state": "state-1", "nonce": "nonce-1"}
    query.update(params)
    return requests.get(server.url("/authorize"), params=query, allow_redirects=False,
                        timeout=TIMEOUT)


def callback(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def code_and_verifier(server: AuthorizationServer, **params: Optional[str]) -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    params.setdefault("code_challenge", challenge_of(verifier))
    params.setdefault("code_challenge_method", "S256")
    return callback(authorize(server, **params))["code"], verifier


def token(server: AuthorizationServer, auth: Any = ("app", "s3cret"),
          **data: str) -> requests.Response:
    return requests.post(server.url("/token"), data=data, auth=auth, timeout=TIMEOUT)


def exchange(server: AuthorizationServer, code: str, verifier: str) -> requests.Response:
    return token(server, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
                 code_verifier=verifier)


def introspect(server: AuthorizationServer, value: str) -> dict[str, Any]:
    response = requests.post(server.url("/introspect"), data={"token": value},
                             auth=("app", "s3cret"), timeout=TIMEOUT)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def bearer_get(server: AuthorizationServer, path: str, access_token: str) -> requests.Response:
    return requests.get(server.url(path), headers={"Authorization": f"Bearer {access_token}"},
                        timeout=TIMEOUT)


# Metadata (RFC 8414, OpenID Connect Discovery) ----------------------------------------
@pytest.mark.parametrize("path", ["/.well-known/openid-configuration",
                                  "/.well-known/oauth-authorization-server"])
def test_metadata_describes_every_endpoint(oauth2_server: AuthorizationServer,
                                           path: str) -> None:
    meta = requests.get(oauth2_server.url(path), timeout=TIMEOUT).json()
    issuer = oauth2_server.issuer
    assert meta["issuer"] == issuer
    assert meta["token_endpoint"] == issuer + "/token"
    assert meta["jwks_uri"] == issuer + "/jwks"
    assert meta["device_authorization_endpoint"] == issuer + "/device_authorization"
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert "S256" in meta["code_challenge_methods_supported"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]


# The authorization endpoint -------------------------------------------------------------
def test_authorize_redirects_with_code_state_and_iss(oauth2_server, app) -> None:
    params = callback(authorize(oauth2_server))
    assert params["state"] == "state-1"
    assert params["iss"] == oauth2_server.issuer  # RFC 9207
    assert params["code"]


def test_redirect_uri_keeps_its_own_query(oauth2_server) -> None:
    oauth2_server.register_client(client_id="q", client_secret="s",
                                  redirect_uris=["http://127.0.0.1:5000/cb?tenant=7"])
    response = authorize(oauth2_server, client_id="q",
                         redirect_uri="http://127.0.0.1:5000/cb?tenant=7")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["tenant"] == ["7"] and "code" in query


@pytest.mark.parametrize("client_id, redirect_uri", [
    ("app", "http://127.0.0.1:5000/cb/other"),
    ("app", "http://127.0.0.1:5001/cb"),
    ("app", "https://evil.example/cb"),
    ("nobody", REDIRECT),
])
def test_bad_client_or_redirect_uri_gets_an_error_page_never_a_redirect(
        oauth2_server, app, client_id, redirect_uri) -> None:
    response = authorize(oauth2_server, client_id=client_id, redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "text/html" in response.headers["Content-Type"]


def test_loopback_redirect_uri_registered_without_port_accepts_any_port(oauth2_server) -> None:
    # RFC 8252 section 7.3: native apps listen on an ephemeral port.
    oauth2_server.register_client(client_id="cli", client_secret=None,
                                  redirect_uris=["http://127.0.0.1/cb"])
    response = authorize(oauth2_server, client_id="cli", redirect_uri="http://127.0.0.1:5000/cb",
                         code_challenge=challenge_of("v" * 43), code_challenge_method="S256")
    assert "code" in callback(response)


@pytest.mark.parametrize("params, error", [
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"response_type": None}, "invalid_request"),
    ({"code_challenge": "short", "code_challenge_method": "S256"}, "invalid_request"),
    ({"code_challenge": "x" * 43, "code_challenge_method": "S512"}, "invalid_request"),
    ({"request": "eyJ.e30."}, "request_not_supported"),
])
def test_other_errors_redirect_back_with_state_and_iss(oauth2_server, app, params,
                                                        error) -> None:
    query = callback(authorize(oauth2_server, **params))
    assert query["error"] == error
    assert query["state"] == "state-1" and query["iss"] == oauth2_server.issuer
    assert "code" not in query


def test_public_clients_must_use_pkce(oauth2_server) -> None:
    oauth2_server.register_client(client_id="spa", client_secret=None, redirect_uris=[REDIRECT])
    query = callback(authorize(oauth2_server, client_id="spa"))
    assert query["error"] == "invalid_request"


def test_scope_outside_the_clients_allowed_scope_is_refused(oauth2_server) -> None:
    oauth2_server.register_client(client_id="narrow", client_secret="s",
                                  redirect_uris=[REDIRECT], scope=["openid"])
    assert callback(authorize(oauth2_server, client_id="narrow",
                              scope="openid admin"))["error"] == "invalid_scope"


# Code exchange (RFC 6749 4.1.3, RFC 7636 4.6) -------------------------------------------
def test_code_exchange_with_pkce(oauth2_server, app) -> None:
    code, verifier = code_and_verifier(oauth2_server)
    response = exchange(oauth2_server, code, verifier)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == "openid email"
    assert {"access_token", "refresh_token", "id_token"} <= set(body)


def test_plain_pkce_method(oauth2_server, app) -> None:
    verifier = secrets.token_urlsafe(48)
    code, _ = code_and_verifier(oauth2_server, code_challenge=verifier,
                                code_challenge_method="plain")
    assert exchange(oauth2_server, code, verifier).status_code == 200


def test_wrong_verifier_is_invalid_grant_and_spends_the_code(oauth2_server, app) -> None:
    code, verifier = code_and_verifier(oauth2_server)
    wrong = exchange(oauth2_server, code, secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert exchange(oauth2_server, code, verifier).json()["error"] == "invalid_grant"


def test_missing_verifier_is_invalid_grant(oauth2_server, app) -> None:
    code, _ = code_and_verifier(oauth2_server)
    response = token(oauth2_server, grant_type="authorization_code", code=code,
                     redirect_uri=REDIRECT)
    assert response.json()["error"] == "invalid_grant"


def test_verifier_without_challenge_is_a_downgrade(oauth2_server, app) -> None:
    code = callback(authorize(oauth2_server))["code"]
    assert exchange(oauth2_server, code, "v" * 43).json()["error"] == "invalid_grant"


def test_replayed_code_is_refused_and_revokes_its_tokens(oauth2_server, app) -> None:
    code, verifier = code_and_verifier(oauth2_server)
    first = exchange(oauth2_server, code, verifier).json()
    assert introspect(oauth2_server, first["access_token"])["active"] is True
    replay = exchange(oauth2_server, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert introspect(oauth2_server, first["access_token"]) == {"active": False}
    assert introspect(oauth2_server, first["refresh_token"]) == {"active": False}


def test_redirect_uri_must_match_the_authorization_request(oauth2_server, app) -> None:
    code, verifier = code_and_verifier(oauth2_server)
    response = token(oauth2_server, grant_type="authorization_code", code=code,
                     redirect_uri=REDIRECT + "x", code_verifier=verifier)
    assert response.json()["error"] == "invalid_grant"


def test_code_is_bound_to_its_client(oauth2_server, app) -> None:
    oauth2_server.register_client(client_id="other", client_secret="o", redirect_uris=[REDIRECT])
    code, verifier = code_and_verifier(oauth2_server)
    response = token(oauth2_server, auth=("other", "o"), grant_type="authorization_code",
                     code=code, redirect_uri=REDIRECT, code_verifier=verifier)
    assert response.json()["error"] == "invalid_grant"
    assert exchange(oauth2_server, code, verifier).status_code == 200  # still the owner's


# Refresh (RFC 6749 section 6, RFC 9700 4.14.2) --------------------------------------------
def tokens(server: AuthorizationServer) -> dict[str, Any]:
    code, verifier = code_and_verifier(server)
    body: dict[str, Any] = exchange(server, code, verifier).json()
    return body


def test_refresh_without_rotation_keeps_the_refresh_token(oauth2_server, app) -> None:
    first = tokens(oauth2_server)
    refreshed = token(oauth2_server, grant_type="refresh_token",
                      refresh_token=first["refresh_token"]).json()
    assert refreshed["access_token"] != first["access_token"]
    assert "refresh_token" not in refreshed  # the client keeps its old one
    again = token(oauth2_server, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert again.status_code == 200


def test_refresh_rotation_and_reuse_detection(oauth2_server, app) -> None:
    oauth2_server.config.rotate_refresh_tokens = True
    first = tokens(oauth2_server)
    second = token(oauth2_server, grant_type="refresh_token",
                   refresh_token=first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    third = token(oauth2_server, grant_type="refresh_token",
                  refresh_token=second["refresh_token"]).json()
    # The rotated-out token comes back: theft; the whole family is revoked.
    reuse = token(oauth2_server, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    for value in (third["access_token"], third["refresh_token"], second["access_token"]):
        assert introspect(oauth2_server, value) == {"active": False}


def test_refresh_may_narrow_but_not_widen_the_scope(oauth2_server, app) -> None:
    first = tokens(oauth2_server)
    narrow = token(oauth2_server, grant_type="refresh_token", scope="openid",
                   refresh_token=first["refresh_token"]).json()
    assert narrow["scope"] == "openid"
    wide = token(oauth2_server, grant_type="refresh_token", scope="openid admin",
                 refresh_token=first["refresh_token"])
    assert wide.json()["error"] == "invalid_scope"


def test_refresh_token_of_another_client_is_invalid_grant(oauth2_server, app) -> None:
    oauth2_server.register_client(client_id="other", client_secret="o", redirect_uris=[REDIRECT])
    first = tokens(oauth2_server)
    response = token(oauth2_server, auth=("other", "o"), grant_type="refresh_token",
                     refresh_token=first["refresh_token"])
    assert response.json()["error"] == "invalid_grant"


# Other grants ----------------------------------------------------------------------------
def test_client_credentials_without_refresh_token(oauth2_server, app) -> None:
    body = token(oauth2_server, grant_type="client_credentials", scope="api").json()
    assert body["scope"] == "api" and "refresh_token" not in body and "id_token" not in body
    info = introspect(oauth2_server, body["access_token"])
    assert info["active"] is True and info["client_id"] == "app" and "sub" not in info


def test_password_grant(oauth2_server, app) -> None:
    good = token(oauth2_server, grant_type="password", username="alice", password="wonderland")
    assert introspect(oauth2_server, good.json()["access_token"])["username"] == "alice"
    bad = token(oauth2_server, grant_type="password", username="alice", password="nope")
    assert bad.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("data, error", [
    ({}, "invalid_request"),
    ({"grant_type": "magic"}, "unsupported_grant_type"),
    ({"grant_type": "authorization_code"}, "invalid_request"),
])
def test_token_request_errors(oauth2_server, app, data, error) -> None:
    response = token(oauth2_server, **data)
    assert response.status_code == 400 and response.json()["error"] == error


def test_grant_type_not_registered_is_unauthorized_client(oauth2_server) -> None:
    oauth2_server.register_client(client_id="codeonly", client_secret="c",
                                  grant_types=["authorization_code"])
    response = token(oauth2_server, auth=("codeonly", "c"), grant_type="client_credentials")
    assert response.json()["error"] == "unauthorized_client"


def test_repeated_parameter_is_invalid_request(oauth2_server, app) -> None:
    response = requests.post(oauth2_server.url("/token"), auth=("app", "s3cret"),
                             data=[("grant_type", "client_credentials"),
                                   ("grant_type", "password")], timeout=TIMEOUT)
    assert response.json()["error"] == "invalid_request"


# Client authentication (RFC 6749 section 2.3) -----------------------------------------------
SPECIAL = "a:b%c+d /e"


def test_basic_credentials_are_form_urlencoded_before_base64(oauth2_server) -> None:
    oauth2_server.register_client(client_id="id:é", client_secret=SPECIAL)
    pair = f"{quote_plus('id:é')}:{quote_plus(SPECIAL)}".encode()
    header = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    response = requests.post(oauth2_server.url("/token"), headers=header,
                             data={"grant_type": "client_credentials"}, timeout=TIMEOUT)
    assert response.status_code == 200
    # Sent without the encoding, '+' decodes to a space and the secret is wrong.
    naive = token(oauth2_server, auth=(quote_plus("id:é"), SPECIAL),
                  grant_type="client_credentials")
    assert naive.status_code == 401 and naive.json()["error"] == "invalid_client"


def test_client_secret_post(oauth2_server) -> None:
    oauth2_server.register_client(client_id="poster", client_secret=SPECIAL,
                                  token_endpoint_auth_method="client_secret_post")
    response = token(oauth2_server, auth=None, grant_type="client_credentials",
                     client_id="poster", client_secret=SPECIAL)
    assert response.status_code == 200
    # A client must use the method it registered.
    basic = token(oauth2_server, auth=("poster", SPECIAL), grant_type="client_credentials")
    assert basic.json()["error"] == "invalid_client"


def test_wrong_secret_is_401_with_a_basic_challenge(oauth2_server, app) -> None:
    response = token(oauth2_server, auth=("app", "wrong"), grant_type="client_credentials")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_two_authentication_methods_are_refused(oauth2_server, app) -> None:
    response = token(oauth2_server, grant_type="client_credentials", client_secret="s3cret")
    assert response.json()["error"] == "invalid_request"


def test_public_client_may_not_use_client_credentials(oauth2_server) -> None:
    oauth2_server.register_client(client_id="pub", client_secret=None,
                                  grant_types=["client_credentials"])
    response = token(oauth2_server, auth=None, grant_type="client_credentials", client_id="pub")
    assert response.json()["error"] == "unauthorized_client"


# Revocation, introspection, userinfo, the test API ------------------------------------------
def test_revoked_access_token_is_inactive_and_rejected(oauth2_server, app) -> None:
    body = tokens(oauth2_server)
    response = requests.post(oauth2_server.url("/revoke"), auth=("app", "s3cret"),
                             data={"token": body["access_token"]}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert introspect(oauth2_server, body["access_token"]) == {"active": False}
    assert introspect(oauth2_server, body["refresh_token"])["active"] is True
    assert bearer_get(oauth2_server, "/api/me", body["access_token"]).status_code == 401


def test_revoking_the_refresh_token_ends_the_grant(oauth2_server, app) -> None:
    body = tokens(oauth2_server)
    requests.post(oauth2_server.url("/revoke"), auth=("app", "s3cret"),
                  data={"token": body["refresh_token"]}, timeout=TIMEOUT)
    assert introspect(oauth2_server, body["access_token"]) == {"active": False}


def test_revoking_an_unknown_token_is_still_200(oauth2_server, app) -> None:
    response = requests.post(oauth2_server.url("/revoke"), auth=("app", "s3cret"),
                             data={"token": "nope"}, timeout=TIMEOUT)
    assert response.status_code == 200  # RFC 7009 section 2.2


def test_introspection_needs_client_authentication(oauth2_server, app) -> None:
    body = tokens(oauth2_server)
    response = requests.post(oauth2_server.url("/introspect"),
                             data={"token": body["access_token"]}, timeout=TIMEOUT)
    assert response.status_code == 401
    info = introspect(oauth2_server, body["access_token"])
    assert info["scope"] == "openid email" and info["sub"] == "alice"
    assert info["iss"] == oauth2_server.issuer and info["exp"] > info["iat"]


def test_userinfo_returns_the_claims_of_the_scope(oauth2_server, app) -> None:
    body = tokens(oauth2_server)
    claims = bearer_get(oauth2_server, "/userinfo", body["access_token"]).json()
    assert claims == {"sub": "alice", "email": "alice@example.com", "email_verified": True}


@pytest.mark.parametrize("path", ["/userinfo", "/api/me"])
def test_bad_bearer_token_gets_401_invalid_token(oauth2_server, path) -> None:
    response = bearer_get(oauth2_server, path, "not-a-token")
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge


def test_no_token_gets_a_challenge_without_error_code(oauth2_server) -> None:
    response = requests.get(oauth2_server.url("/api/me"), timeout=TIMEOUT)
    assert response.status_code == 401
    assert "error=" not in response.headers["WWW-Authenticate"]  # RFC 6750 section 3.1


def test_userinfo_needs_an_openid_token(oauth2_server, app) -> None:
    access = token(oauth2_server, grant_type="client_credentials").json()["access_token"]
    response = bearer_get(oauth2_server, "/userinfo", access)
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]


def test_api_accepts_the_token_in_the_query_too(oauth2_server, app) -> None:
    access = tokens(oauth2_server)["access_token"]
    response = requests.get(oauth2_server.url("/api/me"), params={"access_token": access},
                            timeout=TIMEOUT)
    assert response.json()["username"] == "alice"


# id_token (OpenID Connect Core 3.1.3.7), checked with PyJWT against /jwks --------------------
def test_id_token_verifies_against_the_jwks(oauth2_server, app) -> None:
    body = tokens(oauth2_server)
    jwks = requests.get(oauth2_server.url("/jwks"), timeout=TIMEOUT).json()
    kid = jwt.get_unverified_header(body["id_token"])["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid))
    claims = jwt.decode(body["id_token"], key.key, algorithms=["RS256"], audience="app",
                        issuer=oauth2_server.issuer)
    assert claims["sub"] == "alice" and claims["nonce"] == "nonce-1" and claims["azp"] == "app"
    digest = hashlib.sha256(body["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert claims["email"] == "alice@example.com"
