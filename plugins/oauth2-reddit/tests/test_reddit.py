"""Reddit: shapes from the reddit-archive/reddit wiki "OAuth2" (authorize, access_token,
refresh, revoke_token), the API rules on User-Agent, and GET /api/v1/me."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

import oauth2_reddit
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://www.reddit.com/api/v1/access_token"
DEFAULT_UA = "python:p-jcoLKBynTLew:0.1.0 (oauth2-core; oauth2-reddit)"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    settings.setdefault("client_secret", "gko_LXELoV07ZBNUXrvWZfzE3aI")
    return oauth2_core.client(
        "reddit", client_id="p-jcoLKBynTLew", redirect_uri="https://app.example/cb",
        plugins=plugin_manager(oauth2_reddit), **settings,
    )


@pytest.fixture
def reddit() -> oauth2_core.OAuth2Client:
    return make_client()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_reddit, entry_point="reddit")
    assert provider.name == "reddit"


def test_authorize_url_asks_for_a_permanent_grant(reddit) -> None:
    parts = urlsplit(reddit.authorize_url(scope=["identity", "read"], state="st"))
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.reddit.com/api/v1/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["p-jcoLKBynTLew"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["identity read"],
        "duration": ["permanent"], "state": ["st"],
    }


def test_temporary_duration_can_be_asked_for(reddit) -> None:
    query = parse_qs(urlsplit(reddit.authorize_url(state="s", duration="temporary")).query)
    assert query["duration"] == ["temporary"]


def test_begin_authorization_sends_no_pkce(reddit) -> None:
    request = reddit.begin_authorization()
    query = parse_qs(urlsplit(request.url).query)
    assert "code_challenge" not in query and request.code_verifier is None
    assert query["duration"] == ["permanent"]


def test_code_exchange_uses_basic_auth_and_a_user_agent(reddit, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "eyJhbGciOiJSUzI1NiIs", "token_type": "bearer", "expires_in": 86400,
        "refresh_token": "1234-r3fr3sh", "scope": "identity read",
    })
    token = reddit.get_token(code="c0de")
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert sent.headers["Authorization"] == basic("p-jcoLKBynTLew", "gko_LXELoV07ZBNUXrvWZfzE3aI")
    assert parse_qs(sent.text) == {"grant_type": ["authorization_code"], "code": ["c0de"],
                                   "redirect_uri": ["https://app.example/cb"]}
    assert sent.headers["User-Agent"] == DEFAULT_UA
    assert (token.token_type, token.refresh_token, token.lifetime) == (
        "bearer", "1234-r3fr3sh", 86400)
    assert token.scopes == ("identity", "read")


def test_token_requests_carry_the_user_agent_setting(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    make_client(user_agent="web:com.acme.reader:v1.2 (by /u/acme)").get_token(code="c")
    assert endpoint.last_request.headers["User-Agent"] == "web:com.acme.reader:v1.2 (by /u/acme)"


def test_installed_app_sends_basic_with_an_empty_password(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    make_client(client_secret=None).get_token(code="c0de")
    sent = endpoint.last_request
    assert sent.headers["Authorization"] == basic("p-jcoLKBynTLew", "")
    assert "client_id" not in parse_qs(sent.text)


def test_basic_even_when_post_is_configured(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL)
    make_client(token_endpoint_auth_method="client_secret_post").get_token(code="c0de")
    sent = endpoint.last_request
    assert sent.headers["Authorization"].startswith("Basic ")
    assert "client_secret" not in parse_qs(sent.text)


def test_refresh_uses_basic_auth(reddit, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "new", "token_type": "bearer", "expires_in": 86400, "scope": "identity",
    })
    token = reddit.refresh_token("1234-r3fr3sh")
    assert endpoint.last_request.headers["Authorization"].startswith("Basic ")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": ["1234-r3fr3sh"]}
    assert token.refresh_token == "1234-r3fr3sh"  # Reddit does not rotate it


def test_errors_arrive_with_http_200(reddit, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"error": "invalid_grant"})
    with pytest.raises(oauth2_core.InvalidGrant) as caught:
        reddit.get_token(code="used")
    assert caught.value.status_code == 200


def test_bad_credentials_answer_a_numeric_error(reddit, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"message": "Unauthorized", "error": 401},
                        status_code=401)
    with pytest.raises(oauth2_core.InvalidClient, match="Unauthorized") as caught:
        reddit.get_token(code="c0de")
    assert caught.value.error == "invalid_client"


def test_other_numeric_errors(reddit, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {"message": "Too Many Requests",
                                                   "error": 429}, status_code=429)
    with pytest.raises(oauth2_core.OAuth2Error, match="Too Many Requests") as caught:
        reddit.get_token(code="c0de")
    assert caught.value.error == "reddit_429"


def test_html_block_page_is_a_token_response_error(reddit, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, status_code=403,
                        headers={"Content-Type": "text/html"},
                        text="<html><body>whoa there, pardner!</body></html>")
    with pytest.raises(oauth2_core.TokenResponseError, match="HTML body"):
        reddit.get_token(code="c0de")


def test_api_calls_carry_lowercase_bearer_and_the_user_agent(reddit, requests_mock) -> None:
    requests_mock.get("https://oauth.reddit.com/r/python/hot", json={"data": {}})
    reddit.session({"access_token": "tok", "token_type": "bearer"}).get(
        "https://oauth.reddit.com/r/python/hot")
    headers = requests_mock.last_request.headers
    assert headers["Authorization"] == "bearer tok"
    assert headers["User-Agent"] == DEFAULT_UA


def test_user_agent_setting_wins_on_api_calls(requests_mock) -> None:
    requests_mock.get("https://oauth.reddit.com/api/v1/me/prefs", json={})
    make_client(user_agent="web:com.acme.reader:v1.2 (by /u/acme)").session("tok").get(
        "https://oauth.reddit.com/api/v1/me/prefs", headers={"User-Agent": "other"})
    assert requests_mock.last_request.headers["User-Agent"] == (
        "web:com.acme.reader:v1.2 (by /u/acme)")


def test_userinfo_unescapes_the_icon_url(reddit, requests_mock) -> None:
    requests_mock.get("https://oauth.reddit.com/api/v1/me", json={
        "id": "1w72", "name": "spez", "has_verified_email": True, "total_karma": 100,
        "icon_img": "https://styles.redditmedia.com/t5_3k30p/styles/profileIcon_x.png"
                    "?width=256&amp;height=256&amp;s=abc",
        "subreddit": {"display_name": "u_spez", "title": "Steve", "public_description": ""},
    })
    user = reddit.userinfo("tok")
    assert requests_mock.last_request.headers["Authorization"] == "bearer tok"
    assert (user.id, user.username, user.name, user.email) == ("1w72", "spez", "Steve", None)
    assert user.picture == ("https://styles.redditmedia.com/t5_3k30p/styles/profileIcon_x.png"
                            "?width=256&height=256&s=abc")


def test_userinfo_without_identity_scope(reddit, requests_mock) -> None:
    requests_mock.get("https://oauth.reddit.com/api/v1/me", status_code=403,
                      json={"message": "Forbidden", "error": 403})
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 403") as caught:
        reddit.userinfo("tok")
    assert caught.value.error == "userinfo_failed"


def test_revocation_uses_basic_auth(reddit, requests_mock) -> None:
    endpoint = requests_mock.post("https://www.reddit.com/api/v1/revoke_token", text="")
    reddit.revoke_token(oauth2_core.Token(access_token="tok", refresh_token="1234-r3fr3sh"))
    sent = endpoint.last_request
    assert sent.headers["Authorization"].startswith("Basic ")
    assert sent.headers["User-Agent"] == DEFAULT_UA
    assert parse_qs(sent.text) == {"token": ["1234-r3fr3sh"],
                                   "token_type_hint": ["refresh_token"]}
