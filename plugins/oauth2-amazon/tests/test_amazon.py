"""Login with Amazon: pinned request and response shapes
(developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html and
customer-profile docs)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import oauth2_amazon
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://api.amazon.com/auth/o2/token"
PROFILE_URL = "https://api.amazon.com/user/profile"


@pytest.fixture
def amazon() -> oauth2_core.OAuth2Client:
    return oauth2_core.client(
        "amazon", client_id="amzn1.application-oa2-client.5e02", client_secret="lwa-secret",
        redirect_uri="https://app.example/cb", plugins=plugin_manager(oauth2_amazon),
    )


def _split(url: str) -> tuple[str, dict[str, list[str]]]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_amazon, entry_point="amazon")
    assert provider.name == "amazon"


def test_authorize_url_has_the_default_profile_scope(amazon) -> None:
    base, query = _split(amazon.authorize_url(state="s1"))
    assert base == "https://www.amazon.com/ap/oa"
    assert query == {
        "response_type": ["code"], "client_id": ["amzn1.application-oa2-client.5e02"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["profile"], "state": ["s1"],
    }


def test_scopes_are_space_separated(amazon) -> None:
    _, query = _split(amazon.authorize_url(scope=["profile", "postal_code"]))
    assert query["scope"] == ["profile postal_code"]


def test_begin_authorization_sends_pkce_with_an_explicit_s256_method(amazon) -> None:
    # Amazon assumes 'plain' when code_challenge_method is absent (authorization-code-grant
    # doc), so the method must always be on the URL.
    request = amazon.begin_authorization()
    _, query = _split(request.url)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert request.code_verifier
    assert query["state"] == [request.state]
    assert "nonce" not in query


def test_code_challenge_without_method_is_refused(amazon) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="plain"):
        amazon.authorize_url(code_challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    # an explicit method is the caller's choice
    _, query = _split(amazon.authorize_url(code_challenge="abc", code_challenge_method="plain"))
    assert query["code_challenge_method"] == ["plain"]


def test_scope_is_required(amazon) -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="requires a scope"):
        amazon.authorize_url(scope=[])


def test_code_exchange_posts_credentials_in_the_body(amazon, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "Atza|IQEBLjAsAhRmHjNgHpi0U-Dme37rR6CuUpSR", "token_type": "bearer",
        "expires_in": 3600, "refresh_token": "Atzr|IQEBLzAtAhRPpMJxdwVz2Nn6f2y-tpJX2DeX",
    })
    token = amazon.get_token(code="SplxlOBeZQQYbYS6WxSbIA", code_verifier="v" * 43)
    request = endpoint.last_request
    assert request.method == "POST"
    assert parse_qs(request.text) == {
        "grant_type": ["authorization_code"], "code": ["SplxlOBeZQQYbYS6WxSbIA"],
        "redirect_uri": ["https://app.example/cb"], "code_verifier": ["v" * 43],
        "client_id": ["amzn1.application-oa2-client.5e02"], "client_secret": ["lwa-secret"],
    }
    assert "Authorization" not in request.headers
    assert token.access_token.startswith("Atza|")
    assert token.refresh_token.startswith("Atzr|")
    assert token.lifetime == 3600
    assert token.expires_at is not None


def test_refresh_keeps_the_refresh_token(amazon, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "Atza|new", "token_type": "bearer", "expires_in": 3600,
    })
    token = amazon.refresh_token("Atzr|old")
    assert parse_qs(endpoint.last_request.text)["grant_type"] == ["refresh_token"]
    assert token.refresh_token == "Atzr|old"


def test_error_response_is_typed(amazon, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_grant",
        "error_description": "The request has an invalid grant parameter : code",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidGrant, match="invalid grant parameter") as caught:
        amazon.get_token(code="used-code")
    assert caught.value.status_code == 400
    assert "used-code" not in str(caught.value)


def test_bearer_header_on_api_calls(amazon, requests_mock) -> None:
    requests_mock.get("https://api.amazon.com/user/profile", json={"user_id": "amzn1.account.X"})
    with amazon.session(oauth2_core.Token(access_token="Atza|abc")) as session:
        session.get(PROFILE_URL)
    assert requests_mock.last_request.headers["Authorization"] == "Bearer Atza|abc"


def test_userinfo_maps_the_profile(amazon, requests_mock) -> None:
    requests_mock.get(PROFILE_URL, json={
        "user_id": "amzn1.account.K2LI23KL2LK2", "email": "mhashimoto-04@plaxo.com",
        "name": "Mork Hashimoto", "postal_code": "98052",
    })
    user = amazon.userinfo(oauth2_core.Token(access_token="Atza|abc"))
    assert requests_mock.last_request.headers["Authorization"] == "Bearer Atza|abc"
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        "amzn1.account.K2LI23KL2LK2", "mhashimoto-04@plaxo.com", None, "Mork Hashimoto",
        None, None,
    )
    assert user.raw["postal_code"] == "98052"


def test_userinfo_without_email_when_only_user_id_was_granted(amazon, requests_mock) -> None:
    requests_mock.get(PROFILE_URL, json={"user_id": "amzn1.account.K2LI23KL2LK2"})
    user = amazon.userinfo(oauth2_core.Token(access_token="Atza|abc"))
    assert (user.id, user.email, user.name) == ("amzn1.account.K2LI23KL2LK2", None, None)


def test_legacy_profile_wrapper_is_understood(amazon, requests_mock) -> None:
    requests_mock.get(PROFILE_URL, json={"Profile": {
        "CustomerId": "amzn1.account.OLD", "Name": "Old Shape", "PrimaryEmail": "old@example.com",
    }})
    user = amazon.userinfo(oauth2_core.Token(access_token="Atza|abc"))
    assert (user.id, user.email, user.name) == ("amzn1.account.OLD", "old@example.com",
                                                "Old Shape")


def test_userinfo_failure_is_an_oauth2_error(amazon, requests_mock) -> None:
    requests_mock.get(PROFILE_URL, status_code=401, json={
        "error": "invalid_token", "error_description": "The access token is invalid",
    })
    with pytest.raises(oauth2_core.OAuth2Error) as caught:
        amazon.userinfo(oauth2_core.Token(access_token="Atza|secret-token"))
    assert caught.value.error == "userinfo_failed"
    assert "secret-token" not in str(caught.value)
