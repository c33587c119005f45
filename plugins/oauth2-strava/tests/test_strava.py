"""Strava: shapes from developers.strava.com/docs/authentication and the API reference."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import oauth2_strava
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://www.strava.com/oauth/token"
DEAUTHORIZE_URL = "https://www.strava.com/oauth/deauthorize"
ATHLETE_URL = "https://www.strava.com/api/v3/athlete"
ATHLETE = {
    "id": 134815, "username": "marianne_t", "resource_state": 2, "firstname": "Marianne",
    "lastname": "Teutenberg", "city": "San Francisco", "state": "CA", "country": "US",
    "sex": "F", "premium": True, "summit": True, "created_at": "2017-11-14T02:30:05Z",
    "updated_at": "2018-02-06T19:32:20Z", "badge_type_id": 4,
    "profile_medium": "https://dgalywyr863hv.cloudfront.net/pictures/athletes/134815/medium.jpg",
    "profile": "https://dgalywyr863hv.cloudfront.net/pictures/athletes/134815/large.jpg",
}
CODE_TOKEN = {
    "token_type": "Bearer", "expires_at": 1568775134, "expires_in": 21600,
    "refresh_token": "e5n567567a4b945687g", "access_token": "a4b945687g567567e5n",
    "athlete": ATHLETE,
}


@pytest.fixture
def strava() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "strava", client_id="12345", client_secret="ssecret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_strava),
    )


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_strava, entry_point="strava")
    assert provider.name == "strava"


def test_authorize_url_joins_scopes_with_commas(strava) -> None:
    url = strava.authorize_url(scope=["read", "activity:read_all"], state="s1",
                               approval_prompt="force")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://www.strava.com/oauth/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["12345"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["read,activity:read_all"],
        "state": ["s1"], "approval_prompt": ["force"],
    }


def test_begin_authorization_sends_no_pkce(strava) -> None:
    request = strava.begin_authorization()
    query = parse_qs(urlsplit(request.url).query)
    assert "code_challenge" not in query
    assert request.code_verifier is None
    assert query["scope"] == ["read"]


def test_code_exchange_posts_client_credentials_in_the_body(strava, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    strava.get_token(code="b55003496d87a9f0b694ca1680cd5690d27d9d28")
    sent = endpoint.last_request
    assert sent.method == "POST"
    assert "Authorization" not in sent.headers
    assert parse_qs(sent.text) == {
        "grant_type": ["authorization_code"],
        "code": ["b55003496d87a9f0b694ca1680cd5690d27d9d28"],
        "redirect_uri": ["https://app.example/cb"],
        "client_id": ["12345"], "client_secret": ["ssecret"],
    }


def test_absolute_expires_at_is_kept(strava, requests_mock) -> None:
    # expires_at is Strava's clock, not now + expires_in: it must survive as sent.
    fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    token = strava.get_token(code="c0de")
    assert token.expires_at == 1568775134
    assert token["expires_at"] == 1568775134
    assert token.is_expired()
    assert oauth2_core.Token(dict(token)).expires_at == 1568775134  # and when stored/loaded


def test_token_response_embeds_the_athlete(strava, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    token = strava.get_token(code="c0de")
    assert token["athlete"]["id"] == 134815
    assert token.refresh_token == "e5n567567a4b945687g"
    assert "a4b945687g567567e5n" not in repr(token)


def test_rotating_refresh_token_replaces_the_old_one(strava, requests_mock) -> None:
    expires_at = int(time.time()) + 21600
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "token_type": "Bearer", "access_token": "a9b723", "expires_at": expires_at,
        "expires_in": 21600, "refresh_token": "b5c569",
    })
    old = oauth2_core.Token(CODE_TOKEN, scope="read")
    token = strava.refresh_token(old)
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": ["e5n567567a4b945687g"],
        "client_id": ["12345"], "client_secret": ["ssecret"],
    }
    assert (token.refresh_token, token.expires_at, token.scopes) == (
        "b5c569", expires_at, ("read",),
    )


@pytest.mark.parametrize(("fault", "error_class"), [
    ({"message": "Bad Request",
      "errors": [{"resource": "AuthorizationCode", "field": "code", "code": "invalid"}]},
     oauth2_core.InvalidGrant),
    ({"message": "Bad Request",
      "errors": [{"resource": "AuthorizationCode", "field": "", "code": "expired"}]},
     oauth2_core.InvalidGrant),
    ({"message": "Bad Request",
      "errors": [{"resource": "RefreshToken", "field": "refresh_token", "code": "invalid"}]},
     oauth2_core.InvalidGrant),
    ({"message": "Bad Request",
      "errors": [{"resource": "Application", "field": "client_id", "code": "invalid"}]},
     oauth2_core.InvalidClient),
    ({"message": "Bad Request",
      "errors": [{"resource": "Application", "field": "redirect_uri", "code": "invalid"}]},
     oauth2_core.InvalidRequest),
])
def test_strava_fault_objects_become_typed_errors(strava, requests_mock, fault,
                                                  error_class) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, fault, status_code=400)
    with pytest.raises(error_class) as caught:
        strava.get_token(code="b55003496d87a9f0b694ca1680cd5690d27d9d28")
    error = caught.value
    assert error.status_code == 400
    assert error.description.startswith("Bad Request: " + fault["errors"][0]["resource"])
    assert "b55003496d87a9f0b694ca1680cd5690d27d9d28" not in str(error)


def test_session_sends_a_bearer_header(strava, requests_mock) -> None:
    api = requests_mock.get("https://www.strava.com/api/v3/athlete/activities", json=[])
    token = oauth2_core.Token(access_token="a4b945", expires_at=time.time() + 3600)
    with strava.session(token) as session:
        session.get("https://www.strava.com/api/v3/athlete/activities")
    assert api.last_request.headers["Authorization"] == "Bearer a4b945"


def test_userinfo_uses_the_athlete_in_the_token(strava, requests_mock) -> None:
    user = strava.userinfo(oauth2_core.Token(CODE_TOKEN))
    assert requests_mock.call_count == 0
    assert (user.id, user.name, user.username, user.email, user.email_verified) == (
        "134815", "Marianne Teutenberg", "marianne_t", None, None,
    )
    assert user.picture == ATHLETE["profile"]
    assert user.raw["city"] == "San Francisco"


def test_userinfo_fetches_the_athlete_when_the_token_has_none(strava, requests_mock) -> None:
    requests_mock.get(ATHLETE_URL, json={**ATHLETE, "resource_state": 3, "weight": 61.2})
    user = strava.userinfo(oauth2_core.Token(access_token="a9b723"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer a9b723"
    assert (user.id, user.raw["weight"]) == ("134815", 61.2)


def test_placeholder_avatar_is_not_a_picture(strava) -> None:
    athlete = {**ATHLETE, "username": None, "profile": "avatar/athlete/large.png"}
    user = strava.userinfo(oauth2_core.Token(CODE_TOKEN, athlete=athlete))
    assert (user.picture, user.username) == (None, None)


def test_userinfo_failure(strava, requests_mock) -> None:
    requests_mock.get(ATHLETE_URL, status_code=401, json={
        "message": "Authorization Error",
        "errors": [{"resource": "Athlete", "field": "access_token", "code": "invalid"}],
    })
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401"):
        strava.userinfo(oauth2_core.Token(access_token="revoked"))


def test_user_may_drop_scopes_so_the_callback_scope_wins(strava, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, CODE_TOKEN)
    request = strava.begin_authorization(scope=["read", "activity:read_all", "profile:write"])
    callback = "https://app.example/cb?" + urlencode(
        {"state": request.state, "code": "b55003", "scope": "read,activity:read_all"})
    token = oauth2_strava.complete_authorization(strava, callback, request.to_dict())
    assert token.scopes == ("read", "activity:read_all")
    assert oauth2_strava.granted_scopes(callback) == ("read", "activity:read_all")
    assert oauth2_strava.granted_scopes({"code": "x"}) is None


def test_deauthorize_posts_the_access_token_only(strava, requests_mock) -> None:
    endpoint = requests_mock.post(DEAUTHORIZE_URL, json={"access_token": "a4b945687g567567e5n"})
    strava.revoke_token(oauth2_core.Token(CODE_TOKEN), token_type_hint="access_token")
    sent = endpoint.last_request
    assert parse_qs(sent.text) == {"access_token": ["a4b945687g567567e5n"]}
    assert "Authorization" not in sent.headers


def test_deauthorize_refuses_a_refresh_token(strava, requests_mock) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="access token"):
        strava.revoke_token(oauth2_core.Token(CODE_TOKEN))
    assert requests_mock.call_count == 0
