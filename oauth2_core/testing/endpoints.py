"""The test server's endpoints other than ``/authorize``: each a function from a
:class:`Request` to a :class:`Response`, on top of the :class:`Authority`."""

from __future__ import annotations

import json
from typing import Any, Callable, Optional

from .authority import DEVICE_CODE_GRANT, Authority, split_scope
from .client_auth import authenticate_client
from .errors import ProtocolError
from .messages import Request, Response, single
from .models import IssuedToken, ServerClient
from .pages import device_page, message_page

__all__ = ["GRANT_TYPES", "api_me", "device_authorization", "device_verification",
           "introspect", "jwks", "metadata", "revoke", "token", "userinfo"]

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials", "password",
               DEVICE_CODE_GRANT)
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


def metadata(authority: Authority, request: Request) -> Response:
    """RFC 8414 section 2 / OpenID Connect Discovery 1.0 section 3 metadata."""
    issuer = authority.issuer
    doc: dict[str, Any] = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "revocation_endpoint": f"{issuer}/revoke",
        "introspection_endpoint": f"{issuer}/introspect",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "device_authorization_endpoint": f"{issuer}/device_authorization",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(GRANT_TYPES),
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "introspection_endpoint_auth_methods_supported": AUTH_METHODS[:2],
        "code_challenge_methods_supported": list(authority.config.pkce_methods),
        "scopes_supported": ["openid", "profile", "email", "address", "phone",
                             "offline_access"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce",
                             "at_hash", "azp", "name", "given_name", "family_name",
                             "preferred_username", "email", "email_verified"],
        "subject_types_supported": ["public"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "authorization_response_iss_parameter_supported":
            authority.config.authorization_response_iss is not False,
    }
    if authority.signer is not None:
        doc["jwks_uri"] = f"{issuer}/jwks"
        doc["id_token_signing_alg_values_supported"] = ["RS256"]
    return Response.json(doc)


def jwks(authority: Authority, request: Request) -> Response:
    if authority.signer is None:
        return Response.json({"error": "not_found"}, 404)
    return Response.json(authority.signer.jwks())


# Token endpoint (RFC 6749 section 3.2) --------------------------------------------------
def _token_error(authority: Authority, exc: ProtocolError) -> Response:
    config = authority.config
    status = 200 if config.errors_with_status_200 else exc.status
    if config.token_response_format == "form":
        response = Response.form(exc.fields(), status)
    else:
        response = Response.json(exc.fields(), status, no_store=True)
    response.headers.update(exc.headers)
    return response


def _form(request: Request) -> dict[str, list[str]]:
    if request.content_type != "application/x-www-form-urlencoded":
        raise ProtocolError("invalid_request", "the body must be "
                            "application/x-www-form-urlencoded")
    return request.form


def _required(form: dict[str, list[str]], name: str) -> str:
    value = single(form, name)
    if value is None:
        raise ProtocolError("invalid_request", f"{name} is required")
    return value


def _run_grant(authority: Authority, client: ServerClient,
               form: dict[str, list[str]]) -> dict[str, Any]:
    grant_type = _required(form, "grant_type")
    if grant_type not in GRANT_TYPES:
        raise ProtocolError("unsupported_grant_type", f"grant_type {grant_type!r} is not "
                            "supported")
    if grant_type not in client.grant_types:
        raise ProtocolError("unauthorized_client", f"this client may not use {grant_type}")
    scope = split_scope(single(form, "scope"))
    if grant_type == "authorization_code":
        return authority.redeem_code(client, _required(form, "code"),
                                     single(form, "redirect_uri"),
                                     single(form, "code_verifier"))
    if grant_type == "refresh_token":
        return authority.refresh(client, _required(form, "refresh_token"), scope)
    if grant_type == "client_credentials":
        return authority.client_credentials(client, scope)
    if grant_type == "password":
        return authority.password(client, _required(form, "username"),
                                  _required(form, "password"), scope)
    return authority.poll_device(client, _required(form, "device_code"))


def token(authority: Authority, request: Request) -> Response:
    """``POST /token``: every grant, answered as ``config`` says (JSON or form)."""
    try:
        form = _form(request)
        client = authenticate_client(authority, request, form)
        body = _run_grant(authority, client, form)
    except ProtocolError as exc:
        return _token_error(authority, exc)
    if authority.config.token_response_format == "form":
        return Response.form(body)
    return Response.json(body, no_store=True)


def _client_call(authority: Authority, request: Request,
                 call: Callable[[ServerClient, dict[str, list[str]]], Response],
                 allow_public: bool = True) -> Response:
    try:
        form = _form(request)
        client = authenticate_client(authority, request, form, allow_public)
        return call(client, form)
    except ProtocolError as exc:
        return Response.json(exc.fields(), exc.status, exc.headers, no_store=True)


def revoke(authority: Authority, request: Request) -> Response:
    """``POST /revoke`` (RFC 7009): 200 whether or not the token was known."""
    def call(client: ServerClient, form: dict[str, list[str]]) -> Response:
        authority.revoke(client, _required(form, "token"))
        return Response(200, b"", {"Cache-Control": "no-store"})
    return _client_call(authority, request, call)


