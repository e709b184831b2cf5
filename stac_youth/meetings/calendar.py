"""Calendar files: one meeting as .ics, and a personal subscription feed at a secret URL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vText
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..common.time import DEFAULT_TIMEZONE, as_utc, utcnow
from ..common.tokens import hash_token, new_token
from ..extensions import db
from ..members.models import User
from .models import CalendarFeed, Meeting, MeetingStatus
from .visibility import visible_meetings

CALENDAR_ZONE = ZoneInfo(DEFAULT_TIMEZONE)
UID_DOMAIN = "stac-youth"


def meeting_uid(meeting: Meeting) -> str:
    """The calendar UID: stable for the life of the meeting, whatever is edited."""
    return f"meeting-{meeting.uid}@{UID_DOMAIN}"


def _description(meeting: Meeting, link: str) -> str:
    lines = [meeting.description.strip()] if meeting.description.strip() else []
    if meeting.items:
        lines.append("")
        lines.extend(f"{n}. {item.title} ({item.minutes} min)" for n, item in enumerate(meeting.items, 1))
    if meeting.video_url:
        lines.extend(["", meeting.video_url])
    lines.extend(["", link])
    return "\n".join(lines).strip()


def _location(meeting: Meeting) -> str | None:
    """Where to go: the place, or for an online meeting its join link (calendar apps make LOCATION a button)."""
    place = (meeting.location or "").strip()
    return place or (meeting.video_url or "").strip() or None


def _event(meeting: Meeting, link: str) -> Event:
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("summary", meeting.title)
    event.add("dtstart", as_utc(meeting.starts_at).astimezone(CALENDAR_ZONE))
    event.add("dtend", as_utc(meeting.ends_at).astimezone(CALENDAR_ZONE))
    event.add("dtstamp", as_utc(meeting.updated_at or utcnow()))
    event.add("sequence", meeting.sequence)
    event.add("description", _description(meeting, link))
    event.add("url", link)
    location = _location(meeting)
    if location:
        event.add("location", location)
    if meeting.status == MeetingStatus.DRAFT:
        event.add("status", "TENTATIVE")
    elif meeting.status == MeetingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    return event


def _calendar(meetings: Iterable[Meeting], link_for: Callable[[Meeting], str], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//STAC Youth//Statewide Student Advisory Board//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", vText(name))  # an X- property is not escaped unless typed as text
    for meeting in meetings:
        calendar.add_component(_event(meeting, link_for(meeting)))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def meeting_ics(meeting: Meeting, link: str) -> bytes:
    """One meeting as an iCalendar file, times in America/Los_Angeles."""
    return _calendar([meeting], lambda _meeting: link, meeting.title)


def feed_ics(user: User, link_for: Callable[[Meeting], str], name: str) -> bytes:
    """Every meeting the user may see, drafts excluded, as one iCalendar feed (agendas loaded in one query)."""
    meetings = db.session.scalars(
        visible_meetings(user).where(Meeting.status != MeetingStatus.DRAFT)
        .options(selectinload(Meeting.items)).order_by(Meeting.starts_at)
    )
    return _calendar(meetings, link_for, name)


def regenerate_feed_token(user: User) -> str:
    """A new secret feed token for the user; the old feed URL stops working."""
    token, token_hash = new_token()
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = token_hash
    feed.created_at = utcnow()
    db.session.commit()
    return token


def has_feed(user: User) -> bool:
    """Whether the user has created a feed URL."""
    return db.session.scalar(select(CalendarFeed.id).where(CalendarFeed.user_id == user.id)) is not None


def feed_owner(token: str) -> User | None:
    """The active user a feed token belongs to, or None."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token)))
    if feed is None:
        return None
    user = db.session.get(User, feed.user_id)
    return user if user is not None and user.is_active else None
