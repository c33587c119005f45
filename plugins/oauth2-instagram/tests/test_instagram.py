"""Instagram API with Instagram Login: shapes from developers.facebook.com/docs/instagram-
platform ("Business Login for Instagram", reference "oauth/access_token", "access_token",
"refresh_access_token", "me")."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_instagram
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://api.instagram.com/oauth/access_token"
ME_URL = "https://graph.instagram.com/v25.0/me"


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "instagram", client_id="990602627938098", client_secret="ig-secret",
        redirect_uri="https://app.example/auth/", plugins=plugin_manager(oauth2_instagram),
        **settings,
    )


@pytest.fixture
def instagram() -> oauth2_core.OAuth2Client:
    return make_client()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_instagram, entry_point="instagram")
    assert provider.name == "instagram"


def test_authorize_url_is_business_login(instagram) -> None:
    url = instagram.authorize_url(
        scope=["instagram_business_basic", "instagram_business_manage_messages"], state="1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.instagram.com/oauth/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["990602627938098"],
        "redirect_uri": ["https://app.example/auth/"],
        "scope": ["instagram_business_basic,instagram_business_manage_messages"],
        "state": ["1"],
    }


def test_begin_authorization_sends_no_pkce(instagram) -> None:
    request = instagram.begin_authorization()
    query = parse_qs(urlsplit(request.url).query)
    assert "code_challenge" not in query
    assert request.code_verifier is None
    assert query["scope"] == ["instagram_business_basic"]


def test_code_exchange_posts_credentials_in_the_body(instagram, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "IGQVJshort", "user_id": 17841405793187218,
        "permissions": "instagram_business_basic",
    })
    instagram.get_token(code="AQBx")
    assert endpoint.last_request.method == "POST"
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["AQBx"],
        "redirect_uri": ["https://app.example/auth/"],
        "client_id": ["990602627938098"], "client_secret": ["ig-secret"],
    }
    assert "Authorization" not in endpoint.last_request.headers


def test_short_lived_response_wrapped_in_data(instagram, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"data": [{
        "access_token": "IGQVJshort", "user_id": "17841405793187218",
        "permissions": "instagram_business_basic,instagram_business_manage_messages",
    }]})
    token = instagram.get_token(code="AQBx")
    assert token.access_token == "IGQVJshort"
    assert token["user_id"] == "17841405793187218"
    assert token.scopes == ("instagram_business_basic", "instagram_business_manage_messages")


def test_permissions_list_and_numeric_user_id(instagram, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "IGQVJshort", "user_id": 17841405793187218,
        "permissions": ["instagram_business_basic", "instagram_business_content_publish"],
    })
    token = instagram.get_token(code="AQBx")
    assert token["user_id"] == "17841405793187218"
    assert token.scopes == ("instagram_business_basic", "instagram_business_content_publish")


def test_short_lived_token_expires_after_an_hour(instagram, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"access_token": "IGQVJshort",
                                                   "user_id": 1})
    token = instagram.get_token(code="AQBx")
    assert token.lifetime == 3600
    assert token.expires_at is not None


def test_error_type_and_error_message_are_typed(instagram, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error_type": "OAuthException", "code": 400,
        "error_message": "Matching code was not found or was already used",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="already used") as caught:
        instagram.get_token(code="AQBx")
    assert caught.value.error == "invalid_grant"


def test_invalid_platform_app_is_invalid_client(instagram, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidClient, match="Invalid platform app"):
        instagram.get_token(code="AQBx")


def test_long_lived_exchange_is_a_get_to_graph(instagram, requests_mock) -> None:
    endpoint = requests_mock.get("https://graph.instagram.com/access_token", json={
        "access_token": "IGQVJlong", "token_type": "bearer", "expires_in": 5183944,
    })
    token = oauth2_instagram.exchange_for_long_lived_token(
        instagram, oauth2_core.Token(access_token="IGQVJshort"))
    assert parse_qs(urlsplit(endpoint.last_request.url).query) == {
        "grant_type": ["ig_exchange_token"], "client_secret": ["ig-secret"],
        "access_token": ["IGQVJshort"],
    }
    assert "Authorization" not in endpoint.last_request.headers
    assert (token.access_token, token.lifetime) == ("IGQVJlong", 5183944)


def test_long_lived_refresh_is_a_get_to_graph(instagram, requests_mock) -> None:
    endpoint = requests_mock.get("https://graph.instagram.com/refresh_access_token", json={
        "access_token": "IGQVJrenewed", "token_type": "bearer", "expires_in": 5183944,
    })
    token = oauth2_instagram.refresh_long_lived_token(instagram, "IGQVJlong")
    assert parse_qs(urlsplit(endpoint.last_request.url).query) == {
        "grant_type": ["ig_refresh_token"], "access_token": ["IGQVJlong"],
    }
    assert token.access_token == "IGQVJrenewed"


def test_graph_error_on_refresh_is_invalid_grant(instagram, requests_mock) -> None:
    requests_mock.get("https://graph.instagram.com/refresh_access_token", status_code=400,
                      json={"error": {"message": "Error validating access token: Session "
                                      "has expired", "type": "OAuthException", "code": 190}})
    with pytest.raises(oauth2_core.InvalidGrant, match="Session has expired"):
        oauth2_instagram.refresh_long_lived_token(instagram, "IGQVJlong")


def test_exchange_needs_the_client_secret() -> None:
    public = oauth2_core.client("instagram", client_id="990602627938098",
                                plugins=plugin_manager(oauth2_instagram))
    with pytest.raises(oauth2_core.ConfigurationError, match="client_secret"):
        oauth2_instagram.exchange_for_long_lived_token(public, "IGQVJshort")


def test_graph_calls_carry_the_token_in_the_query(instagram, requests_mock) -> None:
    requests_mock.get("https://graph.instagram.com/v25.0/me/media", json={"data": []})
    instagram.session({"access_token": "IGQVJlong", "expires_in": 5183944}).get(
        "https://graph.instagram.com/v25.0/me/media", params={"fields": "id,caption"})
    sent = requests_mock.last_request
    assert parse_qs(urlsplit(sent.url).query) == {"fields": ["id,caption"],
                                                  "access_token": ["IGQVJlong"]}
    assert "Authorization" not in sent.headers


def test_userinfo(instagram, requests_mock) -> None:
    requests_mock.get(ME_URL, json={
        "id": "7590001234567890", "user_id": "17841405793187218", "username": "acme.bakery",
        "name": "Acme Bakery", "account_type": "BUSINESS",
        "profile_picture_url": "https://scontent.cdninstagram.com/p.jpg",
    })
    user = instagram.userinfo("IGQVJlong")
    query = parse_qs(urlsplit(requests_mock.last_request.url).query)
    assert query["fields"] == [oauth2_instagram.USERINFO_FIELDS]
    assert query["access_token"] == ["IGQVJlong"]
    assert (user.id, user.username, user.name, user.email, user.picture) == (
        "7590001234567890", "acme.bakery", "Acme Bakery", None,
        "https://scontent.cdninstagram.com/p.jpg",
    )
    assert user.raw["user_id"] == "17841405793187218"


def test_userinfo_error(instagram, requests_mock) -> None:
    requests_mock.get(ME_URL, status_code=400, json={"error": {
        "message": "Invalid OAuth access token - Cannot parse access token",
        "type": "OAuthException", "code": 190}})
    with pytest.raises(oauth2_core.OAuth2Error, match="Cannot parse") as caught:
        instagram.userinfo("bad")
    assert caught.value.error == "userinfo_failed"
