"""Log in with PayPal: pinned request and response shapes (developer.paypal.com/log-in/build,
/log-in/build-button, /log-in/references, the Identity API userinfo)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

import oauth2_paypal
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

CLIENT_ID = "AYSq3RDGsmBLJE-otTkBtM-jBRd1TCQwFf9RGfwddNXWz0uFU9ztymylOhRS"
SECRET = "EGnHDxD_qRPdaLdZz8iCr8N7_MzF-YHPTkjs6NKYQvQSBngp4PTTVWkPZRbL"
BASIC = "Basic " + base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
LIVE_TOKEN_URL = "https://api-m.paypal.com/v1/oauth2/token"
SANDBOX_TOKEN_URL = "https://api-m.sandbox.paypal.com/v1/oauth2/token"
USERINFO_PATH = "/v1/identity/oauth2/userinfo?schema=paypalv1.1"
PROFILE = {
    "user_id": "https://www.paypal.com/webapps/auth/identity/user/baCNqjGvIxzlbvDCSsfhN3IrQDtQ",
    "name": "Identity Test", "given_name": "Identity", "family_name": "Test",
    "payer_id": "WDJJHEBZ4X2LY", "verified_account": "true",
    "address": {"street_address": "1 Main St", "locality": "San Jose", "region": "CA",
                "postal_code": "95131", "country": "US"},
    "emails": [{"value": "old@example.com", "primary": False, "confirmed": True},
               {"value": "user1@example.com", "primary": True, "confirmed": False}],
}


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    options: dict[str, object] = {
        "client_id": CLIENT_ID, "client_secret": SECRET,
        "redirect_uri": "https://app.example/cb", "plugins": plugin_manager(oauth2_paypal),
    }
    options.update(settings)
    return oauth2_core.client("paypal", **options)


@pytest.fixture
def paypal() -> oauth2_core.OAuth2Client:
    return make_client()


def _split(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


def _hs256(claims: dict[str, object], key: str) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    signing_input = (b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "."
                     + b64(json.dumps(claims).encode()))
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _token_response(**extra: object) -> dict[str, object]:
    return {
        "scope": "openid profile email https://uri.paypal.com/services/paypalattributes",
        "access_token": "A21AAFEpH4PsADK7qSS7pSRsgzfENtu-Q1ysgEDVDESseMHBYXVJYE8ovjj68elI",
        "token_type": "Bearer", "expires_in": "28800",
        "refresh_token": "R23AAFBNv6NoVC5MSXbVZl1uVIZrRW3kRMyGgzZa6OKKhlqUvIqCKcz6ACSzkw",
        "nonce": "2024-05-13T10:56:44ZxBoZG4N3pOyw1g5xl9PiNA1TAh5zJeVf0LKI69_vQIQ", **extra,
    }


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_paypal, entry_point="paypal")
    assert provider.name == "paypal"


def test_authorize_url_is_the_static_login_flow(paypal) -> None:
    request = paypal.begin_authorization()
    base, query = _split(request.url)
    assert base == "https://www.paypal.com/signin/authorize"
    challenge = query.pop("code_challenge")
    assert len(challenge[0]) == 43
    assert query == {
        "response_type": ["code"], "client_id": [CLIENT_ID],
        "redirect_uri": ["https://app.example/cb"], "scope": ["openid profile email"],
        "flowEntry": ["static"], "state": [request.state], "code_challenge_method": ["S256"],
    }


def test_no_nonce_is_sent(paypal) -> None:
    _, query = _split(paypal.begin_authorization().url)
    assert "nonce" not in query


def test_code_exchange_uses_basic_auth(paypal, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, LIVE_TOKEN_URL, _token_response())
    token = paypal.get_token(code="C21AAHm3r7b4vX9b")
    request = endpoint.last_request
    assert request.method == "POST"
    assert parse_qs(request.text) == {
        "grant_type": ["authorization_code"], "code": ["C21AAHm3r7b4vX9b"],
        "redirect_uri": ["https://app.example/cb"],
    }
    assert request.headers["Authorization"] == BASIC
    assert token.lifetime == 28800  # a string expires_in is read as a number
    assert "https://uri.paypal.com/services/paypalattributes" in token.scopes


def test_basic_is_the_only_client_auth(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, LIVE_TOKEN_URL, _token_response())
    with pytest.raises(oauth2_core.ConfigurationError, match="HTTP Basic only"):
        make_client(token_endpoint_auth_method="client_secret_post").get_token(code="c")
    with pytest.raises(oauth2_core.ConfigurationError, match="HTTP Basic only"):
        make_client(client_secret=None).get_token(code="c")  # a public client
    assert endpoint.call_count == 0


def test_hs256_id_token_from_the_code_exchange_is_accepted(paypal, requests_mock) -> None:
    now = int(time.time())
    id_token = _hs256({"iss": "https://www.paypal.com", "sub": "baCNqjGvIxzlbvDCSsfhN3IrQDtQ",
                       "aud": CLIENT_ID, "iat": now, "exp": now + 900}, SECRET)
    fake_token_endpoint(requests_mock, LIVE_TOKEN_URL, _token_response(id_token=id_token))
    request = paypal.begin_authorization()
    token = paypal.complete_authorization({"code": "C21", "state": request.state}, request)
    assert token.id_token == id_token


def test_id_token_signed_with_another_key_is_refused(paypal, requests_mock) -> None:
    now = int(time.time())
    id_token = _hs256({"iss": "https://www.paypal.com", "sub": "x", "aud": CLIENT_ID,
                       "iat": now, "exp": now + 900}, "not-the-secret")
    fake_token_endpoint(requests_mock, LIVE_TOKEN_URL, _token_response(id_token=id_token))
    request = paypal.begin_authorization()
    with pytest.raises(oauth2_core.InvalidIDToken, match="signature"):
        paypal.complete_authorization({"code": "C21", "state": request.state}, request)


def test_error_response_is_typed(paypal, requests_mock) -> None:
    fake_token_endpoint(requests_mock, LIVE_TOKEN_URL, {
        "error": "invalid_client", "error_description": "Client Authentication failed",
    }, status_code=401)
    with pytest.raises(oauth2_core.InvalidClient, match="Client Authentication failed"):
        paypal.get_token(code="C21AAHm3r7b4vX9b")


def test_sandbox_environment_moves_every_endpoint(requests_mock) -> None:
    paypal = make_client(environment="sandbox")
    base, query = _split(paypal.authorize_url(state="s1"))
    assert base == "https://www.sandbox.paypal.com/signin/authorize"
    assert query["flowEntry"] == ["static"]
    token_endpoint = fake_token_endpoint(requests_mock, SANDBOX_TOKEN_URL, _token_response())
    paypal.get_token(code="C21")
    assert token_endpoint.last_request.headers["Authorization"] == BASIC
    requests_mock.get("https://api-m.sandbox.paypal.com" + USERINFO_PATH, json=PROFILE)
    assert paypal.userinfo("A21AAF").email == "user1@example.com"
    refresh = paypal.refresh_token("R23")
    assert token_endpoint.call_count == 2 and refresh.refresh_token


def test_live_is_the_default_environment(requests_mock) -> None:
    paypal = make_client(environment="live")
    assert _split(paypal.authorize_url())[0] == "https://www.paypal.com/signin/authorize"
    endpoint = fake_token_endpoint(requests_mock, LIVE_TOKEN_URL, _token_response())
    paypal.get_token(code="C21")
    assert endpoint.call_count == 1


def test_environment_must_be_live_or_sandbox() -> None:
    for value in ("production", "sandbox.evil.example", "live/../x"):
        with pytest.raises(oauth2_core.ConfigurationError, match="'live' or 'sandbox'"):
            make_client(environment=value).authorize_url()


def test_bearer_header_on_api_calls(paypal, requests_mock) -> None:
    requests_mock.get("https://api-m.paypal.com/v1/identity/oauth2/userinfo", json=PROFILE)
    with paypal.session(oauth2_core.Token(access_token="A21AAF")) as session:
        session.get("https://api-m.paypal.com" + USERINFO_PATH)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer A21AAF"


def test_userinfo_picks_the_primary_email(paypal, requests_mock) -> None:
    requests_mock.get("https://api-m.paypal.com" + USERINFO_PATH, json=PROFILE)
    user = paypal.userinfo(oauth2_core.Token(access_token="A21AAF"))
    assert requests_mock.last_request.qs == {"schema": ["paypalv1.1"]}
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        PROFILE["user_id"], "user1@example.com", False, "Identity Test", None, None,
    )
    assert user.raw["payer_id"] == "WDJJHEBZ4X2LY"


def test_userinfo_without_email_scope(paypal, requests_mock) -> None:
    requests_mock.get("https://api-m.paypal.com" + USERINFO_PATH, json={
        "user_id": "https://www.paypal.com/webapps/auth/identity/user/abc",
        "given_name": "Ada", "family_name": "Lovelace",
    })
    user = paypal.userinfo(oauth2_core.Token(access_token="A21AAF"))
    assert (user.email, user.email_verified, user.name) == (None, None, "Ada Lovelace")


def test_userinfo_failure_is_an_oauth2_error(paypal, requests_mock) -> None:
    requests_mock.get("https://api-m.paypal.com" + USERINFO_PATH, status_code=401, json={
        "error": "invalid_token", "error_description": "Token signature verification failed",
    })
    with pytest.raises(oauth2_core.OAuth2Error) as caught:
        paypal.userinfo(oauth2_core.Token(access_token="A21-secret"))
    assert caught.value.error == "userinfo_failed"
    assert "A21-secret" not in str(caught.value)
