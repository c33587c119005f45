"""Facebook Login: shapes from developers.facebook.com ("Manually Build a Login Flow",
"Access Tokens", "Securing Graph API Requests", Graph API "Handling Errors")."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import oauth2_facebook
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://graph.facebook.com/v25.0/oauth/access_token"
ME_URL = "https://graph.facebook.com/v25.0/me"


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "facebook", client_id="1234567890123456", client_secret="fb-app-secret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_facebook),
        **settings,
    )


@pytest.fixture
def facebook() -> oauth2_core.OAuth2Client:
    return make_client()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_facebook, entry_point="facebook")
    assert provider.name == "facebook"


def test_authorize_url_is_versioned_with_comma_separated_permissions(facebook) -> None:
    url = facebook.authorize_url(state="st", return_scopes="true")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.facebook.com/v25.0/dialog/oauth"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["1234567890123456"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["email,public_profile"],
        "state": ["st"], "return_scopes": ["true"],
    }


def test_begin_authorization_sends_pkce(facebook) -> None:
    query = parse_qs(urlsplit(facebook.begin_authorization().url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert "code_challenge" in query


def test_version_setting_changes_every_url() -> None:
    client = make_client(version="23.0")
    assert client.provider.authorize_url == "https://www.facebook.com/v23.0/dialog/oauth"
    assert client.provider.token_url == "https://graph.facebook.com/v23.0/oauth/access_token"
    assert client.provider.userinfo_url == "https://graph.facebook.com/v23.0/me"


@pytest.mark.parametrize("version", ["v23.0", "23", "23.0/../x"])
def test_version_must_look_like_a_graph_version(version) -> None:
    with pytest.raises(oauth2_core.ConfigurationError):
        make_client(version=version)


def test_code_exchange_posts_credentials_in_the_body(facebook, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "EAAGm0PX4ZCpsBA", "token_type": "bearer", "expires_in": 5183944,
    })
    token = facebook.get_token(code="AQBx")
    assert endpoint.last_request.method == "POST"
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["AQBx"],
        "redirect_uri": ["https://app.example/cb"],
        "client_id": ["1234567890123456"], "client_secret": ["fb-app-secret"],
    }
    assert "Authorization" not in endpoint.last_request.headers
    assert (token.access_token, token.lifetime) == ("EAAGm0PX4ZCpsBA", 5183944)
    assert token.refresh_token is None


def test_legacy_form_encoded_response_with_expires(facebook, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, headers={"Content-Type": "text/plain"},
                        text="access_token=EAAlegacy&expires=5183999")
    token = facebook.get_token(code="AQBx")
    assert token.access_token == "EAAlegacy"
    assert token.lifetime == 5183999
    assert token.expires_at is not None
    assert "expires" not in token


def test_graph_error_object_is_typed(facebook, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"error": {
        "message": "This authorization code has been used.", "type": "OAuthException",
        "code": 100, "error_subcode": 36009, "fbtrace_id": "AbCdEf",
    }}, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="has been used") as caught:
        facebook.get_token(code="AQBx")
    assert caught.value.error == "invalid_grant"
    assert "code 100, subcode 36009" in caught.value.description
    assert caught.value.status_code == 400


@pytest.mark.parametrize(("error", "cls"), [
    ({"message": "Error validating application. Invalid application ID.",
      "type": "OAuthException", "code": 101}, oauth2_core.InvalidClient),
    ({"message": "Missing redirect_uri parameter.", "type": "OAuthException", "code": 191},
     oauth2_core.OAuth2Error),
    ({"message": "Invalid verification code format.", "type": "OAuthException", "code": 100},
     oauth2_core.InvalidRequest),
])
def test_graph_error_codes(facebook, requests_mock, error, cls) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"error": error}, status_code=400)
    with pytest.raises(cls, match=error["message"].split(".")[0]) as caught:
        facebook.get_token(code="AQBx")
    if cls is oauth2_core.OAuth2Error:
        assert caught.value.error == "facebook_error"


def test_legacy_error_code_shape(facebook, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL,
                        {"error_code": 101, "error_msg": "Invalid application ID"},
                        status_code=400)
    with pytest.raises(oauth2_core.InvalidClient, match="Invalid application ID"):
        facebook.get_token(code="AQBx")


def test_long_lived_token_exchange(facebook, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "EAAlong", "token_type": "bearer", "expires_in": 5184000,
    })
    token = facebook.request_token("fb_exchange_token", fb_exchange_token="EAAshort")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["fb_exchange_token"], "fb_exchange_token": ["EAAshort"],
        "client_id": ["1234567890123456"], "client_secret": ["fb-app-secret"],
    }
    assert token.access_token == "EAAlong"


def test_graph_calls_carry_bearer_and_appsecret_proof(facebook, requests_mock) -> None:
    requests_mock.get("https://graph.facebook.com/v25.0/me/accounts", json={"data": []})
    facebook.session("EAAtoken").get("https://graph.facebook.com/v25.0/me/accounts",
                                     params={"limit": "5"})
    sent = requests_mock.last_request
    expected = hmac.new(b"fb-app-secret", b"EAAtoken", hashlib.sha256).hexdigest()
    assert sent.headers["Authorization"] == "Bearer EAAtoken"
    assert parse_qs(urlsplit(sent.url).query) == {"limit": ["5"], "appsecret_proof": [expected]}
    assert oauth2_facebook.appsecret_proof("EAAtoken", "fb-app-secret") == expected


def test_appsecret_proof_given_by_the_caller_is_not_repeated(facebook, requests_mock) -> None:
    requests_mock.get("https://graph.facebook.com/v25.0/me", json={"id": "1"})
    facebook.session("EAAtoken").get("https://graph.facebook.com/v25.0/me",
                                     params={"appsecret_proof": "abc"})
    assert parse_qs(urlsplit(requests_mock.last_request.url).query) == {
        "appsecret_proof": ["abc"]}


def test_userinfo_asks_for_fields_and_reads_the_picture(facebook, requests_mock) -> None:
    requests_mock.get(ME_URL, json={
        "id": "10158000000000001", "name": "Ada Lovelace", "email": "ada@example.com",
        "picture": {"data": {"height": 50, "is_silhouette": False,
                             "url": "https://platform-lookaside.fbsbx.com/p.jpg",
                             "width": 50}},
    })
    user = facebook.userinfo("EAAtoken")
    query = parse_qs(urlsplit(requests_mock.last_request.url).query)
    assert query["fields"] == ["id,name,email,picture"]
    assert "appsecret_proof" in query
    assert (user.id, user.name, user.email, user.email_verified, user.picture) == (
        "10158000000000001", "Ada Lovelace", "ada@example.com", None,
        "https://platform-lookaside.fbsbx.com/p.jpg",
    )


def test_userinfo_without_email_permission(facebook, requests_mock) -> None:
    requests_mock.get(ME_URL, json={"id": "10158000000000002", "name": "No Mail"})
    user = facebook.userinfo("EAAtoken")
    assert (user.id, user.email, user.picture) == ("10158000000000002", None, None)


def test_userinfo_graph_error(facebook, requests_mock) -> None:
    requests_mock.get(ME_URL, status_code=400, json={"error": {
        "message": "Error validating access token: Session has expired",
        "type": "OAuthException", "code": 190, "error_subcode": 463,
    }})
    with pytest.raises(oauth2_core.OAuth2Error, match="Session has expired") as caught:
        facebook.userinfo("EAAold")
    assert caught.value.error == "userinfo_failed"
