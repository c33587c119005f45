"""Google: pinned request and response shapes (developers.google.com/identity)."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import oauth2_google
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager
from oauth2_core.testing.signing import Signer


@pytest.fixture
def google() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "google", client_id="cid.apps.googleusercontent.com", client_secret="gsecret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_google),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_google, entry_point="google")
    assert provider.name == "google"


def test_authorize_url_is_google_v2_with_offline_access_when_asked(google) -> None:
    url = google.authorize_url(scope=["email"], access_type="offline", prompt="consent")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://accounts.google.com/o/oauth2/v2/auth"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["cid.apps.googleusercontent.com"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["email"],
        "access_type": ["offline"], "prompt": ["consent"],
    }


def test_code_exchange_posts_credentials_in_the_body(google, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, "https://oauth2.googleapis.com/token", {
        "access_token": "ya29.a0", "expires_in": 3599, "token_type": "Bearer",
        "scope": "openid https://www.googleapis.com/auth/userinfo.email",
        "refresh_token": "1//0g", "id_token": "eyJ.x.y",
    })
    token = google.get_token(code="4/0Ab")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["4/0Ab"],
        "redirect_uri": ["https://app.example/cb"],
        "client_id": ["cid.apps.googleusercontent.com"], "client_secret": ["gsecret"],
    }
    assert "Authorization" not in endpoint.last_request.headers
    assert token.scopes == ("openid", "https://www.googleapis.com/auth/userinfo.email")
    assert token.refresh_token == "1//0g"


def test_error_response_is_typed(google, requests_mock) -> None:
    fake_token_endpoint(requests_mock, "https://oauth2.googleapis.com/token",
                        {"error": "invalid_grant", "error_description": "Bad Request"},
                        status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Bad Request"):
        google.get_token(code="used")


def test_bearer_header_and_userinfo(google, requests_mock) -> None:
    requests_mock.get("https://openidconnect.googleapis.com/v1/userinfo", json={
        "sub": "1070", "email": "a@gmail.com", "email_verified": True,
        "name": "Ada L", "picture": "https://lh3.example/a.jpg",
    })
    user = google.userinfo(oauth2_core.Token(access_token="ya29.a0"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer ya29.a0"
    assert (user.id, user.email, user.email_verified, user.name) == (
        "1070", "a@gmail.com", True, "Ada L"
    )


def test_revocation_posts_the_token(google, requests_mock) -> None:
    endpoint = requests_mock.post("https://oauth2.googleapis.com/revoke", text="")
    google.revoke_token(oauth2_core.Token(access_token="ya29", refresh_token="1//0g"))
    assert parse_qs(endpoint.last_request.text)["token"] == ["1//0g"]


def test_default_scopes_are_openid_email_profile_space_separated(google) -> None:
    query = parse_qs(urlsplit(google.authorize_url()).query)
    assert query["scope"] == ["openid email profile"]


def test_begin_authorization_sends_pkce_s256_state_and_a_nonce(google) -> None:
    request = google.begin_authorization()
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0] and request.code_verifier
    assert query["state"] == [request.state] and query["nonce"] == [request.nonce]


def test_a_refresh_keeps_the_refresh_token_google_does_not_send_again(google,
                                                                      requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, "https://oauth2.googleapis.com/token", {
        "access_token": "ya29.new", "expires_in": 3599, "token_type": "Bearer",
        "scope": "openid email", "refresh_token_expires_in": 604799,
    })
    token = google.refresh_token(oauth2_core.Token(access_token="ya29.old",
                                                   refresh_token="1//0g"))
    assert parse_qs(endpoint.last_request.text)["refresh_token"] == ["1//0g"]
    assert (token.access_token, token.refresh_token) == ("ya29.new", "1//0g")
    assert token["refresh_token_expires_in"] == 604799


def test_the_device_flow_reads_googles_verification_url(google, requests_mock) -> None:
    endpoint = requests_mock.post("https://oauth2.googleapis.com/device/code", json={
        "device_code": "AH-1Ng", "user_code": "GQVQ-JKEC", "expires_in": 1800,
        "interval": 5, "verification_url": "https://www.google.com/device",
    })
    device = google.device_authorization(scope=["email"])
    assert parse_qs(endpoint.last_request.text)["client_id"] == [
        "cid.apps.googleusercontent.com"]
    assert device.verification_uri == "https://www.google.com/device"


def _sign_in_with_an_id_token_from(iss: str, google, requests_mock) -> oauth2_core.Token:
    """A whole authorization whose token response carries an id_token signed for ``iss``."""
    signer = Signer()  # needs PyJWT, which the plugins env installs
    requests_mock.get("https://www.googleapis.com/oauth2/v3/certs", json=signer.jwks())
    request = google.begin_authorization()
    now = int(time.time())
    fake_token_endpoint(requests_mock, "https://oauth2.googleapis.com/token", {
        "access_token": "ya29.a0", "expires_in": 3599, "token_type": "Bearer",
        "id_token": signer.sign({"iss": iss, "aud": "cid.apps.googleusercontent.com",
                                 "sub": "1070", "iat": now, "exp": now + 600,
                                 "nonce": request.nonce})})
    return google.complete_authorization({"code": "4/0Ab", "state": request.state}, request)


# Google documents both values for an id_token's iss.
@pytest.mark.parametrize("iss", ["https://accounts.google.com", "accounts.google.com"])
def test_both_documented_id_token_issuers_are_accepted(google, requests_mock, iss) -> None:
    token = _sign_in_with_an_id_token_from(iss, google, requests_mock)
    assert google.validate_id_token(token)["iss"] == iss


@pytest.mark.parametrize("iss", ["https://accounts.google.com.evil",
                                 "http://accounts.google.com"])
def test_no_other_id_token_issuer_is_accepted(google, requests_mock, iss) -> None:
    with pytest.raises(oauth2_core.InvalidIDToken, match="'iss' failed"):
        _sign_in_with_an_id_token_from(iss, google, requests_mock)


def test_the_callbacks_iss_must_still_be_the_issuer_itself(google) -> None:
    # The alias is for id_tokens only: RFC 9207's iss on the callback compares exactly.
    request = google.begin_authorization()
    callback = {"code": "4/0Ab", "state": request.state, "iss": "accounts.google.com"}
    with pytest.raises(oauth2_core.IssuerMismatch):
        google.complete_authorization(callback, request)
