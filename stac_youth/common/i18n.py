"""Language and time zone for the current request."""

from __future__ import annotations

from contextlib import contextmanager

import pytz
from flask import current_app, g, has_request_context, request, session
from flask_babel import force_locale, get_locale, get_translations, refresh
from flask_login import current_user

from .time import DEFAULT_TIMEZONE


def select_locale() -> str:
    """The user's saved choice, then the choice kept in the session, then the browser's."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]  # CLI and jobs: no user, session or browser to ask
    if current_user and current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    return signed_out_language()[0]


def signed_out_language() -> tuple[str, bool]:
    """The language of a signed-out page, and whether the visitor picked it with the switch (else the browser's)."""
    languages = current_app.config["LANGUAGES"]
    if session.get("lang") in languages:
        return session["lang"], True
    return request.accept_languages.best_match(languages) or languages[0], False


def select_timezone() -> str:
    """The zone of the reader being rendered for (as_reader), else the user's, else America/Los_Angeles."""
    readers = g.get("reader_zones")
    if readers:
        return readers[-1]
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return DEFAULT_TIMEZONE


@contextmanager
def as_reader(language: str, zone: str):
    """Render for someone other than the current user (an email, a live push): their language and time zone."""
    if zone not in pytz.all_timezones_set:
        zone = DEFAULT_TIMEZONE
    languages = current_app.config["LANGUAGES"]
    with force_locale(language if language in languages else languages[0]):
        g.reader_zones = [*g.get("reader_zones", []), zone]
        refresh()  # Flask-Babel keeps the zone it chose; a forced locale survives the refresh
        try:
            yield
        finally:
            g.reader_zones = g.reader_zones[:-1]
            refresh()


def _translations():
    """Flask-Babel's catalogue for the current locale, looked up once per locale in each request or job."""
    locale = get_locale()  # force_locale (as_reader) changes it for a while: the memo follows it
    memo = g.get("translations_memo")
    if memo is None or memo[0] is not locale:
        memo = g.translations_memo = (locale, get_translations())
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


def in_spanish() -> bool:
    """Whether the text being drawn is for a Spanish reader (the request's language, or as_reader's)."""
    return str(get_locale() or "").startswith("es")


def localized_name(obj) -> str:
    """An admin-managed name (theme, region) in the reader's language: its Spanish form when set, else its name."""
    if obj is None:
        return ""
    spanish = getattr(obj, "name_es", None)
    return spanish if spanish and in_spanish() else obj.name


def localized_pair(name: str | None, name_es: str | None) -> str:
    """localized_name for a name and Spanish name read as columns (a grouped query): the reader's form."""
    return name_es if name_es and in_spanish() else (name or "")


def inner_quotes(text: str) -> str:
    """Text to be set inside “ ”: its own double quotes become single ones, so no quote is wrapped twice."""
    return str(text).replace("“", "‘").replace("”", "’").replace('"', "'")


def unquoted(text: str) -> str:
    """Text without the quotes wrapping all of it ("“A title”" → "A title"), ready to be quoted once."""
    text = str(text).strip()
    pairs = (("“", "”"), ('"', '"'), ("«", "»"), ("‘", "’"), ("'", "'"))
    while len(text) > 1 and any(text.startswith(a) and text.endswith(b) for a, b in pairs):
        text = text[1:-1].strip()
    return text
