"""Presence per user, across tabs and server processes: a row per live connection in the shared database.

Clients confirm they are still there every minute ("here"), so rows left by a process that died stop
counting after PRESENCE_TIMEOUT without anyone having to clean up after it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from ..common.signals import room_changed
from ..common.time import utcnow
from ..extensions import db
from ..members.models import User
from .models import Presence, Room

PRESENCE_TIMEOUT = timedelta(seconds=150)
FORGET_AFTER = timedelta(days=1)


def _live_rows(room_id: int):
    return select(Presence.user_id).where(Presence.room_id == room_id, Presence.seen_at > utcnow() - PRESENCE_TIMEOUT)


def present_users(room_id: int) -> list[User]:
    """Everyone with at least one live connection in the room, by name."""
    return list(db.session.scalars(
        select(User).where(User.id.in_(_live_rows(room_id))).order_by(User.display_name)
    ))


def _user_ids(room_id: int) -> set[int]:
    return set(db.session.scalars(_live_rows(room_id)))


def still_here(sid: str) -> None:
    """A connection confirms it is alive, in every room it joined."""
    db.session.execute(update(Presence).where(Presence.sid == sid).values(seen_at=utcnow()))
    db.session.commit()


def enter(room: Room, user, sid: str) -> None:
    """A connection joined the room; everyone is told when this brings a new person in."""
    if db.session.get(Presence, (sid, room.id)) is not None:
        return
    before = _user_ids(room.id)
    db.session.execute(delete(Presence).where(Presence.seen_at < utcnow() - FORGET_AFTER))
    now = utcnow()
    db.session.add(Presence(sid=sid, room_id=room.id, user_id=user.id, joined_at=now, seen_at=now))
    db.session.commit()
    if user.id not in before:
        room_changed.send(room.id, what="presence")


def leave_all(sid: str) -> None:
    """A connection closed: it leaves every room it was in; people with no other connection leave too."""
    rows = list(db.session.scalars(select(Presence).where(Presence.sid == sid)))
    if not rows:
        return
    changed = []
    for room_id, user_id in [(row.room_id, row.user_id) for row in rows]:
        # a statement, not session.delete(): another close of the same connection may have removed the row already
        db.session.execute(delete(Presence).where(Presence.sid == sid, Presence.room_id == room_id))
        if user_id not in _user_ids(room_id):
            changed.append(room_id)
    db.session.commit()
    for room_id in changed:
        room_changed.send(room_id, what="presence")


def leave(room: Room, sid: str) -> None:
    """A connection left one room."""
    row = db.session.get(Presence, (sid, room.id))
    if row is None:
        return
    user_id = row.user_id
    db.session.delete(row)
    db.session.commit()
    if user_id not in _user_ids(room.id):
        room_changed.send(room.id, what="presence")
