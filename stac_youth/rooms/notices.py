"""What the rooms area tells people: a mention in a message, a message reported for moderation."""

from __future__ import annotations

from sqlalchemy import select

from ..common.roles import Role
from ..common.urls import path_for
from ..extensions import db
from ..members.models import User
from ..notifications import kinds
from ..notifications.mentions import mentioned_in
from ..notifications.services import notify
from .access import may_see_room
from .models import Message, Room


def _place(room: Room) -> str:
    return room.meeting.title if room.meeting is not None else room.title


def mentioned_in_message(message: Message, room: Room) -> None:
    """People named with @ who may see the room (never the author) hear where."""
    if "@" not in message.body:  # the hot path: most messages name nobody
        return
    named = [user for user in mentioned_in(message.body) if user.id != message.author_id and may_see_room(user, room)]
    if named:
        notify(named, kinds.MENTION, path_for("rooms.show", room_id=room.id), actor=message.author,
               place=_place(room))


def message_reported(room: Room) -> None:
    """Advisors and admins hear that a message waits for moderation."""
    staff = db.session.scalars(select(User).where(User.role.in_((Role.ADVISOR, Role.ADMIN)), User.active.is_(True),
                                                  User.deleted_at.is_(None)))
    notify(list(staff), kinds.REPORT, path_for("rooms.reports"), place=_place(room))
