"""Testing your app (the README's example): oauth2-core installs pytest fixtures that run a
real authorization server on 127.0.0.1, so no test needs a real provider."""

import pytest

import oauth2_core


def test_sign_in(oauth2_server, oauth2_client):
    request = oauth2_client.begin_authorization(scope="openid email")
    callback_url = oauth2_server.authorize(request.url)  # the user signs in and allows
    token = oauth2_client.complete_authorization(callback_url, request)

    assert oauth2_client.userinfo(token).email == "alice@example.com"


def test_a_revoked_token_is_renewed_once(oauth2_server, oauth2_client):
    request = oauth2_client.begin_authorization(scope="openid")
    token = oauth2_client.complete_authorization(oauth2_server.authorize(request.url), request)
    oauth2_server.revoke(token.access_token)  # the next API call gets a 401

    with oauth2_client.session(token) as session:
        me = session.get(oauth2_server.url("/api/me"))  # a protected test API

    assert me.json()["username"] == "alice"


def test_the_provider_is_down(oauth2_server, oauth2_client):
    oauth2_server.config.fault("token", 503)  # an HTML error page, as from a proxy

    with pytest.raises(oauth2_core.OAuth2Error):
        oauth2_client.client_credentials()
