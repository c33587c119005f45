"""Token: a dict with attributes, a stamped expiry and a repr without secrets."""

from __future__ import annotations

import json
import time

import pytest

from oauth2_core import Token, TokenResponseError


@pytest.mark.parametrize("expires_in", [3600, 3600.0, "3600", " 3600 "])
def test_expires_at_is_stamped_from_expires_in_of_any_numeric_shape(expires_in: object) -> None:
    before = time.time()
    token = Token(access_token="a", expires_in=expires_in)
    assert before + 3600 - 1 <= token.expires_at <= time.time() + 3600


@pytest.mark.parametrize("expires_in", [0, "0", None])
def test_zero_or_absent_expires_in_means_no_expiry(expires_in: object) -> None:
    token = Token(access_token="a", expires_in=expires_in)
    assert token.expires_at is None
    assert not token.is_expired(leeway=10**9)


@pytest.mark.parametrize("expires_in", [-1, "-5", "soon", True, [1], float("nan"), float("inf")])
def test_bad_expires_in_is_a_token_response_error(expires_in: object) -> None:
    with pytest.raises(TokenResponseError, match="expires_in"):
        Token(access_token="a", expires_in=expires_in)


def test_a_given_expires_at_wins_so_a_stored_token_keeps_its_expiry() -> None:
    stored = json.dumps(Token(access_token="a", expires_in=60))
    loaded = Token(json.loads(stored))
    assert loaded.expires_at == json.loads(stored)["expires_at"]
    old = Token(access_token="a", expires_in=3600, expires_at=1000)
    assert old.expires_at == 1000 and old.is_expired()


def test_is_expired_honours_leeway() -> None:
    token = Token(access_token="a", expires_at=1000)
    assert not token.is_expired(now=900)
    assert token.is_expired(leeway=100, now=900)
    assert token.is_expired(now=1000)


@pytest.mark.parametrize(("scope", "expected"), [
    ("read write", ("read", "write")),
    ("read,write", ("read", "write")),
    ("read, write", ("read", "write")),
    (["read", "write"], ("read", "write")),
    (None, ()),
    ("", ()),
])
def test_scopes_parse_space_comma_and_lists(scope: object, expected: tuple[str, ...]) -> None:
    assert Token(access_token="a", scope=scope).scopes == expected


def test_it_is_a_dict_with_attributes() -> None:
    token = Token(access_token="a", refresh_token="r", id_token="i", token_type="bearer")
    assert token["access_token"] == token.access_token == "a"
    assert (token.refresh_token, token.id_token, token.token_type) == ("r", "i", "bearer")
    assert isinstance(token, dict)
    assert Token(access_token="a").token_type == "Bearer"


def test_repr_and_str_show_no_secret() -> None:
    token = Token(access_token="SECRET-AT", refresh_token="SECRET-RT", id_token="SECRET-ID",
                  scope="email", authed_user={"access_token": "SECRET-NESTED"},
                  bot_token="SECRET-BOT", token_type="Bearer")
    for text in (repr(token), str(token), f"{token}"):
        assert "SECRET" not in text
    assert "email" in repr(token) and "Bearer" in repr(token)


def test_copy_is_a_token_and_keeps_the_grant_type() -> None:
    token = Token(access_token="a", expires_in=10)
    token.grant_type = "client_credentials"
    copy = token.copy()
    assert isinstance(copy, Token) and copy == token and copy.grant_type == "client_credentials"


def test_lifetime_is_the_issued_expires_in() -> None:
    assert Token(access_token="a", expires_in="120").lifetime == 120
    assert Token(access_token="a").lifetime is None


@pytest.mark.parametrize("field", ["refresh_expires_in", "refresh_token_expires_in"])
def test_refresh_token_expiry_is_stamped_when_the_server_gives_it(field: str) -> None:
    before = time.time()
    token = Token(access_token="a", refresh_token="r", **{field: 1800})
    assert before + 1799 <= token.refresh_expires_at <= time.time() + 1800
    assert Token(json.loads(json.dumps(token))).refresh_expires_at == token.refresh_expires_at
    assert Token(access_token="a", refresh_expires_in=0).refresh_expires_at is None
    with pytest.raises(TokenResponseError, match=field):
        Token(access_token="a", **{field: "never"})
