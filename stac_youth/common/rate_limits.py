"""Rate limits sit on the views that need them (sign-in, password reset), each checked by its own decorator."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

#: Settings that would add a limit to every request; with one of them set, the per-request check stays.
APP_WIDE_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META")


def has_app_wide_limits(app: Flask, limiter: Limiter) -> bool:
    """Whether a default, application, meta or blueprint limit applies beyond the decorated views."""
    manager = limiter.limit_manager
    return (any(app.config.get(name) for name in APP_WIDE_SETTINGS)
            or bool(manager.default_limits or manager.application_limits)
            or any(manager.blueprint_limits(app, name) for name in app.blueprints))


def check_limits_in_views_only(app: Flask, limiter: Limiter) -> None:
    """Drop Flask-Limiter's before-request check when nothing app-wide is limited.

    That hook looks for default, application and blueprint limits on every request (about 50 µs each, 3 % of a
    ballot); the decorated views check their own limits in their decorator whether it runs or not. Call after the
    blueprints are registered, so a blueprint limit keeps the hook.
    """
    if not has_app_wide_limits(app, limiter):
        app.before_request_funcs[None].remove(limiter._check_request_limit)
