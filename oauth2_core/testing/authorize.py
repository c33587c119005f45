"""The authorization endpoint (RFC 6749 4.1.1-4.1.2, RFC 7636 4.3-4.4, RFC 9207).

A request with an unknown client or an unregistered redirect URI gets an error page and
is never redirected (section 4.1.2.1): redirecting would make the server an open
redirector.  Every other error goes back to the client's redirect URI with ``state``
and ``iss``.  Approval is automatic, as the default user (or the one a
``oauth2_test_user`` cookie or ``login_hint`` names), unless ``config.consent`` asks the
user through an HTML page first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
from http.cookies import CookieError, SimpleCookie
from typing import Optional
from urllib.parse import urlsplit

from .authority import PKCE_VALUE, Authority, split_scope
from .errors import ProtocolError
from .messages import Request, Response, add_query, single
from .models import PendingConsent, ServerClient
from .pages import consent_page, error_page

__all__ = ["USER_COOKIE", "authorize", "decide", "redirect_uri_for"]

#: A cookie naming the signed-in user, as a browser session would.
USER_COOKIE = "oauth2_test_user"
CONSENT_TTL = 600
_LOOPBACK_IPS = ("127.0.0.1", "::1")


def _loopback_any_port(registered: str, sent: str) -> bool:
    # RFC 8252 section 7.3: a native app's loopback redirect URI may use any port, so
    # one registered without a port matches the same URI on every port.
    reg, got = urlsplit(registered), urlsplit(sent)
    if reg.scheme != "http" or reg.hostname not in _LOOPBACK_IPS or reg.port is not None:
        return False
    try:
        got.port  # noqa: B018  # a malformed port raises here
    except ValueError:
        return False
    return (got.scheme, got.hostname, got.path, got.query) == (
        reg.scheme, reg.hostname, reg.path, reg.query)


def redirect_uri_for(client: ServerClient, sent: Optional[str]) -> Optional[str]:
    """Where to send the response: ``sent`` if registered (exactly, or on any loopback
    port); with none sent, the one registered URI (RFC 6749 3.1.2.3)."""
    if sent is None:
        return client.redirect_uris[0] if len(client.redirect_uris) == 1 else None
    for registered in client.redirect_uris:
        if sent == registered or _loopback_any_port(registered, sent):
            return sent
    return None


@dataclasses.dataclass
class _Checked:
    scope: tuple[str, ...]
    nonce: Optional[str]
    code_challenge: Optional[str]
    code_challenge_method: Optional[str]
    prompt: tuple[str, ...]
    login_hint: Optional[str]


def _check(authority: Authority, client: ServerClient, params: dict[str, list[str]],
           redirect_uri_sent: bool) -> _Checked:
    config = authority.config
    single(params, "state")  # only to refuse a repeated one
    if single(params, "request") is not None:
        raise ProtocolError("request_not_supported", "request objects are not supported")
    if single(params, "request_uri") is not None:
        raise ProtocolError("request_uri_not_supported", "request_uri is not supported")
    response_type = single(params, "response_type")
    if response_type is None:
        raise ProtocolError("invalid_request", "response_type is required")
    if response_type != "code":
        raise ProtocolError("unsupported_response_type", "only response_type=code is supported")
    if "authorization_code" not in client.grant_types:
        raise ProtocolError("unauthorized_client", "this client may not use the "
                            "authorization code grant")
    if single(params, "response_mode") not in (None, "query"):
        raise ProtocolError("invalid_request", "only response_mode=query is supported")
    scope = authority.check_scope(client, split_scope(single(params, "scope")))
    if "openid" in scope and not redirect_uri_sent:
        raise ProtocolError("invalid_request", "OpenID requests must send redirect_uri")
    challenge = single(params, "code_challenge")
    method = single(params, "code_challenge_method")
    if challenge is None:
        if client.is_public or config.require_pkce:
            raise ProtocolError("invalid_request", "code_challenge is required (PKCE)")
        if method is not None:
            raise ProtocolError("invalid_request", "code_challenge_method without "
                                "code_challenge")
    else:
        method = method or "plain"  # RFC 7636 section 4.3
        if method not in config.pkce_methods:
            raise ProtocolError("invalid_request", f"transform algorithm {method!r} not "
                                "supported")
        if not PKCE_VALUE.match(challenge):
            raise ProtocolError("invalid_request", "code_challenge must be 43-128 "
                                "unreserved characters")
    prompt = split_scope(single(params, "prompt"))
    if "none" in prompt and len(prompt) > 1:
        raise ProtocolError("invalid_request", "prompt=none may not be combined")
    return _Checked(scope, single(params, "nonce"), challenge, method if challenge else None,
                    prompt, single(params, "login_hint"))


def _signed_in_user(authority: Authority, request: Request, hint: Optional[str]) -> str:
    cookie = SimpleCookie()
    with contextlib.suppress(CookieError):
        cookie.load(request.headers.get("cookie", ""))
    for username in (cookie[USER_COOKIE].value if USER_COOKIE in cookie else None, hint,
                     authority.config.default_user):
        if authority.user(username) is not None:
            return str(username)
    raise ProtocolError("login_required", "no user to sign in: the default user is gone")


def _respond(authority: Authority, redirect_uri: str, state: Optional[str],
             fields: dict[str, str], status: int = 302) -> Response:
    iss = authority.config.issuer_in_response(authority.issuer)
    return Response.redirect(add_query(redirect_uri, {**fields, "state": state, "iss": iss}),
                             status)


def authorize(authority: Authority, request: Request) -> Response:
    """``GET`` or ``POST /authorize``."""
    params = request.params()
    try:
        client = authority.client(single(params, "client_id"))
        sent = single(params, "redirect_uri")
    except ProtocolError as exc:
        return Response.html(error_page(exc.error, exc.description), 400)
    if client is None:
        return Response.html(error_page("invalid_request", "unknown or missing client_id"), 400)
    redirect_uri = redirect_uri_for(client, sent)
    if redirect_uri is None:
        return Response.html(error_page("invalid_request", "redirect_uri is missing or not "
                                        "registered for this client"), 400)
    state = next(iter(params.get("state", [])), None)
    try:
        checked = _check(authority, client, params, sent is not None)
        sub_name = _signed_in_user(authority, request, checked.login_hint)
        if authority.config.consent and "none" in checked.prompt:
            raise ProtocolError("consent_required", "the user must consent first")
    except ProtocolError as exc:
        return _respond(authority, redirect_uri, state, exc.fields())
    pending = PendingConsent(
        secrets.token_urlsafe(24), client, redirect_uri, sent is not None, checked.scope,
        state, checked.nonce, checked.code_challenge, checked.code_challenge_method,
        sub_name, authority.now() + CONSENT_TTL)
    if not authority.config.consent:
        return _approve(authority, pending, sub_name)
    authority.hold_consent(pending)
    return Response.html(consent_page(client.client_name or client.client_id,
                                      client.client_id, checked.scope, pending.transaction,
                                      authority.usernames(), sub_name))


def decide(authority: Authority, request: Request) -> Response:
    """``POST /authorize/decision``: the consent page's Allow or Deny."""
    form = request.form
    pending = authority.take_consent((form.get("transaction") or [""])[0])
    if pending is None:
        return Response.html(error_page("invalid_request", "unknown or expired "
                                        "authorization transaction"), 400)
    # 303: the browser follows a POST's redirect with a GET.
    if (form.get("decision") or [""])[0] != "allow":
        return _respond(authority, pending.redirect_uri, pending.state,
                        {"error": "access_denied",
                         "error_description": "the user denied the request"}, 303)
    username = (form.get("username") or [pending.sub])[0]
    if authority.user(username) is None:
        username = pending.sub
    return _approve(authority, pending, username, 303)


def _approve(authority: Authority, pending: PendingConsent, username: str,
             status: int = 302) -> Response:
    user = authority.user(username)
    assert user is not None  # noqa: S101  # checked by the callers
    code = authority.issue_code(
        pending.client, pending.redirect_uri if pending.redirect_uri_sent else None,
        pending.scope, user.sub, pending.nonce, pending.code_challenge,
        pending.code_challenge_method)
    return _respond(authority, pending.redirect_uri, pending.state, {"code": code}, status)
