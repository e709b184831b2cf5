"""What a browser keeps for a sign-in: the per-login key of its stored items, and clearing them at sign-out."""

from __future__ import annotations

from hashlib import sha256

from flask import Response
from flask_login import current_user

#: Sent when a session ends on this browser: the room outbox and anything else the site stored go with it.
CLEAR_SITE_DATA = '"storage"'


def login_storage_key() -> str:
    """A name for this device login (a hash of its token, never the token), or "" when signed out."""
    token = current_user.login_token if current_user.is_authenticated else None
    if not token:
        return ""
    return sha256(b"stac-browser-storage:" + token.encode()).hexdigest()[:24]


def clear_browser_storage(response: Response) -> Response:
    """Ask the browser to drop what this site stored (local and session storage, IndexedDB) as the session ends."""
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
