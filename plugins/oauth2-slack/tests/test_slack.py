"""Slack: shapes from docs.slack.dev (oauth.v2.access, "Installing with OAuth", token
rotation, "Sign in with Slack", openid.connect.token / userInfo, auth.test, users.info)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import oauth2_slack
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

V2_TOKEN_URL = "https://slack.com/api/oauth.v2.access"
OIDC_TOKEN_URL = "https://slack.com/api/openid.connect.token"
BASIC = "Basic " + base64.b64encode(b"2141029472.691202649728:slack-secret").decode()

INSTALL = {
    "ok": True, "access_token": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
    "token_type": "bot", "scope": "commands,incoming-webhook,users:read",
    "bot_user_id": "U0KRQLJ9H", "app_id": "A0KRD7HC3",
    "team": {"name": "Slack Softball Team", "id": "T9TK3CUKW"},
    "enterprise": None, "is_enterprise_install": False,
    "authed_user": {"id": "U1234", "scope": "chat:write,search:read",
                    "access_token": "xoxp-1234", "token_type": "user"},
}


def make_client(name: str = "slack", **settings: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        name, client_id="2141029472.691202649728", client_secret="slack-secret",
        redirect_uri="https://app.example/slack/cb", plugins=plugin_manager(oauth2_slack),
        **settings,
    )


@pytest.fixture
def slack() -> oauth2_core.OAuth2Client:
    return make_client()


@pytest.fixture
def siws() -> oauth2_core.OAuth2Client:
    return make_client("slack-openid")


def test_contract() -> None:
    providers = check_plugin_contract(oauth2_slack, entry_point="slack")
    assert sorted(p.name for p in providers) == ["slack", "slack-openid"]


def test_install_authorize_url(slack) -> None:
    url = slack.authorize_url(scope=["commands", "chat:write"], state="st",
                              user_scope="search:read", team="T9TK3CUKW")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://slack.com/oauth/v2/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["2141029472.691202649728"],
        "redirect_uri": ["https://app.example/slack/cb"], "scope": ["commands,chat:write"],
        "state": ["st"], "user_scope": ["search:read"], "team": ["T9TK3CUKW"],
    }


def test_user_scope_list_is_comma_joined(slack) -> None:
    query = parse_qs(urlsplit(slack.authorize_url(
        state="st", user_scope=["search:read", "users:read"])).query)
    assert query["user_scope"] == ["search:read,users:read"]


def test_install_sends_no_pkce(slack) -> None:
    request = slack.begin_authorization(scope=["commands"])
    query = parse_qs(urlsplit(request.url).query)
    assert "code_challenge" not in query
    assert request.code_verifier is None


def test_sign_in_authorize_url_has_openid_scopes_nonce_and_pkce(siws) -> None:
    request = siws.begin_authorization()
    parts = urlsplit(request.url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://slack.com/openid/connect/authorize"
    )
    assert query["scope"] == ["openid email profile"]
    assert query["nonce"] == [request.nonce]
    assert query["code_challenge_method"] == ["S256"]


@pytest.mark.parametrize(("name", "url"), [("slack", V2_TOKEN_URL),
                                           ("slack-openid", OIDC_TOKEN_URL)])
def test_code_exchange_uses_basic_auth(requests_mock, name, url) -> None:
    endpoint = fake_token_endpoint(requests_mock, url, {
        "ok": True, "access_token": "xoxp-1234", "token_type": "Bearer",
        "id_token": "eyJ.x.y"} if name == "slack-openid" else INSTALL)
    make_client(name).get_token(code="4724469134.4644010092847")
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["4724469134.4644010092847"],
        "redirect_uri": ["https://app.example/slack/cb"],
    }


def test_install_keeps_the_bot_token_on_top(slack, requests_mock) -> None:
    fake_token_endpoint(requests_mock, V2_TOKEN_URL, INSTALL)
    token = slack.get_token(code="c")
    assert token.access_token == INSTALL["access_token"]
    assert token.token_type == "bot"
    assert token.scopes == ("commands", "incoming-webhook", "users:read")
    assert token["authed_user"]["access_token"] == "xoxp-1234"
    assert token["team"]["id"] == "T9TK3CUKW"


def test_user_only_install_promotes_the_user_token(slack, requests_mock) -> None:
    fake_token_endpoint(requests_mock, V2_TOKEN_URL, {
        "ok": True, "app_id": "A0KRD7HC3", "team": {"id": "T9TK3CUKW", "name": "Softball"},
        "authed_user": {"id": "U1234", "scope": "search:read", "access_token": "xoxp-1234",
                        "token_type": "user", "refresh_token": "xoxe-1-r", "expires_in": 43200},
    })
    token = slack.get_token(code="c")
    assert (token.access_token, token.token_type, token.refresh_token, token.lifetime) == (
        "xoxp-1234", "user", "xoxe-1-r", 43200)
    assert token.scopes == ("search:read",)
    assert "bot" not in token


def test_token_owner_user_setting(requests_mock) -> None:
    fake_token_endpoint(requests_mock, V2_TOKEN_URL, INSTALL)
    token = make_client(token_owner="user").get_token(code="c")
    assert (token.access_token, token.token_type) == ("xoxp-1234", "user")
    assert token.scopes == ("chat:write", "search:read")
    assert token["bot"]["access_token"] == INSTALL["access_token"]
    assert token["bot_user_id"] == "U0KRQLJ9H"


def test_token_owner_must_be_bot_or_user(requests_mock) -> None:
    fake_token_endpoint(requests_mock, V2_TOKEN_URL, INSTALL)
    with pytest.raises(oauth2_core.ConfigurationError, match="token_owner"):
        make_client(token_owner="admin").get_token(code="c")


def test_errors_arrive_with_http_200(slack, requests_mock) -> None:
    fake_token_endpoint(requests_mock, V2_TOKEN_URL, {"ok": False, "error": "invalid_code"})
    with pytest.raises(oauth2_core.InvalidGrant) as caught:
        slack.get_token(code="c")
    assert caught.value.error == "invalid_code"
    assert caught.value.status_code == 200


@pytest.mark.parametrize(("error", "cls"), [
    ("bad_client_secret", oauth2_core.InvalidClient),
    ("invalid_client_id", oauth2_core.InvalidClient),
    ("bad_redirect_uri", oauth2_core.InvalidGrant),
    ("invalid_grant_type", oauth2_core.UnsupportedGrantType),
    ("cannot_install_an_org_installed_app", oauth2_core.OAuth2Error),
])
def test_slack_error_codes(slack, requests_mock, error, cls) -> None:
    fake_token_endpoint(requests_mock, V2_TOKEN_URL, {"ok": False, "error": error})
    with pytest.raises(cls) as caught:
        slack.get_token(code="c")
    assert caught.value.error == error


def test_sign_in_errors_arrive_with_http_200(siws, requests_mock) -> None:
    fake_token_endpoint(requests_mock, OIDC_TOKEN_URL, {"ok": False, "error": "invalid_code"})
    with pytest.raises(oauth2_core.InvalidGrant):
        siws.get_token(code="c")


def test_rotated_token_refresh(slack, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, V2_TOKEN_URL, {
        "ok": True, "access_token": "xoxe.xoxb-new", "token_type": "bot",
        "refresh_token": "xoxe-1-new", "expires_in": 43200, "scope": "commands",
    })
    token = slack.refresh_token("xoxe-1-old")
    assert endpoint.last_request.headers["Authorization"] == BASIC
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": ["xoxe-1-old"]}
    assert (token.access_token, token.refresh_token) == ("xoxe.xoxb-new", "xoxe-1-new")


def test_web_api_calls_carry_bearer(slack, requests_mock) -> None:
    requests_mock.post("https://slack.com/api/chat.postMessage", json={"ok": True})
    slack.session({"access_token": "xoxb-1", "token_type": "bot"}).post(
        "https://slack.com/api/chat.postMessage", json={"channel": "C1", "text": "hi"})
    assert requests_mock.last_request.headers["Authorization"] == "Bearer xoxb-1"


AUTH_TEST = {"ok": True, "url": "https://softball.slack.com/", "team": "Softball",
             "user": "grace", "team_id": "T9TK3CUKW", "user_id": "U1234"}
USERS_INFO = {"ok": True, "user": {
    "id": "U1234", "team_id": "T9TK3CUKW", "name": "grace", "real_name": "Grace Hopper",
    "is_bot": False, "profile": {"real_name": "Grace Hopper", "display_name": "grace",
                                 "email": "grace@softball.example",
                                 "image_192": "https://avatars.slack-edge.com/g_192.png"}}}


def test_install_userinfo(slack, requests_mock) -> None:
    requests_mock.get("https://slack.com/api/auth.test", json=AUTH_TEST)
    info = requests_mock.get("https://slack.com/api/users.info", json=USERS_INFO)
    user = slack.userinfo(oauth2_core.Token(INSTALL))
    assert parse_qs(urlsplit(info.last_request.url).query) == {"user": ["U1234"]}
    assert info.last_request.headers["Authorization"] == f"Bearer {INSTALL['access_token']}"
    assert (user.id, user.email, user.name, user.username, user.picture) == (
        "U1234", "grace@softball.example", "Grace Hopper", "grace",
        "https://avatars.slack-edge.com/g_192.png",
    )
    assert user.raw["team_id"] == "T9TK3CUKW"


def test_install_userinfo_without_users_read_scope(slack, requests_mock) -> None:
    requests_mock.get("https://slack.com/api/auth.test", json=AUTH_TEST)
    requests_mock.get("https://slack.com/api/users.info",
                      json={"ok": False, "error": "missing_scope", "needed": "users:read"})
    user = slack.userinfo("xoxp-1234")
    assert (user.id, user.email, user.name, user.username) == ("U1234", None, None, "grace")


def test_web_api_errors_arrive_with_http_200(slack, requests_mock) -> None:
    requests_mock.get("https://slack.com/api/auth.test",
                      json={"ok": False, "error": "token_revoked"})
    with pytest.raises(oauth2_core.InvalidToken, match="token_revoked"):
        slack.userinfo("xoxp-revoked")


def test_sign_in_userinfo_claims(siws, requests_mock) -> None:
    requests_mock.get("https://slack.com/api/openid.connect.userInfo", json={
        "ok": True, "sub": "U0R7JM", "https://slack.com/user_id": "U0R7JM",
        "https://slack.com/team_id": "T0R7GR", "email": "krane@slack-corp.example",
        "email_verified": True, "date_email_verified": 1622128723, "name": "krane",
        "picture": "https://secure.gravatar.example/k.png", "given_name": "Bront",
        "family_name": "Labradoodle", "locale": "en-US",
    })
    user = siws.userinfo("xoxp-oidc")
    assert requests_mock.last_request.headers["Authorization"] == "Bearer xoxp-oidc"
    assert (user.id, user.email, user.email_verified, user.name, user.picture) == (
        "U0R7JM", "krane@slack-corp.example", True, "krane",
        "https://secure.gravatar.example/k.png",
    )
    assert user.raw["https://slack.com/team_id"] == "T0R7GR"


def test_sign_in_userinfo_errors_arrive_with_http_200(siws, requests_mock) -> None:
    requests_mock.get("https://slack.com/api/openid.connect.userInfo",
                      json={"ok": False, "error": "invalid_auth"})
    with pytest.raises(oauth2_core.InvalidToken, match="invalid_auth"):
        siws.userinfo("xoxp-bad")


def test_sign_in_reads_its_own_environment_variables(monkeypatch) -> None:
    monkeypatch.setenv("OAUTH2_SLACK_OPENID_CLIENT_ID", "env-id")
    client = oauth2_core.client("slack-openid", plugins=plugin_manager(oauth2_slack))
    assert client.client_id == "env-id"


def _signed_id_token(requests_mock, **claims: object) -> str:
    jwt = pytest.importorskip("jwt")
    rsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.rsa")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex  # a new kid: the core's process-wide JWKS cache fetches again
    jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())),
           "kid": kid, "alg": "RS256", "use": "sig"}
    requests_mock.get("https://slack.com/openid/connect/keys", json={"keys": [jwk]})
    now = int(time.time())
    body = {"iss": "https://slack.com", "aud": "2141029472.691202649728", "sub": "U0R7JM",
            "iat": now, "exp": now + 300, "https://slack.com/team_id": "T0R7GR", **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def test_sign_in_id_token_is_checked_against_slacks_issuer(siws, requests_mock) -> None:
    request = siws.begin_authorization()
    id_token = _signed_id_token(requests_mock, nonce=request.nonce)
    fake_token_endpoint(requests_mock, OIDC_TOKEN_URL, {
        "ok": True, "access_token": "xoxp-oidc", "token_type": "Bearer", "id_token": id_token})
    token = siws.complete_authorization(
        f"https://app.example/slack/cb?code=c&state={request.state}", request)
    assert token.id_token == id_token


def test_sign_in_id_token_from_another_issuer_is_refused(siws, requests_mock) -> None:
    request = siws.begin_authorization()
    id_token = _signed_id_token(requests_mock, nonce=request.nonce,
                                iss="https://evil.example")
    fake_token_endpoint(requests_mock, OIDC_TOKEN_URL, {
        "ok": True, "access_token": "xoxp-oidc", "token_type": "Bearer", "id_token": id_token})
    with pytest.raises(oauth2_core.InvalidIDToken, match="iss"):
        siws.complete_authorization(
            f"https://app.example/slack/cb?code=c&state={request.state}", request)
