"""The Socket.IO foundation: signed-in users only, a policy entry for every event, server-built rooms."""

from __future__ import annotations

import functools
import hashlib

from flask_login import current_user
from flask_socketio import join_room

from ..extensions import socketio
from .policy import socket_event_allowed
from .signals import login_ended, sessions_revoked


def user_room(user_id: int) -> str:
    """The private room of one user, for notifications and forced disconnects."""
    return f"user:{user_id}"


def login_room(token: str) -> str:
    """The room of one device login, so signing out there closes its sockets."""
    return "login:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def accept_connection(namespace: str) -> bool:
    """Connect-time check for every namespace: refuse anonymous users and roles without a policy entry."""
    if not current_user.is_authenticated or not socket_event_allowed(namespace, "connect"):
        return False
    join_room(user_room(current_user.id), namespace=namespace)
    if current_user.login_token:
        join_room(login_room(current_user.login_token), namespace=namespace)
    return True


def guarded_event(event: str, namespace: str):
    """Register a socket handler that runs only for users the policy table allows (deny by default)."""

    def decorator(handler):
        @functools.wraps(handler)
        def guarded(*args):
            if not socket_event_allowed(namespace, event):
                return {"ok": False, "error": "forbidden"}
            return handler(*args)

        socketio.on(event, namespace=namespace)(guarded)
        return handler

    return decorator


@socketio.on("connect")
def connect(_auth=None):
    """The default namespace: signed-in users only."""
    return accept_connection("/")


def _disconnect_room(room: str) -> None:
    server = socketio.server
    if server is None:
        return
    for namespace in list(server.manager.get_namespaces()):
        for sid, _eio_sid in list(server.manager.get_participants(namespace, room)):
            server.disconnect(sid, namespace=namespace)


@sessions_revoked.connect
def disconnect_revoked_user(user, **_extra) -> None:
    """A user whose sessions were revoked loses every live socket, in every namespace."""
    _disconnect_room(user_room(user.id))


@login_ended.connect
def disconnect_ended_login(_user, token: str, **_extra) -> None:
    """Signing out on a device closes that device's sockets."""
    _disconnect_room(login_room(token))
