"""Chat times in the reader's zone and language: compact on screen, in full for screen readers and as a title.

static/js/room.js builds the same texts with Intl for messages that arrive live (chatTimes there): a time alone
today ("4:05 PM" / "16:05"), the day and the time before ("Dec 4, 4:05 PM", "Dec 4, 2025, 4:05 PM"), and a day
separator ("Today", "Yesterday", "Friday, December 4, 2026") where the day changes. Keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_date, format_skeleton, format_time
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from ..common.time import as_utc
from . import bp

#: (UTC datetime, today, locale, zone) -> ChatTime; a room page shows fifty and Babel's formatting is the slow part
_FORMATTED: dict = {}
FORMATTED_LIMIT = 20_000


@dataclass(frozen=True)
class ChatTime:
    short: str  # what the screen shows: "4:05 PM" today, "Dec 4, 4:05 PM" before
    full: str  # what a screen reader says and the title shows: "Friday, December 4, 2026, 4:05 PM"
    day: str  # the reader's calendar day, "2026-12-04": a separator goes where it changes


def _plain(text: str) -> str:
    """Babel's narrow no-break space (before AM/PM) as the plain space browsers' Intl writes, so both look the same."""
    return text.replace("\u202f", " ")


def _today(zone) -> date:
    return datetime.now(zone).date()


def chat_time(value: datetime) -> ChatTime:
    """A stored UTC message time as the reader sees it, in their zone and language."""
    zone, locale = get_timezone(), get_locale()
    local = as_utc(value).astimezone(zone)
    today = _today(zone)
    key = (value, today, locale, zone)
    shown = _FORMATTED.get(key)
    if shown is None:
        if len(_FORMATTED) >= FORMATTED_LIMIT:
            _FORMATTED.clear()
        time = _plain(format_time(local, "short", locale=locale))
        if local.date() == today:
            short = time
        else:
            skeleton = "MMMd" if local.year == today.year else "yMMMd"
            short = f"{format_skeleton(skeleton, local, locale=locale)}, {time}"
        full = f"{format_date(local, 'full', locale=locale)}, {time}"
        shown = _FORMATTED[key] = ChatTime(short=short, full=full, day=local.date().isoformat())
    return shown


def chat_day_label(value: datetime) -> str:
    """The separator above a day's first message: "Today", "Yesterday" or the full date."""
    zone = get_timezone()
    local = as_utc(value).astimezone(zone)
    today = _today(zone)
    if local.date() == today:
        return _("Today")
    if local.date() == today - timedelta(days=1):
        return _("Yesterday")
    return format_date(local, "full", locale=get_locale())


bp.add_app_template_global(chat_time, "chat_time")
bp.add_app_template_global(chat_day_label, "chat_day_label")
