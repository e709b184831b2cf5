"""What the meetings area tells members: a meeting published, its agenda changed, it is cancelled or back on."""

from __future__ import annotations

from ..common.urls import path_for
from ..notifications import kinds
from ..notifications.services import notify
from .attendance import members_who_answered
from .models import Meeting, MeetingStatus
from .visibility import members_invited


def meeting_published(meeting: Meeting) -> None:
    """Tell the members a meeting is for that it is on the calendar with its agenda."""
    notify(members_invited(meeting), kinds.AGENDA_PUBLISHED, path_for("meetings.detail", meeting_id=meeting.id),
           meeting=meeting.title, when_at=meeting.starts_at.isoformat())


def agenda_changed(meeting: Meeting) -> None:
    """Tell them again when the agenda of a published or live meeting changes (once until they read it)."""
    if meeting.status in (MeetingStatus.PUBLISHED, MeetingStatus.LIVE):
        notify(members_invited(meeting), kinds.AGENDA_CHANGED, path_for("meetings.detail", meeting_id=meeting.id),
               meeting=meeting.title, when_at=meeting.starts_at.isoformat())


def meeting_cancelled(meeting: Meeting, reason: str) -> None:
    """Tell the members who answered the invitation that the meeting is cancelled, and why."""
    notify(members_who_answered(meeting), kinds.MEETING_CANCELLED, path_for("meetings.detail", meeting_id=meeting.id),
           once_unread=False, meeting=meeting.title, when_at=meeting.starts_at.isoformat(), reason=reason)


def meeting_restored(meeting: Meeting) -> None:
    """Tell the members who answered the invitation that the cancelled meeting is back on."""
    notify(members_who_answered(meeting), kinds.MEETING_RESTORED, path_for("meetings.detail", meeting_id=meeting.id),
           once_unread=False, meeting=meeting.title, when_at=meeting.starts_at.isoformat())
