"""The device authorization grant (RFC 8628), polled with a fake sleep."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from acme import ACME, TOKEN_URL, bearer

import oauth2_core
from oauth2_core import (
    AccessDenied,
    ConfigurationError,
    DeviceAuthorization,
    DeviceFlowTimeout,
    ExpiredToken,
    InvalidClient,
    TokenResponseError,
)
from oauth2_core.device import DEVICE_CODE_GRANT

DEVICE_URL = "https://id.acme.test/device"
DEVICE = ACME.with_endpoints(name="acme-device", device_authorization_url=DEVICE_URL)
DEVICE_CODE = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"


def answer(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"device_code": DEVICE_CODE, "user_code": "WDJB-MJHT",
                            "verification_uri": "https://id.acme.test/activate",
                            "verification_uri_complete":
                                "https://id.acme.test/activate?user_code=WDJB-MJHT",
                            "expires_in": 1800, "interval": 5}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def pending(error: str = "authorization_pending") -> dict[str, Any]:
    return {"json": {"error": error}, "status_code": 400}


@pytest.fixture
def client(pm: Any) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(DEVICE, client_id="tv-app", client_secret="tv-secret",
                              plugins=pm)


@pytest.fixture
def public(pm: Any) -> oauth2_core.OAuth2Client:
    return oauth2_core.client(DEVICE, client_id="cli-app", plugins=pm)


class FakeSleep:
    """Records the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


# Starting -------------------------------------------------------------------------------
def test_device_authorization_returns_the_codes(client, requests_mock) -> None:
    requests_mock.post(DEVICE_URL, json=answer())
    before = time.time()
    da = client.device_authorization(scope=["openid", "profile"])
    assert isinstance(da, DeviceAuthorization) and isinstance(da, dict)
    assert (da.device_code, da.user_code, da.verification_uri) == (
        DEVICE_CODE, "WDJB-MJHT", "https://id.acme.test/activate")
    assert da.verification_uri_complete.endswith("user_code=WDJB-MJHT")
    assert (da.expires_in, da.interval) == (1800, 5)
    assert before + 1800 <= da.expires_at <= time.time() + 1800
    sent = requests_mock.last_request
    assert parse_qs(sent.text) == {"scope": ["openid profile"]}
    assert sent.headers["Authorization"].startswith("Basic ")


def test_a_public_client_sends_its_id(public, requests_mock) -> None:
    requests_mock.post(DEVICE_URL, json=answer())
    public.device_authorization()
    assert parse_qs(requests_mock.last_request.text) == {"client_id": ["cli-app"]}


def test_the_repr_hides_the_codes(client, requests_mock) -> None:
    requests_mock.post(DEVICE_URL, json=answer())
    da = client.device_authorization()
    for text in (repr(da), str(da)):
        assert DEVICE_CODE not in text and "WDJB-MJHT" not in text
        assert "https://id.acme.test/activate" in text


def test_a_stored_device_authorization_keeps_its_expiry() -> None:
    da = DeviceAuthorization(answer(expires_in=600))
    again = DeviceAuthorization(json.loads(json.dumps(da)))
    assert again.expires_at == da.expires_at


def test_googles_verification_url_spelling_is_accepted() -> None:
    da = DeviceAuthorization(answer(verification_uri=None,
                                    verification_url="https://www.google.com/device"))
    assert da.verification_uri == "https://www.google.com/device"
    assert da.interval == 5


@pytest.mark.parametrize(("body", "message"), [
    (answer(device_code=None), "lacks device_code"),
    (answer(user_code=""), "lacks user_code"),
    (answer(verification_uri=None), "lacks verification_uri"),
    (answer(expires_in=None), "lacks expires_in"),
    (answer(expires_in="soon"), "expires_in is not a number"),
    (answer(interval=-1), "interval is not a number"),
    (answer(interval=True), "interval is not a number"),
])
def test_a_malformed_answer_is_a_token_response_error(client, requests_mock, body,
                                                      message) -> None:
    requests_mock.post(DEVICE_URL, json=body)
    with pytest.raises(TokenResponseError, match=message):
        client.device_authorization()


