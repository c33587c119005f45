"""GitHub: request and response shapes from docs.github.com ("Authorizing OAuth apps",
"Refreshing user access tokens", REST "users" and "emails")."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_github
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://github.com/login/oauth/access_token"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "github", client_id="Iv1.8a61f9b3a7aba766", client_secret="gh-secret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_github), **settings,
    )


@pytest.fixture
def github() -> oauth2_core.OAuth2Client:
    return make_client()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_github, entry_point="github")
    assert provider.name == "github"


def test_authorize_url(github) -> None:
    url = github.authorize_url(state="st", allow_signup="false", login="octocat")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://github.com/login/oauth/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["Iv1.8a61f9b3a7aba766"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["read:user user:email"],
        "state": ["st"], "allow_signup": ["false"], "login": ["octocat"],
    }


def test_begin_authorization_sends_pkce_s256(github) -> None:
    request = github.begin_authorization()
    query = parse_qs(urlsplit(request.url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert request.code_verifier
    assert "nonce" not in query


def test_code_exchange_posts_credentials_in_the_body_and_asks_for_json(
    github, requests_mock
) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "gho_16C7e42F292c6912E7710c838347Ae178B4a",
        "scope": "repo,gist", "token_type": "bearer",
    })
    token = github.get_token(code="c0de", code_verifier="v" * 43)
    assert endpoint.last_request.method == "POST"
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["authorization_code"], "code": ["c0de"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
        "client_id": ["Iv1.8a61f9b3a7aba766"], "client_secret": ["gh-secret"],
    }
    assert "Authorization" not in endpoint.last_request.headers
    assert endpoint.last_request.headers["Accept"] == "application/json"
    assert token.access_token == "gho_16C7e42F292c6912E7710c838347Ae178B4a"
    assert token.scopes == ("repo", "gist")  # GitHub returns scopes comma-separated
    assert token.expires_at is None  # OAuth App tokens do not expire


def test_github_app_expiring_token_and_refresh(github, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "ghu_new", "expires_in": 28800, "refresh_token": "ghr_new",
        "refresh_token_expires_in": 15897600, "scope": "", "token_type": "bearer",
    })
    token = github.refresh_token("ghr_old")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": ["ghr_old"],
        "client_id": ["Iv1.8a61f9b3a7aba766"], "client_secret": ["gh-secret"],
    }
    assert token.refresh_token == "ghr_new"
    assert token.lifetime == 28800
    assert token["refresh_token_expires_in"] == 15897600


def test_form_encoded_token_response_is_parsed(github, requests_mock) -> None:
    # What GitHub sends when the Accept header is lost on the way.
    fake_token_endpoint(requests_mock, TOKEN_URL, headers=FORM,
                        text="access_token=gho_abc&scope=repo%2Cgist&token_type=bearer")
    token = github.get_token(code="c0de")
    assert token.access_token == "gho_abc"
    assert token.token_type == "bearer"
    assert token.scopes == ("repo", "gist")


def test_errors_arrive_with_http_200(github, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "bad_verification_code",
        "error_description": "The code passed is incorrect or expired.",
        "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting",
    })
    with pytest.raises(oauth2_core.InvalidGrant, match="incorrect or expired") as caught:
        github.get_token(code="c0de-used")
    assert caught.value.error == "bad_verification_code"  # GitHub's own code is kept
    assert caught.value.status_code == 200
    assert caught.value.uri.startswith("https://docs.github.com/")


def test_form_encoded_error_with_http_200_is_typed(github, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, headers=FORM, text=(
        "error=incorrect_client_credentials&error_description=The+client_id+and%2For+"
        "client_secret+passed+are+incorrect."
    ))
    with pytest.raises(oauth2_core.InvalidClient, match="client_secret passed are incorrect"):
        github.get_token(code="c0de")


def test_redirect_uri_mismatch_is_invalid_grant(github, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "redirect_uri_mismatch",
        "error_description": "The redirect_uri MUST match the registered callback URL.",
    })
    with pytest.raises(oauth2_core.InvalidGrant):
        github.get_token(code="c0de")


def test_other_github_errors_keep_their_code(github, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "unverified_user_email", "error_description": "The user must have a "
        "verified primary email.",
    })
    with pytest.raises(oauth2_core.OAuth2Error) as caught:
        github.get_token(code="c0de")
    assert caught.value.error == "unverified_user_email"


def test_html_answer_is_a_token_response_error(github, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, status_code=502,
                        headers={"Content-Type": "text/html"},
                        text="<html><body>Unicorn!</body></html>")
    with pytest.raises(oauth2_core.TokenResponseError, match="HTML body") as caught:
        github.get_token(code="c0de")
    assert "Unicorn" not in str(caught.value)


def test_api_calls_carry_bearer_and_a_user_agent(github, requests_mock) -> None:
    requests_mock.get("https://api.github.com/repos/octo/hello", json={})
    github.session({"access_token": "gho_abc", "token_type": "bearer"}).get(
        "https://api.github.com/repos/octo/hello")
    headers = requests_mock.last_request.headers
    assert headers["Authorization"] == "Bearer gho_abc"
    assert headers["User-Agent"] == oauth2_github.DEFAULT_USER_AGENT


def test_user_agent_setting_wins(requests_mock) -> None:
    requests_mock.get("https://api.github.com/user/repos", json=[])
    make_client(user_agent="acme-dashboard/2.1").session("gho_abc").get(
        "https://api.github.com/user/repos")
    assert requests_mock.last_request.headers["User-Agent"] == "acme-dashboard/2.1"


def test_a_user_agent_given_on_the_call_is_kept(github, requests_mock) -> None:
    requests_mock.get("https://api.github.com/user/repos", json=[])
    github.session("gho_abc").get("https://api.github.com/user/repos",
                                  headers={"User-Agent": "my-script/1.0"})
    assert requests_mock.last_request.headers["User-Agent"] == "my-script/1.0"


PROFILE = {
    "login": "octocat", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==",
    "avatar_url": "https://avatars.githubusercontent.com/u/583231?v=4",
    "type": "User", "name": "The Octocat", "company": "@github",
    "email": "octocat@github.com", "public_repos": 8,
}


def test_userinfo_with_a_public_email(github, requests_mock) -> None:
    requests_mock.get("https://api.github.com/user", json=PROFILE)
    emails = requests_mock.get("https://api.github.com/user/emails", json=[])
    user = github.userinfo("gho_abc")
    assert (user.id, user.username, user.name, user.email, user.email_verified, user.picture) == (
        "583231", "octocat", "The Octocat", "octocat@github.com", None,
        "https://avatars.githubusercontent.com/u/583231?v=4",
    )
    assert user.raw["node_id"] == "MDQ6VXNlcjU4MzIzMQ=="
    assert not emails.called
    assert requests_mock.last_request.headers["User-Agent"] == oauth2_github.DEFAULT_USER_AGENT


def test_hidden_email_comes_from_user_emails(github, requests_mock) -> None:
    requests_mock.get("https://api.github.com/user", json={**PROFILE, "email": None})
    requests_mock.get("https://api.github.com/user/emails", json=[
        {"email": "octo@old.example", "verified": True, "primary": False, "visibility": None},
        {"email": "octocat@github.com", "verified": True, "primary": True,
         "visibility": "private"},
    ])
    user = github.userinfo("gho_abc")
    assert (user.email, user.email_verified) == ("octocat@github.com", True)
    assert len(user.raw["emails"]) == 2
    assert requests_mock.last_request.headers["Authorization"] == "Bearer gho_abc"


def test_hidden_email_without_the_email_scope_is_none(github, requests_mock) -> None:
    requests_mock.get("https://api.github.com/user", json={**PROFILE, "email": None})
    requests_mock.get("https://api.github.com/user/emails", status_code=404,
                      json={"message": "Not Found"})
    user = github.userinfo("gho_abc")
    assert (user.id, user.email, user.email_verified) == ("583231", None, None)


def test_userinfo_failure_is_an_oauth2_error(github, requests_mock) -> None:
    requests_mock.get("https://api.github.com/user", status_code=401,
                      json={"message": "Bad credentials"})
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401") as caught:
        github.userinfo("gho_revoked")
    assert caught.value.error == "userinfo_failed"


def test_enterprise_server_uses_the_base_and_api_settings(requests_mock) -> None:
    ghes = make_client(base="https://ghe.acme.example", api="https://ghe.acme.example/api/v3")
    assert ghes.authorize_url(state="s").startswith(
        "https://ghe.acme.example/login/oauth/authorize?")
    fake_token_endpoint(requests_mock, "https://ghe.acme.example/login/oauth/access_token",
                        {"access_token": "gho_e", "token_type": "bearer", "scope": ""})
    assert ghes.get_token(code="c").access_token == "gho_e"
    requests_mock.get("https://ghe.acme.example/api/v3/user", json=PROFILE)
    assert ghes.userinfo("gho_e").username == "octocat"


@pytest.mark.parametrize("base", ["http://ghe.acme.example", "https://ghe.acme.example/x?y"])
def test_enterprise_base_must_be_an_https_host(base) -> None:
    with pytest.raises(oauth2_core.ConfigurationError):
        make_client(base=base)
