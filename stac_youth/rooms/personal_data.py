"""What the rooms area holds about a member: for their own-data export, and what erasure changes."""

from __future__ import annotations

from sqlalchemy import select

from ..common.signals import account_erased, collect_personal_data
from ..extensions import db
from ..notifications.mentions import like_mention, without_mentions_of
from .models import Message, MessageReport, Room


@collect_personal_data.connect
def export_room_data(user, **_extra) -> dict:
    """Messages the user wrote (deleted ones marked) and reports they made."""
    written = db.session.execute(
        select(Room.title, Message.body, Message.created_at, Message.deleted_at)
        .join(Room, Room.id == Message.room_id).where(Message.author_id == user.id).order_by(Message.id)
    ).all()
    reports = db.session.execute(
        select(MessageReport.reason, MessageReport.created_at, MessageReport.resolution)
        .where(MessageReport.reporter_id == user.id).order_by(MessageReport.id)
    ).all()
    return {
        "room_messages": [{"room": title, "body": body, "at": at.isoformat() + "Z", "deleted": deleted is not None}
                          for title, body, at, deleted in written],
        "message_reports": [{"reason": reason, "at": at.isoformat() + "Z", "resolution": resolution}
                            for reason, at, resolution in reports],
    }


@account_erased.connect
def forget_erased_member(user, former_name: str | None = None, **_extra) -> None:
    """Messages that @mention the erased member name a former member instead; the eraser's service commits."""
    if not former_name:
        return
    for message in db.session.scalars(select(Message).where(Message.body.ilike(like_mention(former_name),
                                                                                 escape="\\"))):
        message.body = without_mentions_of(message.body, former_name)
