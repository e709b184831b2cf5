"""Who may see and moderate which room."""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from ..common.roles import Role
from ..meetings.models import Meeting
from ..meetings.visibility import may_see as may_see_meeting
from ..meetings.visibility import visible_meetings
from .models import Room, RoomKind

MODERATORS = (Role.ADVISOR, Role.ADMIN)


def may_moderate(user) -> bool:
    """Advisors and admins delete messages, mute members, lock rooms and call speakers."""
    return user.role in MODERATORS


def may_see_room(user, room: Room) -> bool:
    """A meeting's room follows the meeting; a regional topic room is for that region's members and adults."""
    if room.kind == RoomKind.MEETING:
        return room.meeting is not None and may_see_meeting(user, room.meeting)
    if room.region_id is None or user.role != Role.MEMBER:
        return True
    return user.region_id == room.region_id


def visible_rooms(user) -> Select:
    """A query of the rooms the user may see (the same rule as may_see_room)."""
    meeting_ids = visible_meetings(user).with_only_columns(Meeting.id)
    in_meeting = (Room.kind == RoomKind.MEETING) & Room.meeting_id.in_(meeting_ids)
    other = Room.kind != RoomKind.MEETING
    if user.role == Role.MEMBER:
        other = other & or_(Room.region_id.is_(None), Room.region_id == user.region_id)
    return select(Room).where(in_meeting | other)
