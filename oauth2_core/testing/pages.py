"""The test server's HTML: consent, device verification, and error pages.

Plain forms with stable names (``decision=allow|deny``, ``transaction``, ``user_code``)
so browser tests and :meth:`AuthorizationServer.authorize` can press the buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

__all__ = ["consent_page", "device_page", "error_page", "message_page"]

_STYLE = ("body{font-family:sans-serif;max-width:32em;margin:3em auto}"
          "button{font-size:1em;margin-right:1em;padding:.4em 1.2em}")


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{escape(title)}"
            f"</title><style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}"
            "</body></html>")


def _buttons() -> str:
    return ('<button type="submit" name="decision" value="allow" id="allow">Allow</button>'
            '<button type="submit" name="decision" value="deny" id="deny">Deny</button>')


def _user_field(usernames: Iterable[str], selected: str) -> str:
    options = "".join(
        f'<option value="{escape(name)}"{" selected" if name == selected else ""}>'
        f"{escape(name)}</option>" for name in usernames)
    return f'<p><label>Signed in as <select name="username">{options}</select></label></p>'


def consent_page(client_name: str, client_id: str, scopes: Iterable[str], transaction: str,
                 usernames: Iterable[str], selected: str) -> str:
    """Asks the user to allow ``client_name`` the ``scopes``."""
    items = "".join(f"<li>{escape(s)}</li>" for s in scopes) or "<li>(no scope)</li>"
    return _page("Authorize access", (
        f'<p><strong id="client">{escape(client_name)}</strong> '
        f'(<code>{escape(client_id)}</code>) asks for:</p><ul id="scopes">{items}</ul>'
        '<form method="post" action="/authorize/decision">'
        f'<input type="hidden" name="transaction" value="{escape(transaction)}">'
        f"{_user_field(usernames, selected)}{_buttons()}</form>"))


def device_page(user_code: str, usernames: Iterable[str], selected: str) -> str:
    """RFC 8628 section 3.3: the user enters (or confirms) the code shown on the device."""
    return _page("Connect a device", (
        "<p>Enter the code shown on your device.</p>"
        '<form method="post" action="/device">'
        '<p><label>Code <input name="user_code" id="user_code" autocomplete="off" '
        f'value="{escape(user_code)}"></label></p>'
        f"{_user_field(usernames, selected)}{_buttons()}</form>"))


def message_page(title: str, message: str) -> str:
    return _page(title, f'<p id="message">{escape(message)}</p>')


def error_page(error: str, description: str) -> str:
    """Shown instead of redirecting when the client or redirect URI cannot be trusted
    (RFC 6749 section 4.1.2.1)."""
    return _page("Authorization error", (
        f'<p id="error">{escape(error)}</p><p id="error_description">'
        f"{escape(description)}</p>"))
