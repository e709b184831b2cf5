"""Security headers on every response, and no caching of signed-in pages."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def assign_request_id() -> None:
    """Give each request an id that logs and audit events carry."""
    g.request_id = secrets.token_hex(8)


def add_security_headers(response: Response) -> Response:
    """Set CSP and friends; signed-in pages are never stored by browsers or proxies."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    response.vary.add("Cookie")
    return response


def init_security_headers(app: Flask) -> None:
    """Register the request-id and header hooks."""
    app.before_request(assign_request_id)
    app.after_request(add_security_headers)
