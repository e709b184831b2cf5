"""Language and time zone for the current request."""

from __future__ import annotations

from contextlib import contextmanager

import pytz
from flask import current_app, has_request_context, request, session
from flask_babel import _get_current_context as _babel_context
from flask_babel import force_locale
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


@contextmanager
def as_reader(language: str, zone: str):
    """Render for someone other than the current user (an email, a live push): their language and time zone."""
    babel_context = _babel_context()  # where Flask-Babel keeps the zone it chose for this request
    saved = getattr(babel_context, "babel_tzinfo", None)
    with force_locale(language if language in current_app.config["LANGUAGES"] else current_app.config["LANGUAGES"][0]):
        try:
            babel_context.babel_tzinfo = pytz.timezone(zone)
        except pytz.UnknownTimeZoneError:
            babel_context.babel_tzinfo = pytz.timezone(DEFAULT_TIMEZONE)
        try:
            yield
        finally:
            if saved is None:
                del babel_context.babel_tzinfo
            else:
                babel_context.babel_tzinfo = saved
