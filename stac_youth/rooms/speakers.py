"""The speakers queue: raise and lower a hand; an advisor calls the next speaker."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..common.audit import record_audit
from ..common.errors import ServiceError
from ..common.signals import room_changed
from ..common.time import utcnow
from ..extensions import db
from .models import Room, SpeakerRequest


def queue(room_id: int) -> list[SpeakerRequest]:
    """Raised hands in the order they went up."""
    return list(db.session.scalars(
        select(SpeakerRequest).where(SpeakerRequest.room_id == room_id)
        .options(selectinload(SpeakerRequest.user))
        .order_by(SpeakerRequest.raised_at, SpeakerRequest.id)
    ))


def raise_hand(user, room: Room) -> None:
    """Join the end of the queue; raising a raised hand changes nothing."""
    if db.session.scalar(select(SpeakerRequest.id).where(SpeakerRequest.room_id == room.id,
                                                         SpeakerRequest.user_id == user.id)):
        return
    db.session.add(SpeakerRequest(room_id=room.id, user_id=user.id, raised_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:  # a second tab raised it at the same moment
        db.session.rollback()
        return
    room_changed.send(room.id, what="queue")


def lower_hand(user, room: Room) -> None:
    """Leave the queue."""
    request = db.session.scalar(
        select(SpeakerRequest).where(SpeakerRequest.room_id == room.id, SpeakerRequest.user_id == user.id)
    )
    if request is None:
        return
    db.session.delete(request)
    db.session.commit()
    room_changed.send(room.id, what="queue")


def call_next(advisor, room: Room):
    """Give the floor to the first raised hand; returns that user."""
    waiting = queue(room.id)
    if not waiting:
        raise ServiceError(_l("Nobody is waiting to speak."))
    first = waiting[0]
    speaker = first.user
    db.session.delete(first)
    record_audit("room.speaker_called", actor=advisor, subject=speaker, room_id=room.id)
    db.session.commit()
    room_changed.send(room.id, what="queue", called=speaker)
    return speaker
