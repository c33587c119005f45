"""Property-based tests: whatever a server, a browser or a token file hands the client,
the answer is a :class:`Token` or an :class:`OAuth2Error` subclass, never a stray
``KeyError``, ``TypeError`` or ``JSONDecodeError``.

Profiles (``HYPOTHESIS_PROFILE``): ``default`` runs a few hundred inputs per test;
``slow`` (``tox -e slow``) runs over 100,000 inputs in all.
"""

from __future__ import annotations

import json
import os
import string
from typing import Any, Callable
from urllib.parse import urlencode

import requests
from acme import ACME
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.adapters import BaseAdapter

from oauth2_core import AuthorizationRequest, OAuth2Client, OAuth2Error, Token
from oauth2_core.plugins import make_plugin_manager
from oauth2_core.tokens import parse_scope

settings.register_profile(
    "default", max_examples=300, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "slow", deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "default")
settings.load_profile(PROFILE)
#: Inputs per test in the slow profile: cheap tests get more; over 100,000 in all.
SLOW_BUDGET: dict[str, int] = {}


def budget(slow: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Run the decorated property ``slow`` times in the slow profile."""
    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        SLOW_BUDGET[test.__name__] = slow
        if PROFILE != "slow":
            return test
        return settings(max_examples=slow)(test)
    return decorate


# A transport that answers whatever the example says -----------------------------------
class CannedAdapter(BaseAdapter):
    """Answers every request with the response in ``self.answer`` (status, headers,
    body); counts the requests."""

    def __init__(self) -> None:
        super().__init__()
        self.answer: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")
        self.sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent += 1
        status, headers, body = self.answer
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = body
        response._content_consumed = True  # type: ignore[attr-defined]
        response.url = request.url or ""
        response.request = request
        response.encoding = None
        return response

    def close(self) -> None:
        pass


def make_client() -> tuple[OAuth2Client, CannedAdapter]:
    adapter = CannedAdapter()
    session = requests.Session()
    session.mount("https://", adapter)
    client = OAuth2Client(ACME, "acme-id", "acme-secret", redirect_uri="https://app.test/cb",
                          plugins=make_plugin_manager(), session=session, retry=False)
    return client, adapter


CLIENT, ADAPTER = make_client()

# Strategies ---------------------------------------------------------------------------
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                  max_size=4),
    max_leaves=6,
)
TOKEN_FIELDS = ["access_token", "token_type", "expires_in", "expires_at", "refresh_token",
                "scope", "id_token", "error", "error_description", "error_uri"]
plausible_values = st.one_of(
    json_values,
    st.sampled_from(["Bearer", "bearer", "MAC", "DPoP", "N_A", "invalid_grant",
                     "access_denied", "slow_down", "3600", "-1", "1e309", "0x10", " 60 ",
                     "openid email", "a,b c", ""]),
    st.integers(min_value=-10, max_value=10**12),
)
token_fields = st.dictionaries(
    st.one_of(st.sampled_from(TOKEN_FIELDS), st.text(max_size=12)), plausible_values,
    max_size=8,
)
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain",
                 "text/html", "application/x-www-form-urlencoded", "", "application/jwt"]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["json", "json", "form", "any-json", "bytes", "text",
                                 "html"]))
    if kind == "json":
        return json.dumps(draw(token_fields)).encode()
    if kind == "form":
        return urlencode({k: v if isinstance(v, str) else json.dumps(v)
                          for k, v in draw(token_fields).items()}).encode()
    if kind == "any-json":
        return json.dumps(draw(json_values)).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "html":
        return b"<html><body>" + draw(st.text(max_size=50)).encode() + b"</body></html>"
    return draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")


answers = st.tuples(
    st.one_of(st.sampled_from([200, 201, 204, 301, 302, 307, 400, 401, 403, 429, 500, 502,
                               503]), st.integers(min_value=100, max_value=599)),
    st.builds(lambda ct: {"Content-Type": ct} if ct else {},
              st.one_of(st.sampled_from(CONTENT_TYPES),
                        st.text(alphabet=string.printable.strip(), max_size=20))),
    bodies(),
)


# Token responses -------------------------------------------------------------------------
@budget(slow=8_000)
@given(answer=answers, grant=st.sampled_from(["authorization_code", "refresh_token",
                                              "client_credentials"]))
def test_any_token_response_becomes_a_token_or_an_oauth2_error(answer, grant) -> None:
    ADAPTER.answer = answer
    try:
        if grant == "authorization_code":
            token = CLIENT.get_token(code="the-authorization-code")
        elif grant == "refresh_token":
            token = CLIENT.refresh_token("the-refresh-token")
        else:
            token = CLIENT.client_credentials()
    except OAuth2Error as exc:
        assert "the-authorization-code" not in str(exc)
        assert "the-refresh-token" not in str(exc)
        assert "acme-secret" not in str(exc)
        return
    assert isinstance(token, Token)
    assert isinstance(token.access_token, str) and token.access_token
    assert answer[0] == 200
    assert token.expires_at is None or isinstance(token.expires_at, float)
    assert all(isinstance(s, str) and s for s in token.scopes)


# Callbacks -------------------------------------------------------------------------------
STATE = "the-state-of-this-request-0123456789"
REQUEST = AuthorizationRequest(url="https://id.acme.test/authorize?x", state=STATE,
                               redirect_uri="https://app.test/cb", code_verifier="v" * 43)
GOOD_TOKEN = (200, {"Content-Type": "application/json"},
              json.dumps({"access_token": "callback-token", "token_type": "Bearer"}).encode())
callback_params = st.dictionaries(
    st.one_of(st.sampled_from(["code", "state", "error", "error_description", "iss",
                               "session_state"]), st.text(max_size=8)),
    st.one_of(st.text(max_size=30), st.just(STATE), st.just("https://id.acme.test"),
              st.sampled_from(["access_denied", "server_error", ""])),
    max_size=6,
)


REPEATS = st.integers(min_value=0, max_value=3)


@st.composite
def callbacks(draw: st.DrawFn) -> Any:
    params = draw(callback_params)
    kind = draw(st.sampled_from(["query", "fragment", "bare", "mapping", "lists", "junk",
                                 "text"]))
    if kind == "query":
        return "https://app.test/cb?" + urlencode(params)
    if kind == "fragment":
        return "https://app.test/cb#" + urlencode(params)
    if kind == "bare":
        return urlencode(params)
    if kind == "mapping":
        return params
    if kind == "lists":
        return {k: [v] * draw(REPEATS) for k, v in params.items()}
    if kind == "junk":
        return draw(st.one_of(st.none(), st.integers(), st.binary(max_size=20),
                              st.lists(st.text(max_size=5), max_size=3)))
    return draw(st.text(max_size=120))


@budget(slow=8_000)
@given(callback=callbacks(), answer=st.one_of(st.just(GOOD_TOKEN), answers))
def test_any_callback_gives_a_token_only_with_the_right_state(callback, answer) -> None:
    ADAPTER.answer = answer
    try:
        token = CLIENT.complete_authorization(callback, REQUEST)
    except OAuth2Error:
        return
    assert isinstance(token, Token) and token.access_token
    # Only a callback that echoed this request's state may yield a token.
    text = callback if isinstance(callback, str) else json.dumps(callback)
    assert STATE in text


# Scopes ----------------------------------------------------------------------------------
scope_values = st.one_of(
    st.text(max_size=60), st.text(alphabet=string.ascii_letters + " ,\t\n:/.", max_size=60),
    st.lists(st.one_of(st.text(max_size=10), st.none(), st.integers()), max_size=6),
    st.tuples(st.text(max_size=10)), json_scalars,
)


@budget(slow=30_000)
@given(value=scope_values)
def test_any_scope_parses_to_non_empty_strings(value) -> None:
    scopes = parse_scope(value)
    assert isinstance(scopes, tuple)
    assert all(isinstance(s, str) and s for s in scopes)
    if isinstance(value, str):
        assert all(not any(c.isspace() or c == "," for c in s) for s in scopes)
        assert parse_scope(" ".join(scopes)) == scopes  # joining and parsing round-trips
    try:
        token = Token(access_token="scoped-token", scope=value)
    except OAuth2Error:  # pragma: no cover - scope is never validated
        raise AssertionError("a scope value made the token invalid") from None
    assert token.scopes == scopes


@budget(slow=30_000)
@given(value=st.one_of(st.text(max_size=60), st.lists(st.text(max_size=10), max_size=5)))
def test_any_scope_becomes_an_authorization_url(value) -> None:
    request = CLIENT.begin_authorization(scope=value)
    assert request.url.startswith(ACME.authorize_url)
    assert request.scope == parse_scope(value)


# Token serialisation -----------------------------------------------------------------
token_mappings = st.fixed_dictionaries(
    {"access_token": st.text(min_size=1, max_size=30).map(lambda s: "AT-" + s)},
    optional={
        "refresh_token": st.text(max_size=30).map(lambda s: "RT-" + s),
        "expires_in": plausible_values,
        "expires_at": st.one_of(plausible_values,
                                st.floats(min_value=0, max_value=4e9, allow_nan=False)),
        "scope": scope_values,
        "token_type": plausible_values,
    },
).map(dict)
extra_fields = st.dictionaries(st.text(max_size=10), json_scalars, max_size=3)


@budget(slow=12_000)
@given(base=token_mappings, extra=extra_fields,
       later=st.integers(min_value=0, max_value=10**6))
def test_a_token_survives_a_json_round_trip_with_its_expiry(base, extra, later) -> None:
    import time as time_module

    fields = {**extra, **base}
    try:
        token = Token(fields)
    except OAuth2Error:
        return  # a bad expires_in/expires_at: refused with a typed error
    text = json.dumps(token)
    real_time = time_module.time
    try:
        # Loading it later must not restart the clock.
        time_module.time = lambda: real_time() + later  # type: ignore[assignment]
        loaded = Token(json.loads(text))
    finally:
        time_module.time = real_time  # type: ignore[assignment]
    assert loaded.expires_at == token.expires_at
    assert loaded == json.loads(text)
    for secret in (token.access_token, token.refresh_token):
        if secret and len(secret) >= 8:
            assert secret not in repr(loaded)


@budget(slow=13_000)
@given(text=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(
    lambda b: b.decode("latin-1")), st.builds(json.dumps, json_values)))
def test_any_stored_text_loads_as_a_token_or_an_oauth2_error(text) -> None:
    try:
        value = json.loads(text)
    except ValueError:
        return
    if not isinstance(value, dict):
        return
    try:
        token = Token(value)
    except OAuth2Error:
        return
    assert token.expires_at is None or token.expires_at >= 0


def test_the_slow_profile_tries_over_100k_inputs() -> None:
    properties = {name for name, obj in globals().items()
                  if name.startswith("test_") and hasattr(obj, "hypothesis")}
    assert set(SLOW_BUDGET) == properties  # every property has a budget
    assert sum(SLOW_BUDGET.values()) >= 100_000


def test_the_canned_adapter_really_answers() -> None:
    # Guards the properties above: if the adapter were bypassed they would test nothing.
    client, adapter = make_client()
    adapter.answer = GOOD_TOKEN
    assert client.client_credentials().access_token == "callback-token"
    assert adapter.sent == 1
