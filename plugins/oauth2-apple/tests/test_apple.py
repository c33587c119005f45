"""Sign in with Apple: shapes from developer.apple.com/documentation/signinwithapplerestapi
(generate and validate tokens, revoke tokens, the form-POST callback) pinned against the
plugin."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import oauth2_apple
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://appleid.apple.com/auth/token"
SERVICES_ID = "com.example.web"
TEAM_ID = "ABCDE12345"
KEY_ID = "XYZ987WVU6"


def pem(key: Any) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


@pytest.fixture(scope="module")
def signing_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def apple_id_key() -> rsa.RSAPrivateKey:
    """Stands in for Apple's own RS256 key (the plugin does not check the signature)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def apple(signing_key) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "apple", client_id=SERVICES_ID, redirect_uri="https://app.example/apple/callback",
        team_id=TEAM_ID, key_id=KEY_ID, private_key=pem(signing_key),
        plugins=plugin_manager(oauth2_apple),
    )


@pytest.fixture
def apple_keys(apple_id_key, requests_mock) -> Any:
    """Apple's JWKS, for a core that checks the id_token of the code exchange."""
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(apple_id_key.public_key())),
           "kid": "YuyXoY", "use": "sig", "alg": "RS256"}
    jwk.pop("key_ops", None)
    return requests_mock.get("https://appleid.apple.com/auth/keys", json={"keys": [jwk]})


def id_token(key: rsa.RSAPrivateKey, access_token: str = "a0e1", **claims: Any) -> str:
    now = int(time.time())
    digest = hashlib.sha256(access_token.encode("ascii")).digest()[:16]
    body = {
        "iss": "https://appleid.apple.com", "aud": SERVICES_ID, "exp": now + 600,
        "iat": now, "sub": "001234.a1b2c3d4e5f60718293a4b5c6d7e8f90.1234",
        "at_hash": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "email": "ada@example.com",
        "email_verified": "true", "auth_time": now, "nonce_supported": True,
    }
    body.update(claims)
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key,
                      algorithm="RS256", headers={"kid": "YuyXoY"})


def client_secret_claims(form_text: str, key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    secret = parse_qs(form_text)["client_secret"][0]
    assert jwt.get_unverified_header(secret) == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"}
    return jwt.decode(secret, key.public_key(), algorithms=["ES256"],
                      audience="https://appleid.apple.com")


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_apple, entry_point="apple")
    assert provider.name == "apple"


def test_authorize_url_with_scopes_asks_for_a_form_post(apple) -> None:
    url = apple.authorize_url(state="st4te")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://appleid.apple.com/auth/authorize")
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": [SERVICES_ID],
        "redirect_uri": ["https://app.example/apple/callback"], "scope": ["name email"],
        "state": ["st4te"], "response_mode": ["form_post"],
    }


def test_begin_authorization_sends_pkce_and_no_nonce_without_openid(apple) -> None:
    req = apple.begin_authorization()
    query = parse_qs(urlsplit(req.url).query)
    assert query["code_challenge_method"] == ["S256"] and req.code_verifier
    assert query["response_mode"] == ["form_post"]
    assert "nonce" not in query and req.nonce is None


def test_code_exchange_posts_a_signed_client_secret(apple, signing_key, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    apple.get_token(code="c8d1e2f3a4b5.0.rsqv.AbCdEf", code_verifier="v" * 43)
    request = endpoint.last_request
    assert request.method == "POST"
    assert "Authorization" not in request.headers
    form = parse_qs(request.text)
    assert form.pop("client_secret")
    assert form == {
        "grant_type": ["authorization_code"], "code": ["c8d1e2f3a4b5.0.rsqv.AbCdEf"],
        "redirect_uri": ["https://app.example/apple/callback"], "code_verifier": ["v" * 43],
        "client_id": [SERVICES_ID],
    }
    claims = client_secret_claims(request.text, signing_key)
    assert claims["iss"] == TEAM_ID and claims["sub"] == SERVICES_ID
    assert claims["exp"] - claims["iat"] == oauth2_apple.CLIENT_SECRET_LIFETIME
    assert abs(claims["iat"] - time.time()) < 5


def test_token_response_carries_the_id_token(apple, apple_id_key, requests_mock) -> None:
    minted = id_token(apple_id_key)
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "a0e1b2c3d4.0.rsqv.Acc", "token_type": "Bearer", "expires_in": 3600,
        "refresh_token": "r1f2e3d4.0.rsqv.Ref", "id_token": minted,
    })
    token = apple.get_token(code="c0de")
    assert token.id_token == minted and token.refresh_token == "r1f2e3d4.0.rsqv.Ref"
    assert token.lifetime == 3600


@pytest.mark.parametrize(("error", "cls"), [("invalid_grant", oauth2_core.InvalidGrant),
                                            ("invalid_client", oauth2_core.InvalidClient)])
def test_error_responses_are_typed(apple, requests_mock, error, cls) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"error": error}, status_code=400)
    with pytest.raises(cls) as info:
        apple.get_token(code="c0de")
    assert info.value.status_code == 400