def introspect(authority: Authority, request: Request) -> Response:
    """``POST /introspect`` (RFC 7662), for confidential clients (resource servers)."""
    def call(client: ServerClient, form: dict[str, list[str]]) -> Response:
        return Response.json(authority.introspect(_required(form, "token")), no_store=True)
    return _client_call(authority, request, call, allow_public=False)


# Device flow (RFC 8628) -------------------------------------------------------------------
def device_authorization(authority: Authority, request: Request) -> Response:
    """``POST /device_authorization`` (RFC 8628 section 3.1-3.2)."""
    def call(client: ServerClient, form: dict[str, list[str]]) -> Response:
        if DEVICE_CODE_GRANT not in client.grant_types:
            raise ProtocolError("unauthorized_client", "this client may not use the "
                                "device flow")
        device = authority.start_device(client, split_scope(single(form, "scope")))
        shown = f"{device.user_code[:4]}-{device.user_code[4:]}"
        uri = f"{authority.issuer}/device"
        return Response.json({
            "device_code": device.device_code, "user_code": shown, "verification_uri": uri,
            "verification_uri_complete": f"{uri}?user_code={shown}",
            "expires_in": device.expires_at - authority.now(), "interval": device.interval,
        }, no_store=True)
    return _client_call(authority, request, call)


def device_verification(authority: Authority, request: Request) -> Response:
    """``GET /device`` shows the code form; ``POST /device`` approves or denies."""
    usernames = authority.usernames()
    default = authority.config.default_user
    if request.method == "GET":
        user_code = (request.query.get("user_code") or [""])[0]
        return Response.html(device_page(user_code, usernames, default))
    form = request.form
    user_code = (form.get("user_code") or [""])[0]
    username = (form.get("username") or [default])[0]
    user = authority.user(username) or authority.user(default)
    approve = (form.get("decision") or [""])[0] == "allow"
    if user is None or not authority.decide_device(user_code, approve, user.sub):
        return Response.html(message_page("Unknown code", "That code is unknown, expired or "
                                          "already used."), 400)
    if approve:
        return Response.html(message_page("Device connected", "You may return to your "
                                          "device."))
    return Response.html(message_page("Request denied", "The device was not connected."))


# Resources: userinfo and a test API (RFC 6750) --------------------------------------------
def _bearer_challenge(authority: Authority, error: Optional[str] = None,
                      description: str = "", scope: Optional[str] = None) -> str:
    parts = [f'realm="{authority.issuer}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{description}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)


def _bearer_token(authority: Authority, request: Request) -> IssuedToken:
    """RFC 6750 section 2: header, form body or query -- exactly one of them."""
    header = request.headers.get("authorization", "")
    found = []
    if header[:7].lower() == "bearer " and header[7:].strip():
        found.append(header[7:].strip())
    for source in (request.form if request.method != "GET" else {}, request.query):
        found.extend(source.get("access_token", []))
    if len(found) > 1:
        raise ProtocolError("invalid_request", "send the access token one way only", 400,
                            {"WWW-Authenticate": _bearer_challenge(authority, "invalid_request")})
    if not found:  # section 3.1: no error code when no credentials were sent
        raise ProtocolError("invalid_token", "no access token", 401,
                            {"WWW-Authenticate": _bearer_challenge(authority)})
    token = authority.active_token(found[0], "access_token")
    if token is None:
        raise ProtocolError("invalid_token", "the access token is unknown, revoked or "
                            "expired", 401, {"WWW-Authenticate": _bearer_challenge(
                                authority, "invalid_token", "the access token is unknown, "
                                "revoked or expired")})
    return token


def _resource(authority: Authority, request: Request,
              serve: Callable[[IssuedToken], dict[str, Any]]) -> Response:
    try:
        return Response.json(serve(_bearer_token(authority, request)))
    except ProtocolError as exc:
        return Response.json(exc.fields(), exc.status, exc.headers)


def userinfo(authority: Authority, request: Request) -> Response:
    """``GET`` or ``POST /userinfo`` (OpenID Connect Core section 5.3)."""
    def serve(token: IssuedToken) -> dict[str, Any]:
        user = authority.user_by_sub(token.sub)
        if "openid" not in token.scope or user is None:
            raise ProtocolError("insufficient_scope", "userinfo needs an openid token of a "
                                "user", 403, {"WWW-Authenticate": _bearer_challenge(
                                    authority, "insufficient_scope", scope="openid")})
        return user.claims_for(token.scope)
    return _resource(authority, request, serve)


def api_me(authority: Authority, request: Request) -> Response:
    """``/api/me``: a protected resource that says whose token it got (any method; a
    request body is echoed back as ``body``)."""
    def serve(token: IssuedToken) -> dict[str, Any]:
        user = authority.user_by_sub(token.sub)
        answer: dict[str, Any] = {"client_id": token.client_id, "scope": " ".join(token.scope),
                                  "sub": token.sub,
                                  "username": user.username if user is not None else None}
        if request.body and request.content_type != "application/x-www-form-urlencoded":
            text = request.body.decode("utf-8", "replace")
            try:
                answer["body"] = json.loads(text)
            except ValueError:
                answer["body"] = text
        return answer
    return _resource(authority, request, serve)
