"""Messages: stored before they are broadcast, idempotent by client id, caught up by last id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..common.database import commit_keeping_loaded
from ..common.errors import ServiceError
from ..common.signals import room_message_posted
from ..common.time import utcnow
from ..extensions import db
from . import notices
from .access import may_moderate
from .models import Message, Mute, Room

MAX_BODY = 2000
MAX_CLIENT_ID = 64
RATE_LIMIT_COUNT = 10
RATE_LIMIT_WINDOW = timedelta(seconds=10)
CATCH_UP_LIMIT = 200
PAGE_SIZE = 50


@dataclass(frozen=True)
class Posted:
    message: Message
    created: bool


@dataclass(frozen=True)
class CatchUp:
    """What a (re)joining client missed: messages after its last id, oldest first, and deletions."""

    messages: list[Message]
    has_more: bool
    deleted_ids: list[int]


def active_mute(room: Room, user) -> Mute | None:
    """The user's mute in the room if it still runs."""
    return db.session.scalar(
        select(Mute).where(Mute.room_id == room.id, Mute.user_id == user.id, Mute.until > utcnow())
    )


def _existing(room: Room, user, client_id: str) -> Message | None:
    return db.session.scalar(
        select(Message).where(Message.room_id == room.id, Message.author_id == user.id, Message.client_id == client_id)
    )


def _storable(text: str) -> str:
    """Text every database takes: NUL removed, lone surrogates (JSON allows "\\ud800") made U+FFFD."""
    return text.replace("\x00", "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def post_message(user, room: Room, body, client_id) -> Posted:
    """Store a message and announce it; the same client id again returns the stored message, unchanged."""
    client_id = _storable(client_id) if isinstance(client_id, str) else None
    if client_id is None or not 1 <= len(client_id) <= MAX_CLIENT_ID:
        raise ServiceError(_l("The message could not be sent. Reload the page and try again."))
    body = _storable(body).strip() if isinstance(body, str) else ""
    if not body:
        raise ServiceError(_l("Write a message first."))
    if len(body) > MAX_BODY:
        raise ServiceError(_l("Messages can be at most %(n)d characters.", n=MAX_BODY))
    # One query answers the three questions of the hot path: a resend, a mute, the rate limit.
    now = utcnow()
    existing_id, muted, recent = db.session.execute(
        select(
            select(Message.id).where(Message.room_id == room.id, Message.author_id == user.id,
                                     Message.client_id == client_id).scalar_subquery(),
            exists().where(Mute.room_id == room.id, Mute.user_id == user.id, Mute.until > now),
            select(func.count(Message.id)).where(
                Message.room_id == room.id, Message.author_id == user.id, Message.created_at > now - RATE_LIMIT_WINDOW,
            ).scalar_subquery(),
        )
    ).one()
    if existing_id is not None:
        return Posted(db.session.get(Message, existing_id), created=False)
    if room.locked and not may_moderate(user):
        raise ServiceError(_l("This room is locked. Only advisors can post right now."))
    if muted:
        raise ServiceError(_l("An advisor muted you in this room for a while. You can read, but not post."))
    if recent >= RATE_LIMIT_COUNT:
        raise ServiceError(_l("You are sending messages very fast. Wait a few seconds and try again."))
    message = Message(room_id=room.id, author=user, client_id=client_id, body=body, created_at=now)
    db.session.add(message)
    try:
        commit_keeping_loaded(db.session)  # the broadcast and the acknowledgement use it as written
    except IntegrityError:  # the same client id raced in from another tab or process: that one stands
        db.session.rollback()
        return Posted(_existing(room, user, client_id), created=False)
    room_message_posted.send(message)
    notices.mentioned_in_message(message, room)
    return Posted(message, created=True)


def _live(room: Room):
    return (
        select(Message)
        .where(Message.room_id == room.id, Message.deleted_at.is_(None))
        .options(selectinload(Message.author))
    )


def latest_messages(room: Room, limit: int = PAGE_SIZE) -> tuple[list[Message], bool]:
    """The newest messages, oldest first, and whether older ones exist."""
    rows = list(db.session.scalars(_live(room).order_by(Message.id.desc()).limit(limit + 1)))
    return list(reversed(rows[:limit])), len(rows) > limit


def messages_before(room: Room, before_id: int, limit: int = PAGE_SIZE) -> tuple[list[Message], bool]:
    """The page of messages just older than before_id, oldest first, and whether there are more."""
    rows = list(db.session.scalars(
        _live(room).where(Message.id < before_id).order_by(Message.id.desc()).limit(limit + 1)
    ))
    return list(reversed(rows[:limit])), len(rows) > limit


def catch_up(room: Room, after_id: int | None) -> CatchUp:
    """Messages after the client's last id (up to 200, oldest first); without an id, the latest 50."""
    if not after_id:
        messages, _older = latest_messages(room)
        return CatchUp(messages=messages, has_more=False, deleted_ids=[])
    rows = list(db.session.scalars(
        _live(room).where(Message.id > after_id).order_by(Message.id).limit(CATCH_UP_LIMIT + 1)
    ))
    deleted = list(db.session.scalars(
        select(Message.id).where(
            Message.room_id == room.id, Message.id <= after_id, Message.deleted_at > utcnow() - timedelta(days=1)
        )
    ))
    return CatchUp(messages=rows[:CATCH_UP_LIMIT], has_more=len(rows) > CATCH_UP_LIMIT, deleted_ids=deleted)


def get_message(room: Room, message_id: int) -> Message | None:
    """A message of this room, deleted or not."""
    message = db.session.get(Message, message_id)
    return message if message is not None and message.room_id == room.id else None
