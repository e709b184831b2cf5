"""Who may see which meeting: drafts are for advisors and admins; regional meetings for their regions."""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select

from ..common.roles import Role
from ..extensions import db
from ..members.models import User
from .models import Meeting, MeetingStatus, meeting_regions

STAFF = (Role.ADVISOR, Role.ADMIN)


def may_manage_meetings(user) -> bool:
    """Advisors and admins create, edit, publish and run meetings."""
    return user.role in STAFF


def may_see(user, meeting: Meeting) -> bool:
    """Whether the user may know the meeting exists."""
    if may_manage_meetings(user):
        return True
    if meeting.status == MeetingStatus.DRAFT:
        return False
    if user.role != Role.MEMBER or not meeting.regions:
        return True
    return user.region_id in {region.id for region in meeting.regions}


def members_invited(meeting: Meeting) -> list:
    """The active student members a published meeting is for (its regions', or everyone's)."""
    query = select(User).where(User.role == Role.MEMBER, User.active.is_(True), User.deleted_at.is_(None))
    if meeting.regions:
        query = query.where(User.region_id.in_([region.id for region in meeting.regions]))
    return list(db.session.scalars(query))


def visible_meetings(user) -> Select:
    """A query of the meetings the user may see (the same rule as may_see)."""
    query = select(Meeting)
    if may_manage_meetings(user):
        return query
    query = query.where(Meeting.status != MeetingStatus.DRAFT)
    if user.role == Role.MEMBER:
        has_regions = exists().where(meeting_regions.c.meeting_id == Meeting.id)
        in_my_region = exists().where(
            meeting_regions.c.meeting_id == Meeting.id, meeting_regions.c.region_id == user.region_id
        )
        query = query.where(or_(~has_regions, in_my_region))
    return query
