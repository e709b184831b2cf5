"""Who may see which meeting: drafts are for advisors and admins; regional meetings for their regions."""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select

from ..common.roles import Role
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
