"""The seed package's README as a runnable snippet (shared by two tests)."""

from __future__ import annotations

import textwrap

# The seed's README, verbatim except "requests_oauth2" -> "oauth2_core".  The names it
# leaves undefined (requests, get_request_parameter, session, access_token, response)
# are supplied as the README's surrounding web app would.
SEED_README = textwrap.dedent('''
    from oauth2_core.services import GoogleClient
    google_auth = GoogleClient(
        client_id="your-google-client-id",
        client_secret="super-secret",
        redirect_uri="http://localhost:5000/google/oauth2callback",
    )
    authorization_url = google_auth.authorize_url(
        scope=["email"],
        response_type="code",
    )
    code = get_request_parameter("code")  # this depends on your web framework!
    data = google_auth.get_token(
        code=code,
        grant_type="authorization_code",
    )
    session["access_token"] = data["access_token"]
    from oauth2_core import OAuth2BearerToken

    with requests.Session() as s:
        s.auth = OAuth2BearerToken(access_token)
        r = s.get("https://www.googleapis.com/plus/v1/people/me")
        r.raise_for_status()
        data = r.json()
    from oauth2_core import OAuth2BearerToken

    with requests.Session() as s:
        s.params = {"access_token": response["access_token"]}
        r = s.get("https://graph.facebook.com/me")
        r.raise_for_status()
        data = r.json()
''')
