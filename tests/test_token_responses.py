"""Token endpoint answers: RFC 6749 5.1 success, 5.2 errors, and every malformed shape."""

from __future__ import annotations

import pytest
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import OAuth2Error, TokenResponseError, errors

RFC_ERRORS = {
    "invalid_request": errors.InvalidRequest,
    "invalid_client": errors.InvalidClient,
    "invalid_grant": errors.InvalidGrant,
    "unauthorized_client": errors.UnauthorizedClient,
    "unsupported_grant_type": errors.UnsupportedGrantType,
    "invalid_scope": errors.InvalidScope,
    "access_denied": errors.AccessDenied,
    "unsupported_response_type": errors.UnsupportedResponseType,
    "server_error": errors.ServerError,
    "temporarily_unavailable": errors.TemporarilyUnavailable,
    "authorization_pending": errors.AuthorizationPending,
    "slow_down": errors.SlowDown,
    "expired_token": errors.ExpiredToken,
    "invalid_token": errors.InvalidToken,
    "insufficient_scope": errors.InsufficientScope,
    "unsupported_token_type": errors.UnsupportedTokenType,
}


@pytest.mark.parametrize(("code", "cls"), sorted(RFC_ERRORS.items()))
def test_each_error_code_raises_its_class_with_all_fields(acme, requests_mock, code, cls):
    requests_mock.post(TOKEN_URL, status_code=400, json={
        "error": code, "error_description": "why", "error_uri": "https://docs.test/e"})
    with pytest.raises(cls) as info:
        acme.get_token(code="c")
    err = info.value
    assert isinstance(err, OAuth2Error)
    assert (err.error, err.description, err.uri, err.status_code) == (
        code, "why", "https://docs.test/e", 400)
    assert err.response is not None and err.response.status_code == 400
    assert str(err) == f"{code}: why (HTTP 400) see https://docs.test/e"


def test_an_unknown_error_code_is_a_plain_oauth2_error(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, status_code=400, json={"error": "custom_thing"})
    with pytest.raises(OAuth2Error) as info:
        acme.get_token(code="c")
    assert type(info.value) is OAuth2Error and info.value.error == "custom_thing"


def test_every_error_class_is_exported_and_is_an_oauth2_error() -> None:
    for cls in [*RFC_ERRORS.values(), errors.TokenResponseError, errors.CallbackError,
                errors.StateMismatch, errors.IssuerMismatch, errors.InvalidIDToken,
                errors.TransportError]:
        assert issubclass(cls, OAuth2Error)
        assert getattr(oauth2_core, cls.__name__) is cls
        assert cls().error == cls.code
    assert errors.error_class("invalid_grant") is errors.InvalidGrant
    assert issubclass(oauth2_core.ProviderNotFound, oauth2_core.ConfigurationError)
    assert issubclass(oauth2_core.ConfigurationError, ValueError)


def test_errors_in_an_http_200_are_errors(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json={"error": "invalid_grant",
                                        "error_description": "bad code"})
    with pytest.raises(errors.InvalidGrant) as info:
        acme.get_token(code="c")
    assert info.value.status_code == 200


def test_a_nested_error_object_still_becomes_a_typed_error(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, status_code=400, json={
        "error": {"message": "Invalid verification code", "type": "OAuthException",
                  "code": 100}})
    with pytest.raises(OAuth2Error, match="Invalid verification code") as info:
        acme.get_token(code="c")
    assert info.value.error == "100"


MALFORMED = {
    "html": ({"text": "<html><body>502 Bad Gateway</body></html>", "status_code": 502},
             "HTML body"),
    "plain text": ({"text": "OK"}, "non-JSON body"),
    "empty": ({"text": ""}, "non-JSON body"),
    "truncated json": ({"text": '{"access_token": "a'}, "non-JSON body"),
    "json list": ({"json": ["access_token"]}, "not an object"),
    "json string": ({"json": "token"}, "not an object"),
    "no access_token": ({"json": {"token_type": "Bearer"}}, "no access_token"),
    "empty access_token": ({"json": {"access_token": "", "token_type": "Bearer"}},
                           "no access_token"),
    "numeric access_token": ({"json": {"access_token": 5, "token_type": "Bearer"}},
                             "no access_token"),
    "mac token type": ({"json": {"access_token": "a", "token_type": "mac"}}, "token_type"),
    "token type not text": ({"json": {"access_token": "a", "token_type": 1}}, "token_type"),
    "negative expires_in": ({"json": bearer(expires_in=-10)}, "expires_in"),
    "text expires_in": ({"json": bearer(expires_in="soon")}, "expires_in"),
    "500 without error": ({"json": {"message": "oops"}, "status_code": 500},
                          "HTTP 500 without an error code"),
    "redirect": ({"status_code": 302, "headers": {"Location": "https://elsewhere.test"}},
                 "redirected"),
    "binary": ({"content": b"\xff\xfe\x00junk"}, "non-JSON body"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_responses_are_token_response_errors(acme, requests_mock, case) -> None:
    response, message = MALFORMED[case]
    requests_mock.post(TOKEN_URL, **response)
    with pytest.raises(TokenResponseError, match=message) as info:
        acme.get_token(code="c")
    assert info.value.error == "invalid_token_response"


def test_a_json_object_is_accepted_whatever_its_content_type(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, text='{"access_token": "a", "token_type": "bearer"}',
                       headers={"Content-Type": "text/plain"})
    assert acme.get_token(code="c").access_token == "a"


def test_a_missing_token_type_is_taken_as_bearer(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, json={"access_token": "a"})
    assert acme.get_token(code="c").token_type == "Bearer"


def test_a_provider_may_allow_other_token_types(pm, requests_mock) -> None:
    provider = ACME.with_endpoints(name="dpoppy", token_types=("Bearer", "DPoP"))
    requests_mock.post(TOKEN_URL, json={"access_token": "a", "token_type": "DPoP"})
    client = oauth2_core.client(provider, client_id="i", plugins=pm)
    assert client.get_token(code="c").token_type == "DPoP"


def test_error_messages_never_echo_what_we_sent(acme, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, status_code=400, json={
        "error": "invalid_grant",
        "error_description": "code the-secret-code for acme-secret is wrong"})
    with pytest.raises(errors.InvalidGrant) as info:
        acme.get_token(code="the-secret-code")
    assert "the-secret-code" not in str(info.value)
    assert "the-secret-code" not in info.value.description
    assert "acme-secret" not in str(info.value)
    assert "***" in str(info.value)