def test_session_attaches_a_bearer_header(apple, requests_mock) -> None:
    api = requests_mock.get("https://api.app.example/me", json={})
    apple.session(oauth2_core.Token(access_token="a0e1")).get("https://api.app.example/me")
    assert api.last_request.headers["Authorization"] == "Bearer a0e1"


def test_userinfo_comes_from_the_id_token_claims(apple, apple_id_key, requests_mock) -> None:
    token = oauth2_core.Token(access_token="a0e1", id_token=id_token(
        apple_id_key, email="x7q2@privaterelay.appleid.com", is_private_email="true"))
    user = apple.userinfo(token)
    assert requests_mock.call_count == 0  # no userinfo endpoint exists
    assert (user.id, user.email, user.email_verified, user.name, user.picture) == (
        "001234.a1b2c3d4e5f60718293a4b5c6d7e8f90.1234", "x7q2@privaterelay.appleid.com",
        True, None, None)
    assert user.raw["is_private_email"] == "true"


def test_userinfo_without_a_shared_email(apple, apple_id_key) -> None:
    token = oauth2_core.Token(access_token="a0e1", id_token=id_token(
        apple_id_key, email=None, email_verified=None))
    user = apple.userinfo(token)
    assert user.email is None and user.email_verified is None


# Quirks --------------------------------------------------------------------------------
def test_form_post_is_forced_whenever_scopes_are_asked(apple) -> None:
    query = parse_qs(urlsplit(apple.authorize_url(state="s", response_mode="query")).query)
    assert query["response_mode"] == ["form_post"]


def test_no_scope_keeps_the_default_response_mode(apple) -> None:
    query = parse_qs(urlsplit(apple.authorize_url(scope=[], state="s")).query)
    assert "response_mode" not in query and "scope" not in query


def test_client_secret_is_signed_afresh_for_every_request(apple, signing_key, requests_mock,
                                                          monkeypatch) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    monkeypatch.setattr(oauth2_apple.time, "time", lambda: 1_767_225_600.0)
    apple.get_token(code="one")
    first = parse_qs(endpoint.last_request.text)["client_secret"][0]
    monkeypatch.setattr(oauth2_apple.time, "time", lambda: 1_767_225_900.0)
    apple.get_token(code="two")
    second = parse_qs(endpoint.last_request.text)["client_secret"][0]
    assert first != second
    options = {"verify_exp": False, "verify_iat": False}
    iats = [jwt.decode(s, signing_key.public_key(), algorithms=["ES256"], options=options,
                       audience="https://appleid.apple.com")["iat"] for s in (first, second)]
    assert iats == [1_767_225_600, 1_767_225_900]


def test_revocation_is_authenticated_with_the_signed_secret(apple, signing_key,
                                                            requests_mock) -> None:
    endpoint = requests_mock.post("https://appleid.apple.com/auth/revoke", text="")
    apple.revoke_token(oauth2_core.Token(access_token="a0e1", refresh_token="r1f2"))
    form = parse_qs(endpoint.last_request.text)
    assert (form["token"], form["token_type_hint"], form["client_id"]) == (
        ["r1f2"], ["refresh_token"], [SERVICES_ID])
    assert client_secret_claims(endpoint.last_request.text, signing_key)["sub"] == SERVICES_ID


def test_missing_key_settings_are_named(requests_mock, monkeypatch) -> None:
    for name in ("TEAM_ID", "KEY_ID", "PRIVATE_KEY", "PRIVATE_KEY_FILE", "CLIENT_SECRET"):
        monkeypatch.delenv(f"OAUTH2_APPLE_{name}", raising=False)
    fake_token_endpoint(requests_mock, TOKEN_URL)
    apple = oauth2_core.client("apple", client_id=SERVICES_ID, team_id=TEAM_ID,
                               plugins=plugin_manager(oauth2_apple))
    with pytest.raises(oauth2_core.ConfigurationError, match="key_id, private_key"):
        apple.get_token(code="c0de")
    assert requests_mock.call_count == 0


def test_key_settings_come_from_the_environment(signing_key, requests_mock,
                                                monkeypatch) -> None:
    monkeypatch.setenv("OAUTH2_APPLE_CLIENT_ID", SERVICES_ID)
    monkeypatch.setenv("OAUTH2_APPLE_TEAM_ID", TEAM_ID)
    monkeypatch.setenv("OAUTH2_APPLE_KEY_ID", KEY_ID)
    monkeypatch.setenv("OAUTH2_APPLE_PRIVATE_KEY", pem(signing_key))
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    oauth2_core.client("apple", plugins=plugin_manager(oauth2_apple)).get_token(
        code="c0de", redirect_uri="https://app.example/cb")
    assert client_secret_claims(endpoint.last_request.text, signing_key)["iss"] == TEAM_ID


