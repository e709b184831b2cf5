"""Language and time zone for the current request."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

from .time import DEFAULT_TIMEZONE


def select_locale() -> str:
    """The user's saved choice, then the choice kept in the session, then the browser's."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]  # CLI and jobs: no user, session or browser to ask
    if current_user and current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str:
    """The user's zone, America/Los_Angeles by default."""
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return DEFAULT_TIMEZONE