def test_a_non_json_answer_is_a_token_response_error(client, requests_mock) -> None:
    requests_mock.post(DEVICE_URL, text="<html>oops</html>")
    with pytest.raises(TokenResponseError, match="not a JSON object"):
        client.device_authorization()


def test_an_error_answer_is_typed_and_scrubbed(client, requests_mock) -> None:
    requests_mock.post(DEVICE_URL, status_code=401, json={
        "error": "invalid_client", "error_description": "bad secret tv-secret"})
    with pytest.raises(InvalidClient) as info:
        client.device_authorization()
    assert "tv-secret" not in str(info.value)


def test_a_provider_without_a_device_endpoint_says_so(acme) -> None:
    with pytest.raises(ConfigurationError, match="device_authorization_url"):
        acme.device_authorization()


# Polling ----------------------------------------------------------------------------------
def test_polling_waits_the_interval_until_approved(client, requests_mock) -> None:
    token_endpoint = requests_mock.post(TOKEN_URL, [pending(), pending(),
                                                    {"json": bearer("at-device")}])
    sleep, shown = FakeSleep(), []
    da = DeviceAuthorization(answer(interval=3))
    token = client.poll_device_token(da, on_code=shown.append, sleep=sleep)
    assert token.access_token == "at-device"
    assert sleep.waits == [3, 3, 3] and shown == [da]
    sent = parse_qs(token_endpoint.last_request.text)
    assert sent == {"grant_type": [DEVICE_CODE_GRANT], "device_code": [DEVICE_CODE]}


def test_the_default_interval_is_five_seconds(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, [pending(), {"json": bearer()}])
    sleep = FakeSleep()
    client.poll_device_token(answer(interval=None), sleep=sleep)
    assert sleep.waits == [5, 5]


def test_slow_down_adds_five_seconds_each_time(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, [pending("slow_down"), pending(), pending("slow_down"),
                                   {"json": bearer()}])
    sleep = FakeSleep()
    client.poll_device_token(answer(), sleep=sleep)
    assert sleep.waits == [5, 10, 10, 15]


@pytest.mark.parametrize(("error", "exception"), [("access_denied", AccessDenied),
                                                  ("expired_token", ExpiredToken)])
def test_a_refusal_or_expiry_at_the_server_ends_polling(client, requests_mock, error,
                                                        exception) -> None:
    requests_mock.post(TOKEN_URL, [pending(), pending(error)])
    sleep = FakeSleep()
    with pytest.raises(exception) as info:
        client.poll_device_token(answer(), sleep=sleep)
    assert len(sleep.waits) == 2 and DEVICE_CODE not in str(info.value)


def test_polling_stops_when_the_device_code_expires(client, requests_mock) -> None:
    token_endpoint = requests_mock.post(TOKEN_URL, **pending())
    sleep = FakeSleep()
    with pytest.raises(ExpiredToken, match="expired before the user approved"):
        client.poll_device_token(answer(expires_in=12), sleep=sleep)
    assert sleep.waits == [5, 5] and token_endpoint.call_count == 2


def test_polling_stops_at_the_timeout(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, **pending())
    sleep = FakeSleep()
    with pytest.raises(DeviceFlowTimeout, match="within 16 s") as info:
        client.poll_device_token(answer(), timeout=16, sleep=sleep)
    assert sleep.waits == [5, 5, 5]
    assert isinstance(info.value, oauth2_core.OAuth2Error)


def test_a_connection_timeout_backs_off(client, requests_mock) -> None:
    requests_mock.post(TOKEN_URL, [{"exc": requests.ConnectTimeout}, {"json": bearer()}])
    sleep = FakeSleep()
    client.poll_device_token(answer(), sleep=sleep)
    assert sleep.waits == [5, 10]


def test_a_public_client_polls_with_its_id(public, requests_mock) -> None:
    token_endpoint = requests_mock.post(TOKEN_URL, json=bearer())
    public.poll_device_token(answer(), sleep=FakeSleep())
    assert parse_qs(token_endpoint.last_request.text)["client_id"] == ["cli-app"]
