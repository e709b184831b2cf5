"""Template filters and globals: formatting only."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale, get_timezone
from flask_babel import lazy_gettext as _l

from .audit import action_label, detail_label, detail_value
from .i18n import localized_name
from .markdown import render_chat, render_markdown
from .roles import Role
from .time import as_utc

ROLE_NAMES = {
    Role.MEMBER: _l("Student member"),
    Role.ADVISOR: _l("Advisor"),
    Role.PLANNER: _l("Summit planner"),
    Role.ADMIN: _l("Admin"),
}


def member_name(user) -> str:
    """A user's display name, or "Former member" once the account is erased."""
    if user is None or user.is_deleted or not user.display_name:
        return str(_l("Former member"))
    return user.display_name


#: (UTC datetime, style, locale, zone) or ("one_decimal", number, locale) -> text. A page lists many times and shares,
#: and many readers see the same ones; Babel's formatting costs far more than this lookup. Cleared when full rather
#: than kept in order: the next pages refill it.
_FORMATTED: dict = {}
FORMATTED_LIMIT = 20_000


def local_datetime(value, style: str = "medium") -> str:
    """A stored UTC datetime shown in the viewer's zone and language."""
    if not value:
        return ""
    value = as_utc(value)
    key = (value, style, get_locale(), get_timezone())
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) >= FORMATTED_LIMIT:
            _FORMATTED.clear()
        text = _FORMATTED[key] = format_datetime(value, style)
    return text


def local_span(starts_at, ends_at) -> str:
    """A time span in the viewer's zone: "Tuesday, December 1, 2026 · 4:00 PM – 5:30 PM"."""
    start, end = as_utc(starts_at), as_utc(ends_at)
    if format_date(start, "full") == format_date(end, "full"):
        return f"{format_date(start, 'full')} · {format_time(start, 'short')} – {format_time(end, 'short')}"
    return f"{local_datetime(starts_at, 'short')} – {local_datetime(ends_at, 'short')}"


def one_decimal(value) -> str:
    """A share or percentage with one decimal, in the reader's number format: 41.7 / 41,7."""
    key = ("one_decimal", value or 0, get_locale())  # remembered like times: Babel's formatting is the slow part
    text = _FORMATTED.get(key)
    if text is None:
        if len(_FORMATTED) >= FORMATTED_LIMIT:
            _FORMATTED.clear()
        text = _FORMATTED[key] = format_decimal(value or 0, format="#,##0.0")
    return text


def init_templating(app: Flask) -> None:
    """Register the filters and globals."""
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(render_chat, "chat")
    app.add_template_filter(action_label, "action_label")
    app.add_template_filter(detail_label, "detail_label")
    app.add_template_global(detail_value, "audit_detail_value")
    app.add_template_filter(member_name, "member_name")
    app.add_template_filter(localized_name, "localized_name")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(one_decimal, "one_decimal")
    app.add_template_global(local_span, "local_span")
    app.add_template_filter(lambda role: ROLE_NAMES.get(role, role), "role_label")
    app.add_template_global(lambda: str(get_locale()), "current_language")
