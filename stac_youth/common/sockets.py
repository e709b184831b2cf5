"""The Socket.IO foundation: signed-in users only, a policy entry for every event, server-built rooms.

Every live connection is also a row in the shared database, so a sign-out handled by one server process can
close the same user's sockets on every other process (python-socketio forwards a disconnect of a socket it
does not hold through the message queue). A row lives as long as its socket: each process renews the lease of its
own live sockets every few minutes, and only rows whose lease ran out long ago (their process died) are forgotten.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
from datetime import datetime, timedelta

from flask import current_app, request
from flask_login import current_user
from flask_socketio import Namespace, join_room
from sqlalchemy import ForeignKey, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, socketio
from .policy import socket_event_allowed
from .signals import login_ended, sessions_revoked
from .time import utcnow

#: how often each process renews the lease of its live sockets (the SOCKET_LEASE_SECONDS setting; 0: never)
LEASE_SECONDS = 120
#: a registry row whose lease has not been renewed for this long belongs to a process that died: it is forgotten
FORGET_CONNECTIONS_AFTER = timedelta(hours=1)
#: the largest event the app handles (its JSON, in UTF-8); a larger one is answered with "too_large"
MAX_EVENT_BYTES = 65536
#: the largest frame the transport accepts before it closes the connection: far above MAX_EVENT_BYTES, so an
#: oversized event is answered rather than cutting the client off without a word
MAX_FRAME_BYTES = 4 * 1024 * 1024
#: the policy table's event name for events a namespace has no handler for
UNKNOWN_EVENT = "*"
log = logging.getLogger(__name__)


class SocketConnection(db.Model):
    """One live Socket.IO connection of a user, in one namespace, on any server process."""

    __tablename__ = "socket_connections"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    namespace: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    login_key: Mapped[str | None] = mapped_column(String(40), index=True)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the lease: renewed while the socket lives on its process (renew_leases)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


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


def accept_connection(namespace: str) -> bool:
    """Connect-time check for every namespace: refuse anonymous users and roles without a policy entry."""
    if not current_user.is_authenticated or not socket_event_allowed(namespace, "connect"):
        return False
    join_room(user_room(current_user.id), namespace=namespace)
    login_key = login_room(current_user.login_token) if current_user.login_token else None
    if login_key:
        join_room(login_key, namespace=namespace)
    now = utcnow()
    db.session.merge(SocketConnection(sid=request.sid, namespace=namespace, user_id=current_user.id,
                                      login_key=login_key, connected_at=now, seen_at=now))
    db.session.commit()
    start_lease_renewal(current_app._get_current_object())
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


def signed_in_namespace(namespace: str) -> None:
    """Register the usual connect (signed-in users the policy allows) and disconnect (forget it) of a namespace."""

    def connect(_auth=None):
        return accept_connection(namespace)

    def disconnect(*_args):
        connection_closed(namespace)

    socketio.on("connect", namespace=namespace)(connect)
    socketio.on("disconnect", namespace=namespace)(disconnect)


def guarded_event(event: str, namespace: str):
    """Register a socket handler that runs only for users the policy table allows (deny by default)."""

    def decorator(handler):
        @functools.wraps(handler)
        def guarded(*args):
            if not socket_event_allowed(namespace, event):
                return {"ok": False, "error": "forbidden"}
            if too_large(args):
                return {"ok": False, "error": "too_large"}
            if len(args) != 1:  # every handler takes one payload; a client may send none or several
                return {"ok": False, "error": "invalid"}
            return handler(*args)

        socketio.on(event, namespace=namespace)(guarded)
        return handler

    return decorator


def too_large(args) -> bool:
    """Whether an event's arguments, as JSON in UTF-8 (what the client measures), pass MAX_EVENT_BYTES."""
    text = json.dumps(args, ensure_ascii=False, separators=(",", ":"), default=_measured_as_text)
    return len(text) > MAX_EVENT_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_EVENT_BYTES


def _measured_as_text(value) -> str:
    """What json.dumps cannot write, as text of its size: binary attachments count their bytes."""
    return "0" * len(value) if isinstance(value, bytes | bytearray) else repr(value)


class UnknownEvents(Namespace):
    """Answers every event its namespace has no handler for (its decorated handlers come first) with an error."""

    def trigger_event(self, event, *args):
        """Send every event that reaches here, whatever its name (even "*"), to on_unknown."""
        return super().trigger_event("unknown", *args)

    def on_unknown(self, *_args):
        """The answer to an event nobody handles; the policy table names who may get "unknown_event"."""
        if not socket_event_allowed(self.namespace, UNKNOWN_EVENT):
            return {"ok": False, "error": "forbidden"}
        return {"ok": False, "error": "unknown_event"}


def answer_unknown_events() -> None:
    """Give every namespace of the bound server an UnknownEvents handler (call after init_app)."""
    for namespace in list(socketio.server.handlers):
        socketio.on_namespace(UnknownEvents(namespace))


def debugger_around_pages_only() -> None:
    """Debug mode (FLASK_DEBUG=1): Werkzeug's debugger goes around the pages, inside the Socket.IO endpoint.

    A websocket that ends, as when its tab closes (close code 1001, "going away"), ends its request by raising the
    ConnectionError with which Engine.IO tells Werkzeug that the connection is no longer HTTP. Around the whole
    app, as `app.run(debug=True)` puts it, the debugger took that for a crash: a 500 for every closed tab. Run the
    server with use_debugger=False after this.
    """
    from werkzeug.debug import DebuggedApplication

    middleware = socketio.sockio_mw  # the Socket.IO middleware the last init_app put in front of its app's pages
    middleware.wsgi_app = DebuggedApplication(middleware.wsgi_app, evalex=True)


def renew_leases(now: datetime | None = None) -> int:
    """Renew this process's sockets' leases; forget the rows of dead processes (leases long run out); count those."""
    now = now or utcnow()
    manager = socketio.server.manager
    for namespace in list(manager.get_namespaces()):
        sids = [sid for sid, _eio_sid in manager.get_participants(namespace, None)]
        for start in range(0, len(sids), 500):
            db.session.execute(update(SocketConnection).where(
                SocketConnection.namespace == namespace, SocketConnection.sid.in_(sids[start:start + 500])
            ).values(seen_at=now))
    forgotten = db.session.execute(
        delete(SocketConnection).where(SocketConnection.seen_at < now - FORGET_CONNECTIONS_AFTER)
    ).rowcount
    db.session.commit()
    return forgotten


_lease_lock = threading.Lock()


def start_lease_renewal(app) -> None:
    """Start this process's lease loop once per bound server, with its first socket."""
    seconds = app.config.get("SOCKET_LEASE_SECONDS", LEASE_SECONDS)
    server = socketio.server
    if not seconds or server is None:
        return
    with _lease_lock:
        if app.extensions.get("stac_socket_lease") is server:
            return
        app.extensions["stac_socket_lease"] = server
    socketio.start_background_task(_renew_forever, app, server, seconds)


def _renew_forever(app, server, seconds: float) -> None:
    while True:
        socketio.sleep(seconds)
        if socketio.server is not server:  # another app was bound since (tests): this loop's sockets are gone
            return
        with app.app_context():
            try:
                renew_leases()
            except Exception:
                log.exception("socket lease renewal failed")
            finally:
                db.session.remove()


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
