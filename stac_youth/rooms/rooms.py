"""Rooms: topic rooms made by advisors, a room for every meeting, the room list with unread counts."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, literal, select
from sqlalchemy.orm import selectinload

from ..common.audit import record_audit
from ..common.database import commit_keeping_loaded
from ..common.errors import NotFound, ServiceError
from ..common.signals import meeting_created
from ..extensions import db
from ..members.models import Region
from .access import may_see_room, visible_rooms
from .models import Message, Room, RoomKind, RoomRead


@dataclass(frozen=True)
class RoomListEntry:
    room: Room
    unread: int  # counted up to UNREAD_CAP + 1: more than UNREAD_CAP reads "9+"

    @property
    def unread_label(self) -> str:
        """How many unread messages, as the badge says it: "3 unread", "9+ unread"."""
        if self.unread > UNREAD_CAP:
            return _("%(num)d+ unread", num=UNREAD_CAP)
        return ngettext("%(num)d unread", "%(num)d unread", self.unread)


#: Unread messages are counted up to here per room: the count then costs at most this many rows per room, however
#: long a room nobody has opened in a while has grown.
UNREAD_CAP = 9


def get_visible_room(user, room_id: int) -> Room:
    """The room if the user may see it; NotFound otherwise, alike for missing and hidden rooms."""
    room = db.session.get(Room, room_id)
    if room is None or not may_see_room(user, room):
        raise NotFound(_l("We could not find that room."))
    return room


def room_title(room: Room) -> str:
    """A meeting's room is named after the meeting, whatever it is renamed to."""
    return room.meeting.title if room.kind == RoomKind.MEETING and room.meeting else room.title


def create_topic_room(advisor, title: str, description: str, region_id: int | None) -> Room:
    """A topic room for all members, or for one region's members."""
    title = title.strip()
    if not title:
        raise ServiceError(_l("Give the room a name."), field="title")
    if region_id is not None and db.session.get(Region, region_id) is None:
        raise ServiceError(_l("Choose a region from the list."), field="region_id")
    room = Room(kind=RoomKind.TOPIC, title=title, description=description.strip(), region_id=region_id,
                created_by_id=advisor.id)
    db.session.add(room)
    db.session.flush()
    record_audit("room.created", actor=advisor, room_id=room.id, title=title)
    db.session.commit()
    return room


def room_for_meeting(meeting) -> Room:
    """The meeting's discussion room, made the first time it is needed."""
    room = db.session.scalar(select(Room).where(Room.meeting_id == meeting.id))
    if room is None:
        room = Room(kind=RoomKind.MEETING, title=meeting.title, meeting_id=meeting.id,
                    created_by_id=meeting.created_by_id)
        db.session.add(room)
        db.session.commit()
    return room


def open_proposal_room(advisor, title: str) -> Room:
    """The discussion room of a proposal in discussion, open to every member."""
    room = Room(kind=RoomKind.PROPOSAL, title=title, created_by_id=advisor.id)
    db.session.add(room)
    db.session.flush()
    record_audit("room.created", actor=advisor, room_id=room.id, title=title)
    return room


@meeting_created.connect
def _open_meeting_room(meeting, **_extra) -> None:
    room_for_meeting(meeting)


def list_rooms(user) -> list[RoomListEntry]:
    """The rooms the user may see with how many messages by others they have not read (meeting and region loaded)."""
    rows = db.session.execute(
        visible_rooms(user).add_columns(_unread_count(user.id))
        .options(selectinload(Room.meeting), selectinload(Room.region))
        .order_by(Room.kind.desc(), Room.created_at.desc())
    ).all()
    return [RoomListEntry(room=room, unread=unread) for room, unread in rows]


def _unread_count(user_id: int):
    """Per room of the enclosing query: messages by others after the user's last read one, up to UNREAD_CAP + 1."""
    last_read = (select(RoomRead.last_read_id).where(RoomRead.room_id == Room.id, RoomRead.user_id == user_id)
                 .correlate(Room).scalar_subquery())
    unread = (select(literal(1)).select_from(Message)
              .where(Message.room_id == Room.id, Message.deleted_at.is_(None), Message.author_id != user_id,
                     Message.id > func.coalesce(last_read, 0))
              .correlate(Room).limit(UNREAD_CAP + 1).subquery())
    return select(func.count()).select_from(unread).scalar_subquery()


def mark_read(user, room: Room, message_id: int) -> None:
    """Remember that the user has read the room up to this message."""
    read = db.session.scalar(select(RoomRead).where(RoomRead.room_id == room.id, RoomRead.user_id == user.id))
    if read is None:
        read = RoomRead(room_id=room.id, user_id=user.id, last_read_id=0)
        db.session.add(read)
    if message_id > read.last_read_id:
        read.last_read_id = message_id
    commit_keeping_loaded(db.session)  # the caller may still be sending the messages it just read
