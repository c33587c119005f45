"""RFC 9101: JWT-secured authorization requests (signed request objects)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from acme import ACME
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm
from oidc_support import ec_key, rsa_key

import oauth2_core
from oauth2_core import ConfigurationError

PAR_URL = "https://id.acme.test/par"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def request_object(url_or_form: str, key: Any, alg: str = "ES256") -> dict[str, Any]:
    """The verified claims of the ``request`` JWT, checked as the server does."""
    params = parse_qs(urlsplit(url_or_form).query or url_or_form)
    claims: dict[str, Any] = jwt.decode(params["request"][0], key, algorithms=[alg],
                                        audience=ACME.issuer, issuer="app")
    return claims


def make(pm: Any, provider: oauth2_core.Provider = ACME,
         **settings: Any) -> oauth2_core.OAuth2Client:
    settings.setdefault("private_key", ec_key())
    return oauth2_core.client(provider, client_id="app", redirect_uri="https://app.test/cb",
                              plugins=pm, token_endpoint_auth_method="private_key_jwt",
                              **settings)


def test_the_request_travels_as_a_signed_jwt(pm) -> None:
    client = make(pm, private_key_id="k1")

    request = client.begin_authorization(scope=["openid", "email"], signed_request=True,
                                         prompt="login")

    assert set(query(request.url)) == {"client_id", "request"}
    raw = query(request.url)["request"][0]
    header = jwt.get_unverified_header(raw)
    assert (header["typ"], header["alg"], header["kid"]) == ("oauth-authz-req+jwt", "ES256",
                                                             "k1")
    claims = request_object(request.url, ec_key().public_key())
    assert claims["state"] == request.state
    assert claims["nonce"] == request.nonce
    assert claims["code_challenge_method"] == "S256"
    assert (claims["response_type"], claims["client_id"]) == ("code", "app")
    assert (claims["scope"], claims["prompt"]) == ("openid email", "login")
    assert claims["redirect_uri"] == "https://app.test/cb"
    assert claims["exp"] > claims["iat"] == claims["nbf"]
    assert claims["jti"]


def test_structured_parameters_stay_structured_in_the_jwt(pm) -> None:
    details = [{"type": "payment", "amount": "1"}]
    url = make(pm).begin_authorization(signed_request=True, authorization_details=details,
                                       resource=["https://a.test/", "https://b.test/"]).url
    claims = request_object(url, ec_key().public_key())
    assert claims["authorization_details"] == details
    assert claims["resource"] == ["https://a.test/", "https://b.test/"]


def test_a_separate_request_object_key_and_alg(pm) -> None:
    url = make(pm, request_object_key=rsa_key(), request_object_signing_alg="PS256"
               ).begin_authorization(signed_request=True).url
    assert request_object(url, rsa_key().public_key(), "PS256")["response_type"] == "code"


def test_the_client_setting_signs_every_request(pm) -> None:
    url = make(pm, signed_request=True).begin_authorization().url
    assert set(query(url)) == {"client_id", "request"}


def test_signed_and_pushed(pm, requests_mock) -> None:
    endpoint = requests_mock.post(PAR_URL, status_code=201,
                                  json={"request_uri": "urn:r:1", "expires_in": 60})
    client = make(pm, ACME.with_endpoints(name="acme-par", par_url=PAR_URL))

    request = client.begin_authorization(signed_request=True, par=True)

    assert query(request.url) == {"client_id": ["app"], "request_uri": ["urn:r:1"]}
    pushed = endpoint.last_request.text
    assert set(parse_qs(pushed)) >= {"client_id", "request", "client_assertion"}
    assert request_object(pushed, ec_key().public_key())["state"] == request.state


def test_a_jwk_key_works(pm) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    url = make(pm, private_key=json.dumps(ECAlgorithm.to_jwk(key, as_dict=True))
               ).begin_authorization(signed_request=True).url
    assert request_object(url, key.public_key())["client_id"] == "app"


@pytest.mark.parametrize(("provider", "settings", "message"), [
    (ACME.with_endpoints(name="no-issuer", issuer=None), {}, "issuer"),
    (ACME, {"private_key": None}, "private_key="),
    (ACME, {"request_object_key": {"kty": "oct", "k": "c2VjcmV0"}}, "asymmetric"),
], ids=["no-issuer", "no-key", "hmac-key"])
def test_what_a_request_object_needs_is_named(pm, provider, settings, message) -> None:
    client = make(pm, provider, **settings)
    with pytest.raises(ConfigurationError, match=message):
        client.begin_authorization(signed_request=True)
