"""LinkedIn: shapes from learn.microsoft.com/linkedin (Sign In with LinkedIn using OpenID
Connect, authorization code flow, programmatic refresh tokens) pinned against the plugin."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import jwt
import oauth2_linkedin
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
USERINFO_URL = "https://api.linkedin.com/v2/userinfo"
CLIENT_ID = "86ab1cdef2gh3i"


@pytest.fixture
def linkedin() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "linkedin", client_id=CLIENT_ID, client_secret="WPL_AP1.li-s3cret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_linkedin),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_linkedin, entry_point="linkedin")
    assert provider.name == "linkedin"


def test_authorize_url(linkedin) -> None:
    url = linkedin.authorize_url(state="DCEeFWf45A53sdfKef424")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.linkedin.com/oauth/v2/authorization")
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": [CLIENT_ID],
        "redirect_uri": ["https://app.example/cb"], "scope": ["openid profile email"],
        "state": ["DCEeFWf45A53sdfKef424"],
    }


def test_code_exchange_posts_credentials_in_the_body(linkedin, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "AQUvlL_DYEzvT2wz1QJiEPeLioeA", "expires_in": 5184000,
        "scope": "email,openid,profile", "token_type": "Bearer", "id_token": "eyJ.x.y",
    })
    token = linkedin.get_token(code="AQTQmah11lalyH65DAIivsjsAQV5P")
    assert endpoint.last_request.method == "POST"
    assert "Authorization" not in endpoint.last_request.headers
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["AQTQmah11lalyH65DAIivsjsAQV5P"],
        "redirect_uri": ["https://app.example/cb"],
        "client_id": [CLIENT_ID], "client_secret": ["WPL_AP1.li-s3cret"],
    }
    assert token.lifetime == 5184000


def test_partner_refresh_token_fields_are_kept(linkedin, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "AQXNnd2kXITHELmWblJigmPg", "expires_in": 5184000,
        "refresh_token": "AQWAft_WjYZKwuWXLC5hQlgh", "refresh_token_expires_in": 525600,
        "scope": "r_basicprofile",
    })
    token = linkedin.refresh_token("AQWAft_WjYZKwuWXLC5hQlgh")
    assert token.refresh_token == "AQWAft_WjYZKwuWXLC5hQlgh"
    assert token["refresh_token_expires_in"] == 525600
    assert parse_qs(requests_mock.last_request.text)["client_secret"] == ["WPL_AP1.li-s3cret"]


@pytest.mark.parametrize(("status", "body", "cls"), [
    (400, {"error": "invalid_request",
           "error_description": "Unable to retrieve access token: appid/redirect uri/code "
                                "verifier does not match authorization code. Or authorization "
                                "code expired."}, oauth2_core.InvalidRequest),
    (401, {"error": "invalid_client", "error_description": "Client authentication failed"},
     oauth2_core.InvalidClient),
])
def test_error_responses_are_typed(linkedin, requests_mock, status, body, cls) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, body, status_code=status)
    with pytest.raises(cls) as info:
        linkedin.get_token(code="AQTQmah11lalyH65DAIivsjsAQV5P")
    assert info.value.status_code == status
    assert "WPL_AP1.li-s3cret" not in str(info.value)


def test_api_calls_carry_a_bearer_header(linkedin, requests_mock) -> None:
    api = requests_mock.get("https://api.linkedin.com/rest/posts", json={})
    linkedin.session(oauth2_core.Token(access_token="AQUvlL")).get(
        "https://api.linkedin.com/rest/posts")
    assert api.last_request.headers["Authorization"] == "Bearer AQUvlL"
    assert "oauth2_access_token" not in api.last_request.qs


def test_userinfo_from_the_oidc_endpoint(linkedin, requests_mock) -> None:
    requests_mock.get(USERINFO_URL, json={
        "sub": "782bbtaQ", "name": "John Doe", "given_name": "John", "family_name": "Doe",
        "picture": "https://media.licdn.com/dms/image/C5F03AQHqK8v7tB1HCQ/profile.jpg",
        "locale": "en-US", "email": "doe@email.com", "email_verified": True,
    })
    user = linkedin.userinfo(oauth2_core.Token(access_token="AQUvlL"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer AQUvlL"
    assert (user.id, user.email, user.email_verified, user.name, user.picture) == (
        "782bbtaQ", "doe@email.com", True, "John Doe",
        "https://media.licdn.com/dms/image/C5F03AQHqK8v7tB1HCQ/profile.jpg")


def test_userinfo_without_the_email_scope(linkedin, requests_mock) -> None:
    requests_mock.get(USERINFO_URL, json={
        "sub": "782bbtaQ", "given_name": "John", "family_name": "Doe", "locale": "en-US"})
    user = linkedin.userinfo(oauth2_core.Token(access_token="AQUvlL"))
    assert (user.email, user.email_verified, user.name) == (None, None, "John Doe")


# Quirks --------------------------------------------------------------------------------
def test_client_secret_goes_in_the_body_never_basic(linkedin, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    linkedin.refresh_token("AQWAft")
    assert "Authorization" not in endpoint.last_request.headers
    assert parse_qs(endpoint.last_request.text)["client_id"] == [CLIENT_ID]
    assert linkedin.token_endpoint_auth_method == "client_secret_post"


def test_no_nonce_is_sent_because_the_id_token_never_echoes_it(linkedin) -> None:
    req = linkedin.begin_authorization()
    query = parse_qs(urlsplit(req.url).query)
    assert "openid" in query["scope"][0].split()
    assert "nonce" not in query and req.nonce is None


def test_no_pkce_is_offered_to_web_apps(linkedin) -> None:
    req = linkedin.begin_authorization()
    query = parse_qs(urlsplit(req.url).query)
    assert "code_challenge" not in query and req.code_verifier is None


def test_sign_in_completes_with_an_id_token_without_nonce(linkedin, requests_mock) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())),
           "kid": "d929668a-bab1-4c69-9598-4373149723ff", "alg": "RS256", "use": "sig"}
    jwk.pop("key_ops", None)
    requests_mock.get("https://www.linkedin.com/oauth/openid/jwks", json={"keys": [jwk]})
    now = int(time.time())
    id_token = jwt.encode({
        "iss": "https://www.linkedin.com/oauth", "aud": CLIENT_ID, "iat": now,
        "exp": now + 3600, "sub": "782bbtaQ", "name": "John Doe", "email": "doe@email.com",
        "email_verified": "true", "locale": "en-US",
    }, key, algorithm="RS256", headers={"kid": jwk["kid"]})
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "AQUvlL", "expires_in": 5184000, "scope": "email,openid,profile",
        "token_type": "Bearer", "id_token": id_token})
    req = linkedin.begin_authorization()
    token = linkedin.complete_authorization(
        f"https://app.example/cb?code=AQTQmah11&state={req.state}", req)
    assert token.id_token == id_token
    assert "code_verifier" not in parse_qs(endpoint.last_request.text)


def test_comma_separated_scope_in_the_token_response(linkedin, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "AQUvlL", "expires_in": 5184000, "scope": "email,openid,profile",
        "token_type": "Bearer"})
    assert linkedin.get_token(code="c0de").scopes == ("email", "openid", "profile")
