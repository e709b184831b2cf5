"""The Socket.IO connection: only signed-in users with a policy entry may connect."""

from __future__ import annotations

from flask_login import current_user
from flask_socketio import join_room

from ..extensions import socketio
from .policy import socket_event_allowed
from .signals import sessions_revoked


def user_room(user_id: int) -> str:
    """The private room of one user, for notifications and forced disconnects."""
    return f"user:{user_id}"


@socketio.on("connect")
def connect(_auth=None):
    """Refuse anonymous clients; put each user in their own room."""
    if not current_user.is_authenticated or not socket_event_allowed("/", "connect"):
        return False
    join_room(user_room(current_user.id))
    return True


@sessions_revoked.connect
def disconnect_revoked_user(user, **_extra) -> None:
    """A user whose sessions were revoked loses their live sockets too."""
    server = socketio.server
    if server is None:
        return
    for sid, _eio_sid in list(server.manager.get_participants("/", user_room(user.id))):
        server.disconnect(sid, namespace="/")
