"""The Socket.IO foundation: signed-in users only, a policy entry for every event, server-built rooms.

Every live connection is also a row in the shared database, so a sign-out handled by one server process can
close the same user's sockets on every other process (python-socketio forwards a disconnect of a socket it
does not hold through the message queue).
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timedelta

from flask import request
from flask_login import current_user
from flask_socketio import join_room
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, socketio
from .policy import socket_event_allowed
from .signals import login_ended, sessions_revoked
from .time import utcnow

FORGET_CONNECTIONS_AFTER = timedelta(days=2)


class SocketConnection(db.Model):
    """One live Socket.IO connection of a user, in one namespace, on any server process."""

    __tablename__ = "socket_connections"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    login_key: Mapped[str | None] = mapped_column(String(40), index=True)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)


def message_queue_channel(redis_url: str | None) -> str:
    """The Redis pub/sub channel of the Socket.IO message queue: one per Redis database number.

    Pub/sub ignores database numbers, so two deployments on one Redis server (staging on /1, production on /0) would
    otherwise deliver each other's room messages to whoever is in a room with the same id.
    """
    if not redis_url:
        return "stac-youth"
    from redis.connection import parse_url

    return f"stac-youth-db{parse_url(redis_url).get('db', 0)}"


def user_room(user_id: int) -> str:
    """The private room of one user, for notifications and forced disconnects."""
    return f"user:{user_id}"


def login_room(token: str) -> str:
    """The room of one device login, so signing out there closes its sockets."""
    return "login:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def join_channel(channel: str) -> bool:
    """Put the connection whose event is being handled in a channel; False when it closed meanwhile (its page was left
    before the event was handled), which leaves nothing to do."""
    try:
        join_room(channel)
    except (KeyError, ValueError):  # python-socketio no longer knows the sid
        if socketio.server.manager.is_connected(request.sid, request.namespace):
            raise
        return False
    return True


def accept_connection(namespace: str) -> bool:
    """Connect-time check for every namespace: refuse anonymous users and roles without a policy entry."""
    if not current_user.is_authenticated or not socket_event_allowed(namespace, "connect"):
        return False
    join_room(user_room(current_user.id), namespace=namespace)
    login_key = login_room(current_user.login_token) if current_user.login_token else None
    if login_key:
        join_room(login_key, namespace=namespace)
    stale = utcnow() - FORGET_CONNECTIONS_AFTER
    db.session.execute(delete(SocketConnection).where(SocketConnection.connected_at < stale))
    db.session.merge(SocketConnection(sid=request.sid, namespace=namespace, user_id=current_user.id,
                                      login_key=login_key, connected_at=utcnow()))
    db.session.commit()
    return True


def connection_closed(namespace: str) -> bool:
    """Forget a connection that closed; False when a client merely sent an event named "disconnect"."""
    if socketio.server.manager.is_connected(request.sid, namespace):
        return False
    db.session.execute(
        delete(SocketConnection).where(SocketConnection.sid == request.sid, SocketConnection.namespace == namespace)
    )
    db.session.commit()
    return True


def guarded_event(event: str, namespace: str):
    """Register a socket handler that runs only for users the policy table allows (deny by default)."""

    def decorator(handler):
        @functools.wraps(handler)
        def guarded(*args):
            if not socket_event_allowed(namespace, event):
                return {"ok": False, "error": "forbidden"}
            if len(args) != 1:  # every handler takes one payload; a client may send none or several
                return {"ok": False, "error": "invalid"}
            return handler(*args)

        socketio.on(event, namespace=namespace)(guarded)
        return handler

    return decorator


@socketio.on("connect")
def connect(_auth=None):
    """The default namespace: signed-in users only."""
    return accept_connection("/")


@socketio.on("disconnect")
def disconnect(*_args):
    """Forget the closed connection."""
    connection_closed("/")


def _disconnect_where(condition) -> None:
    server = socketio.server
    if server is None:
        return
    connections = db.session.execute(
        select(SocketConnection.sid, SocketConnection.namespace).where(condition)
    ).all()
    for sid, namespace in connections:
        server.disconnect(sid, namespace=namespace)


@sessions_revoked.connect
def disconnect_revoked_user(user, **_extra) -> None:
    """A user whose sessions were revoked loses every live socket, in every namespace, on every process."""
    _disconnect_where(SocketConnection.user_id == user.id)


@login_ended.connect
def disconnect_ended_login(_user, token: str, **_extra) -> None:
    """Signing out on a device closes that device's sockets, on every process."""
    _disconnect_where(SocketConnection.login_key == login_room(token))
