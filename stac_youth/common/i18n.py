"""Language and time zone for the current request."""

from __future__ import annotations

from contextlib import contextmanager

import pytz
from flask import current_app, g, has_request_context, request, session
from flask_babel import _get_current_context as _babel_context
from flask_babel import force_locale, get_locale, get_translations
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


def _translations():
    """Flask-Babel's catalogue for the current locale, looked up once per locale in each request or job."""
    locale = get_locale()  # force_locale (as_reader) changes it for a while: the memo follows it
    memo = g.get("_stac_translations")
    if memo is None or memo[0] is not locale:
        memo = g._stac_translations = (locale, get_translations())
    return memo[1]


def install_template_gettext(app) -> None:
    """Templates translate through _translations: a page calls gettext hundreds of times, each full lookup costs."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda message: _translations().ugettext(message),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, message: _translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )
