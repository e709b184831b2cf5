"""The meeting list: upcoming and past meetings with the viewer's RSVP and attendance counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import exists
from sqlalchemy.orm import selectinload

from ..common.time import utcnow
from ..extensions import db
from .attendance import attendance_counts, my_rsvps
from .models import Meeting, MeetingStatus, meeting_regions
from .visibility import visible_meetings


@dataclass
class MeetingList:
    upcoming: list[Meeting]
    past: list[Meeting]
    rsvps: dict[int, str] = field(default_factory=dict)
    attended: dict[int, int] = field(default_factory=dict)


def meeting_list(user, region_id: int | None = None, past_limit: int = 30) -> MeetingList:
    """Meetings the user may see, optionally only those for one region (statewide ones included)."""
    query = visible_meetings(user).options(selectinload(Meeting.regions))
    if region_id:
        statewide = ~exists().where(meeting_regions.c.meeting_id == Meeting.id)
        for_region = exists().where(
            meeting_regions.c.meeting_id == Meeting.id, meeting_regions.c.region_id == region_id
        )
        query = query.where(statewide | for_region)
    now = utcnow()
    upcoming = list(db.session.scalars(
        query.where(Meeting.ends_at >= now, Meeting.status != MeetingStatus.ENDED).order_by(Meeting.starts_at)
    ))
    past = list(db.session.scalars(
        query.where((Meeting.ends_at < now) | (Meeting.status == MeetingStatus.ENDED))
        .order_by(Meeting.starts_at.desc())
        .limit(past_limit)
    ))
    ids = [meeting.id for meeting in upcoming + past]
    return MeetingList(upcoming=upcoming, past=past, rsvps=my_rsvps(user, ids), attended=attendance_counts(ids))
