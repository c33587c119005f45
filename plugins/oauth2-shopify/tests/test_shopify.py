"""Shopify: pinned request and response shapes (shopify.dev authorization-code-grant,
offline-access-tokens, the GraphQL Admin API ``shop`` query)."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import oauth2_shopify
import pytest

import oauth2_core
from oauth2_core.testing import check_plugin_contract, fake_token_endpoint, plugin_manager

TOKEN_URL = "https://cool-store.myshopify.com/admin/oauth/access_token"
GRAPHQL_URL = (f"https://cool-store.myshopify.com/admin/api/"
               f"{oauth2_shopify.DEFAULT_API_VERSION}/graphql.json")
# The example from Shopify's documentation of the signed OAuth redirect (secret "hush").
SIGNED = {
    "code": "0907a61c0c8d55e99db179b68161bc00", "shop": "some-shop.myshopify.com",
    "timestamp": "1337178173",
    "hmac": "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20",
}
SIGNED_AT = 1337178173


def make_client(**settings: object) -> oauth2_core.OAuth2Client:
    options: dict[str, object] = {
        "client_id": "f1e2d3c4b5a6", "client_secret": "shpss_secret",
        "redirect_uri": "https://app.example/cb", "plugins": plugin_manager(oauth2_shopify),
        "shop": "cool-store",
    }
    options.update(settings)
    return oauth2_core.client("shopify", **options)


@pytest.fixture
def shopify() -> oauth2_core.OAuth2Client:
    return make_client()


def test_contract() -> None:
    [provider] = check_plugin_contract(oauth2_shopify, entry_point="shopify")
    assert provider.name == "shopify"


def test_authorize_url_is_on_the_shop_with_comma_scopes(shopify) -> None:
    request = shopify.begin_authorization(scope=["read_products", "write_orders"])
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://cool-store.myshopify.com/admin/oauth/authorize"
    )
    assert parse_qs(parts.query) == {
        "response_type": ["code"], "client_id": ["f1e2d3c4b5a6"],
        "redirect_uri": ["https://app.example/cb"], "scope": ["read_products,write_orders"],
        "state": [request.state],
    }
    assert request.code_verifier is None  # Shopify has no PKCE


def test_per_user_access_mode_is_a_plain_parameter(shopify) -> None:
    url = shopify.authorize_url(scope="read_orders", **{"grant_options[]": "per-user"})
    assert parse_qs(urlsplit(url).query)["grant_options[]"] == ["per-user"]


@pytest.mark.parametrize("shop", [
    "evil.com/x", "shop.myshopify.com.evil", "evil.com", "-shop", "shop_name", "a/b",
    "shop.myshopify.com", "https://evil.example", "shop?x=1", "shop#x", "",
])
def test_shop_setting_is_validated(shop) -> None:
    with pytest.raises(oauth2_core.ConfigurationError):
        make_client(shop=shop)


def test_shop_setting_is_required() -> None:
    with pytest.raises(oauth2_core.ConfigurationError, match="needs the setting 'shop'"):
        make_client(shop=None)


def test_shop_from_domain() -> None:
    assert oauth2_shopify.shop_from_domain("some-shop.myshopify.com") == "some-shop"
    for domain in ("some-shop.myshopify.com.evil", "evil.com/x.myshopify.com",
                   "x.evil.com", "a.b.myshopify.com", "some-shop"):
        with pytest.raises(oauth2_core.ConfigurationError):
            oauth2_shopify.shop_from_domain(domain)


def test_code_exchange_posts_credentials_and_asks_for_expiring_tokens(shopify,
                                                                      requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "shpat_f2ab", "scope": "write_orders,read_customers",
        "expires_in": 3600, "refresh_token": "shprt_9c1e", "refresh_token_expires_in": 7776000,
    })
    token = shopify.get_token(code="0907a61c0c8d55e99db179b68161bc00")
    request = endpoint.last_request
    assert request.method == "POST"
    assert parse_qs(request.text) == {
        "grant_type": ["authorization_code"], "code": ["0907a61c0c8d55e99db179b68161bc00"],
        "redirect_uri": ["https://app.example/cb"], "client_id": ["f1e2d3c4b5a6"],
        "client_secret": ["shpss_secret"], "expiring": ["1"],
    }
    assert "Authorization" not in request.headers
    assert token.scopes == ("write_orders", "read_customers")
    assert (token.refresh_token, token.lifetime) == ("shprt_9c1e", 3600)


def test_non_expiring_offline_tokens_on_request(requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "shpat_f2ab", "scope": "read_products",
    })
    token = make_client(expiring_tokens=False).get_token(code="c0de")
    assert "expiring" not in parse_qs(endpoint.last_request.text)
    assert token.expires_at is None
    assert token.scopes == ("read_products",)


def test_refresh_sends_no_expiring_flag(shopify, requests_mock) -> None:
    endpoint = fake_token_endpoint(requests_mock, TOKEN_URL, {
        "access_token": "shpat_new", "scope": "read_products", "expires_in": 3600,
        "refresh_token": "shprt_new",
    })
    token = shopify.refresh_token("shprt_9c1e")
    assert parse_qs(endpoint.last_request.text) == {
        "grant_type": ["refresh_token"], "refresh_token": ["shprt_9c1e"],
        "client_id": ["f1e2d3c4b5a6"], "client_secret": ["shpss_secret"],
    }
    assert token.refresh_token == "shprt_new"


def test_error_response_is_typed(shopify, requests_mock) -> None:
    fake_token_endpoint(requests_mock, TOKEN_URL, {
        "error": "invalid_request",
        "error_description": "The authorization code was not found or was already used",
    }, status_code=400)
    with pytest.raises(oauth2_core.InvalidRequest, match="already used"):
        shopify.get_token(code="0907a61c0c8d55e99db179b68161bc00")


def test_access_token_goes_in_x_shopify_access_token(shopify, requests_mock) -> None:
    requests_mock.get("https://cool-store.myshopify.com/admin/api/2026-10/products.json",
                      json={"products": []})
    with shopify.session(oauth2_core.Token(access_token="shpat_f2ab")) as session:
        session.get("https://cool-store.myshopify.com/admin/api/2026-10/products.json")
    headers = requests_mock.last_request.headers
    assert headers["X-Shopify-Access-Token"] == "shpat_f2ab"
    assert "Authorization" not in headers


def test_callback_hmac_valid(shopify) -> None:
    assert oauth2_shopify.verify_callback_hmac(SIGNED, "hush", now=SIGNED_AT + 5)
    url = "https://app.example/cb?" + "&".join(f"{k}={v}" for k, v in SIGNED.items())
    assert oauth2_shopify.verify_callback_hmac(url, "hush", now=SIGNED_AT + 5)
    assert oauth2_shopify.verify_callback_hmac({**SIGNED, "signature": "legacy"}, "hush",
                                               now=SIGNED_AT)
    assert oauth2_shopify.verify_callback_hmac(SIGNED, "hush", max_age=None)


def test_callback_hmac_tampered(shopify) -> None:
    for changed in ({"shop": "evil-shop.myshopify.com"}, {"code": "0" * 32},
                    {"timestamp": "1337178174"}, {"state": "added"},
                    {"hmac": SIGNED["hmac"].upper()}, {"hmac": ""}):
        assert not oauth2_shopify.verify_callback_hmac({**SIGNED, **changed}, "hush",
                                                       now=SIGNED_AT)
    assert not oauth2_shopify.verify_callback_hmac(SIGNED, "wrong-secret", now=SIGNED_AT)
    unsigned = {k: v for k, v in SIGNED.items() if k != "hmac"}
    assert not oauth2_shopify.verify_callback_hmac(unsigned, "hush", now=SIGNED_AT)
    assert not oauth2_shopify.verify_callback_hmac({**SIGNED, "code": ["a", "b"]}, "hush",
                                                   now=SIGNED_AT)


def test_callback_hmac_refuses_stale_or_future_timestamps() -> None:
    assert not oauth2_shopify.verify_callback_hmac(SIGNED, "hush")  # signed in 2012
    assert not oauth2_shopify.verify_callback_hmac(SIGNED, "hush", now=SIGNED_AT - 301)
    assert oauth2_shopify.verify_callback_hmac(SIGNED, "hush", now=SIGNED_AT + 3000,
                                               max_age=3600)
    bad_stamp = {**SIGNED, "timestamp": "nan"}
    assert not oauth2_shopify.verify_callback_hmac(bad_stamp, "hush", now=SIGNED_AT)


def test_callback_hmac_escapes_delimiters() -> None:
    # '%' and '&' are escaped in names and values, '=' in names, so a value cannot
    # forge another parameter.
    params = {"a": "x&y%z", "b=c": "1", "timestamp": str(SIGNED_AT)}
    message = f"a=x%26y%25z&b%3Dc=1&timestamp={SIGNED_AT}"
    params["hmac"] = hmac.new(b"hush", message.encode(), hashlib.sha256).hexdigest()
    assert oauth2_shopify.verify_callback_hmac(params, "hush", now=SIGNED_AT)


def test_callback_hmac_needs_the_secret() -> None:
    with pytest.raises(oauth2_core.ConfigurationError):
        oauth2_shopify.verify_callback_hmac(SIGNED, "")


def test_userinfo_queries_the_shop(shopify, requests_mock) -> None:
    endpoint = requests_mock.post(GRAPHQL_URL, json={"data": {"shop": {
        "id": "gid://shopify/Shop/548380009", "name": "Cool Store",
        "email": "owner@coolstore.example", "myshopifyDomain": "cool-store.myshopify.com",
    }}, "extensions": {"cost": {"requestedQueryCost": 1}}})
    user = shopify.userinfo(oauth2_core.Token(access_token="shpat_f2ab", scope="read_products"))
    request = endpoint.last_request
    assert request.headers["X-Shopify-Access-Token"] == "shpat_f2ab"
    assert request.json() == {"query": oauth2_shopify.SHOP_QUERY}
    assert (user.id, user.email, user.email_verified, user.name, user.username, user.picture) == (
        "gid://shopify/Shop/548380009", "owner@coolstore.example", None, "Cool Store",
        "cool-store.myshopify.com", None,
    )


def test_api_version_setting(requests_mock) -> None:
    endpoint = requests_mock.post(
        "https://cool-store.myshopify.com/admin/api/2025-07/graphql.json",
        json={"data": {"shop": {"id": "gid://shopify/Shop/1"}}},
    )
    make_client(api_version="2025-07").userinfo("shpat_f2ab")
    assert endpoint.call_count == 1
    with pytest.raises(oauth2_core.ConfigurationError):
        make_client(api_version="../../x")


def test_userinfo_of_an_online_token_is_the_associated_user(shopify, requests_mock) -> None:
    token = oauth2_core.Token({
        "access_token": "shpua_8f1b", "scope": "write_orders", "expires_in": 86399,
        "associated_user_scope": "write_orders", "associated_user": {
            "id": 902541635, "first_name": "John", "last_name": "Smith",
            "email": "john@example.com", "email_verified": True, "account_owner": True,
            "locale": "en", "collaborator": False,
        },
    })
    user = shopify.userinfo(token)
    assert requests_mock.call_count == 0
    assert (user.id, user.email, user.email_verified, user.name) == (
        "902541635", "john@example.com", True, "John Smith",
    )


def test_graphql_errors_in_http_200_fail_userinfo(shopify, requests_mock) -> None:
    requests_mock.post(GRAPHQL_URL, json={"errors": [{
        "message": "Access denied for shop field.",
        "extensions": {"code": "ACCESS_DENIED"},
    }]})
    with pytest.raises(oauth2_core.OAuth2Error, match="Access denied for shop field") as caught:
        shopify.userinfo("shpat_f2ab")
    assert caught.value.error == "userinfo_failed"


def test_userinfo_http_failure(shopify, requests_mock) -> None:
    requests_mock.post(GRAPHQL_URL, status_code=401, json={
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)",
    })
    with pytest.raises(oauth2_core.OAuth2Error, match="HTTP 401") as caught:
        shopify.userinfo("shpat_secret")
    assert "shpat_secret" not in str(caught.value)
