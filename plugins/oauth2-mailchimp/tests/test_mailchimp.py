"""Mailchimp: shapes from mailchimp.com/developer ("Access data on behalf of other
Mailchimp users", Marketing API root) and the metadata endpoint."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import oauth2_mailchimp
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://login.mailchimp.com/oauth2/token"
METADATA = {
    "dc": "us19", "role": "owner", "accountname": "Acme Bakery", "user_id": 8675309,
    "login": {"email": "ada@acme.example", "avatar": None, "login_id": 31337,
              "login_name": "ada_acme", "login_email": "ada@acme.example"},
    "login_url": "https://login.mailchimp.com",
    "api_endpoint": "https://us19.api.mailchimp.com",
}
ACCOUNT_ROOT = {
    "account_id": "8d3a3db4d97663a9074efcc16", "login_id": "31337",
    "account_name": "Acme Bakery", "email": "ada@acme.example", "first_name": "Ada",
    "last_name": "Lovelace", "username": "ada_acme",
    "avatar_url": "https://us19.admin.mailchimp.com/avatar.png", "role": "owner",
}


@pytest.fixture
def mailchimp() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "mailchimp", client_id="123456789012", client_secret="mc-secret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_mailchimp),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_mailchimp, entry_point="mailchimp")
    assert provider.name == "mailchimp"


def test_authorize_url_has_no_scope(mailchimp) -> None:
    parts = urlsplit(mailchimp.authorize_url(state="st"))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://login.mailchimp.com/oauth2/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["123456789012"],
        "redirect_uri": ["https://app.example/cb"], "state": ["st"],
    }


def test_begin_authorization_sends_no_pkce(mailchimp) -> None:
    request = mailchimp.begin_authorization()
    query = parse_qs(urlsplit(request.url).query)
    assert set(query) == {"response_type", "client_id", "redirect_uri", "state"}
    assert request.code_verifier is None


def test_code_exchange_posts_credentials_in_the_body(mailchimp, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "5c6ccc561059aa386da9d112215bae55", "expires_in": 0, "scope": None,
    })
    mailchimp.get_token(code="1edf2c")
    assert endpoint.last_request.method == "POST"
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["1edf2c"],
        "redirect_uri": ["https://app.example/cb"],
        "client_id": ["123456789012"], "client_secret": ["mc-secret"],
    }
    assert "Authorization" not in endpoint.last_request.headers


def test_expires_in_zero_means_the_token_never_expires(mailchimp, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "5c6ccc561059aa386da9d112215bae55", "expires_in": 0, "scope": None,
    })
    token = mailchimp.get_token(code="1edf2c")
    assert token.expires_at is None
    assert token.lifetime is None
    assert not token.is_expired(now=time.time() + 10 * 365 * 86400)


def test_scope_null_means_no_scopes(mailchimp, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "5c6ccc561059aa386da9d112215bae55", "expires_in": 0, "scope": None,
    })
    request = mailchimp.begin_authorization()
    token = mailchimp.complete_authorization(
        f"https://app.example/cb?code=1edf2c&state={request.state}", request)
    assert token.scopes == ()
    assert token.refresh_token is None


def test_error_response_is_typed(mailchimp, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant", "error_description": "Invalid authorization code",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="Invalid authorization code"):
        mailchimp.get_token(code="1edf2c")


def test_metadata_call_uses_the_oauth_scheme(mailchimp, requests_mock) -> None:
    requests_mock.get(oauth2_mailchimp.METADATA_URL, json=METADATA)
    mailchimp.session("mc-token").get(oauth2_mailchimp.METADATA_URL)
    assert requests_mock.last_request.headers["Authorization"] == "OAuth mc-token"


def test_api_calls_on_the_data_centre_host_use_bearer(mailchimp, requests_mock) -> None:
    requests_mock.get("https://us19.api.mailchimp.com/3.0/lists", json={"lists": []})
    mailchimp.session("mc-token").get("https://us19.api.mailchimp.com/3.0/lists")
    assert requests_mock.last_request.headers["Authorization"] == "Bearer mc-token"


def test_userinfo_looks_up_the_data_centre(mailchimp, requests_mock) -> None:
    metadata = requests_mock.get(oauth2_mailchimp.METADATA_URL, json=METADATA)
    root = requests_mock.get("https://us19.api.mailchimp.com/3.0/", json=ACCOUNT_ROOT)
    user = mailchimp.userinfo("mc-token")
    assert metadata.last_request.headers["Authorization"] == "OAuth mc-token"
    assert root.last_request.headers["Authorization"] == "Bearer mc-token"
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        "31337", "ada@acme.example", None, "Ada Lovelace", "ada_acme",
        "https://us19.admin.mailchimp.com/avatar.png",
    )
    assert user.raw["dc"] == "us19"
    assert user.raw["account"]["account_id"] == "8d3a3db4d97663a9074efcc16"
    assert oauth2_mailchimp.api_base_url(user.raw["dc"]) == "https://us19.api.mailchimp.com/3.0"


@pytest.mark.parametrize("dc", ["evil.example/x", "us1.evil.example#", None, ""])
def test_a_bad_data_centre_is_refused(mailchimp, requests_mock, dc) -> None:
    requests_mock.get(oauth2_mailchimp.METADATA_URL, json={**METADATA, "dc": dc})
    with pytest.raises(oauth2_core.OAuth2Error, match="data centre") as caught:
        mailchimp.userinfo("mc-token")
    assert caught.value.error == "userinfo_failed"
    assert requests_mock.call_count == 1  # the token went nowhere else
    if dc:
        with pytest.raises(oauth2_core.ConfigurationError):
            oauth2_mailchimp.api_base_url(dc)


def test_userinfo_failure(mailchimp, requests_mock) -> None:
    requests_mock.get(oauth2_mailchimp.METADATA_URL, status_code=401,
                      json={"error": "invalid_token"})
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401: invalid_token"):
        mailchimp.userinfo("mc-revoked")