def test_private_key_file_is_read(signing_key, tmp_path, requests_mock) -> None:
    path = tmp_path / "AuthKey_XYZ987WVU6.p8"
    path.write_text(pem(signing_key))
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    oauth2_core.client("apple", client_id=SERVICES_ID, team_id=TEAM_ID, key_id=KEY_ID,
                       private_key_file=str(path), plugins=plugin_manager(oauth2_apple),
                       ).get_token(code="c0de", redirect_uri="https://app.example/cb")
    assert client_secret_claims(endpoint.last_request.text, signing_key)["sub"] == SERVICES_ID


@pytest.mark.parametrize("bad_key", ["-----BEGIN PRIVATE KEY-----\nnot-a-key\n"
                                     "-----END PRIVATE KEY-----", "rsa"])
def test_unusable_private_key_is_a_configuration_error(apple_id_key, requests_mock,
                                                       bad_key) -> None:
    key_text = pem(apple_id_key) if bad_key == "rsa" else bad_key
    fake_token_endpoint(requests_mock, TOKEN_URL)
    apple = oauth2_core.client("apple", client_id=SERVICES_ID, team_id=TEAM_ID, key_id=KEY_ID,
                               private_key=key_text, plugins=plugin_manager(oauth2_apple))
    with pytest.raises(oauth2_core.ConfigurationError, match="ES256") as info:
        apple.get_token(code="c0de", redirect_uri="https://app.example/cb")
    assert "PRIVATE KEY" not in str(info.value) and "not-a-key" not in str(info.value)


def test_a_presigned_client_secret_is_sent_as_given(requests_mock, monkeypatch) -> None:
    for name in ("TEAM_ID", "KEY_ID", "PRIVATE_KEY", "PRIVATE_KEY_FILE"):
        monkeypatch.delenv(f"OAUTH2_APPLE_{name}", raising=False)
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    oauth2_core.client("apple", client_id=SERVICES_ID, client_secret="eyJhbGciOiJFUzI1NiJ9.x.y",
                       plugins=plugin_manager(oauth2_apple),
                       ).get_token(code="c0de", redirect_uri="https://app.example/cb")
    assert parse_qs(endpoint.last_request.text)["client_secret"] == ["eyJhbGciOiJFUzI1NiJ9.x.y"]


def test_name_arrives_only_on_first_login(apple, apple_id_key, apple_keys,
                                         requests_mock) -> None:
    req = apple.begin_authorization()
    minted = id_token(apple_id_key)
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "a0e1", "token_type": "Bearer", "expires_in": 3600,
        "refresh_token": "r1f2", "id_token": minted,
    })
    first_post = {"state": req.state, "code": "c0de", "id_token": minted,
                  "user": json.dumps({"name": {"firstName": "Ada", "lastName": "Lovelace"},
                                      "email": "ada@example.com"})}
    token = apple.complete_authorization(first_post, req)
    exchange = [r for r in requests_mock.request_history if r.url == TOKEN_URL][-1]
    assert "user" not in parse_qs(exchange.text)  # not sent to Apple
    token["user"] = oauth2_apple.first_login_user(first_post)
    user = apple.userinfo(token)
    assert user.name == "Ada Lovelace"
    assert user.raw["user"]["name"]["firstName"] == "Ada"
    # A later sign-in: the callback has no user field, so there is no name.
    later = {"state": req.state, "code": "c0de2", "id_token": minted}
    assert oauth2_apple.first_login_user(later) is None
    assert apple.userinfo(apple.complete_authorization(later, req)).name is None


def test_first_login_user_reads_a_raw_form_body_and_ignores_junk() -> None:
    body = "state=s&code=c&user=%7B%22name%22%3A%7B%22firstName%22%3A%22Ada%22%7D%7D"
    assert oauth2_apple.first_login_user(body) == {"name": {"firstName": "Ada"}}
    assert oauth2_apple.first_login_user({"user": "{not json"}) is None


def test_the_unsigned_user_object_never_supplies_the_email(apple, apple_id_key) -> None:
    token = oauth2_core.Token(access_token="a0e1", id_token=id_token(
        apple_id_key, email=None, email_verified=None))
    token["user"] = {"name": {"firstName": "Eve"}, "email": "victim@example.com"}
    user = apple.userinfo(token)
    assert user.email is None and user.name == "Eve"


def test_userinfo_needs_an_id_token(apple) -> None:
    with pytest.raises(oauth2_core.OAuth2Error, match="id_token") as info:
        apple.userinfo(oauth2_core.Token(access_token="a0e1"))
    assert info.value.error == "userinfo_failed"


@pytest.mark.parametrize("claims", [{"aud": "com.other.app"},
                                    {"iss": "https://evil.example"}])
def test_id_token_for_another_client_or_issuer_is_refused(apple, apple_id_key, claims) -> None:
    token = oauth2_core.Token(access_token="a0e1", id_token=id_token(apple_id_key, **claims))
    with pytest.raises(oauth2_core.InvalidIDToken):
        apple.userinfo(token)


def test_unreadable_id_token_is_refused(apple) -> None:
    with pytest.raises(oauth2_core.InvalidIDToken):
        apple.userinfo(oauth2_core.Token(access_token="a0e1", id_token="not.a.jwt"))
