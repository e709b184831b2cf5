"""Live channels (`room:42`, `meeting:3`, `poll:7`) and who is in them: a row per socket and channel it joined.

A socket joins a channel only after the feature said the user may see its object. When what a member may see changes
(a meeting's regions, a member's region, a deleted meeting), the service sends `access_changed` after its commit;
`recheck_channels` then asks each affected row's feature again, and a socket that lost access leaves the channel on
whichever process holds it (python-socketio forwards `leave_room` through the message queue), is told with an
`access_lost` event, and its row goes. Rows go with their socket's registry row too (a foreign key, ON DELETE CASCADE).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import request
from flask_login import current_user
from flask_socketio import join_room, leave_room
from sqlalchemy import ForeignKey, ForeignKeyConstraint, Index, Integer, String, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..extensions import db, socketio
from .errors import ServiceError
from .signals import access_changed
from .time import utcnow

#: The event a socket gets when it is taken out of a channel it may no longer see.
ACCESS_LOST = "access_lost"


class SocketChannel(db.Model):
    """One live socket in one channel, on any server process: what a re-check of access walks through."""

    __tablename__ = "socket_channels"
    __table_args__ = (
        ForeignKeyConstraint(["sid", "namespace"], ["socket_connections.sid", "socket_connections.namespace"],
                             ondelete="CASCADE"),
        Index("ix_socket_channels_kind_object_id", "kind", "object_id"),
    )

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    object_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the object whose visibility this channel's follows ("meeting:3" for that meeting's room and polls), or None
    scope: Mapped[str | None] = mapped_column(String(40), index=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")


@dataclass(frozen=True)
class ChannelKind:
    """A kind of channel: its namespace, who may see its object, what it follows, and what leaving it undoes."""

    name: str
    namespace: str
    may_see: Callable[[object, int], bool]  # (user, object id): whether the user may see it now
    scope: Callable[[int], str | None] = lambda _object_id: None  # the object it follows, e.g. "meeting:3"
    on_lost: Callable[[str, int, object], None] | None = None  # (sid, object id, user), after the row is gone


KINDS: dict[str, ChannelKind] = {}


def visible_through(get_visible: Callable[[object, int], object]) -> Callable[[object, int], bool]:
    """A kind's may_see from its feature's get_visible_*(user, id), which raises ServiceError when the user may not."""

    def may_see(user, object_id: int) -> bool:
        try:
            get_visible(user, object_id)
        except ServiceError:
            return False
        return True

    return may_see


def register_channel_kind(kind: ChannelKind) -> None:
    """Make a kind of channel known; each live feature registers its own."""
    KINDS[kind.name] = kind


def channel_name(kind: str, object_id: int) -> str:
    """The server-built Socket.IO room of one object: "room:42"."""
    return f"{kind}:{object_id}"


def join_channel(kind: str, object_id: int) -> bool:
    """Put the handled event's socket in a channel its handler found visible; False if it closed or lost access."""
    # The row is written before access is checked again: a change committed at any moment is seen either by this
    # check or by the change's own re-check, which finds the row.
    channel = channel_name(kind, object_id)
    try:
        join_room(channel)
    except (KeyError, ValueError):  # python-socketio no longer knows the sid: the page was left meanwhile
        if socketio.server.manager.is_connected(request.sid, request.namespace):
            raise
        return False
    user = current_user._get_current_object()
    key = {"sid": request.sid, "namespace": request.namespace, "kind": kind, "object_id": object_id}
    if not _record(key, user.id, KINDS[kind].scope(object_id)):
        leave_room(channel)
        return False
    if not _may_still_see(user, kind, object_id):
        leave_room(channel)
        db.session.execute(delete(SocketChannel).filter_by(**key))
        db.session.commit()
        return False
    return True


def _record(key: dict, user_id: int, scope: str | None) -> bool:
    """Write the row of a joined channel; False when the socket's registry row is gone (it closed)."""
    if db.session.get(SocketChannel, tuple(key.values())) is not None:
        return True
    db.session.add(SocketChannel(**key, user_id=user_id, scope=scope, joined_at=utcnow()))
    try:
        db.session.commit()
    except IntegrityError:  # the same join twice at once, or the connection row is gone
        db.session.rollback()
        return db.session.get(SocketChannel, tuple(key.values())) is not None
    return True


def leave_channel(kind: str, object_id: int) -> None:
    """Take the socket of the event being handled out of an object's channel."""
    leave_room(channel_name(kind, object_id))
    db.session.execute(delete(SocketChannel).where(
        SocketChannel.sid == request.sid, SocketChannel.namespace == request.namespace,
        SocketChannel.kind == kind, SocketChannel.object_id == object_id,
    ))
    db.session.commit()


def _may_still_see(user, kind: str, object_id: int) -> bool:
    spec = KINDS.get(kind)
    return spec is not None and user is not None and user.is_active and spec.may_see(user, object_id)


def recheck_channels(condition) -> int:
    """Re-check the channel rows matching `condition`; sockets that lost access leave, are told, and are counted."""
    rows = db.session.scalars(select(SocketChannel).where(condition).options(selectinload(SocketChannel.user))).all()
    verdicts: dict[tuple[str, int, int], bool] = {}
    lost = []
    for row in rows:
        key = (row.kind, row.object_id, row.user_id)
        if key not in verdicts:
            verdicts[key] = _may_still_see(row.user, row.kind, row.object_id)
        if not verdicts[key]:
            lost.append((row.sid, row.namespace, row.kind, row.object_id, row.user))
    for sid, namespace, kind, object_id, _user in lost:
        socketio.server.leave_room(sid, channel_name(kind, object_id), namespace=namespace)
        socketio.emit(ACCESS_LOST, {"channel": kind, "id": object_id}, to=sid, namespace=namespace)
        db.session.execute(delete(SocketChannel).where(
            SocketChannel.sid == sid, SocketChannel.namespace == namespace,
            SocketChannel.kind == kind, SocketChannel.object_id == object_id,
        ))
    db.session.commit()
    for sid, _namespace, kind, object_id, user in lost:
        spec = KINDS.get(kind)
        if spec is not None and spec.on_lost is not None:
            spec.on_lost(sid, object_id, user)
    return len(lost)


@access_changed.connect
def recheck_after_change(sender: str, ids=(), **_extra) -> None:
    """Re-check the channels of what changed: a user's own ("user"), or an object's and those that follow it."""
    ids = list(ids)
    if not ids:
        return
    if sender == "user":
        recheck_channels(SocketChannel.user_id.in_(ids))
        return
    recheck_channels(or_(
        (SocketChannel.kind == sender) & SocketChannel.object_id.in_(ids),
        SocketChannel.scope.in_([channel_name(sender, object_id) for object_id in ids]),
    ))
